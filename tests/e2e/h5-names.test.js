// Names, never codes, on the phone (issue 10 part 5): a walk through the H5 as a resident, a grid
// worker, a building head and an informant — home, 我的诉求, 随手拍 with a department category's
// promise, 我的消息, 我的资料, and case pages whose timelines hold a dispatch to 城市管理局, a
// blue slip up the tree and one straight to a department, a whistle summoning departments with a
// department's 报到 — fails if any page's text (document.body.innerText) shows a department code
// (`dept:d06`, `d06`) or a region code (12–17 digits).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, BASE, PHONE, apiAs } from './lib/browser.js';
import { freshAccount } from './lib/accounts.js';

const GRID1 = '15253120220601';
const TAG = `·名称${Date.now() % 100000}`;

let browser;
let as;
const made = { resident: [], informant: [], head: [] };

before(async () => {
  browser = await launchBrowser();
  as = {};
  for (const r of ['resident', 'informant', 'head', 'grid', 'community', 'center', 'admin', 'dept']) as[r] = await apiAs(`duolun.${r}`);
  const d06 = await freshAccount(as.admin, { role: 'department_staff', scope_code: '152531', department: 'd06', prefix: 'e2enm' });
  const report = async (who, category, description) => {
    const r = await as[who].post('/api/v1/cases', { category, description: `${description}${TAG}` });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    made[who].push(r.json.id);
    return r.json.id;
  };
  const step = async (api, id, body) => {
    const r = await api.post(`/api/v1/cases/${id}/events`, body);
    assert.equal(r.status, 200, `${body.event}: ${JSON.stringify(r.json)}`);
  };
  // Up the tree, then to a department by hand.
  const toDept = async (who, d) => {
    const id = await report(who, '0301', d);
    await step(as.grid, id, { event: 'escalate', note: '网格无法处理' });
    await step(as.center, id, { event: 'dispatch', assignee: 'dept:d06' });
  };
  // Up two levels, then a whistle with a task and a department that reported in.
  const whistle = async (who, d) => {
    const id = await report(who, '0301', d);
    await step(as.community, id, { event: 'escalate', note: '需街道协调' });
    await step(as.center, id, { event: 'whistle', departments: [{ code: 'd03', task: '现场维持秩序' }, 'd06'] });
    const r = await as.dept.post(`/api/v1/cases/${id}/parts/d03`, { action: 'report' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
  };
  await toDept('resident', '楼道堆物转城管');
  await whistle('resident', '多部门联合处置');
  // Straight to 城市管理局 by its category, sent back, given to the grid, sent up to 城管 again.
  const slip = await report('resident', '0601', '门口占道经营');
  await step(d06, slip, { event: 'return', note: '需网格先劝离' });
  await step(as.center, slip, { event: 'dispatch', assignee: GRID1 });
  await step(as.grid, slip, { event: 'escalate', note: '劝离无效', assignee: 'dept:d06' });
  await report('resident', '0602', '违规广告牌');
  await whistle('informant', '信息员反映的多部门问题');
  await toDept('head', '楼栋长反映的问题');
});
after(async () => {
  if (browser) await browser.close();
});

const CODES = [
  [/dept:/, 'a department code (dept:)'],
  [/(?<![A-Za-z0-9])d\d{2}(?![0-9])/, 'a department code (dNN)'],
  [/(?<!\d)\d{12,17}(?!\d)/, 'a region code (12–17 digits)'],
];

/** The page as shown, once it has stopped loading: no code anywhere in its text. */
async function noCodes(w, where) {
  const { page } = w;
  await eventually(async () => assert.equal(await page.locator('.van-loading:visible').count(), 0, `${where} still loading`), { timeout: 8000 });
  const text = await page.evaluate(() => document.body.innerText);
  for (const [re, what] of CODES) {
    const m = re.exec(text);
    if (m) {
      await w.screenshot(`FAILED-names-${where.replace(/[^\w-]+/g, '_')}`);
      assert.fail(`${w.name} ${where}: ${what} on screen: “${text.slice(Math.max(0, m.index - 40), m.index + 40)}”`);
    }
  }
  return text;
}

async function open(w, hash, ready) {
  await w.page.goto(`${BASE}/#/${hash}`);
  await ready(w.page);
}

/** The case pages: each fully drawn (its whole timeline) before it is read. */
async function casePages(w, api, ids) {
  let n = 0;
  for (const id of ids) {
    const c = await api.get(`/api/v1/cases/${id}`);
    if (c.status !== 200) continue;
    await open(w, `case/${id}`, async (page) => {
      const detail = page.getByTestId('h5-case');
      await eventually(async () => assert.equal(await detail.getByTestId('case-description').innerText(), c.json.description));
      await eventually(async () => assert.equal(await detail.getByTestId('timeline-item').count(), c.json.timeline.length));
    });
    const text = await noCodes(w, `case ${c.json.description}`);
    const names = c.json.timeline.flatMap((e) => [e.detail && e.detail.assignee_name, ...((e.detail && e.detail.department_names) || [])]).filter(Boolean);
    for (const name of names) assert.ok(text.includes(name), `${w.name}: the case page names ${name}`);
    n++;
  }
  return n;
}

/** A person's pages: home (我的家庭), 我的诉求, 随手拍 with a promise, 我的消息, 我的资料, cases. */
async function personWalk(role, username, ids) {
  await walk(browser, `h5-names-${role}`, PHONE, async (w) => {
    const { page } = w;
    await w.login('h5', username);
    await page.getByTestId('h5-household').waitFor();
    await noCodes(w, 'home');
    await open(w, 'cases', (p) => p.getByTestId('case-card').first().waitFor());
    await noCodes(w, '我的诉求');
    await open(w, 'report', (p) => p.getByTestId('h5-report').waitFor());
    // A category 城市管理局 handles: its promise names the department.
    await page.getByTestId('report-category').click();
    const options = page.locator('.van-cascader__option');
    await options.filter({ hasText: '市容环境' }).click();
    await options.filter({ hasText: '占道经营' }).click();
    await eventually(async () => assert.match(await page.getByTestId('report-promise').innerText(), /^城市管理局处置/));
    await noCodes(w, '随手拍');
    await open(w, 'inbox', (p) => p.getByTestId('inbox-item').first().waitFor());
    await noCodes(w, '我的消息');
    await open(w, 'mine', (p) => p.getByTestId('h5-profile').waitFor());
    await noCodes(w, '我的资料');
    assert.ok((await casePages(w, as[role], ids)) >= 1, `${role} saw its cases`);
  });
}

test('resident, building head, informant: names on every page, never codes', { timeout: 90000 }, async () => {
  await personWalk('resident', 'duolun.resident', made.resident);
  await personWalk('head', 'duolun.head', made.head);
  await personWalk('informant', 'duolun.informant', made.informant);
});

test('grid worker: names on every page, never codes', { timeout: 60000 }, async () => {
  await walk(browser, 'h5-names-grid', PHONE, async (w) => {
    const { page } = w;
    await w.login('h5', 'duolun.grid');
    await page.getByTestId('household-row').first().waitFor();
    await noCodes(w, '我的网格');
    await open(w, 'todo', (p) => p.getByTestId('case-card').first().waitFor());
    await noCodes(w, '待办');
    await open(w, 'inbox', (p) => p.getByTestId('inbox-item').first().waitFor());
    await noCodes(w, '我的消息');
    await open(w, 'mine', (p) => p.getByTestId('mine-inbox').waitFor());
    await noCodes(w, '我的');
    const seen = await casePages(w, as.grid, [...made.resident, ...made.informant, ...made.head]);
    assert.ok(seen >= 4, `the grid worker read ${seen} of the cases`);
  });
});
