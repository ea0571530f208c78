// access.test.js — function-level (role × endpoint) and object-level (scope, IDOR) access control.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, demo, assertError, createAccount, uniqueName, keysMatching } from './lib/client.js';

const DUOLUN = '152531';
const VILLAGE = '152531202206'; // 牛眼睛村
const GRID1 = '15253120220601';
const GRID2 = '15253120220602';
const HUIMIN_VILLAGE = '150103006009'; // 三顺店社区

// [account, method, path, expected status]. Paths are inside the account's own scope wherever
// the role may use the route, so that 403 can only come from the role check.
const MATRIX = [
  ['duolun.resident', 'GET', '/api/v1/users', 403],
  ['duolun.resident', 'GET', `/api/v1/regions/${GRID1}`, 403],
  ['duolun.resident', 'GET', `/api/v1/regions/${GRID1}/households`, 403],
  ['duolun.resident', 'GET', '/api/v1/people', 403],
  ['duolun.resident', 'GET', '/api/v1/audit', 403],
  ['duolun.resident', 'GET', `/api/v1/grids/${GRID1}`, 403],
  ['duolun.resident', 'GET', '/api/v1/people/1', 403],
  ['duolun.resident', 'GET', '/api/v1/people/1/sensitive', 403],
  ['duolun.resident', 'GET', '/api/v1/me/household', 200],
  ['duolun.resident', 'GET', '/api/v1/me/profile', 200],
  ['duolun.informant', 'GET', '/api/v1/people', 403],
  ['duolun.informant', 'GET', '/api/v1/users', 403],
  ['duolun.informant', 'GET', '/api/v1/me/household', 200],
  ['duolun.head', 'GET', '/api/v1/users', 403],
  ['duolun.head', 'GET', '/api/v1/audit', 403],
  ['duolun.head', 'GET', `/api/v1/grids/${GRID1}`, 200],
  ['duolun.head', 'GET', '/api/v1/me/household', 200],
  ['duolun.party', 'GET', '/api/v1/users', 403],
  ['duolun.party', 'GET', `/api/v1/grids/${GRID1}`, 200],
  ['duolun.party', 'GET', `/api/v1/regions/${GRID1}`, 200],
  ['duolun.grid', 'GET', '/api/v1/users', 403],
  ['duolun.grid', 'GET', '/api/v1/audit', 403],
  ['duolun.grid', 'GET', `/api/v1/regions/${GRID1}`, 200],
  ['duolun.grid', 'GET', `/api/v1/grids/${GRID1}`, 200],
  ['duolun.grid', 'GET', '/api/v1/people?limit=1', 200],
  ['duolun.community', 'GET', '/api/v1/audit', 403],
  ['duolun.community', 'GET', '/api/v1/users', 200],
  ['duolun.community', 'GET', `/api/v1/regions/${VILLAGE}/children`, 200],
  ['duolun.street', 'GET', '/api/v1/audit', 403],
  ['duolun.street', 'GET', '/api/v1/users', 200],
  ['duolun.dept', 'GET', '/api/v1/users', 403],
  ['duolun.dept', 'GET', '/api/v1/audit', 403],
  ['duolun.dept', 'GET', `/api/v1/regions/${DUOLUN}`, 200],
  // Department staff browse no place's households or grid (the county's default: their cases'
  // people only, dept-registry.test.js), and never see full ID numbers.
  ['duolun.dept', 'GET', `/api/v1/regions/${GRID1}/households`, 403],
  ['duolun.dept', 'GET', `/api/v1/grids/${GRID1}`, 403],
  ['duolun.dept', 'GET', '/api/v1/people/1/sensitive', 403],
  ['duolun.dept', 'GET', `/api/v1/counties/${DUOLUN}/settings`, 403],
  ['duolun.center', 'GET', `/api/v1/counties/${DUOLUN}/settings`, 403],
  ['duolun.admin', 'GET', `/api/v1/counties/${DUOLUN}/settings`, 200],
  ['duolun.center', 'GET', '/api/v1/users', 403],
  ['duolun.center', 'GET', `/api/v1/regions/${DUOLUN}`, 200],
  ['duolun.leader', 'GET', '/api/v1/users', 403],
  ['duolun.leader', 'GET', '/api/v1/audit', 403],
  ['duolun.leader', 'GET', `/api/v1/regions/${DUOLUN}`, 200],
  ['duolun.audit', 'GET', '/api/v1/audit', 200],
  ['duolun.audit', 'GET', '/api/v1/users', 403],
  ['duolun.audit', 'GET', '/api/v1/people', 403],
  ['duolun.audit', 'GET', `/api/v1/regions/${DUOLUN}`, 200],
  ['duolun.audit', 'GET', `/api/v1/regions/${GRID1}/households`, 403],
  ['duolun.audit', 'GET', `/api/v1/grids/${GRID1}`, 403],
  ['duolun.admin', 'GET', '/api/v1/audit', 200],
  ['duolun.admin', 'GET', '/api/v1/users', 200],
  ['duolun.admin', 'GET', `/api/v1/regions/${DUOLUN}`, 200],
  ['huimin.community', 'GET', '/api/v1/audit', 403],
  ['huimin.community', 'GET', '/api/v1/users', 200],
  ['huimin.grid', 'GET', '/api/v1/users', 403],
];

