// caseStates.js — cases of 多伦县 in every state a person can bring about, made through the API
// as the demo accounts, for the browser tests that check each role's buttons against the case's
// `actions` (issue 10 part 1: a transition without a button fails the build). 'rated' is never
// left standing: a rating of 3–5 closes the case at once, 1–2 reopens it.
import assert from 'node:assert/strict';
import { apiAs } from './browser.js';

/** The demo accounts of 多伦县 the walks use, signed in through the API. */
export const DUOLUN_ROLES = ['resident', 'informant', 'head', 'grid', 'community', 'street', 'center', 'admin', 'leader', 'dept'];

export async function duolunAccounts() {
  const out = {};
  for (const r of DUOLUN_ROLES) out[r] = await apiAs(`duolun.${r}`);
  return out;
}

/**
 * One case per state (and a few variants: waiting on the resident, a whistle whose department
 * reported in, a case 城市管理局 holds, triage): {name: id}. `tag` goes into every description so
 * a walk can find its own cases among the demo's.
 */
export async function casesInEveryState(as, tag = '') {
  const report = async (category, description) => {
    const r = await as.resident.post('/api/v1/cases', { category, description: `${description}${tag}` });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json.id;
  };
  const step = async (who, id, body) => {
    const r = await as[who].post(`/api/v1/cases/${id}/events`, body);
    assert.equal(r.status, 200, `${who} ${body.event}: ${JSON.stringify(r.json)}`);
  };
  const grid = (d) => report('0301', d);
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
  const rep = await as.dept.post(`/api/v1/cases/${s.whistle_reported}/parts/d03`, { action: 'report' });
  assert.equal(rep.status, 200);
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
  s.dept_held = await report('0601', '门口占道摆摊'); // 城市管理局 (d06)
  s.submitted = await report('0403', '租户拖欠房租'); // a street category: waits for triage
  return s;
}
