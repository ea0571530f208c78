// 代报 on the phone (issue 10 part 7): the 联户长 of 牛眼睛村第1联户组 reports for a resident of
// their group — picks a household (loaded page by page), then one of its members (loaded when
// the household is opened), and the case is filed with `for_person`: placed by that person's
// household, on the resident's own list when they have an account.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, apiAs, PHONE } from './lib/browser.js';

const GROUP = '15253120220601001';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

test('联户长 reports for a resident of the group: picker over households and members, for_person sent', { timeout: 60000 }, async () => {
  const head = await apiAs('duolun.head');
  const resident = await apiAs('duolun.resident');
  const me = (await resident.get('/api/v1/me/profile')).json;
  const personId = me.id || me.person?.id;
  const hh = (await head.get(`/api/v1/regions/${GROUP}/households?limit=50`)).json.items;
  const household = hh.find((h) => h.id === (me.household_id || me.person?.household_id)) || null;
  assert.ok(household, "the resident's household is in the head's group");
  const description = `代报测试：${household.address}门口路灯不亮（${Date.now()}）`;

  await walk(browser, 'report-behalf', PHONE, async (w) => {
    const { page } = w;
    await w.login('h5', 'duolun.head');
    await page.getByTestId('tab-report').click();
    await page.getByTestId('h5-report').waitFor();
    const field = page.getByTestId('report-for-person');
    await field.waitFor();
    assert.match(await field.locator('input').getAttribute('placeholder'), /本人反映/);

    await field.click();
    const sheet = page.getByTestId('for-person-sheet');
    await sheet.waitFor();
    const rows = sheet.getByTestId('for-person-household');
    await rows.first().waitFor();
    assert.equal(await rows.count(), Math.min(20, hh.length), 'the first page of the group\'s households');
    const row = sheet.locator(`[data-testid="for-person-household"][data-household-id="${household.id}"]`);
    await row.locator('.van-cell').first().click();
    const member = row.locator(`[data-testid="for-person-member"][data-person-id="${personId}"]`);
    await member.waitFor();
    assert.match(await member.innerText(), new RegExp(me.name || me.person?.name));
    await member.click();
    await eventually(async () => assert.match(await field.locator('input').inputValue(), new RegExp(`代 ${me.name || me.person?.name}`)));
    await w.assertChineseRendered('[data-testid="report-for-person-hint"]');
    await w.screenshot('report-behalf');

    await page.getByTestId('report-category').click();
    const options = page.locator('.van-cascader__option');
    await options.filter({ hasText: '设施维修' }).click();
    await options.nth(0).waitFor();
    const leaf = page.locator('.van-cascader__options').last().locator('.van-cascader__option').first();
    await leaf.click();
    await page.getByTestId('report-description').locator('textarea').fill(description);
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/cases'));
    await page.getByTestId('report-submit').click();
    const body = JSON.parse((await posted).postData());
    assert.equal(body.for_person, personId, 'for_person sent');
    await eventually(async () => assert.match(page.url(), /#\/case\/\d+$/), { timeout: 8000 });
  });

  // The case is the resident's: on their list, placed by their household, the head as filer.
  const list = (await resident.get('/api/v1/cases?limit=50')).json.items;
  const c = list.find((x) => x.description === description || x.title === description);
  assert.ok(c, "the case is on the resident's own list");
  const full = (await resident.get(`/api/v1/cases/${c.id}`)).json;
  assert.equal(full.timeline[0].detail.for_person, personId);
  assert.equal(full.timeline[0].detail.placed_by, 'household');
  assert.equal(full.timeline[0].actor_role, 'building_head');
});
