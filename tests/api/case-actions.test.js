// case-actions.test.js — one source of truth for what a caller may do (issue 10 part 1): the case
// detail's `actions` equal, for every (state, role) a person can reach, the transition table of
// docs/CASES.md written out here independently (state × role × scope × holder); and every event
// the list leaves out is refused by the server when posted. Then what the actions carry: reasons
// required, blue-slip targets (up the tree or the category's department), whistle parts with
// their own deadlines and tasks, a department's 报到 / 办结, names beside codes.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, demo, assertError, createAccount } from './lib/client.js';

const act = (token, id, body) => api('POST', `/api/v1/cases/${id}/events`, { token, body });
const get = (token, id) => api('GET', `/api/v1/cases/${id}`, { token });

// The demo accounts of 多伦县 and where they stand (seed.c): the resident and the grid worker in
// one grid of the community; the street above it; the county's center, admin and leader; 公安分局
// (d03) staff.
const ROLES = ['resident', 'informant', 'head', 'grid', 'community', 'street', 'center', 'admin', 'leader', 'dept'];
const tok = {};
let scope = {};
before(async () => {
  for (const r of ROLES) tok[r] = await demo(`duolun.${r}`);
  for (const r of ROLES) scope[r] = (await api('GET', '/api/v1/auth/me', { token: tok[r] })).json.user;
});

// ---- the table of docs/CASES.md, independently ----
const MANAGERS = ['community', 'street'];
const HANDLERS = ['grid', 'dept', 'community', 'street'];
const TABLE = {
  accept: { from: ['dispatched', 'reopened', 'escalated'], holder: HANDLERS },
  resolve: { from: ['accepted', 'reopened'], holder: HANDLERS },
  note: { from: ['dispatched', 'accepted', 'escalated', 'whistle', 'reopened'], any: [...MANAGERS, 'center'], holder: HANDLERS },
  dispatch: { from: ['submitted', 'returned', 'escalated'], any: [...MANAGERS, 'center', 'admin'] },
  whistle: { from: ['escalated', 'accepted'], any: ['center', 'street'] },
  escalate: { from: ['submitted', 'dispatched', 'accepted', 'reopened', 'escalated'], any: MANAGERS, holder: ['grid'] },
  return: { from: ['dispatched'], holder: HANDLERS },
  wait: { from: ['accepted', 'reopened'], holder: HANDLERS, paused: false },
  resume: { from: ['accepted', 'reopened'], holder: HANDLERS, paused: true },
  rate: { from: ['resolved'], reporter: true },
  reopen: { from: ['rated', 'resolved'], any: [...MANAGERS, 'center'] },
  close: { from: ['resolved', 'rated'], any: [...MANAGERS, 'center', 'admin'] },
  merge: { from: ['submitted', 'dispatched'], any: [...MANAGERS, 'center'] },
  cancel: { from: ['submitted', 'dispatched'], any: ['community'], reporter: true },
};
const ROLE_OF = { resident: 'resident', informant: 'informant', head: 'building_head', grid: 'grid_worker', community: 'community_admin', street: 'street_admin', center: 'center_operator', admin: 'county_admin', leader: 'leader', dept: 'department_staff' };
const inScope = (s, code) => !!code && code.startsWith(s);

/** What `role` may do to case c (as the detail shows it), by the table. */
function expected(role, c) {
  const me = scope[role];
  const holder = c.assignee_code;
  const part = role === 'dept' && (c.parts || []).some((p) => p.department === me.department);
  const isHolder = part || (role === 'dept' ? holder === `dept:${me.department}` : inScope(me.scope_code, holder));
  const out = [];
  for (const [ev, rule] of Object.entries(TABLE)) {
    if (!rule.from.includes(c.state)) continue;
    const ok = (rule.any || []).includes(role) || (isHolder && (rule.holder || []).includes(role)) || (rule.reporter && c.mine);
    if (!ok) continue;
    if (rule.paused !== undefined && rule.paused !== (c.paused_at !== null)) continue;
    // A case held above the caller is not theirs to re-dispatch or whistle.
    if ((ev === 'dispatch' || ev === 'whistle') && holder && !holder.startsWith('dept:') && !inScope(me.scope_code, holder)) continue;
    // A manager sends up only what their own level holds.
    if (ev === 'escalate' && MANAGERS.includes(role) && holder && !inScope(me.scope_code, holder)) continue;
    out.push(ev);
  }
  if (part && c.state === 'whistle') {
    const p = c.parts.find((x) => x.department === me.department);
    if (!p.done_at) out.push(p.reported_at ? 'part_done' : 'part_report');
  }
  return out.sort();
}

