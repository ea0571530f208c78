// Two roles' own work on a case (issue 10 tests): the county admin (console, desktop) takes a
// report no level holds (待分拨) from 待办 and sends it to a department, then closes a handled
// case with its outcome; the informant (信息员, phone) reports a problem with 随手拍 and finds it
// in 我的诉求.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, apiAs, DESKTOP, PHONE } from './lib/browser.js';

const TAG = `县级${Date.now().toString(36)}`;
const NO_ANIMATION = '*, *::before, *::after { transition: none !important; animation: none !important; }';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

/** Take the step `event` from the open drawer: its button, its form filled by fill(dialog), 确定. */
async function step(page, event, fill) {
  await page.getByTestId('case-detail').getByTestId(`case-action-${event}`).click();
  const dialog = page.locator(`[data-testid="case-action-dialog"][data-event="${event}"]`);
  await dialog.waitFor();
  await fill(dialog);
  await dialog.getByTestId('case-action-submit').click();
  await dialog.waitFor({ state: 'hidden' });
}

test('county admin: a report waiting for triage goes to 城市管理局 from 待办; a handled case is closed as 部分解决', { timeout: 90000 }, async () => {
  const resident = await apiAs('duolun.resident');
  const grid = await apiAs('duolun.grid');
  const triage = (await resident.post('/api/v1/cases', { category: '0403', description: `租户拖欠房租，无人受理（${TAG}）` })).json;
  assert.equal(triage.state, 'submitted');
  const done = (await resident.post('/api/v1/cases', { category: '0301', description: `楼道堆放纸箱（${TAG}）` })).json;
  assert.equal((await grid.post(`/api/v1/cases/${done.id}/events`, { event: 'accept' })).status, 200);
  assert.equal((await grid.post(`/api/v1/cases/${done.id}/events`, { event: 'resolve', note: '纸箱已清走一半，其余约定周末清理' })).status, 200);

  await walk(browser, 'console-county-admin', DESKTOP, async (w) => {
    const { page } = w;
    await w.login('admin', 'duolun.admin');
    await page.getByTestId('admin-home').waitFor();
    await page.addStyleTag({ content: NO_ANIMATION });
    await page.getByTestId('menu-cases').click();
    await page.getByTestId('cases-tab-queue').click();
    await page.getByTestId('case-queue').waitFor();
    const row = page.locator('.el-table__row').filter({ has: page.locator(`[data-testid="queue-row"][data-case-id="${triage.id}"]`) });
    await row.waitFor();
    assert.equal(await row.getByTestId('queue-reason').innerText(), '待分拨');
    await row.click();
    const drawer = page.getByTestId('case-detail');
    await eventually(async () => assert.equal(await drawer.getAttribute('data-case-id'), triage.id));
    await step(page, 'dispatch', async (d) => {
      await d.getByTestId('dispatch-kind').getByText('职能部门').click();
      await d.getByTestId('dispatch-department').click();
      await page.locator('.dispatch-department-popper .el-select-dropdown__item:visible', { hasText: '城市管理局' }).click();
      await d.getByTestId('case-action-note').locator('textarea').fill('租赁纠纷先由城管执法协调');
    });
    await eventually(async () => assert.equal(await drawer.getByTestId('case-assignee').innerText(), '城市管理局'));
    assert.match(await drawer.getByTestId('timeline-item').last().innerText(), /派至 城市管理局/);
    await w.screenshot('county-admin-dispatched');

    // The handled case, opened from its link; 关闭 asks for the outcome.
    await page.goto(`${page.url().split('#')[0]}#/cases?case=${done.id}`);
    await eventually(async () => assert.equal(await page.getByTestId('case-detail').getAttribute('data-case-id'), done.id), { timeout: 8000 });
    await step(page, 'close', async (d) => {
      await d.getByTestId('close-outcome').click();
      await page.locator('.close-outcome-popper .el-select-dropdown__item:visible', { hasText: '部分解决' }).click();
    });
    await eventually(async () => assert.equal(await page.getByTestId('case-detail').getByTestId('case-state').innerText(), '已关闭'));
  });
  const after = (await grid.get(`/api/v1/cases/${done.id}`)).json;
  assert.equal(after.state, 'closed');
  assert.equal(after.outcome, 'partly_fixed');
  const admin = await apiAs('duolun.admin');
  const sent = (await admin.get(`/api/v1/cases/${triage.id}`)).json;
  assert.equal(sent.state, 'dispatched');
  assert.equal(sent.assignee_code, 'dept:d06');
});

test('informant: 随手拍 on the phone, then the report in 我的诉求', { timeout: 60000 }, async () => {
  const informant = await apiAs('duolun.informant');
  const description = `快递站门口井盖松动（${TAG}）`;
  await walk(browser, 'h5-informant', PHONE, async (w) => {
    const { page } = w;
    await w.login('h5', 'duolun.informant');
    await page.getByTestId('tab-report').click();
    await page.getByTestId('h5-report').waitFor();
    await page.getByTestId('report-category').click();
    const options = page.locator('.van-cascader__option');
    await options.filter({ hasText: '设施维修' }).click();
    await options.nth(0).waitFor();
    await page.locator('.van-cascader__options').last().locator('.van-cascader__option').first().click();
    await page.getByTestId('report-description').locator('textarea').fill(description);
    await page.getByTestId('report-submit').click();
    await eventually(async () => assert.match(page.url(), /#\/case\/\d+$/), { timeout: 8000 });
    await eventually(async () => assert.match(await page.locator('body').innerText(), new RegExp(description.slice(0, 8))));
    await w.screenshot('informant-reported');
  });
  const mine = (await informant.get('/api/v1/cases?limit=50')).json.items;
  const c = mine.find((x) => x.description === description);
  assert.ok(c, 'on the informant\'s own list');
  assert.equal(c.source, 'informant');
});
