// Account creation picks its scope by name at every level the role needs (issue 10 part 7): the
// county admin makes a grid worker on 牛眼睛村第1网格 and a 联户长 on its 第1联户组 by clicking
// names in the picker (no code typed), and a village admin on 牛眼睛村; the picker does not
// offer a level the role cannot have.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, apiAs, DESKTOP } from './lib/browser.js';

const VILLAGE = '152531202206';
const GRID1 = VILLAGE + '01';
const GROUP1 = GRID1 + '001';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

/** Click through the picker's columns by name; the last click picks. */
async function pickPath(page, names) {
  await page.getByTestId('user-create-dialog').locator('.el-cascader').click();
  const panel = page.locator('.scope-picker .el-cascader-panel');
  await panel.waitFor();
  for (const name of names) {
    const node = panel.locator('.el-cascader-node').filter({ hasText: new RegExp(`^${name}（`) }).first();
    await node.waitFor({ timeout: 5000 });
    await node.locator('.el-cascader-node__label').click();
  }
}

async function createWith(page, { username, name, role, path, code }) {
  await page.getByTestId('user-create').click();
  const dialog = page.getByTestId('user-create-dialog');
  await dialog.waitFor();
  await dialog.getByTestId('user-username').fill(username);
  await dialog.getByTestId('user-name').fill(name);
  await dialog.getByTestId('user-role').click();
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: new RegExp(`^${role}$`) }).click();
  await pickPath(page, path);
  await eventually(async () => assert.equal(await dialog.getByTestId('user-scope').inputValue(), code, 'the picked code fills the form'));
  await page.keyboard.press('Escape');
  await page.getByTestId('user-create-submit').click();
  await eventually(async () => assert.equal(await dialog.isVisible(), false), { timeout: 5000 });
  await page.getByRole('button', { name: '我已记下' }).click(); // the initial password, shown once
  await eventually(async () => assert.equal(await page.getByRole('button', { name: '我已记下' }).isVisible(), false));
}

test('county admin: a grid worker, a 联户长 and a village admin, scopes picked by name', { timeout: 60000 }, async () => {
  const stamp = Date.now().toString(36).slice(-5);
  const made = [
    { username: `t.gw${stamp}`, name: '测试网格员', role: '网格员', path: ['多伦县', '西干沟乡', '牛眼睛村', '牛眼睛村第1网格'], code: GRID1, api: 'grid_worker' },
    { username: `t.bh${stamp}`, name: '测试联户长', role: '楼栋长/联户长', path: ['多伦县', '西干沟乡', '牛眼睛村', '牛眼睛村第1网格', '第1联户组'], code: GROUP1, api: 'building_head' },
    { username: `t.ca${stamp}`, name: '测试村管理员', role: '村/社区管理员', path: ['多伦县', '西干沟乡', '牛眼睛村'], code: VILLAGE, api: 'community_admin' },
  ];
  await walk(browser, 'account-scope', DESKTOP, async (w) => {
    const { page } = w;
    await w.login('admin', 'duolun.admin');
    await page.getByTestId('menu-users').click();
    await page.getByTestId('user-create').waitFor();

    // Before a role, the picker is closed; for a grid worker a village cannot be picked.
    await page.getByTestId('user-create').click();
    const dialog = page.getByTestId('user-create-dialog');
    await dialog.waitFor();
    assert.ok(await dialog.locator('.el-cascader.is-disabled').count(), 'no picking before a role');
    await dialog.getByTestId('user-role').click();
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: /^网格员$/ }).click();
    await pickPath(page, ['多伦县', '西干沟乡', '牛眼睛村']);
    assert.equal(await dialog.getByTestId('user-scope').inputValue(), '', 'a village is not a grid worker\'s scope');
    const grid = page.locator('.scope-picker .el-cascader-node').filter({ hasText: /^牛眼睛村第1网格（/ });
    await grid.waitFor();
    assert.equal(await grid.locator('.el-cascader-node__postfix').count(), 0, 'a grid worker\'s picker stops at grids');
    await w.screenshot('account-scope-picker');
    await page.keyboard.press('Escape');
    await dialog.getByText('取消').click();
    await eventually(async () => assert.equal(await dialog.isVisible(), false));

    for (const m of made) await createWith(page, m);
  });
  const admin = await apiAs('duolun.admin');
  for (const m of made) {
    const r = await admin.get(`/api/v1/users?q=${m.username}`);
    const u = r.json.items.find((x) => x.username === m.username);
    assert.ok(u, m.username);
    assert.equal(u.role, m.api);
    assert.equal(u.scope_code, m.code);
    // Leave the demo as it was: a second active worker on 牛眼睛村第1网格 would take the grid's
    // new cases by load balancing, and later walks follow duolun.grid's own inbox.
    assert.equal((await admin.post(`/api/v1/users/${u.id}/disable`)).status, 200);
  }
});