describe('role × endpoint matrix', () => {
  for (const [who, method, path, want] of MATRIX)
    test(`${who} ${method} ${path} → ${want}`, async () => {
      const r = await api(method, path, { token: await demo(who) });
      if (want === 403) assertError(r, 403, 'forbidden');
      else assert.equal(r.status, want, r.text);
    });

  test('writes by roles that may not write: 403 forbidden, nothing written', async () => {
    const body = { household_id: '1', name: '测试', id_number: '11010519491231002X' };
    for (const who of ['duolun.resident', 'duolun.head', 'duolun.party', 'duolun.leader', 'duolun.audit', 'duolun.dept'])
      assertError(await api('POST', '/api/v1/people', { token: await demo(who), body }), 403, 'forbidden');
    for (const who of ['duolun.grid', 'duolun.audit', 'duolun.leader', 'duolun.resident'])
      assertError(await api('POST', '/api/v1/users', { token: await demo(who), body: { username: uniqueName(), name: '某', role: 'resident', scope_code: GRID1 } }), 403, 'forbidden');
  });
});

// Find objects through accounts that may see them.
let foreignHousehold, foreignPerson, ownHousehold, huiminPerson;
before(async () => {
  const admin = await demo('duolun.admin');
  const h2 = await api('GET', `/api/v1/regions/${GRID2}/households?limit=1`, { token: admin });
  assert.equal(h2.status, 200, h2.text);
  foreignHousehold = h2.json.items[0].id;
  const hd = await api('GET', `/api/v1/households/${foreignHousehold}`, { token: admin });
  foreignPerson = hd.json.members[0].id;
  const h1 = await api('GET', `/api/v1/regions/${GRID1}/households?limit=1`, { token: admin });
  ownHousehold = h1.json.items[0].id;
  const hp = await api('GET', `/api/v1/people?limit=1&region=${HUIMIN_VILLAGE}`, { token: await demo('huimin.community') });
  assert.equal(hp.status, 200, hp.text);
  huiminPerson = hp.json.items[0].id;
});