// ---- cases in every state a person can bring about ----
const report = async (body) => {
  const r = await api('POST', '/api/v1/cases', { token: tok.resident, body });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
};
const step = async (who, id, body) => {
  const r = await act(tok[who], id, body);
  assert.equal(r.status, 200, `${who} ${body.event}: ${r.text}`);
  return r.json;
};
const grid = (d) => report({ category: '0301', description: d });

async function casesInEveryState() {
  const s = {};
  s.dispatched = await grid('楼道堆放杂物');
  s.accepted = await grid('楼道灯不亮');
  await step('grid', s.accepted, { event: 'accept' });
  s.waiting = await grid('井盖松动');
  await step('grid', s.waiting, { event: 'accept' });
  await step('grid', s.waiting, { event: 'wait', note: '等待居民提供照片' });
  s.returned = await grid('不属于本网格的问题');
  await step('grid', s.returned, { event: 'return', note: '位置在隔壁网格' });
  s.escalated = await grid('网格解决不了的问题');
  await step('grid', s.escalated, { event: 'escalate', note: '需社区协调' });
  s.escalated_street = await grid('社区也解决不了');
  await step('community', s.escalated_street, { event: 'escalate', note: '需街道协调' });
  s.whistle = await grid('需多部门处置');
  await step('community', s.whistle, { event: 'escalate', note: '需部门处理' });
  await step('center', s.whistle, { event: 'whistle', departments: ['d03'] });
  s.whistle_reported = await grid('部门已报到');
  await step('community', s.whistle_reported, { event: 'escalate', note: '需部门处理' });
  await step('center', s.whistle_reported, { event: 'whistle', departments: ['d03'] });
  assert.equal((await api('POST', `/api/v1/cases/${s.whistle_reported}/parts/d03`, { token: tok.dept, body: { action: 'report' } })).status, 200);
  s.resolved = await grid('已处理待评价');
  await step('grid', s.resolved, { event: 'accept' });
  await step('grid', s.resolved, { event: 'resolve', note: '已处理' });
  s.reopened = await grid('评价不满意');
  await step('grid', s.reopened, { event: 'accept' });
  await step('grid', s.reopened, { event: 'resolve', note: '已处理' });
  await step('resident', s.reopened, { event: 'rate', rating: 1 });
  s.closed = await grid('评价满意');
  await step('grid', s.closed, { event: 'accept' });
  await step('grid', s.closed, { event: 'resolve', note: '已处理' });
  await step('resident', s.closed, { event: 'rate', rating: 5 });
  s.cancelled = await grid('不需要了');
  await step('resident', s.cancelled, { event: 'cancel', note: '自己解决了' });
  s.merged = await grid('重复反映');
  await step('community', s.merged, { event: 'merge', into: s.dispatched });
  s.dept_held = await report({ category: '0601', description: '门口占道摆摊' }); // 城市管理局
  s.submitted = await report({ category: '0403', description: '租户拖欠房租' }); // street: triage
  return s;
}

