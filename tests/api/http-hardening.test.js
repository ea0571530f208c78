// http-hardening.test.js — issue 9 part 6: what every reply carries (nosniff, a Content-Security-
// Policy the front ends work under — the browser tests fail on any violation —, Referrer-Policy,
// never framed), one Cache-Control for photos with errors never cached, the session cookie Secure
// behind TLS, and requests h2o would let through refused with 400: two different Content-Length
// headers, Content-Length beside Transfer-Encoding, a NUL in the path, HTTP/1.1 without Host.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { api, BASE, BIN, DB, WORK, DEMO_PW, demo, loginRaw } from './lib/client.js';
import { png } from './lib/images.js';

const { hostname, port } = new URL(BASE);

/** Send raw bytes; resolve with the status line's code and the whole reply. */
function raw(bytes) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname);
    const parts = [];
    sock.on('data', (d) => parts.push(d));
    sock.on('error', reject);
    sock.on('close', () => {
      const reply = Buffer.concat(parts).toString('utf8');
      resolve({ status: Number(reply.split(' ')[1]), reply });
    });
    sock.on('connect', () => sock.end(bytes));
    setTimeout(() => sock.destroy(), 10000);
  });
}

describe('malformed requests are refused with 400 in the JSON error shape', () => {
  const body = '{"username":"x","password":"y"}';
  const cases = {
    'two different Content-Length headers': `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nContent-Length: 5\r\nConnection: close\r\n\r\n${body}`,
    'Content-Length beside Transfer-Encoding': `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    'a NUL in the path (%00)': 'GET /index.html%00.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'a NUL in an asset path': 'GET /assets/x%00.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'HTTP/1.1 without Host': 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n',
  };
  for (const [name, bytes] of Object.entries(cases)) {
    test(name, async () => {
      const r = await raw(bytes);
      assert.equal(r.status, 400, r.reply.slice(0, 300));
      const json = JSON.parse(r.reply.slice(r.reply.indexOf('\r\n\r\n') + 4));
      assert.equal(json.error.code, 'bad_request');
      assert.match(json.error.message, /[\u4e00-\u9fff]/);
    });
  }
  test('the same requests, well formed, are answered as before', async () => {
    assert.equal((await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).status, 200);
    assert.equal((await raw('GET /healthz HTTP/1.0\r\n\r\n')).status, 200); // HTTP/1.0 needs no Host
    const same = `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
    assert.equal((await raw(same)).status, 401); // two equal Content-Length headers are one
  });
});

describe('security headers', () => {
  const check = (h, what) => {
    assert.equal(h.get('x-content-type-options'), 'nosniff', what);
    assert.match(h.get('content-security-policy') || '', /frame-ancestors 'none'/, what);
    assert.match(h.get('content-security-policy') || '', /default-src 'self'/, what);
    assert.equal(h.get('referrer-policy'), 'same-origin', what);
  };
  test('on pages, assets and API replies', async () => {
    for (const path of ['/', '/admin/', '/screen/', '/healthz', '/api/v1/auth/me']) {
      const r = await fetch(BASE + path);
      check(r.headers, path);
    }
    const html = await (await fetch(BASE + '/')).text();
    const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)[1];
    const a = await fetch(BASE + asset);
    assert.equal(a.status, 200);
    check(a.headers, asset);
    assert.match(a.headers.get('cache-control'), /immutable/);
  });
  test('the session cookie is HttpOnly and SameSite=Strict, and not Secure on plain HTTP', async () => {
    const r = await loginRaw('duolun.resident', DEMO_PW);
    const c = r.headers.get('set-cookie');
    assert.match(c, /HttpOnly/);
    assert.match(c, /SameSite=Strict/);
    assert.doesNotMatch(c, /Secure/);
  });
  test('photos: one Cache-Control for the picture and its 304; errors are never cached', async () => {
    const token = await demo('duolun.resident');
    const up = await api('POST', '/api/v1/photos', { token, body: png(80, 60, { seed: 9 }), headers: { 'content-type': 'image/png' } });
    assert.equal(up.status, 201);
    const get = (path, headers = {}) => fetch(BASE + path, { headers: { authorization: `Bearer ${token}`, ...headers } });
    const ok = await get(up.json.url);
    assert.equal(ok.status, 200);
    const cc = ok.headers.get('cache-control');
    assert.equal(cc, 'private, max-age=31536000, immutable');
    const again = await get(up.json.url, { 'if-none-match': ok.headers.get('etag') });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('cache-control'), cc);
    const missing = await get(`/api/v1/photos/${'0'.repeat(64)}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('cache-control'), 'no-store');
  });
});

describe('behind TLS (--secure-cookies): the session cookie is Secure', () => {
  let proc, base;
  before(async () => {
    const data = join(mkdtempSync(join(WORK || '/tmp', 'secure-')), 'data');
    if (!DB) assert.equal(spawnSync(BIN, ['seed-demo', '--data', data], { encoding: 'utf8' }).status, 0);
    else spawnSync('cp', ['-r', process.env.JICENG_TEST_DATA, data]); // same keys as the suite's server
    const p = await new Promise((r) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const q = s.address().port; s.close(() => r(q)); }); });
    base = `http://127.0.0.1:${p}`;
    proc = spawn(BIN, ['serve', '--data', data, '--port', String(p), '--threads', '1', '--secure-cookies', ...(DB ? ['--db', DB] : [])], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try { if ((await fetch(`${base}/readyz`)).ok) return; } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('server did not start');
  });
  after(() => proc?.kill('SIGTERM'));
  test('login sets a Secure cookie; logout clears it the same way', async () => {
    const r = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'duolun.resident', password: DEMO_PW }) });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('set-cookie'), /; Secure/);
    const { token } = await r.json();
    const out = await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
    assert.match(out.headers.get('set-cookie'), /; Secure/);
  });
});
