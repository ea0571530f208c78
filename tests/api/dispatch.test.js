// dispatch.test.js — issue 3, part 3: category rules pick the level and, for department
// categories, the department; the street or the center dispatches to a department; a grid with
// several workers shares its cases out (load balanced), and only the chosen worker is told.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { api, demo, assertError, createAccount, BIN, DATA, DB } from './lib/client.js';

let resident, admin, center, community, d03;
const act = (token, id, body) => api('POST', `/api/v1/cases/${id}/events`, { token, body });
const get = async (token, id) => (await api('GET', `/api/v1/cases/${id}`, { token })).json;
const tick = (now) => {
  const r = spawnSync(BIN, ['tick', '--now', String(now), '--data', DATA, ...(DB ? ['--db', DB] : [])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
};

before(async () => {
  resident = await demo('duolun.resident');
  admin = await demo('duolun.admin');
  center = await demo('duolun.center');
  community = await demo('duolun.community');
  d03 = await demo('duolun.dept'); // 公安分局
});

describe('department categories go to their department', () => {
  let d06, c;
  test('占道经营 is dispatched to 城市管理局 at once; its staff take it, others do not see it', async () => {
    d06 = (await createAccount(admin, { role: 'department_staff', scope_code: '152531', prefix: 'cg', department: 'd06' })).token;
    const r = await api('POST', '/api/v1/cases', { token: resident, body: { category: '0601', description: '门口占道摆摊' } });
    assert.equal(r.status, 201, r.text);
    c = r.json;
    assert.equal(c.state, 'dispatched');
    assert.equal(c.assignee_code, 'dept:d06');
    const q = await api('GET', '/api/v1/cases?queue=1', { token: d06 });
    assert.ok(q.json.items.some((x) => x.id === c.id), 'in 城市管理局 queue');
    assert.ok(!(await api('GET', '/api/v1/cases?queue=1', { token: d03 })).json.items.some((x) => x.id === c.id));
    assertError(await api('GET', `/api/v1/cases/${c.id}`, { token: d03 }), 404, 'not_found');
    assertError(await act(d03, c.id, { event: 'accept' }), 404, 'not_found');
    const inbox = await api('GET', '/api/v1/inbox', { token: d06 });
    assert.ok(inbox.json.items.some((m) => m.case_id === c.id && m.kind === 'case_assigned'));
    assert.equal((await act(d06, c.id, { event: 'accept' })).json.state, 'accepted');
    const done = await act(d06, c.id, { event: 'resolve', note: '已劝离' });
    assert.equal(done.json.state, 'resolved');
  });

  test('a department that misses its deadline is escalated to the county', async () => {
    const r = (await api('POST', '/api/v1/cases', { token: resident, body: { category: '0602', description: '违规张贴小广告' } })).json;
    assert.equal(r.assignee_code, 'dept:d06');
    tick(r.complete_due + 60 * 1000);
    const after = await get(center, r.id);
    assert.equal(after.state, 'escalated');
    assert.equal(after.assignee_code, '152531');
  });

  test('the center dispatches to a department; a community may not; an unknown one is refused', async () => {
    const r = (await api('POST', '/api/v1/cases', { token: resident, body: { category: '0401', description: '楼上漏水纠纷' } })).json;
    assert.equal((await act(community, r.id, { event: 'escalate', note: '需部门处理' })).status, 200);
    // Escalated to the street: held above the community, which may no longer re-dispatch it.
    const above = await act(community, r.id, { event: 'dispatch', assignee: 'dept:d03' });
    assertError(above, 403, 'forbidden');
    assert.match(above.json.error.message, /上级承办/);
    assertError(await act(center, r.id, { event: 'dispatch', assignee: 'dept:d99' }), 400, 'invalid', 'assignee');
    const ok = await act(center, r.id, { event: 'dispatch', assignee: 'dept:d03' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.assignee_code, 'dept:d03');
    assert.equal((await act(d03, r.id, { event: 'accept' })).json.state, 'accepted');
  });
});

describe('load balancing inside a grid', () => {
  test('two workers share four cases two and two; each is told only of their own', async () => {
    const grid = '15253120220604';
    // The grid's own worker (the demo's, with a year of cases) steps aside while two new ones
    // share what comes in; enabled again at the end.
    const others = [];
    for (let cursor = ''; ;) {
      const r = await api('GET', `/api/v1/users?role=grid_worker&limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token: admin });
      assert.equal(r.status, 200, r.text);
      others.push(...r.json.items.filter((u) => u.scope_code === grid && !u.disabled));
      if (!(cursor = r.json.next_cursor)) break;
    }
    for (const u of others) assert.equal((await api('POST', `/api/v1/users/${u.id}/disable`, { token: admin })).status, 200);
    const a = await createAccount(admin, { scope_code: grid, prefix: 'lba' });
    const b = await createAccount(admin, { scope_code: grid, prefix: 'lbb' });
    const ids = [];
    for (let i = 0; i < 4; i++) {
      const r = await api('POST', '/api/v1/cases', { token: a.token, body: { category: '0101', description: `垃圾堆放 ${i + 1}` } });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.assignee_code, grid);
      ids.push(r.json.id);
    }
    const handlers = [];
    for (const id of ids) handlers.push((await get(a.token, id)).handler);
    assert.ok(handlers.every((h) => h && h.id && h.name));
    const count = (u) => handlers.filter((h) => h.id === u.user.id).length;
    assert.equal(count(a), 2);
    assert.equal(count(b), 2);
    // Told only of their own; either may still take any case of the grid.
    const told = async (t) => (await api('GET', '/api/v1/inbox', { token: t })).json.items.filter((m) => ids.includes(m.case_id) && m.kind === 'case_assigned').length;
    assert.equal(await told(b.token), 2);
    const mineB = ids.filter((id, i) => handlers[i].id === b.user.id);
    const notB = ids.find((id, i) => handlers[i].id !== b.user.id);
    assert.equal((await act(b.token, notB, { event: 'accept' })).status, 200, 'colleagues cover for each other');
    assert.equal(mineB.length, 2);
    for (const u of others) assert.equal((await api('POST', `/api/v1/users/${u.id}/enable`, { token: admin })).status, 200);
  });
});
