// dept-stats.test.js — a department's figures (GET /api/v1/departments/{code}/stats, issue 10
// part 4): what its staff's console home shows. Each figure moves with the step that should move
// it (a dispatch to the department, its 接单 and 办结; a whistle's 报到, 办结 and overdue), read
// as differences from before, since the demo has cases of its own. Its staff read only their
// department; the county's admin, center and leader any department of the county; nobody else.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { api, demo, createAccount, assertError, BIN, DATA, DB } from './lib/client.js';
import { validateReply } from './lib/openapi.js';

const SCHEMA = '#/components/schemas/DepartmentStats';
const act = (token, id, body) => api('POST', `/api/v1/cases/${id}/events`, { token, body });
const part = (token, id, dept, body) => api('POST', `/api/v1/cases/${id}/parts/${dept}`, { token, body });
const tick = (now) => {
  const r = spawnSync(BIN, ['tick', '--now', String(now), '--data', DATA, ...(DB ? ['--db', DB] : [])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
};

let tok = {};
let d09; // 民政局 staff of 多伦县, made for this test
before(async () => {
  for (const r of ['resident', 'community', 'street', 'center', 'admin', 'leader', 'dept']) tok[r] = await demo(`duolun.${r}`);
  d09 = (await createAccount(tok.admin, { role: 'department_staff', scope_code: '152531', prefix: 'st09', department: 'd09' })).token;
});

async function stats(token, code = 'd09') {
  const r = await api('GET', `/api/v1/departments/${code}/stats`, { token });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(validateReply(SCHEMA, r.json), []);
  return r.json;
}

async function escalated(description) {
  const r = await api('POST', '/api/v1/cases', { token: tok.resident, body: { category: '0301', description } });
  assert.equal(r.status, 201, r.text);
  const e = await act(tok.community, r.json.id, { event: 'escalate', note: '需部门处理' });
  assert.equal(e.status, 200, e.text);
  return r.json.id;
}

describe('a department\'s figures', () => {
  test('cases it holds: open while held, resolved in the last 30 days after its 办结', async () => {
    const s0 = await stats(d09);
    assert.equal(s0.department, 'd09');
    assert.equal(s0.name, '民政局');
    assert.equal(s0.as_of - s0.since, 30 * 24 * 3600 * 1000);
    const id = await escalated('诊所门口医疗垃圾');
    assert.equal((await act(tok.center, id, { event: 'dispatch', assignee: 'dept:d09' })).status, 200);
    const s1 = await stats(d09);
    assert.equal(s1.open_held, s0.open_held + 1);
    assert.equal((await act(d09, id, { event: 'accept' })).status, 200);
    assert.equal((await act(d09, id, { event: 'resolve', note: '已联系清运' })).status, 200);
    const s2 = await stats(d09);
    assert.equal(s2.open_held, s0.open_held);
    assert.equal(s2.cases_resolved, s0.cases_resolved + 1);
  });

  test('whistle parts: waiting, reported (time to 报到), done; overdue once late', async () => {
    const s0 = await stats(d09);
    const a = await escalated('多部门处置：食品安全');
    const w = await act(tok.center, a, { event: 'whistle', departments: [{ code: 'd09', report_hours: 1, task: '现场检查' }, 'd03'] });
    assert.equal(w.status, 200, w.text);
    const s1 = await stats(d09);
    assert.equal(s1.parts_waiting, s0.parts_waiting + 1);
    assert.equal(s1.overdue, s0.overdue, 'not late yet');

    assert.equal((await part(d09, a, 'd09', { action: 'report', note: '已到现场' })).status, 200);
    const s2 = await stats(d09);
    assert.equal(s2.parts_waiting, s0.parts_waiting);
    assert.equal(s2.parts_working, s0.parts_working + 1);
    assert.equal(s2.reported, s0.reported + 1);
    assert.equal(typeof s2.avg_report_ms, 'number');
    assert.ok(s2.avg_report_ms >= 0);

    assert.equal((await part(d09, a, 'd09', { action: 'done', note: '检查完毕' })).status, 200);
    const s3 = await stats(d09);
    assert.equal(s3.parts_working, s0.parts_working);
    assert.equal(s3.parts_done, s0.parts_done + 1);

    // A second whistle it does not answer: past its hour it is overdue and listed.
    const b = await escalated('多部门处置：无人报到');
    const w2 = await act(tok.center, b, { event: 'whistle', departments: [{ code: 'd09', report_hours: 1, task: '核查' }] });
    assert.equal(w2.status, 200, w2.text);
    tick(w2.json.parts[0].summoned_at + 3600 * 1000 + 60 * 1000);
    const s4 = await stats(d09);
    assert.equal(s4.overdue, s3.overdue + 1);
    if (s4.overdue <= 20) {
      const item = s4.overdue_items.find((x) => x.id === b);
      assert.ok(item, 'the late part is listed');
      assert.equal(item.task, '核查');
      assert.equal(item.report_due - item.summoned_at, 3600 * 1000);
    }
    assert.equal((await part(d09, b, 'd09', { action: 'report' })).status, 200);
    const s5 = await stats(d09);
    assert.equal(s5.overdue, s3.overdue, 'reported in: no longer overdue');
    assert.ok(!s5.overdue_items.some((x) => x.id === b));
  });

  test('who reads which department', async () => {
    await stats(tok.dept, 'd03'); // its own
    assertError(await api('GET', '/api/v1/departments/d09/stats', { token: tok.dept }), 404, 'not_found');
    for (const who of ['center', 'admin', 'leader']) await stats(tok[who], 'd09');
    for (const who of ['street', 'community', 'resident']) {
      assertError(await api('GET', '/api/v1/departments/d09/stats', { token: tok[who] }), 403, 'forbidden');
    }
    assertError(await api('GET', '/api/v1/departments/d99/stats', { token: tok.center }), 404, 'not_found');
    assertError(await api('GET', '/api/v1/departments/d09/stats'), 401, 'unauthenticated');
  });
});
