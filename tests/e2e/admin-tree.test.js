// The county admin walks the region tree of the console down to one grid of 牛眼睛村, sees its
// iron triangle (党小组长 + 网格员 + 联户长), its households and one family with masked IDs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, DESKTOP, MASKED_ID, FULL_ID } from './lib/browser.js';

const TOWN = '152531202'; // 西干沟乡
const VILLAGE = '152531202206'; // 牛眼睛村
const GRIDS = ['01', '02', '03', '04', '05'].map((n) => VILLAGE + n);
const GRID1 = GRIDS[0];
const fmt = (n) => n.toLocaleString('en-US'); // the console writes 1,125

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

/** The direct child nodes (data-testid region-node-CODE) of a tree node, as codes. */
async function childCodes(page, code) {
  const item = page
    .getByTestId(`region-node-${code}`)
    .locator('xpath=ancestor::div[contains(concat(" ", normalize-space(@class), " "), " el-tree-node ")][1]');
  return item
    .locator(':scope > .el-tree-node__children > .el-tree-node > .el-tree-node__content [data-testid^="region-node-"]')
    .evaluateAll((els) => els.map((el) => el.dataset.testid.replace('region-node-', '')));
}

test('county admin: region tree 多伦县 → 西干沟乡 → 牛眼睛村 → 5 grids, iron triangle, households, masked members', { timeout: 45000 }, async () => {
  await walk(browser, 'admin-tree', DESKTOP, async (w) => {
    const { page } = w;
    await w.login('admin', 'duolun.admin');
    await page.getByTestId('admin-home').waitFor();
    assert.match(await page.getByTestId('current-user').innerText(), /多伦县/);
    await w.assertChineseRendered('[data-testid="menu-regions"]');

    await page.getByTestId('menu-regions').click();
    await eventually(async () => assert.match(page.url(), /#\/regions$/));
    // The root is the admin's county, opened; 西干沟乡 is one of its towns.
    const county = page.getByTestId('region-node-152531');
    await county.waitFor();
    assert.match(await county.innerText(), /多伦县/);
    const town = page.getByTestId(`region-node-${TOWN}`);
    await town.waitFor();
    assert.match(await town.innerText(), /西干沟乡/);
    await town.click();
    const village = page.getByTestId(`region-node-${VILLAGE}`);
    await village.waitFor();
    assert.match(await village.innerText(), /牛眼睛村/);
    await village.click();
    await page.getByTestId(`region-node-${GRID1}`).waitFor();

    // Exactly the five grids of the village, each with its counts, as the API counts them.
    await eventually(async () => assert.deepEqual(await childCodes(page, VILLAGE), GRIDS));
    const api = await w.apiGet(`/api/v1/regions/${VILLAGE}/children`);
    assert.equal(api.status, 200);
    const byCode = Object.fromEntries(api.json.items.map((r) => [r.code, r]));
    for (const [i, code] of GRIDS.entries()) {
      const text = (await page.getByTestId(`region-node-${code}`).innerText()).replace(/\s+/g, ' ');
      assert.match(text, new RegExp(`牛眼睛村第${i + 1}网格`), `grid node ${code}: ${text}`);
      const c = byCode[code].counts;
      assert.ok(c.households > 0 && c.residents > 0, `grid ${code} has people in the demo data`);
      assert.match(text, new RegExp(`户 ${fmt(c.households)} · 居民 ${fmt(c.residents)} · \\S+ ${fmt(c.heads)}`), `counts on grid node ${code}: ${text}`);
    }

    // Grid 1: the title, the path, the iron triangle.
    await page.getByTestId(`region-node-${GRID1}`).click();
    await eventually(async () => assert.equal(await page.getByTestId('region-title').innerText(), '牛眼睛村第1网格'));
    await eventually(async () =>
      assert.match(
        (await page.getByTestId('region-breadcrumb').innerText()).replace(/\s+/g, ''),
        /多伦县\/西干沟乡\/牛眼睛村\/牛眼睛村第1网格$/,
      ),
    );
    const grid = (await w.apiGet(`/api/v1/grids/${GRID1}`)).json;
    const triangle = page.getByTestId('grid-triangle');
    await triangle.waitFor();
    const names = (key) => triangle.getByTestId(`triangle-${key}`).locator('.member-name').allInnerTexts();
    await eventually(async () => assert.equal((await names('heads')).length, 3));
    assert.deepEqual(await names('party_leader'), grid.triangle.party_leader.map((m) => m.name));
    assert.deepEqual(await names('grid_worker'), grid.triangle.grid_worker.map((m) => m.name));
    assert.deepEqual(await names('heads'), grid.triangle.heads.map((m) => m.name));
    assert.equal((await names('party_leader')).length, 1, 'one party group leader');
    assert.equal((await names('grid_worker')).length, 1, 'one grid worker');
    assert.match(await triangle.getByTestId('triangle-heads').innerText(), /联户长/);
    assert.equal(await triangle.getByText('未配备').count(), 0, 'no empty post in grid 1');

    // Its households: the first page of the keyset list.
    const rows = page.getByTestId('household-row');
    await rows.first().waitFor();
    await eventually(async () => assert.equal(await rows.count(), Math.min(20, grid.counts.households)));
    for (const t of await rows.allInnerTexts()) assert.match(t, /牛眼睛村/);
    await w.assertChineseRendered('[data-testid="grid-triangle"]');
    await w.screenshot('admin-tree');

    // One household: its members, ID numbers masked, no full number anywhere in the drawer.
    const hid = await rows.first().getAttribute('data-household-id');
    const household = (await w.apiGet(`/api/v1/households/${hid}`)).json;
    await rows.first().click();
    const detail = page.getByTestId('household-detail');
    await detail.waitFor();
    const members = detail.getByTestId('member-row');
    await eventually(async () => assert.equal(await members.count(), household.members.length));
    assert.ok(household.members.length >= 1);
    assert.deepEqual(await members.allInnerTexts(), household.members.map((m) => m.name));
    const ids = (await detail.getByTestId('member-id-number').allInnerTexts()).map((s) => s.trim());
    assert.equal(ids.length, household.members.length);
    for (const id of ids) {
      assert.match(id, MASKED_ID, `masked ID number shown: ${id}`);
      assert.match(id, /^1525\*{10}/, 'an ID number of 锡林郭勒盟, masked after 4 digits');
    }
    assert.doesNotMatch(await detail.innerText(), FULL_ID, 'no full ID number in the household drawer');
    await w.screenshot('admin-household');
  });
});
