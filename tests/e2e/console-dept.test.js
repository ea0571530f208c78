// console-dept.test.js — department staff at their console (issue 10 part 4): their home is
// their department's desk (its figures and its queue); a case dispatched to the department is
// accepted, noted with a photo and resolved; one that is not the department's is returned with
// a reason; a department with nothing sent to it sees a clean empty queue, and a case it was
// neither sent nor summoned to stays out of reach.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, apiAs, BASE, DESKTOP } from './lib/browser.js';
import { png } from '../api/lib/images.js';

const TAG = Date.now().toString(36);
const NO_ANIMATION = '*, *::before, *::after { transition: none !important; animation: none !important; }';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

/** A department_staff account of 多伦县 made by its county admin, first password changed. */
async function deptAccount(admin, department) {
  const username = `cd${department}${TAG}`;
  const r = await admin.post('/api/v1/users', { username, name: `部门测试${department}`, role: 'department_staff', scope_code: '152531', department }, { 'idempotency-key': `k-${username}` });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const post = (p, body, token) =>
    fetch(BASE + p, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  const { token } = await (await post('/api/v1/auth/login', { username, password: r.json.initial_password })).json();
  const password = `Cd9!${Math.random().toString(36).slice(2, 10)}Q`;
  assert.equal((await post('/api/v1/auth/password', { old_password: r.json.initial_password, new_password: password }, token)).status, 204);
  return { username, password };
}

async function step(page, event, fill = async () => {}) {
  await page.getByTestId('case-detail').getByTestId(`case-action-${event}`).click();
  const dialog = page.locator(`[data-testid="case-action-dialog"][data-event="${event}"]`);
  await dialog.waitFor();
  await fill(dialog);
  await dialog.getByTestId('case-action-submit').click();
  await dialog.waitFor({ state: 'hidden' });
}

const queueRow = (page, id) => page.locator('.el-table__row').filter({ has: page.locator(`[data-testid="queue-row"][data-case-id="${id}"]`) });
const stateOf = (page) => page.getByTestId('case-detail').getByTestId('case-state').innerText();

test('department staff: accept a case sent to them, a note with a photo, 办结; return one not theirs', { timeout: 90000 }, async () => {
  const resident = await apiAs('duolun.resident');
  const community = await apiAs('duolun.community');
  const center = await apiAs('duolun.center');
  const admin = await apiAs('duolun.admin');
  const sendToD07 = async (description) => {
    const r = await resident.post('/api/v1/cases', { category: '0301', description: `${description}（${TAG}）` });
    assert.equal(r.status, 201);
    assert.equal((await community.post(`/api/v1/cases/${r.json.id}/events`, { event: 'escalate', note: '需部门处理' })).status, 200);
    assert.equal((await center.post(`/api/v1/cases/${r.json.id}/events`, { event: 'dispatch', assignee: 'dept:d07' })).status, 200);
    return r.json.id;
  };
  const food = await sendToD07('小区门口商贩售卖过期食品');
  const notOurs = await sendToD07('楼道灯坏了');
  const elsewhere = (await resident.post('/api/v1/cases', { category: '0301', description: `别的部门看不到（${TAG}）` })).json.id;
  const d07 = await deptAccount(admin, 'd07');

  await walk(browser, 'console-dept', DESKTOP, async (w) => {
    const { page } = w;
    await w.login('admin', d07.username, d07.password);
    await page.getByTestId('dept-desk').waitFor();
    await page.addStyleTag({ content: NO_ANIMATION });
    assert.equal(await page.getByTestId('dept-desk-name').innerText(), '市场监督管理局工作台');
    await eventually(async () => assert.ok(Number(await page.getByTestId('dept-stat-open_held').getAttribute('data-value')) >= 2));
    const row = queueRow(page, food);
    await row.waitFor();
    assert.equal(await row.getByTestId('queue-reason').innerText(), '派给本部门');
    await w.screenshot('console-dept-desk');

    // 接单, a 进展 with a photo, 办结.
    await row.click();
    const drawer = page.getByTestId('case-detail');
    await eventually(async () => assert.equal(await drawer.getAttribute('data-case-id'), food));
    assert.equal(await drawer.getByTestId('case-assignee').innerText(), '市场监督管理局');
    await step(page, 'accept');
    await eventually(async () => assert.equal(await stateOf(page), '已接单'));
    await step(page, 'note', async (d) => {
      await d.getByTestId('photo-input').setInputFiles({ name: 'food.png', mimeType: 'image/png', buffer: png(320, 240, { seed: 71 }) });
      await eventually(async () => assert.equal(await d.locator('.tile.done').count(), 1), { timeout: 10000 });
      await d.getByTestId('case-action-note').locator('textarea').fill('已到现场，查扣过期食品');
    });
    await drawer.locator('[data-testid="timeline-item"][data-event="note"] [data-testid="timeline-photo"]').waitFor();
    await step(page, 'resolve', async (d) => d.getByTestId('case-action-note').locator('textarea').fill('已立案处理'));
    await eventually(async () => assert.equal(await stateOf(page), '已办结'));
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    // 退回 a case that is not the department's: a reason is required.
    await queueRow(page, notOurs).click();
    await eventually(async () => assert.equal(await drawer.getAttribute('data-case-id'), notOurs));
    await drawer.getByTestId('case-action-return').click();
    const dialog = page.locator('[data-testid="case-action-dialog"][data-event="return"]');
    await dialog.waitFor();
    await dialog.getByTestId('case-action-submit').click();
    await eventually(async () => assert.match(await dialog.getByTestId('case-dialog-error').innerText(), /请填写退回原因/));
    await dialog.getByTestId('case-action-note').locator('textarea').fill('楼道照明不属市场监管职责');
    await dialog.getByTestId('case-action-submit').click();
    await dialog.waitFor({ state: 'hidden' });
    await eventually(async () => assert.equal(await stateOf(page), '已退回'));
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    await eventually(async () => assert.equal(await queueRow(page, notOurs).count(), 0), { timeout: 8000 });
    assert.equal(await queueRow(page, food).count(), 0, 'resolved: off the queue');
    const back = (await center.get(`/api/v1/cases/${notOurs}`)).json;
    assert.equal(back.state, 'returned');
    assert.equal(back.timeline.at(-1).note, '楼道照明不属市场监管职责');
  });

  // A department nothing was sent to: a clean empty queue (when the demo sent it nothing either).
  const d10 = await deptAccount(admin, 'd10');
  const figures = (await center.get('/api/v1/departments/d10/stats')).json; // the center reads any department's
  await walk(browser, 'console-dept-empty', DESKTOP, async (w) => {
    const { page } = w;
    await w.login('admin', d10.username, d10.password);
    await page.getByTestId('dept-desk').waitFor();
    await eventually(async () => assert.equal(await page.getByTestId('dept-stat-open_held').getAttribute('data-value'), String(figures.open_held)));
    if (figures.open_held === 0 && figures.parts_waiting + figures.parts_working === 0) {
      await page.getByTestId('queue-empty').waitFor();
      assert.match(await page.getByTestId('queue-empty').innerText(), /暂无派给本部门或召集本部门的诉求/);
    }
    // 诉求管理 lists only what the department was sent or summoned to.
    await page.getByTestId('menu-cases').click();
    await page.getByTestId('cases-table').waitFor();
    await eventually(async () =>
      assert.ok(!(await page.getByTestId('case-row').evaluateAll((els) => els.map((e) => e.dataset.caseId))).includes(elsewhere)),
    );
  });
});
