// points.test.js — 积分制, earning side (issue 4; docs/POINTS.md): settings and budget, the
// indicator catalogue and county template, 入户打分 with 微网格互检 (利民村's practice), limits,
// evidence, idempotent awards, scope, corrections, the board and star levels (双轨), expiry driven
// by `jiceng tick --now`, and an automatic award from a case closed as fixed.
//
// Everything here is made through the API in 多伦县's villages (the 突泉县 points demo is someone
// else's data): 牛眼睛村 (5 grids, each with its iron triangle) runs 互检; 大耗来沟村 posts awards
// at once and lets points expire at the end of the next year; 小耗来沟村-like 152531202204 never
// turns points on.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { api, demo, assertError, createAccount, BIN, DATA, DB } from './lib/client.js';
import { png } from './lib/images.js';
import { doc as SPEC, resolveRef, validateReply } from './lib/openapi.js';

// Every reply of the helpers below is checked against docs/openapi.yaml: documented status, and
// a body with exactly the documented properties.
function conforms(method, template, r) {
  const op = SPEC.paths?.[template]?.[method.toLowerCase()];
  assert.ok(op, `${method} ${template} documented`);
  let resp = op.responses?.[String(r.status)];
  assert.ok(resp, `${method} ${template}: status ${r.status} documented — ${r.text.slice(0, 200)}`);
  if (resp.$ref) resp = resolveRef(resp.$ref);
  const errors = validateReply(resp.content['application/json'].schema, r.json);
  assert.deepEqual(errors, [], `${method} ${template} ${r.status} body conforms`);
  return r;
}

const V1 = '152531202206'; // 牛眼睛村: 互检
const G1 = `${V1}01`, G2 = `${V1}02`, G3 = `${V1}03`;
const V2 = '152531202205'; // direct posting, expiry end_of_next_year
const V2G1 = `${V2}01`;
const VOFF = '152531202204'; // points never turned on
const YEAR = new Date(Date.now() + 8 * 3600e3).getUTCFullYear(); // China time
const yearStart = (y) => Date.UTC(y, 0, 1) - 8 * 3600e3;

let admin, community1, grid1, party1, head1, resident, grid2, party3, community2, grid21, offGrid;
let hh1 = [], hh2 = [], ownHousehold1, residentHousehold, offHousehold, headHousehold;

