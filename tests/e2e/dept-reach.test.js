// The county admin decides in the console (区域网格) whether department staff may read the
// county's people: off by default (only the people of their department's cases); turning it on
// asks first and takes effect for a department account at once; turning it off again narrows
// it back; both changes are in the audit log with Chinese labels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, apiAs, DESKTOP } from './lib/browser.js';

const SETTINGS = '/api/v1/counties/152531/settings';
const GRID1 = '15253120220601';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

test('county admin: the switch widens and narrows what department staff read, audited', { timeout: 60000 }, async () => {
  const dept = await apiAs('duolun.dept');
  const admin = await apiAs('duolun.admin');
  assert.equal((await admin.put(SETTINGS, { department_registry: 'linked' })).status, 200, 'start narrow');
  assert.equal((await dept.get(`/api/v1/grids/${GRID1}`)).status, 403);

  await walk(browser, 'dept-reach', DESKTOP, async (w) => {
    const { page } = w;
    await w.login('admin', 'duolun.admin');
    await page.getByTestId('admin-home').waitFor();
    await page.getByTestId('menu-regions').click();
    const card = page.getByTestId('dept-reach');
    await card.waitFor();
    assert.match(await card.innerText(), /职能部门可查看全县人员信息（默认仅限本部门诉求相关人员）/);
    await eventually(() => w.assertChineseRendered('[data-testid="dept-reach"]'), { timeout: 5000, interval: 200 });
    const sw = page.getByTestId('dept-reach-switch');
    await eventually(async () => assert.equal(await sw.getAttribute('data-state'), 'linked'));
    const checked = () => sw.evaluate((el) => el.classList.contains('is-checked'));
    assert.equal(await checked(), false, 'drawn off');

    // Turning it on asks first; cancelling changes nothing.
    await sw.click();
    const box = page.locator('.dept-reach-confirm');
    await box.waitFor();
    assert.match(await box.innerText(), /全县人员的脱敏信息/);
    await box.getByRole('button', { name: '取消' }).click();
    await box.waitFor({ state: 'hidden' });
    assert.equal((await admin.get(SETTINGS)).json.department_registry, 'linked');
    assert.equal(await sw.getAttribute('data-state'), 'linked');

    await sw.click();
    await box.waitFor();
    await box.getByRole('button', { name: '确认开启' }).click();
    await eventually(async () => assert.equal(await sw.getAttribute('data-state'), 'county'));
    assert.equal(await checked(), true, 'drawn on');
    await page.getByTestId('dept-reach-updated').waitFor();
    assert.equal((await admin.get(SETTINGS)).json.department_registry, 'county');
    assert.equal((await dept.get(`/api/v1/grids/${GRID1}`)).status, 200, 'the department reads the county now');
    await w.screenshot('dept-reach-county');

    // Turning it off needs no confirmation: it only narrows.
    await sw.click();
    await eventually(async () => assert.equal(await sw.getAttribute('data-state'), 'linked'));
    assert.equal((await admin.get(SETTINGS)).json.department_registry, 'linked');
    assert.equal((await dept.get(`/api/v1/grids/${GRID1}`)).status, 403, 'and no longer');

    // Both changes in the audit log, in words.
    await page.getByTestId('menu-audit').click();
    await eventually(async () => {
      const text = await page.locator('.el-table').first().innerText();
      assert.match(text, /修改县级设置/);
      assert.match(text, /职能部门查看范围：全县人员 → 仅本部门诉求相关人员/);
      assert.match(text, /职能部门查看范围：仅本部门诉求相关人员 → 全县人员/);
    }, { timeout: 8000, interval: 200 });
  });
});

test('other console users see no such switch', { timeout: 30000 }, async () => {
  await walk(browser, 'dept-reach-none', DESKTOP, async (w) => {
    const { page } = w;
    await w.login('admin', 'duolun.community');
    await page.getByTestId('admin-home').waitFor();
    await page.getByTestId('menu-regions').click();
    await page.getByTestId('region-title').waitFor();
    assert.equal(await page.getByTestId('dept-reach').count(), 0);
  });
});