describe('actions: exactly what the state machine allows, for every role', () => {
  let cases;
  before(async () => {
    cases = await casesInEveryState();
  });

  test('each role reads the actions of the table in every state (rated closes at once: 3–5 stars close, 1–2 reopen)', async () => {
    const seen = new Set();
    for (const [name, id] of Object.entries(cases)) {
      // The truth of the case, as its center sees it (parts, holder, pause).
      for (const role of ROLES) {
        const r = await get(tok[role], id);
        if (r.status === 404) continue; // not theirs to see: nothing to do
        assert.equal(r.status, 200, r.text);
        const c = r.json;
        const got = c.actions.map((a) => a.event).sort();
        assert.deepEqual(got, expected(role, c), `${role} on ${name} (${c.state}, held by ${c.assignee_code})`);
        seen.add(c.state);
      }
    }
    for (const st of ['submitted', 'dispatched', 'accepted', 'returned', 'escalated', 'whistle', 'resolved', 'reopened', 'closed', 'merged', 'cancelled']) {
      assert.ok(seen.has(st), `a case in ${st} was walked`);
    }
  });

  test('every event the list leaves out is refused when posted (nothing changes)', async () => {
    const bodies = {
      accept: {}, resolve: { note: '试' }, note: { note: '试' }, dispatch: { assignee: '15253120220601' }, whistle: { departments: ['d03'] },
      escalate: { note: '试' }, return: { note: '试' }, wait: { note: '试' }, resume: {}, rate: { rating: 4 }, reopen: { note: '试' },
      close: { outcome: 'fixed' }, merge: { into: '1' }, cancel: { note: '试' },
    };
    for (const [name, id] of Object.entries(cases)) {
      for (const role of ROLES) {
        const before = await get(tok[role], id);
        if (before.status !== 200) continue;
        const offered = new Set(before.json.actions.map((a) => a.event));
        for (const [ev, body] of Object.entries(bodies)) {
          if (offered.has(ev)) continue;
          const r = await act(tok[role], id, { event: ev, ...body });
          assert.ok([400, 403, 404, 409].includes(r.status), `${role} ${ev} on ${name}: ${r.status} ${r.text}`);
        }
        const after = await get(tok[role], id);
        assert.equal(after.json.timeline.length, before.json.timeline.length, `${role} on ${name}: nothing written`);
      }
    }
  });

  test('each action says what it needs: reasons, photos, where a dispatch may go', async () => {
    const c = (await get(tok.grid, cases.dispatched)).json;
    const by = Object.fromEntries(c.actions.map((a) => [a.event, a]));
    assert.deepEqual(Object.keys(by).sort(), ['accept', 'escalate', 'note', 'return']);
    assert.equal(by.accept.label, '接单');
    assert.equal(by.return.note, 'required');
    assert.equal(by.escalate.note, 'required');
    assert.equal(by.escalate.label, '上报（蓝单）');
    assert.equal(by.accept.note, 'optional');
    assert.equal(by.note.photos, true);
    const street = (await get(tok.street, cases.returned)).json.actions.find((a) => a.event === 'dispatch');
    assert.deepEqual(street.to, ['region', 'department']);
    assert.equal(street.label, '改派');
    const community = (await get(tok.community, cases.returned)).json.actions.find((a) => a.event === 'dispatch');
    assert.deepEqual(community.to, ['region']);
  });

  test('a reason is required for 退回, 上报, 撤销, 等待, 重新办理 — in Chinese, nothing written', async () => {
    const id = await grid('需要原因的操作');
    for (const ev of ['return', 'escalate']) {
      const e = assertError(await act(tok.grid, id, { event: ev, note: '  ' }), 400, 'invalid', 'note');
      assert.match(e.message, /原因/);
    }
    assertError(await act(tok.resident, id, { event: 'cancel' }), 400, 'invalid', 'note');
    assert.equal((await get(tok.grid, id)).json.timeline.length, 2, 'create and dispatch only');
  });
});

describe('blue slips: up the tree, or straight to the department the category names', () => {
  test('a community sends a 占道 case up to the street or to 城市管理局; nowhere else', async () => {
    const id = await report({ category: '0101', description: '门口堆放垃圾' });
    await step('grid', id, { event: 'escalate', note: '网格无法处理' });
    // 0101 names no department: one target, the street.
    let esc = (await get(tok.community, id)).json.actions.find((a) => a.event === 'escalate');
    assert.equal(esc.targets.length, 1);
    assert.equal(esc.targets[0].code, scope.street.scope_code);
    assert.doesNotMatch(esc.targets[0].name, /^\d+$/, 'a name, not a code');

    // 0601 占道经营 is 城市管理局's (d06): the community may send it there directly.
    const d06 = (await createAccount(tok.admin, { role: 'department_staff', scope_code: '152531', prefix: 'esc', department: 'd06' })).token;
    const c2 = await report({ category: '0601', description: '占道摆摊' });
    // 城市管理局 sends it back (not theirs on this street), the center gives it to the community.
    await (async () => {
      const r = await act(d06, c2, { event: 'return', note: '属社区协调事项' });
      assert.equal(r.status, 200, r.text);
    })();
    await step('center', c2, { event: 'dispatch', assignee: scope.community.scope_code });
    esc = (await get(tok.community, c2)).json.actions.find((a) => a.event === 'escalate');
    assert.deepEqual(esc.targets.map((t) => t.code), [scope.street.scope_code, 'dept:d06']);
    assert.equal(esc.targets[1].name, '城市管理局');
    assertError(await act(tok.community, c2, { event: 'escalate', note: '转部门', assignee: 'dept:d03' }), 400, 'invalid', 'assignee');
    assertError(await act(tok.community, c2, { event: 'escalate', note: '转部门', assignee: '152531' }), 400, 'invalid', 'assignee');
    const r = await step('community', c2, { event: 'escalate', note: '占道经营归城管', assignee: 'dept:d06' });
    assert.equal(r.assignee_code, 'dept:d06');
    assert.equal(r.assignee_name, '城市管理局');
    assert.equal(r.slip, 'blue');
    const last = r.timeline.at(-1);
    assert.equal(last.detail.assignee_name, '城市管理局');
    // 城市管理局 now holds it: accept is theirs.
    assert.ok((await get(d06, c2)).json.actions.some((a) => a.event === 'accept'));
  });
});

