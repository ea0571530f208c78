// static.test.js — the built front end: three entry points as HTML that is revalidated on every
// load (a new release shows at once), content-hashed assets cached for a year, gzip for phones on
// slow networks, and API replies never cached.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const BASE = process.env.JICENG_TEST_URL;

async function get(path, headers = {}) {
  const r = await fetch(BASE + path, { headers });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

test('the three entry points are served as HTML with no-cache', async () => {
  for (const path of ['/', '/admin/', '/screen/']) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('content-type'), /text\/html/, path);
    assert.match(r.headers.get('cache-control') || '', /no-cache/, path);
    assert.match(r.text, /<html/i, path);
    assert.match(r.text, /lang="zh-CN"/, `${path} declares Chinese`);
  }
});

test('hashed assets are immutable for a year and gzipped on request', async () => {
  const html = (await get('/admin/')).text;
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  assert.ok(assets.length > 0, 'the console page links its assets');
  for (const a of assets) {
    const r = await get(a, { 'accept-encoding': 'gzip' });
    assert.equal(r.status, 200, a);
    assert.match(r.headers.get('cache-control') || '', /max-age=31536000/, a);
    assert.match(r.headers.get('cache-control') || '', /immutable/, a);
  }
  // node's fetch decodes gzip itself; ask with a raw header check on the biggest asset.
  const big = assets.find((a) => a.endsWith('.js'));
  const raw = await fetch(BASE + big, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(raw.headers.get('content-encoding'), 'gzip');
});

test('API replies are never cached, unknown files are 404', async () => {
  const r = await get('/healthz');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal((await get('/assets/no-such-file.js')).status, 404);
  assert.equal((await get('/nothing-here.html')).status, 404);
});
