// whistle.test.js — 部门报到超时 (practice 6, 临河区): a summoned department that does not report in
// within 2 hours is marked overdue once by the scheduler, on the case's timeline, and it and the
// whistle's holder are told; departments that reported are left alone.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { api, demo, createAccount, BIN, DATA, DB } from './lib/client.js';

const act = (token, id, body) => api('POST', `/api/v1/cases/${id}/events`, { token, body });
const tick = (now) => {
  const r = spawnSync(BIN, ['tick', '--now', String(now), '--data', DATA, ...(DB ? ['--db', DB] : [])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
};

let resident, community, center, admin, staff;
before(async () => {
  resident = await demo('duolun.resident');
  community = await demo('duolun.community');
  center = await demo('duolun.center');
  admin = await demo('duolun.admin');
  staff = { d03: await demo('duolun.dept') };
  staff.d07 = (await createAccount(admin, { role: 'department_staff', scope_code: '152531', prefix: 'd07', department: 'd07' })).token;
});

describe('部门报到超时', () => {
  test('the late department is marked overdue once and told; the one that reported is not', async () => {
    const c = (await report()).json;
    assert.equal((await act(community, c.id, { event: 'escalate', note: '社区无法解决' })).status, 200);
    const w = await act(center, c.id, { event: 'whistle', departments: ['d03', 'd07'] });
    assert.equal(w.status, 200, w.text);
    const summoned = w.json.parts[0].summoned_at;
    const r = await api('POST', `/api/v1/cases/${c.id}/parts/d03`, { token: staff.d03, body: { action: 'report' } });
    assert.equal(r.status, 200, r.text);

    tick(summoned + 3600 * 1000); // 1 h: nobody is late yet
    let now = (await api('GET', `/api/v1/cases/${c.id}`, { token: center })).json;
    assert.ok(now.parts.every((p) => p.overdue_at === null));

    tick(summoned + 2 * 3600 * 1000 + 60 * 1000); // 2 h 1 min
    now = (await api('GET', `/api/v1/cases/${c.id}`, { token: center })).json;
    const byDept = Object.fromEntries(now.parts.map((p) => [p.department, p]));
    assert.equal(byDept.d03.overdue_at, null, 'd03 reported in time');
    assert.ok(byDept.d07.overdue_at > 0, 'd07 is late');
    assert.equal(now.state, 'whistle', 'the case keeps waiting for its parts');
    const late = now.timeline.filter((e) => e.event === 'part_overdue');
    assert.equal(late.length, 1);
    assert.equal(late[0].detail.department, 'd07');
    assert.equal(late[0].event_label, '部门报到超时');
    assert.equal(late[0].actor_role, null, 'the system');

    // Told: the late department's staff and the center; not the department that reported.
    const msgs = async (token) => (await api('GET', '/api/v1/inbox', { token })).json.items.filter((m) => m.case_id === c.id && /报到超时/.test(m.title));
    assert.equal((await msgs(staff.d07)).length, 1);
    assert.ok((await msgs(center)).length >= 1);
    assert.equal((await msgs(staff.d03)).length, 0);

    // Once: a later pass does not repeat it.
    tick(summoned + 5 * 3600 * 1000);
    now = (await api('GET', `/api/v1/cases/${c.id}`, { token: center })).json;
    assert.equal(now.timeline.filter((e) => e.event === 'part_overdue').length, 1);
    assert.equal((await msgs(staff.d07)).length, 1);

    // Late is not excused: it still reports in and finishes, and the case resolves.
    for (const [code, action] of [['d07', 'report'], ['d03', 'done'], ['d07', 'done']]) {
      const p = await api('POST', `/api/v1/cases/${c.id}/parts/${code}`, { token: staff[code], body: { action } });
      assert.equal(p.status, 200, p.text);
    }
    now = (await api('GET', `/api/v1/cases/${c.id}`, { token: center })).json;
    assert.equal(now.state, 'resolved');
  });
});

function report() {
  return api('POST', '/api/v1/cases', { token: resident, body: { category: '0402', description: '邻里纠纷需多部门处置' } });
}