const households = async (token, grid) => {
  const r = await api('GET', `/api/v1/regions/${grid}/households?limit=60`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json.items.map((h) => h.id);
};
const put = async (token, code, body) =>
  conforms('PUT', '/api/v1/villages/{code}/points-settings', await api('PUT', `/api/v1/villages/${code}/points-settings`, { token, body }));
const settings = async (token, code) =>
  conforms('GET', '/api/v1/villages/{code}/points-settings', await api('GET', `/api/v1/villages/${code}/points-settings`, { token })).json;
const addIndicator = async (token, code, body) =>
  conforms('POST', '/api/v1/villages/{code}/indicators', await api('POST', `/api/v1/villages/${code}/indicators`, { token, body }));
const award = async (token, body, key) =>
  conforms('POST', '/api/v1/points/awards', await api('POST', '/api/v1/points/awards', { token, body, headers: key ? { 'idempotency-key': key } : {} }));
const confirm = async (token, id) =>
  conforms('POST', '/api/v1/points/pending/{id}/confirm', await api('POST', `/api/v1/points/pending/${id}/confirm`, { token }));
const reject = async (token, id, body) =>
  conforms('POST', '/api/v1/points/pending/{id}/reject', await api('POST', `/api/v1/points/pending/${id}/reject`, { token, body }));
const points = async (token, id) => {
  const r = await api('GET', `/api/v1/households/${id}/points?limit=200`, { token });
  assert.equal(r.status, 200, r.text);
  return conforms('GET', '/api/v1/households/{id}/points', r).json;
};
const get = async (template, path, token) => conforms('GET', template, await api('GET', path, { token }));
const post = async (template, path, token, body) => conforms('POST', template, await api('POST', path, { token, body }));
const tick = (now) => {
  const r = spawnSync(BIN, ['tick', '--now', String(now), '--data', DATA, ...(DB ? ['--db', DB] : [])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

const ind = {}; // indicators by short name

before(async () => {
  admin = await demo('duolun.admin');
  community1 = await demo('duolun.community');
  grid1 = await demo('duolun.grid');
  party1 = await demo('duolun.party');
  head1 = await demo('duolun.head');
  resident = await demo('duolun.resident');
  grid2 = (await createAccount(admin, { role: 'grid_worker', scope_code: G2, prefix: 'pg2', name: '二网格网格员' })).token;
  party3 = (await createAccount(admin, { role: 'party_leader', scope_code: G3, prefix: 'pp3', name: '三网格党小组长' })).token;
  community2 = (await createAccount(admin, { role: 'community_admin', scope_code: V2, prefix: 'pc2', name: '大耗来沟村两委' })).token;
  grid21 = (await createAccount(admin, { role: 'grid_worker', scope_code: V2G1, prefix: 'pg21', name: '耗来沟网格员' })).token;
  offGrid = (await createAccount(admin, { role: 'grid_worker', scope_code: `${VOFF}01`, prefix: 'poff' })).token;
  ownHousehold1 = (await api('GET', '/api/v1/me/household', { token: grid1 })).json.id;
  residentHousehold = (await api('GET', '/api/v1/me/household', { token: resident })).json.id;
  const own = new Set([ownHousehold1, residentHousehold,
    (await api('GET', '/api/v1/me/household', { token: party1 })).json.id,
    (await api('GET', '/api/v1/me/household', { token: head1 })).json.id]);
  hh1 = (await households(admin, G1)).filter((h) => !own.has(h));
  const headScope = (await api('GET', '/api/v1/auth/me', { token: head1 })).json.user.scope_code;
  headHousehold = (await households(admin, headScope)).find((h) => !own.has(h));
  hh2 = await households(admin, V2G1);
  offHousehold = (await households(admin, `${VOFF}01`))[0];
  assert.ok(hh1.length >= 12 && hh2.length >= 8 && offHousehold);
});

describe('settings and budget', () => {
  test('the village admin turns points on: settings, stars, budget and live figures', async () => {
    // 牛眼睛村 may already run points (other test files use its demo accounts): this PUT turns
    // on 互检 either way.
    const r = await put(community1, V1, {
      fen_per_point: 100, mutual_check: true, expiry: 'none', pair_threshold: 2,
      stars: [{ level: 1, min_honour: 5 }, { level: 2, min_honour: 10 }, { level: 3, min_honour: 20 }],
      budgets: [{ year: YEAR, budget_fen: 1000000 }],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.enabled, true);
    assert.equal(r.json.mutual_check, true);
    assert.equal(r.json.year_budget_points, 10000);
    assert.equal(r.json.remaining_points, 10000 - r.json.year_issued);
    assert.deepEqual(r.json.stars.map((s) => s.min_honour), [5, 10, 20]);
    for (const k of ['issued', 'redeemed', 'outstanding', 'liability_fen', 'year_issued', 'pair_flags'])
      assert.equal(typeof r.json[k], 'number', k);
    // The county admin may too.
    const c = await put(admin, V2, { fen_per_point: 50, expiry: 'end_of_next_year', budgets: [{ year: YEAR, budget_fen: 500000 }] });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.year_budget_points, 10000);
    // And the changes are audited.
    const a = await api('GET', '/api/v1/audit?limit=50', { token: admin });
    assert.ok(a.json.items.some((x) => x.action === 'points_enable' && x.object === `village:${V1}`));
  });

  test('bad settings and the wrong people are refused, nothing changed', async () => {
    assertError(await put(community1, V1, { stars: [{ level: 1, min_honour: 10 }, { level: 2, min_honour: 5 }] }), 400, 'invalid', 'stars');
    assertError(await put(community1, V1, { expiry: 'never' }), 400, 'invalid', 'expiry');
    assertError(await put(community1, V1, { fen_per_point: 0 }), 400, 'invalid', 'fen_per_point');
    assertError(await put(community1, V1, { budgets: [{ year: YEAR, budget_fen: -1 }] }), 400, 'invalid', 'budgets');
    assertError(await put(community1, V1, { colour: 'red' }), 400, 'unknown_field');
    assertError(await api('GET', `/api/v1/villages/${V1}/points-settings`, { token: grid1 }), 403);
    assertError(await api('GET', `/api/v1/villages/${V1}/points-settings`, { token: community2 }), 404, 'not_found');
    assertError(await put(community2, V1, { mutual_check: false }), 404, 'not_found');
    const s = await settings(community1, V1);
    assert.equal(s.mutual_check, true);
    assert.equal(s.fen_per_point, 100);
  });
});

describe('indicator catalogue and county template', () => {
  test('the village admin keeps its catalogue; bad indicators are refused', async () => {
    const mk = async (name, body, token = community1, code = V1) => {
      const r = await addIndicator(token, code, body);
      assert.equal(r.status, 201, r.text);
      ind[name] = r.json;
      return r.json;
    };
    await mk('tidy', { group: '人居环境', name: '农机摆放整齐', points: 2, limit_count: 1, limit_period: 'day' });
    await mk('yard', { group: '庭院经济', name: '发展庭院经济', points: 5, evidence_required: true, awarders: ['grid_worker', 'community_admin'] });
    await mk('volunteer', { group: '志愿服务', name: '参加志愿服务', points: 1 , limit_count: 0});
    await mk('mess', { group: '人居环境', name: '柴草乱堆乱放', points: -3 });
    await mk('old', { group: '移风易俗', name: '旧指标', points: 1 });
    await mk('later', { group: '诚信建设', name: '下年度才生效', points: 1, valid_from: `${YEAR + 1}-01-01` });
    await mk('auto', { group: '诚信建设', name: '随手拍问题已解决', points: 3 });
    assert.deepEqual(ind.yard.awarders, ['community_admin', 'grid_worker']);
    assert.equal(ind.tidy.limit_period, 'day');
    // Retire one (audited).
    const p = conforms('PATCH', '/api/v1/indicators/{id}', await api('PATCH', `/api/v1/indicators/${ind.old.id}`, { token: community1, body: { active: false } }));
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.active, false);
    // V2's own catalogue.
    await mk('v2nightschool', { group: '移风易俗', name: '参加夜校', points: 2 }, community2, V2);
    await mk('v2limit', { group: '人居环境', name: '门前三包', points: 1, limit_count: 2, limit_period: 'month' }, community2, V2);
    await mk('v2once', { group: '诚信建设', name: '签订诚信承诺书', points: 4, limit_count: 1, limit_period: 'once' }, community2, V2);
    await mk('v2big', { group: '庭院经济', name: '庭院经济示范户', points: 40 }, community2, V2);

    const list = await get('/api/v1/villages/{code}/indicators', `/api/v1/villages/${V1}/indicators`, grid1);
    assert.equal(list.status, 200, list.text);
    const names = list.json.items.map((i) => i.name);
    assert.ok(names.includes('农机摆放整齐') && !names.includes('旧指标'), 'retired ones only with all=1');
    const all = await api('GET', `/api/v1/villages/${V1}/indicators?all=1`, { token: community1 });
    assert.ok(all.json.items.some((i) => i.name === '旧指标' && i.active === false));
    assert.equal(all.json.items.find((i) => i.name === '下年度才生效').valid_now, false);

    assertError(await addIndicator(community1, V1, { group: '人居环境', name: '零分', points: 0 }), 400, 'invalid', 'points');
    assertError(await addIndicator(community1, V1, { group: '人居环境', name: 'x', points: 1, awarders: ['resident'] }), 400, 'invalid', 'awarders');
    assertError(await addIndicator(community1, V1, { group: '人居环境', name: 'x', points: 1, limit_period: 'week' }), 400, 'invalid', 'limit_period');
    assertError(await addIndicator(community1, V1, { group: '人居环境', name: 'x', points: 1, valid_from: '2026-02-30' }), 400, 'invalid', 'valid_from');
    assertError(await addIndicator(community1, V1, { name: '无分组', points: 1 }), 400, 'invalid', 'group');
    assertError(await addIndicator(community1, V1, { group: '人居环境', name: '农机摆放整齐', points: 2 }), 409, 'duplicate');
    assertError(await addIndicator(grid1, V1, { group: '人居环境', name: 'x', points: 1 }), 403);
    assertError(await addIndicator(community2, V1, { group: '人居环境', name: 'x', points: 1 }), 404);
    assertError(await api('PATCH', `/api/v1/indicators/${ind.tidy.id}`, { token: community2, body: { points: 9 } }), 404);
    const audit = await api('GET', '/api/v1/audit?limit=100', { token: admin });
    assert.ok(audit.json.items.some((x) => x.action === 'indicator_update' && x.object === `indicator:${ind.old.id}`));
  });

  test('the county keeps a template that villages copy', async () => {
    const t = await post('/api/v1/counties/{code}/indicator-template', '/api/v1/counties/152531/indicator-template', admin, { group: '志愿服务', name: '参加义务植树', points: 3 });
    assert.equal(t.status, 201, t.text);
    assert.equal(t.json.template, true);
    assertError(await api('POST', '/api/v1/counties/152531/indicator-template', { token: community1, body: { group: '志愿服务', name: 'x', points: 3 } }), 403);
    const g = await api('GET', '/api/v1/counties/152531/indicator-template', { token: community1 });
    assert.equal(g.status, 200, g.text);
    assert.ok(g.json.items.some((i) => i.name === '参加义务植树'));
    const c = await post('/api/v1/villages/{code}/indicators/copy-template', `/api/v1/villages/${V1}/indicators/copy-template`, community1);
    assert.equal(c.status, 200, c.text);
    assert.ok(c.json.copied >= 1);
    const copy = c.json.items.find((i) => i.name === '参加义务植树');
    assert.ok(copy && copy.village_code === V1 && copy.id !== t.json.id);
    assertError(await api('POST', `/api/v1/villages/${V1}/indicators/copy-template`, { token: community1 }), 409, 'nothing_to_copy');
  });
});

describe('入户打分 with 微网格互检 (利民村)', () => {
  let first;
  test('an award in a 互检 village waits; the same key replays it, another body is refused', async () => {
    const body = { household_id: hh1[0], indicator_id: ind.tidy.id, note: '农机停放整齐' };
    const before = await points(community1, hh1[0]);
    const r = await award(grid1, body, 'round-1-a');
    assert.equal(r.status, 202, r.text);
    first = r.json.pending;
    assert.equal(first.state, 'pending');
    assert.equal(first.points, 2);
    assert.equal(first.household_grid, G1);
    assert.equal(first.awarder.name.length > 0, true);
    const again = await award(grid1, body, 'round-1-a');
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.pending.id, first.id, 'same key + same body → same result');
    assertError(await award(grid1, { ...body, note: '另一份' }, 'round-1-a'), 409, 'idempotency_conflict');
    assert.equal((await points(community1, hh1[0])).balance, before.balance, 'nothing posted yet');
  });

  test('who may confirm: not the awarder, not the same micro-grid, not the village admin', async () => {
    const mine = await get('/api/v1/points/pending', '/api/v1/points/pending', grid1);
    assert.ok(!mine.json.items.some((p) => p.id === first.id), 'the awarder is not offered their own');
    const same = await api('GET', '/api/v1/points/pending', { token: party1 });
    assert.ok(!same.json.items.some((p) => p.id === first.id), 'nor the same micro-grid');
    const other = await api('GET', '/api/v1/points/pending', { token: grid2 });
    const p = other.json.items.find((x) => x.id === first.id);
    assert.ok(p && p.can_confirm, 'another micro-grid may confirm');
    assert.equal(p.indicator_name, '农机摆放整齐');
    assertError(await confirm(grid1, first.id), 403, 'own_award');
    assertError(await confirm(party1, first.id), 403, 'same_grid');
    assertError(await confirm(head1, first.id), 403, 'same_grid');
    assertError(await confirm(community1, first.id), 403, 'forbidden');
    assertError(await confirm(grid21, first.id), 404, 'not_found');
  });

  test('an inspector of another micro-grid confirms: the entry posts; a second confirmation is refused', async () => {
    const before = await points(community1, hh1[0]);
    const r = await confirm(grid2, first.id);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.pending.state, 'confirmed');
    assert.equal(r.json.entry.kind, 'award');
    assert.equal(r.json.entry.points, 2);
    assert.equal(r.json.entry.indicator_name, '农机摆放整齐');
    assert.equal(r.json.entry.reason, '农机停放整齐');
    const after = await points(community1, hh1[0]);
    assert.equal(after.balance, before.balance + 2);
    assert.equal(after.honour, before.honour + 2);
    assertError(await confirm(party3, first.id), 409, 'already_decided');
    assertError(await reject(party3, first.id, { reason: '晚了' }), 409, 'already_decided');
  });

  test('a rejection needs a reason; a confirmation after it is refused', async () => {
    const before = await points(community1, hh1[1]);
    const r = await award(grid1, { household_id: hh1[1], indicator_id: ind.volunteer.id });
    assert.equal(r.status, 202, r.text);
    const id = r.json.pending.id;
    assertError(await reject(party3, id, {}), 400, 'invalid', 'reason');
    const j = await reject(party3, id, { reason: '现场未见志愿服务记录' });
    assert.equal(j.status, 200, j.text);
    assert.equal(j.json.pending.state, 'rejected');
    assert.equal(j.json.pending.reason, '现场未见志愿服务记录');
    assertError(await confirm(grid2, id), 409, 'already_decided');
    assert.equal((await points(community1, hh1[1])).entries.length, before.entries.length);
  });

  test('two inspectors confirming at once: exactly one wins, the award posts once', async () => {
    for (let round = 0; round < 3; round++) {
      const h = hh1[2 + round];
      const before = await points(community1, h);
      const r = await award(grid1, { household_id: h, indicator_id: ind.volunteer.id });
      assert.equal(r.status, 202, r.text);
      const rs = await Promise.all([confirm(grid2, r.json.pending.id), confirm(party3, r.json.pending.id)]);
      assert.deepEqual(rs.map((x) => x.status).sort(), [200, 409], rs.map((x) => x.text).join('\n'));
      const p = await points(community1, h);
      assert.equal(p.entries.length, before.entries.length + 1);
      assert.equal(p.balance, before.balance + 1);
    }
  });

  test('a pair confirming each other above the monthly threshold is flagged', async () => {
    // grid1 awards, grid2 confirms: with the first round that is > 2 (the threshold) this month.
    for (let i = 0; i < 3; i++) {
      const r = await award(grid1, { household_id: hh1[5 + i], indicator_id: ind.volunteer.id });
      assert.equal((await confirm(grid2, r.json.pending.id)).status, 200);
    }
    const f = await get('/api/v1/villages/{code}/points-flags', `/api/v1/villages/${V1}/points-flags`, community1);
    assert.equal(f.status, 200, f.text);
    const me = (await api('GET', '/api/v1/auth/me', { token: grid1 })).json;
    const pair = f.json.items.find((x) => x.a.id === me.user.id || x.b.id === me.user.id);
    assert.ok(pair, JSON.stringify(f.json));
    assert.ok(pair.confirmations > 2);
    assert.ok((await settings(community1, V1)).pair_flags >= 1);
    assertError(await api('GET', `/api/v1/villages/${V1}/points-flags?month=2026-13`, { token: community1 }), 400, 'invalid', 'month');
  });
});

describe('what an award is checked against (each refused with nothing written)', () => {
  test('evidence: a photo is required, and it must be the awarder\'s own upload', async () => {
    assertError(await award(grid1, { household_id: hh1[8], indicator_id: ind.yard.id }), 400, 'evidence_required', 'photos');
    const theirs = await api('POST', '/api/v1/photos', { token: grid2, body: png(64, 48, { seed: 9 }), headers: { 'content-type': 'image/png' } });
    assert.equal(theirs.status, 201, theirs.text);
    assertError(await award(grid1, { household_id: hh1[8], indicator_id: ind.yard.id, photos: [theirs.json.id] }), 400, 'invalid', 'photos');
    const mine = await api('POST', '/api/v1/photos', { token: grid1, body: png(64, 48, { seed: 10 }), headers: { 'content-type': 'image/png' } });
    const r = await award(grid1, { household_id: hh1[8], indicator_id: ind.yard.id, photos: [mine.json.id] });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.pending.photos[0].id, mine.json.id);
    const c = await confirm(party3, r.json.pending.id);
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.entry.photos[0].id, mine.json.id, 'the entry keeps the evidence');
    // The evidence opens for the village's cadres (the inspector included), not for a village
    // admin elsewhere or another village's grid worker.
    const open = async (token) => (await fetch(`${process.env.JICENG_TEST_URL.replace(/\/$/, '')}/api/v1/photos/${mine.json.id}/thumb`, { headers: { authorization: `Bearer ${token}` } })).status;
    assert.equal(await open(party3), 200, 'the inspector saw what they confirmed');
    assert.equal(await open(community1), 200);
    assert.equal(await open(grid21), 404, 'another village');
    assert.equal(await open(await demo('huimin.resident')), 404);
  });

  test('role, state and place of the indicator', async () => {
    assertError(await award(head1, { household_id: headHousehold, indicator_id: ind.yard.id }), 403, 'forbidden');
    assertError(await award(grid1, { household_id: ownHousehold1, indicator_id: ind.volunteer.id }), 403, 'own_household');
    assertError(await award(grid1, { household_id: hh1[8], indicator_id: ind.old.id }), 400, 'inactive', 'indicator_id');
    assertError(await award(grid1, { household_id: hh1[8], indicator_id: ind.later.id }), 400, 'not_valid_now', 'indicator_id');
    assertError(await award(grid1, { household_id: hh1[8], indicator_id: ind.v2nightschool.id }), 400, 'invalid', 'indicator_id');
    assertError(await award(grid1, { household_id: hh1[8], indicator_id: '12345' }), 400, 'invalid', 'indicator_id');
    assertError(await award(grid1, { household_id: 12345, indicator_id: ind.tidy.id }), 400, 'invalid', 'household_id');
  });

  test('scope: a household outside the awarder\'s scope is not found', async () => {
    assertError(await award(grid21, { household_id: hh1[9], indicator_id: ind.tidy.id }), 404, 'not_found');
    assertError(await award(grid2, { household_id: hh1[9], indicator_id: ind.tidy.id }), 404, 'not_found');
    assertError(await api('GET', `/api/v1/households/${hh1[9]}/points`, { token: grid21 }), 404, 'not_found');
    assertError(await api('GET', `/api/v1/households/${hh1[9]}/points`, { token: resident }), 404, 'not_found');
  });

  test('points off in the village', async () => {
    assertError(await award(offGrid, { household_id: offHousehold, indicator_id: ind.tidy.id }), 400, 'points_off');
  });

  test('per-period limits count waiting awards too', async () => {
    const r = await award(grid1, { household_id: hh1[9], indicator_id: ind.tidy.id });
    assert.equal(r.status, 202, r.text);
    assertError(await award(grid1, { household_id: hh1[9], indicator_id: ind.tidy.id }), 409, 'limit_reached');
    // Direct posting (大耗来沟村): twice a month, once ever.
    for (let i = 0; i < 2; i++) assert.equal((await award(grid21, { household_id: hh2[0], indicator_id: ind.v2limit.id })).status, 201);
    const e = assertError(await award(grid21, { household_id: hh2[0], indicator_id: ind.v2limit.id }), 409, 'limit_reached');
    assert.match(e.message, /本月/);
    assert.equal((await award(grid21, { household_id: hh2[0], indicator_id: ind.v2once.id })).status, 201);
    assertError(await award(grid21, { household_id: hh2[0], indicator_id: ind.v2once.id }), 409, 'limit_reached');
    assert.equal((await points(community2, hh2[0])).balance, 6);
  });

  test('budget: the award that would cross the year\'s budget is refused, with what remains', async () => {
    const s = await settings(community2, V2);
    // Leave room for exactly 50 points (fen_per_point 50).
    const r = await put(community2, V2, { budgets: [{ year: YEAR, budget_fen: (s.year_issued + 50) * 50 }] });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.remaining_points, 50);
    assert.equal((await award(grid21, { household_id: hh2[1], indicator_id: ind.v2big.id })).status, 201);
    const before = await points(community2, hh2[2]);
    assertError(await award(grid21, { household_id: hh2[2], indicator_id: ind.v2big.id }), 409, 'budget_exceeded');
    assert.equal((await points(community2, hh2[2])).entries.length, before.entries.length, 'nothing written');
    const after = await settings(community2, V2);
    assert.equal(after.remaining_points, 10);
    assert.equal(after.liability_fen, after.outstanding * 50);
    // In a 互检 village the budget is checked again when the award is confirmed.
    const v1 = await settings(community1, V1);
    const p = await award(grid1, { household_id: hh1[10], indicator_id: ind.volunteer.id });
    assert.equal(p.status, 202);
    await put(community1, V1, { budgets: [{ year: YEAR, budget_fen: v1.year_issued * 100 }] });
    assertError(await confirm(grid2, p.json.pending.id), 409, 'budget_exceeded');
    assert.equal((await api('GET', '/api/v1/points/pending', { token: grid2 })).json.items.find((x) => x.id === p.json.pending.id).state, 'pending');
    await put(community1, V1, { budgets: [{ year: YEAR, budget_fen: 1000000 }] });
    assert.equal((await confirm(grid2, p.json.pending.id)).status, 200);
    await put(community2, V2, { budgets: [{ year: YEAR, budget_fen: 500000 }] });
  });
});

