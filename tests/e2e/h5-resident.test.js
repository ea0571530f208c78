// A resident on a phone: 我的家庭 with the family's members, 我的资料 with the own ID number
// masked, and no way into the grid worker's pages or the console's registry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, BASE, PHONE, MASKED_ID, FULL_ID } from './lib/browser.js';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

const navTitle = (page) => page.locator('.van-nav-bar__title').first().innerText();

test('resident on a phone: 我的家庭 and 我的资料 (masked ID); staff pages stay closed', { timeout: 45000 }, async () => {
  await walk(browser, 'h5-resident', PHONE, async (w) => {
    const { page } = w;
    await w.login('h5', 'duolun.resident');

    // 我的家庭: the household the server says is theirs, every member listed and masked.
    const family = page.getByTestId('h5-household');
    await family.waitFor();
    await eventually(async () => assert.match(page.url(), /#\/family$/));
    assert.equal(await navTitle(page), '我的家庭');
    const mine = (await w.apiGet('/api/v1/me/household')).json;
    assert.ok(mine && mine.members.length >= 1, 'the demo resident has a household');
    const members = family.getByTestId('h5-member');
    await eventually(async () => assert.equal(await members.count(), mine.members.length));
    const texts = await members.allInnerTexts();
    for (const [i, m] of mine.members.entries()) {
      assert.ok(texts[i].includes(m.name), `member ${m.name}: ${texts[i]}`);
      assert.match(/证件号\s*(\S+)/.exec(texts[i])[1], MASKED_ID);
    }
    await family.getByText(mine.address || '', { exact: false }).first().waitFor();
    assert.doesNotMatch(await family.innerText(), FULL_ID);
    await w.assertChineseRendered('[data-testid="h5-household"]');
    await w.screenshot('h5-family');

    // 我的资料: own record, ID masked.
    await page.getByTestId('tab-mine').click();
    const profile = page.getByTestId('h5-profile');
    await profile.waitFor();
    await eventually(async () => assert.match(page.url(), /#\/mine$/));
    assert.equal(await navTitle(page), '我的资料');
    const me = (await w.apiGet('/api/v1/me/profile')).json;
    const ptext = await profile.innerText();
    assert.ok(ptext.includes(me.name), `profile shows the name ${me.name}`);
    const id = /身份证号\s*(\S+)/.exec(ptext);
    assert.ok(id, `profile shows 身份证号: ${ptext}`);
    assert.match(id[1], MASKED_ID);
    assert.equal(id[1], me.id_number_masked);
    assert.doesNotMatch(ptext, FULL_ID);
    await w.screenshot('h5-profile');

    // The grid worker's pages send a resident back to 我的家庭.
    assert.equal(await page.getByTestId('tab-grid').count(), 0, 'no 我的网格 tab');
    await page.goto(`${BASE}/#/grid`);
    await eventually(async () => assert.match(page.url(), /#\/family$/));
    await family.waitFor();
    assert.equal(await page.getByTestId('h5-grid').count(), 0);
    await page.goto(`${BASE}/#/household/${mine.id}`);
    await eventually(async () => assert.match(page.url(), /#\/family$/));
    assert.equal(await navTitle(page), '我的家庭');

    // The console: no registry menu, /regions falls back to the home page telling them to
    // use the phone; the API itself refuses the county and another household.
    await page.goto(`${BASE}/admin/#/regions`);
    await page.getByTestId('admin-home').waitFor();
    await eventually(async () => assert.match(page.url(), /\/admin\/#\/$/));
    await page.getByText('您的账号用于手机端').waitFor();
    assert.equal(await page.getByTestId('menu-regions').count(), 0);
    assert.equal(await page.locator('[data-testid^="region-node-"]').count(), 0);
    assert.notEqual((await w.apiGet('/api/v1/regions/152531')).status, 200);
    assert.notEqual((await w.apiGet('/api/v1/grids/15253120220601')).status, 200);
    const other = mine.members.length ? await otherHouseholdId(mine.id) : null;
    assert.equal((await w.apiGet(`/api/v1/households/${other}`)).status, 404);
  });
});

/** A household of grid 1 that is not the resident's, found by the county admin over the API. */
async function otherHouseholdId(ownId) {
  const login = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'duolun.admin', password: 'Jiceng@2026' }),
  });
  const { token } = await login.json();
  const r = await fetch(`${BASE}/api/v1/regions/15253120220601/households?limit=5`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const { items } = await r.json();
  const other = items.find((h) => h.id !== ownId);
  assert.ok(other, 'grid 1 has another household');
  return other.id;
}