describe('object scope (no IDOR, no existence leak)', () => {
  test('a grid worker asking for a household or person of another grid gets 404 and no data', async () => {
    const t = await demo('duolun.grid');
    assert.equal((await api('GET', `/api/v1/households/${ownHousehold}`, { token: t })).status, 200, 'own grid visible');
    for (const path of [
      `/api/v1/households/${foreignHousehold}`,
      `/api/v1/people/${foreignPerson}`,
      `/api/v1/people/${foreignPerson}/sensitive?purpose=%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD`,
      `/api/v1/regions/${GRID2}`,
      `/api/v1/regions/${GRID2}/households`,
      `/api/v1/grids/${GRID2}`,
      `/api/v1/people?region=${GRID2}`,
    ]) {
      const r = await api('GET', path, { token: t });
      assertError(r, 404, 'not_found');
      assert.ok(!r.text.includes(foreignPerson) && !r.text.includes(foreignHousehold), `${path}: no data leaks`);
      assert.deepEqual(Object.keys(r.json), ['error']);
    }
    const admin = await demo('duolun.admin');
    const prior = await api('GET', `/api/v1/people/${foreignPerson}`, { token: admin });
    const p = await api('PATCH', `/api/v1/people/${foreignPerson}`, { token: t, body: { name: '改名', tags: ['重点关注', '党员'] } });
    assertError(p, 404, 'not_found');
    const after = await api('GET', `/api/v1/people/${foreignPerson}`, { token: admin });
    assert.deepEqual(after.json, prior.json, 'the refused PATCH changed nothing');
  });

  test('department staff: a person or household no case of theirs links reads like a missing one', async () => {
    const t = await demo('duolun.dept');
    for (const [path, missing] of [
      [`/api/v1/people/${foreignPerson}`, '/api/v1/people/999999999999'],
      [`/api/v1/households/${foreignHousehold}`, '/api/v1/households/999999999999'],
      [`/api/v1/households/${foreignHousehold}/points`, '/api/v1/households/999999999999/points'],
    ]) {
      const r = await api('GET', path, { token: t });
      const m = await api('GET', missing, { token: t });
      assertError(r, 404, 'not_found');
      assert.deepEqual(r.json, m.json, path);
    }
    const list = await api('GET', `/api/v1/people?region=${GRID2}&limit=200`, { token: t });
    assert.equal(list.status, 200, list.text);
    assert.ok(!list.text.includes(foreignPerson), 'not in their list either');
  });

  test('an existing object outside scope reads exactly like one that does not exist', async () => {
    const t = await demo('duolun.grid');
    const outside = await api('GET', `/api/v1/people/${foreignPerson}`, { token: t });
    const missing = await api('GET', '/api/v1/people/999999999999', { token: t });
    assert.equal(outside.status, missing.status);
    assert.deepEqual(outside.json, missing.json);
  });

  test('huimin.community cannot see 多伦县 regions: 404', async () => {
    const t = await demo('huimin.community');
    for (const code of [DUOLUN, VILLAGE, GRID1, '152531202'])
      assertError(await api('GET', `/api/v1/regions/${code}`, { token: t }), 404, 'not_found');
    assertError(await api('GET', `/api/v1/regions/${DUOLUN}/children`, { token: t }), 404, 'not_found');
    assertError(await api('GET', `/api/v1/regions/${VILLAGE}/households`, { token: t }), 404, 'not_found');
    assertError(await api('GET', `/api/v1/households/${ownHousehold}`, { token: t }), 404, 'not_found');
    // Its parent (the street above it) is outside too.
    assertError(await api('GET', '/api/v1/regions/150103006', { token: t }), 404, 'not_found');
    assert.equal((await api('GET', `/api/v1/regions/${HUIMIN_VILLAGE}`, { token: t })).status, 200);
  });

  test("one county's administrator cannot read another county's person or household by ID", async () => {
    const duolun = await demo('duolun.admin');
    for (const path of [`/api/v1/people/${huiminPerson}`, `/api/v1/people/${huiminPerson}/sensitive?purpose=%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD`]) {
      const r = await api('GET', path, { token: duolun });
      assertError(r, 404, 'not_found');
      assert.ok(!r.text.includes(huiminPerson));
    }
    const huimin = await demo('huimin.admin');
    assert.equal((await api('GET', `/api/v1/people/${huiminPerson}`, { token: huimin })).status, 200);
    assertError(await api('GET', `/api/v1/people/${foreignPerson}`, { token: huimin }), 404, 'not_found');
    assertError(await api('GET', `/api/v1/households/${foreignHousehold}`, { token: huimin }), 404, 'not_found');
  });

  test("the audit log shows only the auditor's own county", async () => {
    // Make a huimin-side audit row, then look for it from 多伦县.
    await demo('huimin.admin');
    const d = await api('GET', '/api/v1/audit?limit=200', { token: await demo('duolun.audit') });
    assert.equal(d.status, 200);
    assert.ok(d.json.items.length > 0);
    for (const it of d.json.items) assert.ok(!String(it.username || '').startsWith('huimin.'), `foreign row ${JSON.stringify(it)}`);
    const h = await api('GET', '/api/v1/audit?limit=200', { token: await demo('huimin.audit') });
    assert.ok(h.json.items.some((it) => it.username === 'huimin.admin'));
    for (const it of h.json.items) assert.ok(!String(it.username || '').startsWith('duolun.'), `foreign row ${JSON.stringify(it)}`);
  });
});