describe('corrections', () => {
  let awarded;
  test('a wrong award is reversed once, by the village admin, with a reason', async () => {
    const r = await award(grid21, { household_id: hh2[3], indicator_id: ind.v2nightschool.id });
    assert.equal(r.status, 201, r.text);
    awarded = r.json.entry;
    assert.equal(awarded.points, 2);
    const path = `/api/v1/points/entries/${awarded.id}/reverse`;
    assertError(await api('POST', path, { token: community2, body: {} }), 400, 'invalid', 'reason');
    assertError(await api('POST', path, { token: grid21, body: { reason: '打错了' } }), 403);
    assertError(await api('POST', path, { token: community1, body: { reason: '打错了' } }), 404, 'not_found');
    const v = await post('/api/v1/points/entries/{id}/reverse', path, community2, { reason: '该户当天未参加夜校' });
    assert.equal(v.status, 201, v.text);
    assert.equal(v.json.entry.kind, 'reversal');
    assert.equal(v.json.entry.points, -2);
    assert.equal(v.json.entry.reverses, awarded.id);
    assertError(await api('POST', path, { token: community2, body: { reason: '再冲一次' } }), 409, 'already_reversed');
    assertError(await api('POST', `/api/v1/points/entries/${v.json.entry.id}/reverse`, { token: community2, body: { reason: '冲正的冲正' } }), 409, 'not_reversible');
    const p = await points(community2, hh2[3]);
    assert.equal(p.balance, 0);
    assert.equal(p.honour, 0);
    assert.equal(p.entries.find((e) => e.id === awarded.id).reversed_by, v.json.entry.id);
  });

  test('an adjustment needs a reason and never takes a balance below zero', async () => {
    const path = '/api/v1/points/adjustments';
    assertError(await api('POST', path, { token: community2, body: { household_id: hh2[3], points: 5 } }), 400, 'invalid', 'reason');
    assertError(await api('POST', path, { token: community2, body: { household_id: hh2[3], points: 5, reason: '   ' } }), 400, 'invalid', 'reason');
    assertError(await api('POST', path, { token: community2, body: { household_id: hh2[3], points: 0, reason: '无' } }), 400, 'invalid', 'points');
    assertError(await api('POST', path, { token: community2, body: { household_id: hh2[3], points: -1, reason: '扣分' } }), 409, 'insufficient_points');
    assertError(await api('POST', path, { token: community2, body: { household_id: hh1[0], points: 5, reason: '跨村' } }), 404, 'not_found');
    const r = await post('/api/v1/points/adjustments', path, community2, { household_id: hh2[3], points: 7, reason: '补录上月漏记的卫生评比' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.entry.kind, 'adjustment');
    assert.equal(r.json.entry.reason, '补录上月漏记的卫生评比');
    assert.equal((await points(community2, hh2[3])).balance, 7);
    const a = await api('GET', '/api/v1/audit?limit=100', { token: admin });
    assert.ok(a.json.items.some((x) => x.action === 'points_adjust' && x.object === `household:${hh2[3]}`));
    assert.ok(a.json.items.some((x) => x.action === 'points_reverse'));
  });
});

describe('the dual track: star levels, the board and what a household sees', () => {
  test('honour reaches a star (星级文明户); a resident sees the household and its rank', async () => {
    // Stars at 5, 10, 20 honour. hh1[0] is lifted above every household of the village.
    const starOf = (h) => (h >= 20 ? 3 : h >= 10 ? 2 : h >= 5 ? 1 : 0);
    const top = (await api('GET', `/api/v1/villages/${V1}/points-board?limit=1`, { token: community1 })).json.ranking[0];
    const p0 = await points(grid1, hh1[0]);
    const lift = Math.max(10, (top ? top.honour : 0) - p0.honour + 10);
    const r = await api('POST', '/api/v1/points/adjustments', { token: community1, body: { household_id: hh1[0], points: lift, reason: '评为卫生示范户' } });
    assert.equal(r.status, 201, r.text);
    const p = await points(grid1, hh1[0]);
    assert.equal(p.honour, p0.honour + lift);
    assert.equal(p.star, starOf(p.honour));
    assert.ok(p.star >= 2);
    assert.equal(p.rank, 1);
    assert.ok(p.entries.some((e) => e.kind === 'award' && e.indicator_name === '农机摆放整齐' && e.actor.name));
    // The resident's household: 1 by an award confirmed by another grid, 4 by adjustment.
    const mine0 = (await api('GET', '/api/v1/me/points', { token: resident })).json;
    const a = await award(community1, { household_id: residentHousehold, indicator_id: ind.volunteer.id });
    assert.equal(a.status, 202, a.text);
    assert.equal((await confirm(grid2, a.json.pending.id)).status, 200);
    await api('POST', '/api/v1/points/adjustments', { token: community1, body: { household_id: residentHousehold, points: 4, reason: '参加村民议事会' } });
    const me = await get('/api/v1/me/points', '/api/v1/me/points', resident);
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.household_id, residentHousehold);
    assert.equal(me.json.balance, mine0.balance + 5);
    assert.equal(me.json.honour, mine0.honour + 5);
    assert.equal(me.json.star, starOf(me.json.honour));
    assert.ok(me.json.star >= 1);
    assert.ok(me.json.rank > 1);
    assert.deepEqual(me.json.expiring, [], 'no expiry in this village');

    const b = await get('/api/v1/villages/{code}/points-board', `/api/v1/villages/${V1}/points-board`, resident);
    assert.equal(b.status, 200, b.text);
    assert.equal(b.json.ranking[0].household_id, hh1[0]);
    assert.equal(b.json.ranking[0].rank, 1);
    assert.ok(!('balance' in b.json.ranking[0]), 'the spendable balance is not public');
    assert.ok(b.json.stars.some((s) => s.household_id === hh1[0] && s.star === p.star));
    assert.ok(b.json.month_top.length > 0);
    assert.equal(b.json.mine.household_id, residentHousehold);
    assert.equal(b.json.mine.rank, me.json.rank);
    const ym = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7);
    assert.equal((await api('GET', `/api/v1/villages/${V1}/points-board?month=${ym}`, { token: resident })).status, 200);
    assertError(await api('GET', `/api/v1/villages/${V1}/points-board`, { token: await demo('huimin.resident') }), 404);
    assertError(await api('GET', `/api/v1/villages/${V1}/points-board?month=May`, { token: resident }), 400, 'invalid', 'month');
  });
});

