// cases.test.js — 民生诉求 (issue 3, first slice): the loop resident → dispatch → grid worker →
// rating; idempotent creation; scope; transitions refused by state (409) or by actor (403);
// two workers accepting at once: exactly one wins.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { api, demo, assertError, createAccount, uniqueName, tokenFor, BIN, DATA, DB } from './lib/client.js';

const GRID1 = '15253120220601';
let resident, worker, community, otherWorker, otherResident, admin;
let huiminCases; // 回民区's case count before this file made any case (the demo has a year of them)

before(async () => {
  resident = await demo('duolun.resident');
  worker = await demo('duolun.grid');
  community = await demo('duolun.community');
  admin = await demo('duolun.admin');
  // A worker of grid 2 and a resident of another county.
  otherWorker = (await createAccount(admin, { scope_code: '15253120220602', prefix: 'g2' })).token;
  otherResident = await demo('huimin.resident');
  huiminCases = (await api('GET', '/api/v1/case-stats', { token: await demo('huimin.admin') })).json.totals.cases;
});

const report = (token, body, headers = {}) => api('POST', '/api/v1/cases', { token, body, headers });
const act = (token, id, body) => api('POST', `/api/v1/cases/${id}/events`, { token, body });

describe('categories', () => {
  test('two levels as data, with handling level and deadlines', async () => {
    const r = await api('GET', '/api/v1/case-categories', { token: resident });
    assert.equal(r.status, 200, r.text);
    const byCode = Object.fromEntries(r.json.items.map((c) => [c.code, c]));
    assert.equal(byCode['03'].name, '消防安全');
    assert.equal(byCode['0301'].parent_code, '03');
    assert.equal(byCode['0301'].handling, 'grid');
    assert.equal(byCode['0201'].name, '下水道堵塞');
    assert.equal(byCode['0401'].complete_unit, 'workdays');
  });
});

