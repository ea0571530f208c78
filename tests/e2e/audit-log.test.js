// The console's 审计日志 (issue 10 part 7): names and roles instead of account IDs, Chinese
// names for events, filters applied by the server (who, what, when, object), and a CSV export
// that itself shows up in the log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchBrowser, walk, eventually, apiAs, DESKTOP } from './lib/browser.js';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

test('auditor: names, Chinese events, server-side filters, an audited CSV export', { timeout: 60000 }, async () => {
  // Something to find: a full view with a purpose by the grid worker.
  const grid = await apiAs('duolun.grid');
  const people = (await grid.get('/api/v1/people?limit=1')).json.items;
  const pid = people[0].id;
  const v = await grid.get(`/api/v1/people/${pid}/sensitive?purpose=${encodeURIComponent('入户走访核实身份')}`);
  assert.equal(v.status, 200);

  await walk(browser, 'audit-log', { ...DESKTOP, acceptDownloads: true }, async (w) => {
    const { page } = w;
    await w.login('admin', 'duolun.audit');
    await page.getByTestId('menu-audit').click();
    const table = page.getByTestId('audit-table');
    await table.locator('.el-table__row').first().waitFor();
    const text = await table.innerText();
    for (const who of await table.getByTestId('audit-who').allInnerTexts())
      assert.doesNotMatch(who, /\d{15,}/, `a name, not an account id: ${who}`);
    assert.match(text, /多伦县审计员（演示）/, 'the account\'s name');
    assert.match(text, /审计员/, 'its role');
    const codes = await table.getByTestId('audit-action').evaluateAll((els) => els.map((e) => [e.dataset.code, e.textContent.trim()]));
    for (const [code, label] of codes) assert.match(label, /\p{Script=Han}/u, `${code} shown in Chinese: ${label}`);

    // What: 查看完整证件号和电话 only — asked from the server.
    await page.getByTestId('audit-filter-action').click();
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: /^查看完整证件号和电话$/ }).click();
    const asked = page.waitForRequest((r) => r.url().includes('/api/v1/audit?') && r.url().includes('action=sensitive_read'));
    await page.getByTestId('audit-search').click();
    await asked;
    await eventually(async () => {
      const labels = await table.getByTestId('audit-action').allInnerTexts();
      assert.ok(labels.length > 0);
      for (const l of labels) assert.equal(l.trim(), '查看完整证件号和电话');
    });
    assert.match(await table.innerText(), /郑伟/);
    assert.match(await table.innerText(), /用途：入户走访核实身份/);

    // Who: a username; object: the person.
    await page.getByTestId('audit-filter-user').fill('duolun.grid');
    await page.getByTestId('audit-filter-object').fill(`person:${pid}`);
    await page.getByTestId('audit-search').click();
    await eventually(async () => {
      const rows = await table.locator('.el-table__row').count();
      assert.ok(rows >= 1);
      for (const t of await table.getByTestId('audit-who').allInnerTexts()) assert.match(t, /郑伟/);
    });
    await w.screenshot('audit-log');

    // Export: a CSV of the same rows, then the export is in the log.
    const download = page.waitForEvent('download');
    await page.getByTestId('audit-export').click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(csv[0], '时间（北京时间）,用户名,姓名,角色,事件,事件代码,对象,结果,IP,详情');
    assert.ok(csv.length >= 2);
    for (const l of csv.slice(1)) assert.match(l, new RegExp(`,duolun\\.grid,郑伟,网格员,查看完整证件号和电话,sensitive_read,person:${pid},成功,`));

    await page.getByRole('button', { name: '重置' }).click();
    await page.getByTestId('audit-filter-action').click();
    await page.locator('.el-select-dropdown__item:visible').filter({ hasText: /^导出审计日志$/ }).click();
    await page.getByTestId('audit-search').click();
    await eventually(async () => {
      const t = await table.innerText();
      assert.match(t, /导出审计日志/);
      assert.match(t, /多伦县审计员（演示）/);
      assert.match(t, new RegExp(`rows=${csv.length - 1} username=duolun\\.grid action=sensitive_read`));
    });
  });
});
