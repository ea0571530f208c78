// A full view of an ID number asks for its purpose first (PIPL; issue 10 part 7): the county
// admin opens a household of 牛眼睛村第1网格, asks for a member's full ID, must pick a purpose
// (or write one under 其他) before the view is allowed, and the purpose lands in the audit row.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, apiAs, DESKTOP, FULL_ID } from './lib/browser.js';

const TOWN = '152531202';
const VILLAGE = '152531202206';
const GRID1 = VILLAGE + '01';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

test('console: the full ID view asks for a purpose, sends it, and the audit row keeps it', { timeout: 45000 }, async () => {
  await walk(browser, 'sensitive-purpose', DESKTOP, async (w) => {
    const { page } = w;
    await w.login('admin', 'duolun.admin');
    await page.getByTestId('menu-regions').click();
    await page.getByTestId(`region-node-${TOWN}`).click();
    await page.getByTestId(`region-node-${VILLAGE}`).click();
    await page.getByTestId(`region-node-${GRID1}`).click();
    const rows = page.getByTestId('household-row');
    await rows.first().waitFor();
    await rows.first().click();
    const detail = page.getByTestId('household-detail');
    await detail.waitFor();
    assert.match(await detail.innerText(), /须先选择或填写用途/);

    // Cancel: nothing is asked of the server.
    const asked = [];
    page.on('request', (r) => {
      if (r.url().includes('/sensitive')) asked.push(r.url());
    });
    await detail.getByTestId('reveal-sensitive').first().click();
    const dialog = page.getByTestId('purpose-dialog');
    await dialog.getByText('查看须说明用途').waitFor();
    assert.ok(await dialog.getByTestId('purpose-confirm').isDisabled(), 'no view without a purpose');
    // 其他 needs its text.
    await dialog.getByTestId('purpose-other').click();
    assert.ok(await dialog.getByTestId('purpose-confirm').isDisabled(), '其他 without text is not a purpose');
    await dialog.getByText('取消').click();
    await page.waitForTimeout(300);
    assert.deepEqual(asked, [], 'cancelled: no full view asked');

    // A preset with a note.
    await detail.getByTestId('reveal-sensitive').first().click();
    await dialog.getByTestId('purpose-社会救助、低保等资格核查').click();
    await dialog.getByTestId('purpose-text').fill('2026年低保年审');
    await dialog.getByTestId('purpose-confirm').click();
    await eventually(async () => assert.match(await detail.innerText(), FULL_ID), { timeout: 5000 });
    assert.equal(asked.length, 1);
    const purpose = new URL(asked[0]).searchParams.get('purpose');
    assert.equal(purpose, '社会救助、低保等资格核查：2026年低保年审');

    const audit = await (await apiAs('duolun.audit')).get('/api/v1/audit?limit=20');
    const row = audit.json.items.find((it) => it.action === 'sensitive_read' && it.username === 'duolun.admin');
    assert.ok(row, 'the view is audited');
    assert.match(row.detail, /用途：社会救助、低保等资格核查：2026年低保年审/);
    await w.screenshot('sensitive-purpose');
  });
});