describe('the loop: 居民下单 → 平台派单 → 网格员接单 → 群众评价', () => {
  test('a resident reports, the grid gets it, the worker accepts and resolves, the resident rates', async () => {
    const c = await report(resident, { category: '0301', description: '3号楼楼道里有电动车充电' });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.state, 'dispatched');
    assert.equal(c.json.assignee_code, GRID1, 'dispatched to the resident\'s grid');
    assert.equal(c.json.slip, 'red');
    assert.ok(c.json.respond_due > c.json.created_at);
    assert.equal(c.json.complete_due - c.json.created_at, 24 * 3600 * 1000, '0301: 24 natural hours');
    assert.deepEqual(c.json.timeline.map((e) => e.event), ['create', 'dispatch']);
    const id = c.json.id;

    const q = await api('GET', '/api/v1/cases?queue=1&limit=200', { token: worker });
    assert.equal(q.status, 200);
    assert.ok(q.json.items.some((x) => x.id === id), 'in the worker\'s queue');

    let r = await act(worker, id, { event: 'accept' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'accepted');
    assert.ok(r.json.responded_at);
    r = await act(worker, id, { event: 'note', note: '已联系车主' });
    assert.equal(r.json.state, 'accepted');
    r = await act(worker, id, { event: 'resolve', note: '车已挪走' });
    assert.equal(r.json.state, 'resolved');

    r = await act(resident, id, { event: 'rate', rating: 5, note: '很及时' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'closed');
    assert.equal(r.json.outcome, 'fixed');
    assert.equal(r.json.rating, 5);
    assert.deepEqual(r.json.timeline.map((e) => e.event),
      ['create', 'dispatch', 'accept', 'note', 'resolve', 'rate', 'close']);
    assert.deepEqual(r.json.timeline.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7]);
    // The state always agrees with the last event.
    assert.equal(r.json.timeline.at(-1).to_state, r.json.state);
    // The resident's own list has it.
    const mine = await api('GET', '/api/v1/cases', { token: resident });
    assert.ok(mine.json.items.some((x) => x.id === id));
  });

  test('a poor rating reopens the case for a return visit (回访)', async () => {
    const c = await report(resident, { category: '0101', description: '垃圾没人清' });
    const id = c.json.id;
    await act(worker, id, { event: 'accept' });
    await act(worker, id, { event: 'resolve' });
    const r = await act(resident, id, { event: 'rate', rating: 1, note: '还是很脏' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'reopened');
    const again = await act(worker, id, { event: 'accept' });
    assert.equal(again.json.state, 'accepted');
  });

  test('a community-level category waits for the community, which dispatches to a grid', async () => {
    const c = await report(resident, { category: '0401', description: '楼上漏水，邻居不理' });
    assert.equal(c.json.state, 'dispatched');
    assert.equal(c.json.assignee_code, '152531202206');
    assert.ok(c.json.complete_due > c.json.created_at + 5 * 24 * 3600 * 1000 - 1, '5 working days');
  });
});

describe('refusals', () => {
  test('wrong state answers 409, wrong actor 403, someone else\'s case 404', async () => {
    const c = await report(resident, { category: '0102', description: '楼道堆满杂物' });
    const id = c.json.id;
    assertError(await act(worker, id, { event: 'resolve' }), 409, 'invalid_transition');
    assertError(await act(resident, id, { event: 'accept' }), 403, 'forbidden');
    assertError(await act(otherWorker, id, { event: 'accept' }), 404, 'not_found');
    assertError(await api('GET', `/api/v1/cases/${id}`, { token: otherWorker }), 404, 'not_found');
    assertError(await api('GET', `/api/v1/cases/${id}`, { token: otherResident }), 404, 'not_found');
    assertError(await act(worker, id, { event: 'fly' }), 400, 'invalid', 'event');
    assertError(await act(worker, id, { event: 'parts_done' }), 400, 'invalid', 'event');
    assertError(await act(worker, id, { event: 'accept', rating: 5 }), 400, 'unknown_field', 'rating');
    assertError(await act(worker, id, { event: 'note', note: '   ' }), 400, 'invalid', 'note');
    await act(worker, id, { event: 'accept' });
    await act(worker, id, { event: 'resolve' });
    assertError(await act(community, id, { event: 'rate', rating: 5 }), 403, 'forbidden');
    assertError(await act(otherResident, id, { event: 'rate', rating: 5 }), 404, 'not_found');
    assertError(await act(resident, id, { event: 'rate', rating: 6 }), 400, 'invalid', 'rating');
    assertError(await act(resident, id, { event: 'rate', rating: '5' }), 400, 'invalid', 'rating');
    // Nothing half-written: still resolved, no extra event.
    const d = await api('GET', `/api/v1/cases/${id}`, { token: resident });
    assert.equal(d.json.state, 'resolved');
    assert.equal(d.json.timeline.length, 4);
  });

  test('bad reports: unknown category, a group instead of a category, empty or long text, bad location', async () => {
    assertError(await report(resident, { category: '9999', description: 'x' }), 400, 'invalid', 'category');
    assertError(await report(resident, { category: '03', description: 'x' }), 400, 'invalid', 'category');
    assertError(await report(resident, { category: '0301', description: '' }), 400, 'invalid', 'description');
    assertError(await report(resident, { category: '0301', description: ' \t　 ' }), 400, 'invalid', 'description');
    assertError(await report(resident, { category: '0301', description: '长'.repeat(1001) }), 400, 'invalid', 'description');
    assertError(await report(resident, { category: '0301', description: 'x', location: { lat: 91, lon: 116 } }), 400, 'invalid', 'location');
    assertError(await report(resident, { category: '0301', description: 'x', location: 'here' }), 400, 'invalid', 'location');
    assertError(await report(resident, { category: '0301', description: 'x', colour: 'red' }), 400, 'unknown_field', 'colour');
  });
});

describe('idempotency and concurrency', () => {
  test('a retried report with the same Idempotency-Key makes one case; a different body is 409', async () => {
    const key = uniqueName('idem');
    const body = { category: '0103', description: '污水从井盖冒出来', location: { lat: 42.18, lon: 116.47 } };
    const a = await report(resident, body, { 'idempotency-key': key });
    assert.equal(a.status, 201, a.text);
    const b = await report(resident, { ...body }, { 'idempotency-key': key });
    assert.equal(b.status, 200, b.text);
    assert.equal(b.json.id, a.json.id);
    assertError(await report(resident, { ...body, description: '别的事' }, { 'idempotency-key': key }), 409, 'idempotency_conflict');
    // Parallel retries of the same request also make one case.
    const key2 = uniqueName('idem');
    const rs = await Promise.all(Array.from({ length: 6 }, () => report(resident, body, { 'idempotency-key': key2 })));
    assert.equal(new Set(rs.map((r) => r.json.id)).size, 1, rs.map((r) => r.text).join('\n'));
    assert.equal(rs.filter((r) => r.status === 201).length, 1);
  });

  test('two workers of the grid accept at once: exactly one wins, the other gets 409', async () => {
    const second = (await createAccount(admin, { scope_code: GRID1, prefix: 'g1b' })).token;
    for (let round = 0; round < 3; round++) {
      const c = await report(resident, { category: '0102', description: `并发接单 ${round}` });
      const rs = await Promise.all([act(worker, c.json.id, { event: 'accept' }), act(second, c.json.id, { event: 'accept' })]);
      const codes = rs.map((r) => r.status).sort();
      assert.deepEqual(codes, [200, 409], rs.map((r) => r.text).join('\n'));
      const d = await api('GET', `/api/v1/cases/${c.json.id}`, { token: worker });
      assert.equal(d.json.timeline.filter((e) => e.event === 'accept').length, 1);
    }
  });
});

describe('deadlines and the scheduler (driven by `jiceng tick --now`, not by sleeping)', () => {
  const tick = (now) => {
    const args = ['tick', '--now', String(now), '--data', DATA, ...(DB ? ['--db', DB] : [])];
    const r = spawnSync(BIN, args, { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const get = async (id, token = community) => (await api('GET', `/api/v1/cases/${id}`, { token })).json;

  test('a red slip answered in time stays; one left alone escalates to the community; waiting pauses the clock', async () => {
    const answered = (await report(resident, { category: '0301', description: '按时响应的红单' })).json;
    const ignored = (await report(resident, { category: '0301', description: '无人响应的红单' })).json;
    const waiting = (await report(resident, { category: '0301', description: '等待群众补充材料' })).json;
    assert.equal((await act(worker, answered.id, { event: 'accept' })).status, 200);
    assert.equal((await act(worker, waiting.id, { event: 'accept' })).status, 200);
    assert.equal((await act(worker, waiting.id, { event: 'wait', note: '等待居民提供照片' })).status, 200);
    const t0 = ignored.created_at;

    tick(t0 + 1 * 3600 * 1000); // 1 h: 0301 must be answered within 2 h
    assert.equal((await get(ignored.id)).state, 'dispatched');

    tick(t0 + 2 * 3600 * 1000 + 60 * 1000); // 2 h 1 min
    const esc = await get(ignored.id);
    assert.equal(esc.state, 'escalated');
    assert.equal(esc.assignee_code, '152531202206', 'one level up: the community');
    assert.equal(esc.slip, 'blue');
    const last = esc.timeline.at(-1);
    assert.equal(last.event, 'escalate');
    assert.equal(last.actor_role, null, 'the system escalated it');
    assert.match(last.note, /响应时限/);
    assert.equal((await get(answered.id)).state, 'accepted', 'answered in time: not escalated');

    tick(t0 + 30 * 3600 * 1000); // past the 24 h completion deadline
    assert.equal((await get(answered.id)).state, 'escalated', 'not completed in time: escalated');
    const w = await get(waiting.id);
    assert.equal(w.state, 'accepted', 'waiting on the resident: the clock is paused');
    // Resuming moves the deadline by the time spent waiting.
    const before = w.complete_due;
    const resumed = await act(worker, waiting.id, { event: 'resume' });
    assert.equal(resumed.status, 200, resumed.text);
    assert.ok(resumed.json.complete_due > before);
    assert.equal(resumed.json.paused_at, null);

    // The community sends the escalated case back down to a grid.
    const d = await act(community, ignored.id, { event: 'dispatch', assignee: GRID1, note: '请网格员处理' });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.json.state, 'dispatched');
    assert.equal(d.json.assignee_code, GRID1);
    assertError(await act(community, ignored.id, { event: 'dispatch', assignee: '150103006009' }), 409, 'invalid_transition');
  });

  test('dispatch outside the dispatcher\'s scope is refused', async () => {
    const c = (await report(resident, { category: '0102', description: '派单越权测试' })).json;
    const t0 = c.created_at;
    tick(t0 + 49 * 3600 * 1000);
    assert.equal((await get(c.id)).state, 'escalated');
    assertError(await act(community, c.id, { event: 'dispatch', assignee: '150103006009' }), 400, 'invalid', 'assignee');
    assertError(await act(community, c.id, { event: 'dispatch', assignee: '15253120220601999' }), 400, 'invalid', 'assignee');
  });
});

describe('KPIs (case-stats) trace back to the cases behind them', () => {
  async function allCases(token, query = '') {
    const out = [];
    let cursor = '';
    for (;;) {
      const r = await api('GET', `/api/v1/cases?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`, { token });
      assert.equal(r.status, 200, r.text);
      out.push(...r.json.items);
      if (!r.json.next_cursor) return out;
      cursor = r.json.next_cursor;
    }
  }

  test('totals and groups agree with the list of cases in scope', async () => {
    // Over most of a year: the demo's cases and the ones the tests above made.
    const from = Date.now() - 360 * 24 * 3600e3;
    const list = (await allCases(community, `&from=${from}`)).filter((c) => !['merged', 'cancelled'].includes(c.state));
    assert.ok(list.length >= 10, 'the tests above made cases here');
    const r = await api('GET', `/api/v1/case-stats?by=region&from=${from}`, { token: community });
    assert.equal(r.status, 200, r.text);
    const t = r.json.totals;
    assert.equal(t.cases, list.length);
    const responded = list.filter((c) => c.responded_at !== null).length;
    assert.equal(t.responded, responded);
    assert.ok(Math.abs(t.response_rate - responded / list.length) < 1e-9);
    assert.equal(t.resolved, list.filter((c) => c.resolved_at !== null).length);
    assert.equal(t.outcomes.fixed, list.filter((c) => c.outcome === 'fixed').length);
    const rated = list.filter((c) => c.rating !== null);
    assert.equal(t.rated, rated.length);
    if (rated.length) assert.ok(Math.abs(t.avg_rating - rated.reduce((a, c) => a + c.rating, 0) / rated.length) < 1e-9);
    // Closed is not the same as fixed: a closed case may have another outcome.
    assert.ok('not_our_duty' in t.outcomes && 'duplicate' in t.outcomes);
    // Groups are the grids of the village, with names, and add up to the totals.
    assert.ok(r.json.groups.length >= 1);
    for (const g of r.json.groups) {
      assert.match(g.key, /^152531202206\d{2}$/);
      assert.match(g.name, /网格$/);
    }
    assert.equal(r.json.groups.reduce((a, g) => a + g.cases, 0), t.cases);
    // The overdue list names open cases past their deadline.
    for (const o of r.json.overdue) assert.ok(o.complete_due < r.json.as_of && o.hours_over > 0);
  });

  test('by category, by period, and refusals', async () => {
    const r = await api('GET', '/api/v1/case-stats?by=category', { token: admin });
    assert.equal(r.status, 200, r.text);
    const fire = r.json.groups.find((g) => g.key === '03');
    assert.ok(fire, 'fire-safety cases were reported');
    assert.equal(fire.name, '消防安全');
    const empty = await api('GET', '/api/v1/case-stats?from=1000&to=2000', { token: admin });
    assert.equal(empty.json.totals.cases, 0);
    assert.equal(empty.json.totals.response_rate, 0);
    assertError(await api('GET', '/api/v1/case-stats?by=colour', { token: admin }), 400, 'invalid', 'by');
    assertError(await api('GET', '/api/v1/case-stats?from=5000&to=1000', { token: admin }), 400, 'invalid', 'from');
    assertError(await api('GET', '/api/v1/case-stats?from=abc', { token: admin }), 400, 'invalid', 'from');
    assertError(await api('GET', '/api/v1/case-stats', { token: resident }), 403, 'forbidden');
    // Another county's admin sees none of 多伦县's cases: 回民区's count is what it was.
    const other = await api('GET', '/api/v1/case-stats', { token: await demo('huimin.admin') });
    assert.equal(other.json.totals.cases, huiminCases);
  });
});

describe('placing a report: location → grid boundary, else household, else triage — never lost', () => {
  // A point inside 牛眼睛村 grid 2: the middle of its boundary as the map gives it (the demo draws
  // the grids inside the county's real outline).
  let IN_GRID2;
  before(async () => {
    const m = await api('GET', '/api/v1/case-map?region=15253120220602', { token: community });
    assert.equal(m.status, 200, m.text);
    const ring = m.json.grids.find((g) => g.code === '15253120220602').boundary.coordinates[0].slice(0, -1);
    const round = (x) => Math.round(x * 1e6) / 1e6;
    IN_GRID2 = { lat: round(ring.reduce((a, p) => a + p[1], 0) / ring.length), lon: round(ring.reduce((a, p) => a + p[0], 0) / ring.length) };
  });

  test('an informant\'s GPS point inside grid 2 goes to grid 2', async () => {
    const informant = await demo('duolun.informant');
    const c = await report(informant, { category: '0301', description: '快递员发现楼道电动车', location: IN_GRID2 });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.source, 'informant');
    assert.equal(c.json.region_code, '15253120220602');
    assert.equal(c.json.assignee_code, '15253120220602');
    assert.deepEqual(c.json.timeline[0].detail, { placed_by: 'location' });
    assert.deepEqual(c.json.location, IN_GRID2);
    // Grid 2's worker has it; grid 1's does not.
    const q2 = await api('GET', '/api/v1/cases?queue=1&limit=200', { token: otherWorker });
    assert.ok(q2.json.items.some((x) => x.id === c.json.id));
    assertError(await api('GET', `/api/v1/cases/${c.json.id}`, { token: worker }), 404, 'not_found');
  });

  test('a point outside every grid falls back to the reporter\'s household', async () => {
    const c = await report(resident, { category: '0102', description: '位置不在任何网格内', location: { lat: 10, lon: 10 } });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.region_code, GRID1);
    assert.deepEqual(c.json.timeline[0].detail, { placed_by: 'household' });
  });

  test('a county operator without a household: located if possible, else county-level triage', async () => {
    const center = await demo('duolun.center');
    const a = await report(center, { category: '0102', description: '群众来电，未说明位置' });
    assert.equal(a.status, 201, a.text);
    assert.equal(a.json.state, 'submitted', 'waits for triage, not lost');
    assert.equal(a.json.region_code, '152531');
    assert.deepEqual(a.json.timeline[0].detail, { placed_by: 'scope' });
    const b = await report(center, { category: '0102', description: '群众来电，给出了位置', location: IN_GRID2 });
    assert.equal(b.json.state, 'dispatched');
    assert.equal(b.json.assignee_code, '15253120220602');
    // The triage case is dispatched by the operator to a grid.
    const d = await act(center, a.json.id, { event: 'dispatch', assignee: GRID1 });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.json.assignee_code, GRID1);
  });
});

