// concurrency.test.js — parallel requests against one account or one key: no lost updates, no
// duplicate rows, no 500s.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, loginRaw, demo, assertError, createAccount, uniqueName, makeResidentId } from './lib/client.js';
import { sql, sqlAvailable } from './lib/db.js';

let admin;
before(async () => {
  admin = await demo('duolun.admin');
});

function tally(results) {
  const by = {};
  for (const r of results) by[r.status] = (by[r.status] || 0) + 1;
  return by;
}

test('10 parallel wrong-password logins: exactly 4 answered 401, then locked (423)', async () => {
  const a = await createAccount(admin, { prefix: 'plock' });
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => loginRaw(a.username, `Wrong@Pass${i}`)));
  for (const r of results) {
    if (r.status === 401) assertError(r, 401, 'bad_credentials');
    else assertError(r, 423, 'locked');
  }
  // Failures 1–4 are counted and refused; the 5th locks; the rest meet the lock.
  assert.deepEqual(tally(results), { 401: 4, 423: 6 });
  assertError(await loginRaw(a.username, a.password), 423, 'locked');
  // Every attempt is in the audit log.
  const log = await api('GET', '/api/v1/audit?limit=200', { token: await demo('duolun.audit') });
  const rows = log.json.items.filter((it) => it.object === `user:${a.id}` && it.action === 'login_failed');
  assert.equal(rows.length, 11);
  // The stored counter: reset to 0 by the lock, and no failure counted on top of the lock.
  if (sqlAvailable()) {
    const [count, lockedFor] = sql(`SELECT failed_count, locked_until - ${Date.now()} FROM users WHERE id = ${a.id}`).split('|').map(Number);
    assert.equal(count, 0, 'failed_count after the lock');
    assert.ok(lockedFor > 9 * 60 * 1000 && lockedFor <= 10 * 60 * 1000, `locked for ${lockedFor} ms more`);
  }
});

test('10 parallel wrong logins of a name that is no account: the same 4 × 401, then 423', async () => {
  const ghost = uniqueName('pghost');
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => loginRaw(ghost, `Wrong@Pass${i}`)));
  for (const r of results) {
    if (r.status === 401) assertError(r, 401, 'bad_credentials');
    else assertError(r, 423, 'locked');
  }
  assert.deepEqual(tally(results), { 401: 4, 423: 6 });
  assertError(await loginRaw(ghost, 'Any@Pass1'), 423, 'locked');
});

test('parallel logins with the right password each get their own working session', async () => {
  const a = await createAccount(admin, { prefix: 'pok' });
  const results = await Promise.all(Array.from({ length: 6 }, () => loginRaw(a.username, a.password)));
  assert.deepEqual(tally(results), { 200: 6 });
  const tokens = new Set(results.map((r) => r.json.token));
  assert.equal(tokens.size, 6);
  for (const t of tokens) assert.equal((await api('GET', '/api/v1/auth/me', { token: t })).status, 200);
});

test('parallel disable/enable of one account never fails with 500 and ends consistent', async () => {
  const a = await createAccount(admin, { prefix: 'pde' });
  for (let round = 0; round < 5; round++) {
    const [d, e] = await Promise.all([
      api('POST', `/api/v1/users/${a.id}/disable`, { token: admin }),
      api('POST', `/api/v1/users/${a.id}/enable`, { token: admin }),
    ]);
    assert.equal(d.status, 200, d.text);
    assert.equal(e.status, 200, e.text);
    const now = (await api('GET', `/api/v1/users?q=${a.username}`, { token: admin })).json.items[0];
    assert.equal(typeof now.disabled, 'boolean');
  }
  const d = await api('POST', `/api/v1/users/${a.id}/disable`, { token: admin });
  assert.equal(d.json.user.disabled, true);
  assertError(await loginRaw(a.username, a.password), 401);
  const e = await api('POST', `/api/v1/users/${a.id}/enable`, { token: admin });
  assert.equal(e.json.user.disabled, false);
  assert.equal((await loginRaw(a.username, a.password)).status, 200);
});

test('parallel creation of one username: exactly one 201, the others 409', async () => {
  const username = uniqueName('race');
  const results = await Promise.all(Array.from({ length: 5 }, () => api('POST', '/api/v1/users', { token: admin, body: { username, name: '并发', role: 'grid_worker', scope_code: '15253120220601' } })));
  assert.deepEqual(tally(results), { 201: 1, 409: 4 });
  for (const r of results) if (r.status === 409) assertError(r, 409, 'conflict', 'username');
  const list = await api('GET', `/api/v1/users?q=${username}`, { token: admin });
  assert.equal(list.json.items.length, 1);
});

test('parallel registration of one ID number: exactly one person', async () => {
  const t = await demo('tuquan.grid');
  const grid = (await api('GET', '/api/v1/auth/me', { token: t })).json.user.scope_code;
  const hh = (await api('GET', `/api/v1/regions/${grid}/households?limit=1`, { token: t })).json.items[0];
  const id_number = makeResidentId();
  const results = await Promise.all(Array.from({ length: 5 }, (_, i) => api('POST', '/api/v1/people', { token: t, body: { household_id: hh.id, name: `并发${i}`, id_number } })));
  assert.deepEqual(tally(results), { 201: 1, 409: 4 });
  const d = await api('GET', `/api/v1/households/${hh.id}`, { token: t });
  assert.equal(d.json.member_count, hh.member_count + 1);
});

test('a burst of mixed reads answers every request without 5xx', async () => {
  const paths = ['/healthz', '/api/v1/auth/me', '/api/v1/regions/152531202206', '/api/v1/regions/15253120220601/households?limit=50', '/api/v1/people?limit=50', '/api/v1/users?limit=10', '/api/v1/nope'];
  const results = await Promise.all(Array.from({ length: 70 }, (_, i) => api('GET', paths[i % paths.length], { token: admin })));
  for (const r of results) assert.ok(r.status < 500, `${r.status} ${r.text.slice(0, 200)}`);
  assert.equal(results.filter((r) => r.status === 200).length, 60);
});
