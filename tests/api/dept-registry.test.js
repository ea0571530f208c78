// dept-registry.test.js — issue 9 part 6: department staff (职能部门) read only the people their
// department's cases link it to — the household of a resident's case and its reporter, for cases
// held by the department or that summoned it by a whistle, while open and for 90 days after they
// end — unless the county admin widens it to the county (masked), in a setting that is audited.
// 多伦县 152531, departments d09 民政局 and d10 自然资源局 (no other test sends them cases). The
// demo's year of cases already links some people to them: those are the baseline, read first;
// the households the test works with are ones no case links yet.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, demo, assertError, createAccount, keysMatching } from './lib/client.js';
import { sql, sqlSkip } from './lib/db.js';

const DUOLUN = '152531';
const VILLAGE = '152531202206'; // 牛眼睛村
const GRID1 = '15253120220601';
const SETTINGS = `/api/v1/counties/${DUOLUN}/settings`;
const ID_MASKED = /^\d{4}\*{10}[\dX]{4}$/;
const FULL_SECRETS = /^(id_number|id_enc|id_hash|phone_enc|phone_hash|phone)$/;

const ctx = {};
const act = (token, id, body) => api('POST', `/api/v1/cases/${id}/events`, { token, body });
const sorted = (a) => [...a].sort();
const union = (...lists) => sorted([...new Set(lists.flat())]);

/** Every person a department account lists (all pages), as sorted IDs; each one masked. */
async function listed(token, query = '') {
  const ids = [];
  let cursor = null;
  do {
    const r = await api('GET', `/api/v1/people?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`, { token });
    assert.equal(r.status, 200, r.text);
    for (const p of r.json.items) {
      assert.match(p.id_number_masked, ID_MASKED);
      assert.deepEqual(keysMatching(p, FULL_SECRETS), [], `masked: ${JSON.stringify(p)}`);
      ids.push(p.id);
    }
    cursor = r.json.next_cursor;
  } while (cursor && ids.length < 5000);
  return sorted(ids);
}

/** A household's member IDs, read by the grid worker. */
async function members(householdId) {
  const r = await api('GET', `/api/v1/households/${householdId}`, { token: ctx.grid });
  assert.equal(r.status, 200, r.text);
  return r.json.members.map((m) => m.id);
}

const setReach = (token, value) => api('PUT', SETTINGS, { token, body: { department_registry: value } });

before(async () => {
  ctx.admin = await demo('duolun.admin');
  ctx.center = await demo('duolun.center');
  ctx.community = await demo('duolun.community');
  ctx.resident = await demo('duolun.resident');
  ctx.grid = await demo('duolun.grid');
  ctx.d09 = (await createAccount(ctx.admin, { role: 'department_staff', scope_code: DUOLUN, prefix: 'mz', department: 'd09', name: '民政局' })).token;
  ctx.d10 = (await createAccount(ctx.admin, { role: 'department_staff', scope_code: DUOLUN, prefix: 'zr', department: 'd10', name: '自然资源局' })).token;
  // The resident's household (case A), and two more households of the grid worker's grid: one a
  // case is filed for (代报, case B), one no case touches.
  const mine = await api('GET', '/api/v1/me/household', { token: ctx.resident });
  assert.equal(mine.status, 200, mine.text);
  ctx.h1 = mine.json.id;
  ctx.reporterPerson = (await api('GET', '/api/v1/me/profile', { token: ctx.resident })).json.id;
  assert.equal((await setReach(ctx.admin, 'linked')).status, 200, 'start narrow');
  // What the demo's cases link already (the baseline of each department).
  ctx.base09 = await listed(ctx.d09);
  ctx.base10 = await listed(ctx.d10);
  const linked = new Set([...ctx.base09, ...ctx.base10]);
  ctx.h1Members = sorted(await members(ctx.h1));
  ctx.h1In09 = ctx.h1Members.some((id) => ctx.base09.includes(id));
  ctx.h1In10 = ctx.h1Members.some((id) => ctx.base10.includes(id));
  const gridScope = (await api('GET', '/api/v1/auth/me', { token: ctx.grid })).json.user.scope_code;
  const hh = await api('GET', `/api/v1/regions/${gridScope}/households?limit=50`, { token: ctx.grid });
  const others = [];
  for (const h of hh.json.items.filter((x) => x.id !== ctx.h1 && x.member_count > 0)) {
    if ((await members(h.id)).every((id) => !linked.has(id))) others.push(h);
    if (others.length === 3) break;
  }
  assert.ok(others.length >= 3, 'the grid has households no case links yet');
  [ctx.h2, ctx.h3, ctx.hFree] = others.map((h) => h.id);
  ctx.free = (await members(ctx.hFree))[0];
});