describe('automatic awards (a report closed as fixed)', () => {
  test('a rule turns a case closed as fixed into an award, once per case; other outcomes earn nothing', async () => {
    const bad = await api('POST', `/api/v1/villages/${V1}/points-rules`, { token: community1, body: { event: 'case.unknown', indicator_id: ind.auto.id } });
    assertError(bad, 400, 'invalid', 'event');
    assertError(await api('POST', `/api/v1/villages/${V1}/points-rules`, { token: community1, body: { event: 'case.fixed', indicator_id: ind.v2once.id } }), 400, 'invalid', 'indicator_id');
    const rule = await post('/api/v1/villages/{code}/points-rules', `/api/v1/villages/${V1}/points-rules`, community1, { event: 'case.fixed', indicator_id: ind.auto.id });
    assert.equal(rule.status, 201, rule.text);
    assert.equal(rule.json.points, 3);
    assertError(await api('POST', `/api/v1/villages/${V1}/points-rules`, { token: community1, body: { event: 'case.fixed', indicator_id: ind.volunteer.id } }), 409, 'duplicate');
    const rules = await get('/api/v1/villages/{code}/points-rules', `/api/v1/villages/${V1}/points-rules`, community1);
    assert.ok(rules.json.items.some((x) => x.id === rule.json.id && x.event === 'case.fixed'));

    const before = (await api('GET', '/api/v1/me/points', { token: resident })).json;
    const act = (token, id, body) => api('POST', `/api/v1/cases/${id}/events`, { token, body });
    const c = await api('POST', '/api/v1/cases', { token: resident, body: { category: '0101', description: '村口垃圾堆积，积分测试' } });
    assert.equal(c.status, 201, c.text);
    assert.equal((await act(grid1, c.json.id, { event: 'accept' })).status, 200);
    assert.equal((await act(grid1, c.json.id, { event: 'resolve', note: '已清运' })).status, 200);
    const closed = await act(resident, c.json.id, { event: 'rate', rating: 5 });
    assert.equal(closed.status, 200, closed.text);
    assert.equal(closed.json.outcome, 'fixed');
    const after = (await api('GET', '/api/v1/me/points', { token: resident })).json;
    const auto = after.entries.filter((e) => e.source === 'case.fixed' && e.source_ref === c.json.id);
    assert.equal(auto.length, 1, 'one award for the case');
    assert.equal(auto[0].points, 3);
    assert.equal(auto[0].actor.name, '系统');
    assert.equal(after.balance, before.balance + 3, 'posted directly, even in a 互检 village');
    // The case is final: rating again changes nothing, and no second award appears.
    assert.notEqual((await act(resident, c.json.id, { event: 'rate', rating: 5 })).status, 200);
    // Closed as partly fixed by the community: no points.
    const d = await api('POST', '/api/v1/cases', { token: resident, body: { category: '0101', description: '路灯不亮，积分测试' } });
    await act(grid1, d.json.id, { event: 'accept' });
    await act(grid1, d.json.id, { event: 'resolve', note: '部分修复' });
    const pc = await act(community1, d.json.id, { event: 'close', outcome: 'partly_fixed' });
    assert.equal(pc.status, 200, pc.text);
    const last = (await api('GET', '/api/v1/me/points', { token: resident })).json;
    assert.equal(last.balance, after.balance);
    assert.equal(last.entries.filter((e) => e.source === 'case.fixed').length, 1);
    // Retiring the rule stops it.
    const off = conforms('PATCH', '/api/v1/points-rules/{id}', await api('PATCH', `/api/v1/points-rules/${rule.json.id}`, { token: community1, body: { active: false } }));
    assert.equal(off.status, 200, off.text);
    assert.equal(off.json.active, false);
  });
});