describe('the whistle: each department its own deadline and task, 报到 and 办结 from the actions', () => {
  test('three departments, different deadlines; the case resolves when the last part is done', async () => {
    const d07 = (await createAccount(tok.admin, { role: 'department_staff', scope_code: '152531', prefix: 'wh7', department: 'd07' })).token;
    const d06 = (await createAccount(tok.admin, { role: 'department_staff', scope_code: '152531', prefix: 'wh6', department: 'd06' })).token;
    const id = await grid('多部门联合处置');
    await step('community', id, { event: 'escalate', note: '需部门处理' });
    assertError(await act(tok.center, id, { event: 'whistle', departments: [{ code: 'd03', report_hours: 0 }] }), 400, 'invalid', 'departments');
    assertError(await act(tok.center, id, { event: 'whistle', departments: [{ code: 'd03', task: 'x'.repeat(201) }] }), 400, 'invalid', 'departments');
    assertError(await act(tok.center, id, { event: 'whistle', departments: [{ code: 'd03', extra: 1 }] }), 400, 'unknown_field', 'departments');
    const w = await step('center', id, {
      event: 'whistle',
      departments: [
        { code: 'd03', report_hours: 1, task: '现场维持秩序' },
        { code: 'd06', report_hours: 4, task: '清理占道物品' },
        'd07',
      ],
    });
    const parts = Object.fromEntries(w.parts.map((p) => [p.department, p]));
    assert.equal(parts.d03.report_due - parts.d03.summoned_at, 3600 * 1000);
    assert.equal(parts.d06.report_due - parts.d06.summoned_at, 4 * 3600 * 1000);
    assert.equal(parts.d07.report_due - parts.d07.summoned_at, 2 * 3600 * 1000, 'default: 2 hours');
    assert.equal(parts.d03.task, '现场维持秩序');
    assert.equal(parts.d07.task, null);
    const wev = w.timeline.at(-1);
    assert.deepEqual(wev.detail.department_names, ['公安分局', '城市管理局', wev.detail.department_names[2]]);
    assert.doesNotMatch(wev.detail.department_names[2], /^d\d+$/);

    for (const [token, dept] of [[tok.dept, 'd03'], [d06, 'd06'], [d07, 'd07']]) {
      let a = (await get(token, id)).json.actions.filter((x) => x.event.startsWith('part_'));
      assert.deepEqual(a.map((x) => [x.event, x.department]), [['part_report', dept]]);
      assert.ok(!/^d\d+$/.test(a[0].department_name));
      assert.equal((await api('POST', `/api/v1/cases/${id}/parts/${dept}`, { token, body: { action: 'report' } })).status, 200);
      a = (await get(token, id)).json.actions.filter((x) => x.event.startsWith('part_'));
      assert.deepEqual(a.map((x) => x.event), ['part_done']);
      assert.equal(a[0].note, 'required');
    }
    for (const [token, dept] of [[tok.dept, 'd03'], [d06, 'd06']]) {
      const r = await api('POST', `/api/v1/cases/${id}/parts/${dept}`, { token, body: { action: 'done', note: '本部门已完成' } });
      assert.equal(r.json.state, 'whistle', 'waits for the others');
      assert.ok(!r.json.actions.some((x) => x.event.startsWith('part_')), 'done: nothing left for this department');
    }
    const r = await api('POST', `/api/v1/cases/${id}/parts/d07`, { token: d07, body: { action: 'done', note: '已完成' } });
    assert.equal(r.json.state, 'resolved');
  });
});

describe('desk queues above the grid', () => {
  test('a community sees what it holds and what its grids sent back; the street its escalations; the center triage', async () => {
    const returned = await grid('退回社区的问题');
    await step('grid', returned, { event: 'return', note: '不归本网格' });
    const escalated = await grid('上报社区的问题');
    await step('grid', escalated, { event: 'escalate', note: '需社区协调' });
    const toStreet = await grid('上报街道的问题');
    await step('grid', toStreet, { event: 'escalate', note: '需社区协调' });
    await step('community', toStreet, { event: 'escalate', note: '需街道协调' });
    const atGrid = await grid('网格在办的问题');
    const triage = await report({ category: '0403', description: '租赁纠纷待分拨' });
    const q = async (who) => (await api('GET', '/api/v1/cases?queue=1&limit=100', { token: tok[who] })).json.items.map((x) => x.id);
    const community = await q('community');
    assert.ok(community.includes(returned) && community.includes(escalated), 'returned and escalated to the community');
    assert.ok(!community.includes(atGrid), 'a case its grid holds is the grid\'s');
    assert.ok(!community.includes(toStreet), 'sent up to the street: no longer the community\'s');
    const street = await q('street');
    assert.ok(street.includes(toStreet), 'escalated to the street');
    assert.ok(street.includes(triage), 'a report no level holds yet');
    assert.ok(!street.includes(escalated) && !street.includes(atGrid));
    const center = await q('center');
    assert.ok(center.includes(triage));
    assert.ok(!center.includes(toStreet));
  });
});