describe('中心吹哨、部门报到: the whistle (practice 6)', () => {
  test('three departments summoned: each reports in and does its part; the case resolves only when all are done', async () => {
    const center = await demo('duolun.center');
    const depts = await api('GET', '/api/v1/departments', { token: center });
    assert.equal(depts.status, 200, depts.text);
    assert.ok(depts.json.items.some((d) => d.code === 'd03' && d.name === '公安分局'));
    // Staff of two more departments (the demo's duolun.dept answers for d03).
    const staff = { d03: await demo('duolun.dept') };
    for (const code of ['d05', 'd06']) {
      const a = await createAccount(admin, { role: 'department_staff', scope_code: '152531', prefix: code, department: code });
      staff[code] = a.token;
    }
    // A dispute the community cannot solve: escalated, then the center blows the whistle.
    const c = (await report(resident, { category: '0402', description: '物业与业主纠纷，涉及住建、城管、公安' })).json;
    assert.equal((await act(community, c.id, { event: 'escalate', note: '社区无法解决，上报' })).status, 200);
    assertError(await act(worker, c.id, { event: 'whistle', departments: ['d03'] }), 403, 'forbidden');
    assertError(await act(center, c.id, { event: 'whistle', departments: [] }), 400, 'invalid', 'departments');
    assertError(await act(center, c.id, { event: 'whistle', departments: ['d99'] }), 400, 'invalid', 'departments');
    assertError(await act(center, c.id, { event: 'whistle', departments: ['d03', 'd03'] }), 400, 'invalid', 'departments');
    const w = await act(center, c.id, { event: 'whistle', departments: ['d03', 'd05', 'd06'], note: '请三部门报到' });
    assert.equal(w.status, 200, w.text);
    assert.equal(w.json.state, 'whistle');
    assert.equal(w.json.parts.length, 3);
    for (const p of w.json.parts) {
      assert.equal(p.reported_at, null);
      assert.equal(p.report_due - p.summoned_at, 2 * 3600 * 1000, '报到 within 2 hours');
    }

    const part = (code, action, token = staff[code]) =>
      api('POST', `/api/v1/cases/${c.id}/parts/${code}`, { token, body: { action, note: `${code} ${action}` } });
    // Each department sees the case in its queue; another department cannot act for it.
    const q = await api('GET', '/api/v1/cases?queue=1', { token: staff.d05 });
    assert.ok(q.json.items.some((x) => x.id === c.id));
    assertError(await part('d03', 'report', staff.d05), 404, 'not_found');
    assertError(await part('d03', 'done'), 409, 'invalid_transition'); // report first
    for (const code of ['d03', 'd05', 'd06']) assert.equal((await part(code, 'report')).status, 200);
    assertError(await part('d03', 'report'), 409, 'invalid_transition');
    assert.equal((await part('d03', 'done')).json.state, 'whistle');
    assert.equal((await part('d05', 'done')).json.state, 'whistle', 'not yet: d06 is still working');
    const last = await part('d06', 'done');
    assert.equal(last.status, 200, last.text);
    assert.equal(last.json.state, 'resolved', 'every part done: resolved');
    assert.ok(last.json.parts.every((p) => p.done_at));
    assert.equal(last.json.timeline.at(-1).event, 'parts_done');
    assert.equal(last.json.timeline.filter((e) => e.event === 'part_report').length, 3);
    // The resident rates it as any other case.
    assert.equal((await act(resident, c.id, { event: 'rate', rating: 4 })).json.state, 'closed');
  });

  test('a department account needs a real department of its county', async () => {
    const r = await api('POST', '/api/v1/users', { token: admin, body: { username: uniqueName('dx'), name: '部门', role: 'department_staff', scope_code: '152531', department: 'd99' } });
    assertError(r, 400, 'invalid', 'department');
    const g = await api('POST', '/api/v1/users', { token: admin, body: { username: uniqueName('dy'), name: '网格', role: 'grid_worker', scope_code: GRID1, department: 'd03' } });
    assertError(g, 400, 'invalid', 'department');
  });
});