describe('expiry (driven by `jiceng tick --now`)', () => {
  test('points earned this year expire when next year ends, once, and the household saw it coming', async () => {
    const h = hh2[4];
    assert.equal((await award(grid21, { household_id: h, indicator_id: ind.v2nightschool.id })).status, 201);
    assert.equal((await award(grid21, { household_id: h, indicator_id: ind.v2nightschool.id })).status, 201);
    const p = await points(community2, h);
    assert.equal(p.balance, 4);
    assert.deepEqual(p.expiring.map((x) => [x.at, x.points]), [[yearStart(YEAR + 2), 4]]);
    // Next year-end: nothing of this year expires yet.
    tick(yearStart(YEAR + 1) + 3600e3);
    assert.equal((await points(community2, h)).balance, 4);
    // The end of the year after: this year's points go, oldest first, once.
    // A pass posts at most 2,000 expiries (the 突泉县 demo villages expire too): pass until done.
    const out = tick(yearStart(YEAR + 2) + 3600e3);
    assert.match(out, /[1-9]\d* points expiries/);
    for (let i = 1; i < 20 && !/ 0 points expiries/.test(tick(yearStart(YEAR + 2) + 3600e3 + i)); i++);
    const q = await points(community2, h);
    assert.equal(q.balance, 0);
    assert.equal(q.honour, 4, 'honour is not lowered by expiry');
    const exp = q.entries.filter((e) => e.kind === 'expiry');
    assert.equal(exp.length, 1);
    assert.equal(exp[0].points, -4);
    tick(yearStart(YEAR + 2) + 7200e3);
    assert.equal((await points(community2, h)).entries.filter((e) => e.kind === 'expiry').length, 1, 'once per year end');
    // A village without expiry kept its points.
    assert.ok((await points(community1, hh1[0])).balance > 0);
  });
});

describe('the ledger stays whole', () => {
  test('`jiceng check ledger` agrees with everything posted here', () => {
    const r = spawnSync(BIN, ['check', 'ledger', '--data', DATA, ...(DB ? ['--db', DB] : [])], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
