// Points menus only where points run (issue 10 part 7): 多伦县 and 临河区 are not on the points
// system, so their console shows neither 积分管理 nor 全县积分概览 (menu and home page), and the
// phone of their residents has no 积分 tab; 突泉县 shows them all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, DESKTOP, PHONE } from './lib/browser.js';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

async function consoleMenus(w, username) {
  const { page } = w;
  await w.login('admin', username);
  await page.getByTestId('admin-home').waitFor();
  await page.getByTestId('menu-home').waitFor();
  return {
    points: await page.getByTestId('menu-points').count(),
    overview: await page.getByTestId('menu-points-overview').count(),
    home: await page.getByTestId('admin-home').innerText(),
  };
}

for (const [username, county] of [
  ['duolun.admin', '多伦县'],
  ['linhe.leader', '临河区'],
]) {
  test(`console of ${county} (${username}): no points menu, no points card`, { timeout: 30000 }, async () => {
    await walk(browser, `menus-${username}`, DESKTOP, async (w) => {
      const m = await consoleMenus(w, username);
      assert.equal(m.points, 0, '积分管理 hidden');
      assert.equal(m.overview, 0, '全县积分概览 hidden');
      assert.doesNotMatch(m.home, /积分管理|全县积分概览/, 'no points card on the home page');
      assert.ok(await w.page.getByTestId('menu-regions').count(), 'other menus stay');
    });
  });
}

test('console of 突泉县 (tuquan.admin): 积分管理 and 全县积分概览 shown', { timeout: 30000 }, async () => {
  await walk(browser, 'menus-tuquan', DESKTOP, async (w) => {
    const m = await consoleMenus(w, 'tuquan.admin');
    assert.equal(m.points, 1);
    assert.equal(m.overview, 1);
    assert.match(m.home, /全县积分概览/);
    await w.page.getByTestId('menu-points-overview').click();
    await eventually(async () => assert.match(w.page.url(), /#\/points-overview$/));
  });
});

for (const [username, tab] of [
  ['duolun.resident', false],
  ['duolun.grid', false],
  ['tuquan.resident', true],
  ['tuquan.grid', true],
]) {
  test(`phone of ${username}: 积分 tab ${tab ? 'shown' : 'hidden'}`, { timeout: 30000 }, async () => {
    await walk(browser, `menus-h5-${username}`, PHONE, async (w) => {
      const { page } = w;
      await w.login('h5', username);
      await page.getByTestId('h5-tabbar').waitFor();
      await page.getByTestId('tab-mine').waitFor();
      assert.equal(await page.getByTestId('tab-points').count(), tab ? 1 : 0);
    });
  });
}

for (const [username, shown] of [
  ['duolun.community', false],
  ['tuquan.community', true],
]) {
  test(`phone of the village admin ${username}: points button ${shown ? 'shown' : 'hidden'}`, { timeout: 30000 }, async () => {
    await walk(browser, `menus-h5-${username}`, PHONE, async (w) => {
      const { page } = w;
      await w.login('h5', username);
      await page.getByTestId('h5-staff-hint').waitFor();
      await page.getByTestId('goto-admin').waitFor();
      assert.equal(await page.getByTestId('goto-points').count(), shown ? 1 : 0);
    });
  });
}
