// points-scope.test.js — /auth/me (and the sign-in reply) say whether the points system runs
// where the account works, so that menus hide 积分管理 / 全县积分概览 / the phone's 积分 tab in
// counties that do not run it (多伦县, 临河区) and show them in 突泉县 (issue 10 part 7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, demo, loginRaw, createAccount } from './lib/client.js';
import { doc as spec, validateReply } from './lib/openapi.js';

const meSchema = spec.paths['/api/v1/auth/me'].get.responses['200'].content['application/json'].schema;

async function me(username) {
  const r = await api('GET', '/api/v1/auth/me', { token: await demo(username) });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(validateReply(meSchema, r.json), [], `${username}: /auth/me conforms to openapi.yaml`);
  return r.json.user;
}

for (const [username, county, here] of [
  ['duolun.admin', false, false],
  ['duolun.leader', false, false],
  ['duolun.community', false, false],
  ['duolun.grid', false, false],
  ['duolun.resident', false, false],
  ['linhe.admin', false, false],
  ['linhe.leader', false, false],
  ['tuquan.admin', true, true],
  ['tuquan.leader', true, true],
  ['tuquan.community', true, true], // 福胜村 runs points
  ['tuquan.grid', true, true],
  ['tuquan.resident', true, true],
  ['tuquan.mingxing', true, true],
]) {
  test(`${username}: points ${county ? 'run' : 'do not run'} in the county${here ? ' and here' : ''}`, async () => {
    const u = await me(username);
    assert.deepEqual(u.points, { county, here });
  });
}

test('the sign-in reply carries the same flags', async () => {
  const r = await loginRaw('tuquan.resident', 'Jiceng@2026');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.user.points, { county: true, here: true });
  const d = await loginRaw('duolun.admin', 'Jiceng@2026');
  assert.deepEqual(d.json.user.points, { county: false, here: false });
});

test('a village of 突泉县 not on points: county yes, here no', async () => {
  // An account of a village that never turned points on (the first village of the county that
  // has no settings), made by the county admin.
  const admin = await demo('tuquan.admin');
  const o = await api('GET', '/api/v1/points/overview', { token: admin });
  assert.equal(o.status, 200, o.text);
  const on = new Set(o.json.villages.map((v) => v.village_code));
  const town = await api('GET', '/api/v1/regions/152224100/children', { token: admin });
  assert.equal(town.status, 200, town.text);
  const off = town.json.items.find((v) => v.code.length === 12 && !on.has(v.code));
  assert.ok(off, 'a village of 突泉镇 without points');
  const a = await createAccount(admin, { role: 'community_admin', scope_code: off.code, name: '测试村管理员' });
  const m = await api('GET', '/api/v1/auth/me', { token: a.token });
  assert.equal(m.status, 200, m.text);
  assert.deepEqual(m.json.user.points, { county: true, here: false });
});
