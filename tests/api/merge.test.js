// merge.test.js — 合并重复诉求 (issue 3): open cases of the same category at the same place within
// 72 hours are suggested as duplicates; a manager merges one into another; both timelines say so.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, demo, assertError } from './lib/client.js';

let resident, worker, community, otherCommunity, admin;
const report = (token, body) => api('POST', '/api/v1/cases', { token, body });
const act = (token, id, body) => api('POST', `/api/v1/cases/${id}/events`, { token, body });
const similar = (token, id) => api('GET', `/api/v1/cases/${id}/similar`, { token });

before(async () => {
  resident = await demo('duolun.resident');
  worker = await demo('duolun.grid');
  community = await demo('duolun.community');
  admin = await demo('duolun.admin');
  otherCommunity = await demo('huimin.community');
});

describe('duplicates', () => {
  let a, b, other;
  test('the same problem reported twice is suggested; another category is not', async () => {
    // 0102 is handled by the community: the reports wait at 已派单 for the community.
    a = (await report(resident, { category: '0301', description: '5号楼楼道电动车充电，第一次反映' })).json;
    b = (await report(resident, { category: '0301', description: '5号楼楼道又有电动车充电' })).json;
    other = (await report(resident, { category: '0201', description: '下水道堵了' })).json;
    assert.ok(a.id && b.id && other.id);
    const r = await similar(community, b.id);
    assert.equal(r.status, 200, r.text);
    const ids = r.json.items.map((x) => x.id);
    assert.ok(ids.includes(a.id), 'the earlier report is suggested');
    assert.ok(!ids.includes(b.id), 'not itself');
    assert.ok(!ids.includes(other.id), 'not another category');
    const hit = r.json.items.find((x) => x.id === a.id);
    assert.equal(hit.distance_m, null, 'no locations: matched by grid');
    assert.equal(hit.category_code, '0301');
  });

  test('only managers ask; another county sees nothing', async () => {
    assert.equal((await similar(worker, b.id)).status, 403);
    assert.equal((await similar(resident, b.id)).status, 403);
    assertError(await similar(otherCommunity, b.id), 404, 'not_found');
  });

  test('bad merges are refused and change nothing', async () => {
    assertError(await act(community, b.id, { event: 'merge' }), 400, 'invalid', 'into');
    assertError(await act(community, b.id, { event: 'merge', into: b.id }), 400, 'invalid', 'into');
    assertError(await act(community, b.id, { event: 'merge', into: '999999999' }), 400, 'invalid', 'into');
    assertError(await act(community, b.id, { event: 'merge', into: 12 }), 400, 'invalid', 'into');
    assertError(await act(community, b.id, { event: 'note', note: 'x', into: a.id }), 400, 'unknown_field', 'into');
    // The worker may not merge (the state allows it, the role does not).
    assertError(await act(worker, b.id, { event: 'merge', into: a.id }), 403, 'forbidden');
    const still = await api('GET', `/api/v1/cases/${b.id}`, { token: community });
    assert.equal(still.json.state, 'dispatched');
    assert.equal(still.json.merged_into, null);
  });

  test('the community merges the second report into the first; both timelines say so', async () => {
    const before = (await api('GET', `/api/v1/cases/${a.id}`, { token: community })).json;
    const r = await act(community, b.id, { event: 'merge', into: a.id, note: '同一问题重复反映' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.state, 'merged');
    assert.equal(r.json.merged_into, a.id);
    const ev = r.json.timeline.at(-1);
    assert.equal(ev.event, 'merge');
    assert.equal(ev.detail.into, a.id);
    const target = (await api('GET', `/api/v1/cases/${a.id}`, { token: community })).json;
    assert.equal(target.state, before.state, 'the target keeps its state');
    const mi = target.timeline.at(-1);
    assert.equal(mi.event, 'merged_in');
    assert.equal(mi.event_label, '并入重复诉求');
    assert.equal(mi.detail.from, b.id);
    assert.equal(target.timeline.length, before.timeline.length + 1);
    // The reporter is told, and a merged case is no longer suggested.
    const inbox = await api('GET', '/api/v1/inbox', { token: resident });
    assert.ok(inbox.json.items.some((m) => m.case_id === b.id));
    const s = await similar(community, a.id);
    assert.ok(!s.json.items.some((x) => x.id === b.id));
    // Merged is final.
    assertError(await act(community, b.id, { event: 'merge', into: a.id }), 409, 'invalid_transition');
  });

  test('a finished case cannot take a merge', async () => {
    const c = (await report(resident, { category: '0301', description: '楼道堆物' })).json;
    const d = (await report(resident, { category: '0301', description: '楼道堆物，再次反映' })).json;
    assert.equal((await act(worker, c.id, { event: 'accept' })).status, 200);
    assert.equal((await act(worker, c.id, { event: 'resolve', note: '已清理' })).status, 200);
    assertError(await act(community, d.id, { event: 'merge', into: c.id }), 409, 'invalid_transition', 'into');
  });
});
