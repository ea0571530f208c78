// sse.js — read GET /api/v1/events as it arrives (the same reader as events.test.js).
import { BASE } from './client.js';

/**
 * Open the stream and parse it as it arrives. Returns {events, status, headers, next(pred, ms),
 * ended, close()}; events collects {event, id, data, comment}.
 */
export async function openStream(token, headers = {}) {
  const ac = new AbortController();
  const res = await fetch(`${BASE}/api/v1/events`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
    signal: ac.signal,
  });
  const s = { status: res.status, headers: res.headers, events: [], waiters: [], done: false };
  if (res.status !== 200) {
    s.text = await res.text();
    return s;
  }
  const dec = new TextDecoder();
  let buf = '';
  const check = () => {
    s.waiters = s.waiters.filter((w) => {
      const hit = s.events.find(w.pred);
      if (hit) { clearTimeout(w.timer); w.resolve(hit); }
      return !hit;
    });
  };
  s.ended = (async () => {
    try {
      for await (const chunk of res.body) {
        buf += dec.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) ev.comment = line.slice(1).trim();
            else {
              const k = line.slice(0, line.indexOf(':'));
              const v = line.slice(line.indexOf(':') + 1).replace(/^ /, '');
              ev[k] = v;
            }
          }
          if (ev.data) ev.json = JSON.parse(ev.data);
          s.events.push(ev);
          check();
        }
      }
    } catch { /* aborted */ }
    s.done = true;
    return true;
  })();
  s.next = (pred, ms = 5000) => new Promise((resolve, reject) => {
    const hit = s.events.find(pred);
    if (hit) return resolve(hit);
    const w = { pred, resolve };
    w.timer = setTimeout(() => reject(new Error(`no matching event within ${ms} ms; got ${JSON.stringify(s.events)}`)), ms);
    s.waiters.push(w);
  });
  s.close = () => ac.abort();
  return s;
}