describe('inbox: every step tells the reporter; a dispatch tells whoever now holds the case', () => {
  test('report → the worker it is given to is told; accept → the resident is told; read marks stay per account', async () => {
    const c = (await report(resident, { category: '0101', description: '通知测试：垃圾满溢' })).json;
    // The grid has several workers by now: the case goes to one of them (load balancing, see
    // dispatch.test.js), and only that one is told.
    const handler = (await api('GET', `/api/v1/cases/${c.id}`, { token: worker })).json.handler;
    assert.ok(handler && handler.id, 'given to a worker of the grid');
    const me = (await api('GET', '/api/v1/auth/me', { token: worker })).json.user;
    if (handler.id !== me.id) {
      const mine = (await api('GET', '/api/v1/inbox?limit=200', { token: worker })).json.items;
      assert.ok(!mine.some((m) => m.case_id === c.id), 'a colleague it was not given to is not told');
    }
    const holder = handler.id === me.id ? worker : await tokenFor(admin, handler.id);
    const w = await api('GET', '/api/v1/inbox?unread=1&limit=200', { token: holder });
    assert.equal(w.status, 200, w.text);
    const msg = w.json.items.find((m) => m.case_id === c.id);
    assert.ok(msg, 'the grid worker is told of the new case');
    assert.equal(msg.kind, 'case_assigned');
    assert.equal(msg.title, '新诉求待接单');
    assert.match(msg.body, /通知测试/);
    assert.ok(w.json.unread >= 1);
    // The reporter is not told of their own report; grid 2's worker is not told at all.
    const r0 = (await api('GET', '/api/v1/inbox?limit=200', { token: resident })).json;
    assert.ok(!r0.items.some((m) => m.case_id === c.id));
    const o = (await api('GET', '/api/v1/inbox?limit=200', { token: otherWorker })).json;
    assert.ok(!o.items.some((m) => m.case_id === c.id));

    await act(worker, c.id, { event: 'accept' });
    const r1 = (await api('GET', '/api/v1/inbox?unread=1&limit=200', { token: resident })).json;
    const told = r1.items.find((m) => m.case_id === c.id);
    assert.ok(told, 'the resident is told the case was accepted');
    assert.equal(told.title, '您的诉求已接单');
    // Reading it: 204, then it is no longer unread; nobody reads another's message.
    assertError(await api('POST', `/api/v1/inbox/${told.id}/read`, { token: worker }), 404, 'not_found');
    const rd = await api('POST', `/api/v1/inbox/${told.id}/read`, { token: resident });
    assert.equal(rd.status, 204, rd.text);
    const r2 = (await api('GET', '/api/v1/inbox?unread=1&limit=200', { token: resident })).json;
    assert.ok(!r2.items.some((m) => m.id === told.id));
    assert.equal(r2.unread, r1.unread - 1);
  });
});

