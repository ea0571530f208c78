// system.test.js — health, readiness, metrics, unknown routes and wrong methods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, assertError, DB } from './lib/client.js';

test('GET /healthz answers ok', async () => {
  const r = await api('GET', '/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'ok' });
});

test('GET /readyz names the store the server runs on', async () => {
  const r = await api('GET', '/readyz');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ready');
  assert.equal(r.json.store, DB ? 'postgresql' : 'sqlite');
});

function metric(text, name) {
  const m = text.match(new RegExp(`^${name} (\\d+(?:\\.\\d+)?)$`, 'm'));
  return m ? Number(m[1]) : null;
}

test('GET /metrics is Prometheus text and counts requests', async () => {
  const a = await api('GET', '/metrics');
  assert.equal(a.status, 200);
  assert.match(a.headers.get('content-type') || '', /^text\/plain/);
  assert.match(a.text, /^# TYPE jiceng_http_requests_total counter$/m);
  assert.match(a.text, /^jiceng_http_responses_total\{class="2xx"\} \d+$/m);
  const before = metric(a.text, 'jiceng_http_requests_total');
  assert.ok(before >= 1, 'the metrics request itself was counted');
  for (let i = 0; i < 3; i++) assert.equal((await api('GET', '/healthz')).status, 200);
  const after = metric((await api('GET', '/metrics')).text, 'jiceng_http_requests_total');
  assert.ok(after >= before + 4, `counter grew from ${before} to ${after}`);
  // Every sample line is "name{labels} value" or a # comment.
  for (const line of a.text.split('\n').filter(Boolean))
    assert.match(line, /^(# (HELP|TYPE) \w+ .+|[a-zA-Z_:][\w:]*(\{[^}]*\})? -?\d+(\.\d+)?(e[+-]?\d+)?)$/, line);
});

test('an unknown /api/v1 path answers 404 in the JSON error shape', async () => {
  for (const path of ['/api/v1/nope', '/api/v1/regions', '/api/v1/people/1/nope']) {
    const r = await api('GET', path);
    assertError(r, 404, 'not_found');
    assert.match(r.headers.get('content-type') || '', /application\/json/);
  }
  assertError(await api('POST', '/api/v1/nope', { body: {} }), 404, 'not_found');
});

test('a wrong method on a known path answers 405 in the JSON error shape', async () => {
  for (const [m, p] of [
    ['POST', '/healthz'],
    ['DELETE', '/api/v1/users'],
    ['GET', '/api/v1/auth/login'],
    ['PUT', '/api/v1/people/1'],
    ['POST', '/api/v1/regions/152531'],
  ]) {
    const r = await api(m, p);
    assertError(r, 405);
  }
});

test('protected routes refuse requests without a session: 401 unauthenticated', async () => {
  for (const [m, p] of [
    ['GET', '/api/v1/auth/me'],
    ['GET', '/api/v1/regions/152531'],
    ['GET', '/api/v1/users'],
    ['POST', '/api/v1/auth/logout'],
    ['GET', '/api/v1/audit'],
  ]) {
    assertError(await api(m, p), 401, 'unauthenticated');
    assertError(await api(m, p, { token: 'not-a-real-token' }), 401, 'unauthenticated');
    assertError(await api(m, p, { cookie: 'jiceng_session=bogus' }), 401, 'unauthenticated');
  }
});

test('API replies are not cached', async () => {
  const r = await api('GET', '/api/v1/auth/me');
  assert.equal(r.headers.get('cache-control'), 'no-store');
});
