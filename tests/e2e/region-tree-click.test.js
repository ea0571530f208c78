// One click on a node of the console's region tree selects it AND opens it (issue 10 part 7):
// at every level, for a node chosen from the breadcrumb first, for a fast second click while the
// children are still loading, and for a node at the bottom of the tree's scroll area, whose
// children must come into view rather than open out of sight.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, DESKTOP } from './lib/browser.js';

const TOWN = '152531202'; // 西干沟乡
const VILLAGE = '152531202206'; // 牛眼睛村
const GRID1 = VILLAGE + '01';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

const node = (page, code) => page.getByTestId(`region-node-${code}`);
/** Whether the element is inside the visible part of the tree's scroll area. */
async function inView(page, code) {
  return node(page, code).evaluate((el) => {
    const wrap = el.closest('.el-scrollbar__wrap');
    const a = el.getBoundingClientRect();
    const b = wrap.getBoundingClientRect();
    return a.top >= b.top - 1 && a.bottom <= b.bottom + 1 && a.height > 0;
  });
}

/** The code of the first child node drawn under a node. */
async function firstChild(page, code) {
  const item = node(page, code).locator('xpath=ancestor::div[contains(concat(" ", normalize-space(@class), " "), " el-tree-node ")][1]');
  const first = item.locator(':scope > .el-tree-node__children > .el-tree-node > .el-tree-node__content [data-testid^="region-node-"]').first();
  await first.waitFor({ timeout: 5000 });
  return (await first.getAttribute('data-testid')).replace('region-node-', '');
}

async function openRegions(w) {
  const { page } = w;
  await w.login('admin', 'duolun.admin');
  await page.getByTestId('menu-regions').click();
  await node(page, TOWN).waitFor();
  // The county's towns slide open: wait until the tree is at rest before aiming at it.
  await page.waitForTimeout(500);
}

test('one click selects and opens a town, a village and a grid', { timeout: 45000 }, async () => {
  await walk(browser, 'tree-one-click', DESKTOP, async (w) => {
    const { page } = w;
    await openRegions(w);
    // Children answer slowly (a county office on a poor line).
    await page.route('**/api/v1/regions/*/children', async (route) => {
      await new Promise((r) => setTimeout(r, 600));
      await route.continue();
    });
    for (const [code, child, title] of [
      [TOWN, VILLAGE, '西干沟乡'],
      [VILLAGE, GRID1, '牛眼睛村'],
      [GRID1, GRID1 + '001', '牛眼睛村第1网格'],
    ]) {
      await node(page, code).click();
      await eventually(async () => assert.equal(await page.getByTestId('region-title').innerText(), title));
      await node(page, child).waitFor({ timeout: 5000 });
      const first = await firstChild(page, code);
      await eventually(async () => assert.ok(await inView(page, first), `${first} opened into view`), { timeout: 3000 });
    }
  });
});

test('a village chosen from the breadcrumb opens with one click in the tree; a fast double click too', { timeout: 45000 }, async () => {
  await walk(browser, 'tree-breadcrumb-click', DESKTOP, async (w) => {
    const { page } = w;
    await openRegions(w);
    await node(page, TOWN).click();
    await node(page, VILLAGE).click();
    await node(page, GRID1).click();
    await eventually(async () => assert.equal(await page.getByTestId('region-title').innerText(), '牛眼睛村第1网格'));
    // Close the village with its arrow, then choose it from the breadcrumb: selected, closed.
    const row = node(page, VILLAGE).locator('xpath=ancestor::div[contains(@class,"el-tree-node__content")][1]');
    await row.locator('.el-tree-node__expand-icon').click();
    await eventually(async () => assert.equal(await node(page, GRID1).isVisible(), false));
    await page.getByTestId('region-breadcrumb').getByText('牛眼睛村', { exact: true }).click();
    await eventually(async () => assert.equal(await page.getByTestId('region-title').innerText(), '牛眼睛村'));
    await page.waitForTimeout(400);
    await node(page, VILLAGE).click();
    await eventually(async () => assert.ok(await node(page, GRID1).isVisible(), 'one click opened the selected village'), { timeout: 3000 });

    // Another village, children slow, clicked twice fast (the second lands while loading).
    const other = '152531202205';
    await page.route('**/api/v1/regions/*/children', async (route) => {
      await new Promise((r) => setTimeout(r, 800));
      await route.continue();
    });
    await node(page, other).click();
    await page.waitForTimeout(100);
    await node(page, other).click();
    await node(page, other + '01').waitFor({ timeout: 5000 });
    await eventually(async () => assert.ok(await node(page, other + '01').isVisible()), { timeout: 3000 });
  });
});

test('a village at the bottom of the scroll area: its grids come into view', { timeout: 45000 }, async () => {
  await walk(browser, 'tree-bottom-click', DESKTOP, async (w) => {
    const { page } = w;
    await openRegions(w);
    await node(page, TOWN).click();
    await node(page, VILLAGE).waitFor();
    await page.waitForTimeout(500);
    // Scroll the tree so that the village is the last row in view.
    await node(page, VILLAGE).evaluate((el) => {
      const wrap = el.closest('.el-scrollbar__wrap');
      const a = el.getBoundingClientRect();
      const b = wrap.getBoundingClientRect();
      wrap.scrollTop += a.bottom - b.bottom + 4;
    });
    await page.waitForTimeout(200);
    assert.ok(await inView(page, VILLAGE), 'the village is in view at the bottom');
    await node(page, VILLAGE).click();
    await node(page, GRID1).waitFor({ timeout: 5000 });
    await eventually(async () => assert.ok(await inView(page, GRID1), 'its first grid scrolled into view'), { timeout: 3000 });
    assert.ok(await inView(page, VILLAGE), 'the village itself stays in view');
  });
});