describe('department staff and the registry', () => {
  test('the county keeps the registry to linked people by default', async () => {
    const r = await api('GET', SETTINGS, { token: ctx.admin });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.county, DUOLUN);
    assert.equal(r.json.department_registry, 'linked');
  });

  test('before the test\'s cases: only the demo\'s linked people, no other households, no browsing; counts stay', async () => {
    for (const [token, base, h1Linked] of [[ctx.d09, ctx.base09, ctx.h1In09], [ctx.d10, ctx.base10, ctx.h1In10]]) {
      assert.deepEqual(await listed(token), base);
      assert.ok((await listed(token, `&region=${VILLAGE}`)).every((id) => base.includes(id)));
      assertError(await api('GET', `/api/v1/people/${ctx.free}`, { token }), 404, 'not_found');
      assertError(await api('GET', `/api/v1/households/${ctx.hFree}`, { token }), 404, 'not_found');
      if (!h1Linked) {
        assertError(await api('GET', `/api/v1/households/${ctx.h1}`, { token }), 404, 'not_found');
        assertError(await api('GET', `/api/v1/households/${ctx.h1}/points`, { token }), 404, 'not_found');
      }
      assertError(await api('GET', `/api/v1/regions/${VILLAGE}/households`, { token }), 403, 'forbidden');
      assertError(await api('GET', `/api/v1/regions/${GRID1}/households`, { token }), 403, 'forbidden');
      assertError(await api('GET', `/api/v1/grids/${GRID1}`, { token }), 403, 'forbidden');
      assertError(await api('GET', `/api/v1/people/${ctx.free}/sensitive?purpose=%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD`, { token }), 403, 'forbidden');
      const county = await api('GET', `/api/v1/regions/${DUOLUN}`, { token });
      assert.equal(county.status, 200, 'counts are not personal data');
      assert.equal(county.json.counts.residents, 103700);
    }
    // A region outside the county is outside scope, as for everyone.
    assertError(await api('GET', '/api/v1/people?region=150802', { token: ctx.d09 }), 404, 'not_found');
  });

  test('a case dispatched to 民政局 links the household and the reporter, to 民政局 only', async () => {
    const r = await api('POST', '/api/v1/cases', { token: ctx.resident, body: { category: '0401', description: '独居老人与邻居纠纷，需民政协助' } });
    assert.equal(r.status, 201, r.text);
    ctx.caseA = r.json.id;
    assert.equal((await act(ctx.community, ctx.caseA, { event: 'escalate', note: '需部门处理' })).status, 200);
    const d = await act(ctx.center, ctx.caseA, { event: 'dispatch', assignee: 'dept:d09' });
    assert.equal(d.status, 200, d.text);

    const family = sorted(await members(ctx.h1));
    assert.ok(family.includes(ctx.reporterPerson), 'the reporter lives in the household');
    assert.deepEqual(await listed(ctx.d09), union(ctx.base09, family), 'exactly the household (and its reporter) more');
    const where = (await api('GET', `/api/v1/households/${ctx.h1}`, { token: ctx.grid })).json.region_code;
    const inVillage = await listed(ctx.d09, `&region=${where.slice(0, 12)}`);
    assert.ok(family.every((id) => inVillage.includes(id)), 'the region filter still applies');
    assert.ok(inVillage.every((id) => family.includes(id) || ctx.base09.includes(id)));
    const elsewhere = await listed(ctx.d09, '&region=152531101');
    assert.ok(family.every((id) => elsewhere.includes(id) === where.startsWith('152531101')));
    for (const id of family) {
      const p = await api('GET', `/api/v1/people/${id}`, { token: ctx.d09 });
      assert.equal(p.status, 200, p.text);
      assert.match(p.json.id_number_masked, ID_MASKED);
      assert.deepEqual(keysMatching(p.json, FULL_SECRETS), []);
    }
    const h = await api('GET', `/api/v1/households/${ctx.h1}`, { token: ctx.d09 });
    assert.equal(h.status, 200, h.text);
    assert.deepEqual(sorted(h.json.members.map((m) => m.id)), family);
    assert.equal((await api('GET', `/api/v1/households/${ctx.h1}/points`, { token: ctx.d09 })).status, 200);

    // Nothing else: an unrelated person or household, browsing, the full ID number.
    assertError(await api('GET', `/api/v1/people/${ctx.free}`, { token: ctx.d09 }), 404, 'not_found');
    assertError(await api('GET', `/api/v1/households/${ctx.hFree}`, { token: ctx.d09 }), 404, 'not_found');
    assertError(await api('GET', `/api/v1/regions/${VILLAGE}/households`, { token: ctx.d09 }), 403, 'forbidden');
    assertError(await api('GET', `/api/v1/people/${family[0]}/sensitive?purpose=%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD`, { token: ctx.d09 }), 403, 'forbidden');
    // Another department sees none of them.
    assert.deepEqual(await listed(ctx.d10), ctx.base10);
    if (!ctx.h1In10) {
      assertError(await api('GET', `/api/v1/people/${family[0]}`, { token: ctx.d10 }), 404, 'not_found');
      assertError(await api('GET', `/api/v1/households/${ctx.h1}`, { token: ctx.d10 }), 404, 'not_found');
    }
  });

  test('a whistle links the summoned department; 代报 links the household, not the filer', async () => {
    const person = (await members(ctx.h2))[0];
    const r = await api('POST', '/api/v1/cases', { token: ctx.grid, body: { category: '0402', description: '代居民反映物业纠纷', for_person: person } });
    assert.equal(r.status, 201, r.text);
    ctx.caseB = r.json.id;
    assert.equal((await act(ctx.community, ctx.caseB, { event: 'escalate', note: '需多部门处置' })).status, 200);
    const w = await act(ctx.center, ctx.caseB, { event: 'whistle', departments: ['d10'] });
    assert.equal(w.status, 200, w.text);

    const family = sorted(await members(ctx.h2));
    assert.deepEqual(await listed(ctx.d10), union(ctx.base10, family), 'the household the case was filed for');
    const filer = await api('GET', '/api/v1/me/profile', { token: ctx.grid });
    if (filer.status === 200 && !family.includes(filer.json.id) && !ctx.base10.includes(filer.json.id))
      assertError(await api('GET', `/api/v1/people/${filer.json.id}`, { token: ctx.d10 }), 404, 'not_found');
    assert.equal((await api('GET', `/api/v1/households/${ctx.h2}`, { token: ctx.d10 })).status, 200);
    if (!ctx.h1In10) assertError(await api('GET', `/api/v1/households/${ctx.h1}`, { token: ctx.d10 }), 404, 'not_found');
    // 民政局 still sees only case A's household (besides the demo's).
    assert.deepEqual(await listed(ctx.d09), union(ctx.base09, ctx.h1Members));
    assertError(await api('GET', `/api/v1/households/${ctx.h2}`, { token: ctx.d09 }), 404, 'not_found');
  });

  test('a case that leaves the department takes its people along', async () => {
    const person = (await members(ctx.h3))[0];
    const r = await api('POST', '/api/v1/cases', { token: ctx.grid, body: { category: '0401', description: '代居民反映邻里纠纷', for_person: person } });
    assert.equal(r.status, 201, r.text);
    const id = r.json.id;
    assert.equal((await act(ctx.community, id, { event: 'escalate', note: '需部门处理' })).status, 200);
    assert.equal((await act(ctx.center, id, { event: 'dispatch', assignee: 'dept:d09' })).status, 200);
    assert.equal((await api('GET', `/api/v1/households/${ctx.h3}`, { token: ctx.d09 })).status, 200);
    const back = await act(ctx.d09, id, { event: 'return', note: '不属于民政职责' });
    assert.equal(back.status, 200, back.text);
    const again = await act(ctx.center, id, { event: 'dispatch', assignee: 'dept:d10' });
    assert.equal(again.status, 200, again.text);
    assertError(await api('GET', `/api/v1/households/${ctx.h3}`, { token: ctx.d09 }), 404, 'not_found');
    assert.equal((await api('GET', `/api/v1/households/${ctx.h3}`, { token: ctx.d10 })).status, 200);
    assert.deepEqual(await listed(ctx.d09), union(ctx.base09, ctx.h1Members));
  });

  test('the county admin widens it to the county (masked) and narrows it again', async () => {
    const w = await setReach(ctx.admin, 'county');
    assert.equal(w.status, 200, w.text);
    assert.equal(w.json.department_registry, 'county');
    assert.ok(w.json.updated_at > 0);
    assert.match(w.json.updated_by.id, /^\d+$/);

    const page = await api('GET', '/api/v1/people?limit=50', { token: ctx.d09 });
    assert.equal(page.status, 200, page.text);
    assert.equal(page.json.items.length, 50);
    assert.ok(page.json.next_cursor, 'the county has more');
    for (const p of page.json.items) {
      assert.match(p.id_number_masked, ID_MASKED);
      assert.deepEqual(keysMatching(p, FULL_SECRETS), []);
    }
    assert.equal((await api('GET', `/api/v1/people/${ctx.free}`, { token: ctx.d09 })).status, 200);
    assert.equal((await api('GET', `/api/v1/households/${ctx.hFree}`, { token: ctx.d09 })).status, 200);
    assert.equal((await api('GET', `/api/v1/regions/${VILLAGE}/households`, { token: ctx.d09 })).status, 200);
    assert.equal((await api('GET', `/api/v1/grids/${GRID1}`, { token: ctx.d09 })).status, 200);
    assertError(await api('GET', `/api/v1/people/${ctx.free}/sensitive?purpose=%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD`, { token: ctx.d09 }), 403, 'forbidden');

    const n = await setReach(ctx.admin, 'linked');
    assert.equal(n.status, 200, n.text);
    assert.equal(n.json.department_registry, 'linked');
    assertError(await api('GET', `/api/v1/people/${ctx.free}`, { token: ctx.d09 }), 404, 'not_found');
    assertError(await api('GET', `/api/v1/regions/${VILLAGE}/households`, { token: ctx.d09 }), 403, 'forbidden');
    assertError(await api('GET', `/api/v1/grids/${GRID1}`, { token: ctx.d09 }), 403, 'forbidden');
    assert.deepEqual(await listed(ctx.d09), union(ctx.base09, ctx.h1Members));
  });

  test('only the county admin of the county changes it; bad values are refused in Chinese', async () => {
    for (const who of ['duolun.center', 'duolun.leader', 'duolun.audit', 'duolun.community', 'duolun.dept']) {
      const t = await demo(who);
      assertError(await api('GET', SETTINGS, { token: t }), 403, 'forbidden');
      assertError(await setReach(t, 'county'), 403, 'forbidden');
    }
    assertError(await setReach(ctx.d09, 'county'), 403, 'forbidden');
    const linhe = await demo('linhe.admin');
    assertError(await setReach(linhe, 'county'), 404, 'not_found');
    assertError(await api('GET', SETTINGS, { token: linhe }), 404, 'not_found');
    assertError(await api('GET', '/api/v1/counties/150802/settings', { token: ctx.admin }), 404, 'not_found');
    assertError(await api('GET', '/api/v1/counties/15253/settings', { token: ctx.admin }), 404, 'not_found');
    for (const v of ['all', 'COUNTY', '', 'linked ']) assertError(await setReach(ctx.admin, v), 400, 'invalid', 'department_registry');
    assertError(await api('PUT', SETTINGS, { token: ctx.admin, body: {} }), 400, 'invalid', 'department_registry');
    assertError(await api('PUT', SETTINGS, { token: ctx.admin, body: { department_registry: 1 } }), 400, 'invalid', 'department_registry');
    assertError(await api('PUT', SETTINGS, { token: ctx.admin, body: { department_registry: 'county', extra: 1 } }), 400, 'unknown_field');
    assert.equal((await api('GET', SETTINGS, { token: ctx.admin })).json.department_registry, 'linked', 'nothing changed');
    assertError(await api('GET', `/api/v1/people/${ctx.free}`, { token: ctx.d09 }), 404, 'not_found');
  });

  test('every change is in the audit log, with the old and the new value', async () => {
    const r = await api('GET', '/api/v1/audit?limit=200', { token: ctx.admin });
    assert.equal(r.status, 200, r.text);
    const changes = r.json.items.filter((a) => a.action === 'county_settings_update');
    assert.ok(changes.length >= 3, `start, widen, narrow: ${changes.length}`);
    const [narrow, widen] = changes; // newest first
    assert.equal(narrow.detail, 'department_registry: county -> linked');
    assert.equal(widen.detail, 'department_registry: linked -> county');
    for (const a of [narrow, widen]) {
      assert.equal(a.object, `county:${DUOLUN}`);
      assert.equal(a.outcome, 'ok');
      assert.equal(a.username, 'duolun.admin');
    }
  });

  test('an ended case keeps its people linked for 90 days, then lets them go', { skip: sqlSkip() }, async () => {
    const family = sorted(await members(ctx.h1));
    assert.equal((await act(ctx.d09, ctx.caseA, { event: 'accept' })).status, 200);
    assert.equal((await act(ctx.d09, ctx.caseA, { event: 'resolve', note: '已协调' })).status, 200);
    const c = await act(ctx.center, ctx.caseA, { event: 'close', outcome: 'fixed' });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.state, 'closed');
    assert.deepEqual(await listed(ctx.d09), union(ctx.base09, family), 'closed today: still linked');
    const day = 24 * 3600 * 1000;
    const age = (days) => sql(`UPDATE cases SET closed_at = closed_at - ${days * day}, updated_at = updated_at - ${days * day} WHERE id = ${ctx.caseA}`);
    age(89);
    assert.deepEqual(await listed(ctx.d09), union(ctx.base09, family), 'closed 89 days ago: still linked');
    age(2);
    assert.deepEqual(await listed(ctx.d09), ctx.base09, 'closed 91 days ago: no longer');
    if (!ctx.h1In09) assertError(await api('GET', `/api/v1/households/${ctx.h1}`, { token: ctx.d09 }), 404, 'not_found');
    // The case itself stays the department's to read; only its people leave.
    assert.equal((await api('GET', `/api/v1/cases/${ctx.caseA}`, { token: ctx.d09 })).status, 200);
  });
});