describe('account management inside scope', () => {
  test('users list of huimin.community has only accounts under 150103006009', async () => {
    const t = await demo('huimin.community');
    const seen = new Set();
    let cursor = null, pages = 0;
    do {
      const r = await api('GET', `/api/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: t });
      assert.equal(r.status, 200, r.text);
      for (const u of r.json.items) {
        assert.ok(u.scope_code.startsWith(HUIMIN_VILLAGE), `${u.username} ${u.scope_code}`);
        assert.ok(!seen.has(u.id), 'no duplicates across pages');
        seen.add(u.id);
        assert.deepEqual(keysMatching(u, /^(?!must_change_password$).*(pw|password|hash).*$/i), []);
      }
      cursor = r.json.next_cursor;
      pages++;
    } while (cursor && pages < 50);
    assert.ok(seen.size >= 5, `${seen.size} accounts`);
    const names = [...seen];
    assert.ok(names.length > 0);
    const all = await api('GET', '/api/v1/users?limit=200', { token: t });
    const usernames = all.json.items.map((u) => u.username);
    assert.ok(usernames.includes('huimin.grid'));
    assert.ok(!usernames.includes('huimin.admin'), 'the county admin is above the community');
    assert.ok(!usernames.some((u) => u.startsWith('duolun.')));
  });

  test('users list filters by role and q', async () => {
    const t = await demo('duolun.admin');
    const r = await api('GET', '/api/v1/users?role=auditor&limit=200', { token: t });
    assert.equal(r.status, 200);
    assert.ok(r.json.items.length >= 1);
    assert.ok(r.json.items.every((u) => u.role === 'auditor'));
    const q = await api('GET', '/api/v1/users?q=duolun.gri&limit=200', { token: t });
    assert.ok(q.json.items.some((u) => u.username === 'duolun.grid'));
    assert.ok(q.json.items.every((u) => u.username.includes('duolun.gri') || u.name.includes('duolun.gri')));
    assertError(await api('GET', '/api/v1/users?role=emperor', { token: t }), 400, 'invalid', 'role');
  });

  test('a community admin cannot create a county_admin (403) nor an account outside its scope (403 out_of_scope)', async () => {
    const t = await demo('huimin.community');
    const mk = (role, scope_code) => api('POST', '/api/v1/users', { token: t, body: { username: uniqueName('acc'), name: '测试', role, scope_code } });
    assertError(await mk('county_admin', '150103'), 403, 'forbidden', 'role');
    assertError(await mk('street_admin', '150103006'), 403, 'forbidden', 'role');
    assertError(await mk('community_admin', HUIMIN_VILLAGE), 403, 'forbidden', 'role');
    assertError(await mk('auditor', '150103'), 403, 'forbidden', 'role');
    assertError(await mk('grid_worker', GRID1), 403, 'out_of_scope', 'scope_code');
    assertError(await mk('grid_worker', '15010300600801'), 403, 'out_of_scope', 'scope_code');
    // Inside its scope, a grid worker is fine.
    const ok = await mk('grid_worker', '15010300600901');
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.user.scope_code, '15010300600901');
    assert.equal(ok.json.user.must_change_password, true);
  });

  test('a community admin cannot disable, enable or reset accounts outside its scope (404) or above it (403)', async () => {
    const duolunAdmin = await demo('duolun.admin');
    const victim = await createAccount(duolunAdmin, { prefix: 'vic' });
    const t = await demo('huimin.community');
    for (const op of ['disable', 'enable', 'reset-password'])
      assertError(await api('POST', `/api/v1/users/${victim.id}/${op}`, { token: t }), 404, 'not_found');
    assertError(await api('POST', '/api/v1/users/999999999999/disable', { token: t }), 404, 'not_found');
    assertError(await api('POST', '/api/v1/users/abc/disable', { token: t }), 404, 'not_found');
    // The victim is untouched.
    assert.equal((await api('GET', '/api/v1/auth/me', { token: victim.token })).status, 200);
    // The county admin of huimin is in scope but ranks above: 403.
    const list = await api('GET', '/api/v1/users?role=county_admin&limit=5', { token: await demo('huimin.admin') });
    const huiminAdmin = list.json.items.find((u) => u.username === 'huimin.admin');
    assert.ok(huiminAdmin);
    assertError(await api('POST', `/api/v1/users/${huiminAdmin.id}/disable`, { token: t }), 404, 'not_found');
    // Another community admin of the same community is in scope but not below it: 403.
    const peerCa = await createAccount(await demo('huimin.admin'), { prefix: 'ca', role: 'community_admin', scope_code: HUIMIN_VILLAGE });
    for (const op of ['disable', 'enable', 'reset-password'])
      assertError(await api('POST', `/api/v1/users/${peerCa.id}/${op}`, { token: t }), 403, 'forbidden');
    assert.equal((await api('GET', '/api/v1/auth/me', { token: peerCa.token })).status, 200);
    // A peer county admin in the same county is not manageable either.
    const peer = await api('POST', '/api/v1/users', { token: duolunAdmin, body: { username: uniqueName('peer'), name: '同级', role: 'county_admin', scope_code: DUOLUN } });
    assertError(peer, 403, 'forbidden', 'role');
    const audit = (await api('GET', '/api/v1/users?role=auditor&limit=5', { token: duolunAdmin })).json.items[0];
    const dis = await api('POST', `/api/v1/users/${audit.id}/disable`, { token: await demo('duolun.street') });
    assertError(dis, 404, 'not_found'); // county-scoped auditor is outside a town's scope
  });
});