describe('reminders before a deadline', () => {
  test('the holders are reminded once, two hours before the completion deadline', async () => {
    const tick = (now) => {
      const r = spawnSync(BIN, ['tick', '--now', String(now), '--data', DATA, ...(DB ? ['--db', DB] : [])], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const c = (await report(resident, { category: '0301', description: '提醒测试：楼道电动车' })).json;
    // Reminders go to the worker the case was given to.
    const handler = (await api('GET', `/api/v1/cases/${c.id}`, { token: worker })).json.handler;
    const me = (await api('GET', '/api/v1/auth/me', { token: worker })).json.user;
    const holder = handler.id === me.id ? worker : await tokenFor(admin, handler.id);
    const reminders = async (id) => (await api('GET', '/api/v1/inbox?limit=200', { token: holder }))
      .json.items.filter((m) => m.case_id === id && m.title === '诉求即将超时，请尽快办理');
    assert.equal((await act(worker, c.id, { event: 'accept' })).status, 200);
    tick(c.created_at + 20 * 3600 * 1000); // 4 h left of 24: no reminder yet
    assert.equal((await reminders(c.id)).length, 0);
    const out = tick(c.created_at + 22 * 3600 * 1000 + 60 * 1000); // under 2 h left
    assert.match(out, /reminded/);
    assert.equal((await reminders(c.id)).length, 1);
    tick(c.created_at + 23 * 3600 * 1000);
    assert.equal((await reminders(c.id)).length, 1, 'once per deadline');
    // The reporter is not bothered by reminders.
    const mine = (await api('GET', '/api/v1/inbox?limit=200', { token: resident })).json.items;
    assert.ok(!mine.some((m) => m.case_id === c.id && m.title.includes('即将超时')));
  });
});
