// A grid worker on a phone inside WeChat: signs in on the H5, sees 我的网格 with the grid's name,
// its iron triangle and its households, opens one household and sees its members (IDs masked).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, PHONE, MASKED_ID, FULL_ID } from './lib/browser.js';

const GRID1 = '15253120220601';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

test('grid worker on a phone: 我的网格 with its grid, households, and one household\'s members', { timeout: 45000 }, async () => {
  await walk(browser, 'h5-grid', PHONE, async (w) => {
    const { page } = w;
    await w.login('h5', 'duolun.grid');

    // The grid worker's home is 我的网格 of grid 1.
    const home = page.getByTestId('h5-grid');
    await home.waitFor();
    await eventually(async () => assert.match(page.url(), /#\/grid$/));
    assert.equal(await page.locator('.van-nav-bar__title').first().innerText(), '我的网格');
    await home.getByText('牛眼睛村第1网格', { exact: true }).waitFor();
    await home.getByText('西干沟乡 · 牛眼睛村').waitFor();
    const grid = (await w.apiGet(`/api/v1/grids/${GRID1}`)).json;
    const triangle = home.getByTestId('grid-triangle');
    await triangle.waitFor();
    const triangleText = await triangle.innerText();
    for (const m of [...grid.triangle.party_leader, ...grid.triangle.grid_worker, ...grid.triangle.heads]) {
      assert.ok(triangleText.includes(m.name), `iron triangle shows ${m.name}: ${triangleText}`);
    }
    assert.doesNotMatch(triangleText, /未配备/);
    await page.getByTestId('tab-grid').waitFor();
    await page.getByTestId('tab-mine').waitFor();

    // Households of the grid, addresses in 牛眼睛村.
    const rows = page.getByTestId('household-row');
    await rows.first().waitFor();
    const n = await rows.count();
    assert.ok(n >= 1 && n <= grid.counts.households, `${n} household rows of ${grid.counts.households}`);
    for (const t of (await rows.allInnerTexts()).slice(0, 5)) assert.match(t, /牛眼睛村\d+组\d+号/);
    await w.assertChineseRendered('[data-testid="h5-grid"]');
    await w.screenshot('h5-grid');

    // Open the first household: its members, masked.
    const hid = await rows.first().getAttribute('data-household-id');
    const household = (await w.apiGet(`/api/v1/households/${hid}`)).json;
    await rows.first().click();
    await eventually(async () => assert.match(page.url(), new RegExp(`#/household/${hid}$`)));
    const detail = page.getByTestId('h5-household');
    await detail.waitFor();
    assert.equal(await page.locator('.van-nav-bar__title').first().innerText(), '家庭成员');
    const members = detail.getByTestId('h5-member');
    await eventually(async () => assert.equal(await members.count(), household.members.length));
    assert.ok(household.members.length >= 1);
    const texts = await members.allInnerTexts();
    for (const [i, m] of household.members.entries()) {
      assert.ok(texts[i].includes(m.name), `member ${i} is ${m.name}: ${texts[i]}`);
      const id = /证件号\s*(\S+)/.exec(texts[i]);
      assert.ok(id, `member ${m.name} shows an ID line: ${texts[i]}`);
      assert.match(id[1], MASKED_ID);
    }
    assert.doesNotMatch(await detail.innerText(), FULL_ID, 'no full ID number on the phone');
    await w.screenshot('h5-household');
  });
});
