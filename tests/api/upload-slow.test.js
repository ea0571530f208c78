// upload-slow.test.js — issue 9 part 4: a photo sent slowly over a weak village link is received
// as long as it keeps arriving (the limit is on silence, not on the whole transfer), while a
// client that stops sending in the middle of a request is cut off after the silence limit.
// The limits are the server's, not the store's: this runs once, on SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { BASE, DB, demo } from './lib/client.js';
import { png } from './lib/images.js';

const { hostname, port } = new URL(BASE);
const IDLE_S = 15; // src/http/idle.h HTTP_IDLE_MS
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Send head + body over a raw socket at `rate` bytes/s (or stop after `stopAt` bytes); resolve
 * with { reply, closedAfter } once the server answers or closes. */
function rawUpload(token, body, { rate, stopAt = Infinity }) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const sock = net.connect(Number(port), hostname);
    let reply = '';
    let sending = true;
    const guard = setTimeout(() => { sock.destroy(); reject(new Error('no answer in 120 s')); }, 120000);
    sock.on('data', (d) => { reply += d.toString('latin1'); });
    sock.on('error', () => {}); // a reset after the server shuts the connection down
    sock.on('close', () => { sending = false; clearTimeout(guard); resolve({ reply, closedAfter: (Date.now() - started) / 1000 }); });
    sock.on('connect', async () => {
      sock.write(`POST /api/v1/photos HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: image/png\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
      const step = Math.max(1, Math.round(rate / 10)); // ten writes a second
      for (let off = 0; off < body.length && sending; off += step) {
        if (off >= stopAt) return; // go silent, keep the socket open
        sock.write(body.subarray(off, Math.min(off + step, body.length)));
        await sleep(100);
      }
    });
  });
}

test('a photo arriving at 50 KB/s for longer than the silence limit is accepted; a stalled one is cut off', { skip: DB ? 'engine-independent: runs on SQLite' : false }, async () => {
  const token = await demo('duolun.resident');
  const body = png(600, 480, { seed: 5, stored: true }); // ~860 KB: 17 s at 50 KB/s
  assert.ok(body.length > 50 * 1024 * (IDLE_S + 1), `${body.length} bytes`);
  const [slow, stalled] = await Promise.all([
    rawUpload(token, body, { rate: 50 * 1024 }),
    rawUpload(token, body, { rate: 50 * 1024, stopAt: 100 * 1024 }),
  ]);
  assert.match(slow.reply, /^HTTP\/1\.1 201/, slow.reply.slice(0, 200));
  assert.match(slow.reply, /"width":\s*600/);
  assert.ok(slow.closedAfter > IDLE_S, `the transfer took ${slow.closedAfter} s`);
  // The stalled one stopped after ~2 s of sending: closed about IDLE_S later, with no reply.
  assert.equal(stalled.reply, '', stalled.reply.slice(0, 200));
  assert.ok(stalled.closedAfter >= IDLE_S && stalled.closedAfter < IDLE_S + 8, `closed after ${stalled.closedAfter} s`);
});
