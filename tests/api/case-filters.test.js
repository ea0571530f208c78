// case-filters.test.js — the console's case list filters (issue 3: status, category, grid,
// overdue, source, date) and who sees what: a department lists only what it holds, nobody
// filters outside their scope, and bad filters are refused.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, demo, assertError } from './lib/client.js';
import { sql } from './lib/db.js';

const GRID1 = '15253120220601';
let resident, informant, community, worker, dept, otherCommunity;
const list = async (token, q) => {
  const r = await api('GET', `/api/v1/cases?limit=200${q ? `&${q}` : ''}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json.items;
};
const ids = (items) => new Set(items.map((x) => x.id));

before(async () => {
  resident = await demo('duolun.resident');
  informant = await demo('duolun.informant');
  community = await demo('duolun.community');
  worker = await demo('duolun.grid');
  dept = await demo('duolun.dept');
  otherCommunity = await demo('huimin.community');
});

describe('filters', () => {
  let fire, drain, courier, late;
  before(async () => {
    const mk = async (token, body) => {
      const r = await api('POST', '/api/v1/cases', { token, body });
      assert.equal(r.status, 201, r.text);
      return r.json;
    };
    fire = await mk(resident, { category: '0301', description: '筛选测试：楼道电动车' });
    drain = await mk(resident, { category: '0201', description: '筛选测试：下水道堵塞' });
    courier = await mk(informant, { category: '0102', description: '筛选测试：快递员看到乱堆乱放' });
    late = await mk(resident, { category: '0101', description: '筛选测试：超时未办' });
    // Age one case past its completion deadline (what the scheduler would see tomorrow).
    sql(`UPDATE cases SET complete_due = ${Date.now() - 60_000} WHERE id = ${late.id}`);
  });

  test('by category group or code, state and source', async () => {
    const fires = await list(community, 'category=03');
    assert.ok(fires.some((x) => x.id === fire.id));
    assert.ok(fires.every((x) => x.category_code.startsWith('03')));
    const exact = await list(community, 'category=0201');
    assert.ok(ids(exact).has(drain.id) && exact.every((x) => x.category_code === '0201'));
    const couriers = await list(community, 'source=informant');
    assert.ok(ids(couriers).has(courier.id));
    assert.ok(couriers.every((x) => x.source === 'informant'));
    const dispatched = await list(community, 'state=dispatched&category=03');
    assert.ok(dispatched.every((x) => x.state === 'dispatched' && x.category_code.startsWith('03')));
  });

  test('overdue: open and past the completion deadline', async () => {
    const over = await list(community, 'overdue=1');
    assert.ok(ids(over).has(late.id));
    assert.ok(!ids(over).has(fire.id));
    assert.ok(over.every((x) => x.complete_due < Date.now() && !['resolved', 'rated', 'closed', 'merged', 'cancelled'].includes(x.state)));
  });

  test('by grid inside the scope, and by creation period', async () => {
    const g = await list(community, `region=${GRID1}`);
    assert.ok(g.length > 0 && g.every((x) => x.region_code.startsWith(GRID1)));
    const since = await list(community, `from=${fire.created_at}&category=03`);
    assert.ok(ids(since).has(fire.id));
    assert.ok(since.every((x) => x.created_at >= fire.created_at));
    assert.equal((await list(community, `from=${Date.now() + 3600_000}`)).length, 0);
    const until = await list(community, `to=${fire.created_at}&category=0301`);
    assert.ok(!ids(until).has(fire.id), 'to is exclusive');
  });

  test('a resident filters only their own reports', async () => {
    const mine = await list(resident, 'category=03');
    assert.ok(ids(mine).has(fire.id));
    assert.ok(!ids(mine).has(courier.id));
  });

  test('nobody reaches outside their scope', async () => {
    assertError(await api('GET', `/api/v1/cases?region=${GRID1}`, { token: otherCommunity }), 404, 'not_found');
    assertError(await api('GET', '/api/v1/cases?region=152531', { token: worker }), 404, 'not_found');
  });

  test('a department lists only what it holds, filtered or not', async () => {
    for (const q of ['', 'category=03', 'state=dispatched']) {
      const items = await list(dept, q);
      assert.ok(!ids(items).has(fire.id) && !ids(items).has(drain.id), `dept list ${q || '(plain)'} holds only its own`);
      assert.ok(items.every((x) => x.assignee_code === 'dept:d03' || x.state === 'whistle' || x.state === 'resolved' || x.state === 'closed' || x.state === 'rated' || x.state === 'accepted'));
    }
  });

  test('bad filters are refused', async () => {
    assertError(await api('GET', '/api/v1/cases?category=x1', { token: community }), 400, 'invalid', 'category');
    assertError(await api('GET', '/api/v1/cases?category=030', { token: community }), 400, 'invalid', 'category');
    assertError(await api('GET', '/api/v1/cases?source=postman', { token: community }), 400, 'invalid', 'source');
    assertError(await api('GET', '/api/v1/cases?overdue=2', { token: community }), 400, 'invalid', 'overdue');
    assertError(await api('GET', '/api/v1/cases?from=yesterday', { token: community }), 400, 'invalid', 'from');
    assertError(await api('GET', '/api/v1/cases?from=200&to=100', { token: community }), 400, 'invalid', 'from');
    assertError(await api('GET', '/api/v1/cases?region=abc', { token: community }), 400, 'invalid', 'region');
    assertError(await api('GET', '/api/v1/cases?state=lost', { token: community }), 400, 'invalid', 'state');
  });
});

describe('the map (地图): grid boundaries and located cases of the scope', () => {
  test('a case reported inside a grid shows on the map of that grid\'s community, not elsewhere', async () => {
    const m0 = await api('GET', `/api/v1/case-map?region=${GRID1}`, { token: community });
    assert.equal(m0.status, 200, m0.text);
    const grid = m0.json.grids.find((g) => g.code === GRID1);
    assert.ok(grid && ['Polygon', 'MultiPolygon'].includes(grid.boundary.type), 'the grid has its boundary');
    const ring = grid.boundary.type === 'Polygon' ? grid.boundary.coordinates[0] : grid.boundary.coordinates[0][0];
    const lon = ring.reduce((a, p) => a + p[0], 0) / ring.length;
    const lat = ring.reduce((a, p) => a + p[1], 0) / ring.length;
    const c = await api('POST', '/api/v1/cases', { token: resident, body: { category: '0302', description: '地图测试：消防通道堵塞', location: { lat, lon } } });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.region_code, GRID1, 'placed by its location');
    const m = await api('GET', '/api/v1/case-map?category=03', { token: community });
    assert.equal(m.status, 200, m.text);
    const p = m.json.items.find((x) => x.id === c.json.id);
    assert.ok(p, 'on the map');
    assert.ok(Math.abs(p.lat - lat) < 1e-6 && Math.abs(p.lon - lon) < 1e-6);
    assert.equal(p.overdue, false);
    assert.ok(m.json.items.every((x) => typeof x.lat === 'number' && typeof x.lon === 'number'));
    assert.ok(m.json.grids.length >= 5, 'the community\'s grids');
    // Another county's community sees none of it; a resident has no map.
    const far = await api('GET', '/api/v1/case-map', { token: otherCommunity });
    assert.equal(far.status, 200);
    assert.ok(!far.json.items.some((x) => x.id === c.json.id));
    assert.ok(!far.json.grids.some((g) => g.code === GRID1));
    assertError(await api('GET', `/api/v1/case-map?region=${GRID1}`, { token: otherCommunity }), 404, 'not_found');
    assert.equal((await api('GET', '/api/v1/case-map', { token: resident })).status, 403);
    assert.equal((await api('GET', '/api/v1/case-map', { token: dept })).status, 403);
  });
});
