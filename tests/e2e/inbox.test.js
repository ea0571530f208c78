// 我的消息: a step of a case reaches its reporter. The resident reports over the API, the grid
// worker accepts over the API; on the phone the resident sees the unread badge on 我的, opens
// 消息, taps "您的诉求已接单", lands on the case and the badge drops by one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { launchBrowser, walk, eventually, BASE, PHONE, DEMO_PW, apiAs } from './lib/browser.js';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

const badgeCount = async (page) => {
  const b = page.getByTestId('inbox-badge');
  return (await b.count()) ? Number(await b.getAttribute('data-count')) : 0;
};

test('the resident reads "您的诉求已接单" in 消息 and lands on the case', { timeout: 20000 }, async () => {
  const resident = await apiAs('duolun.resident');
  const grid = await apiAs('duolun.grid');
  const made = await resident.post(
    '/api/v1/cases',
    { category: '0101', description: `楼下垃圾桶满了没人清运（消息测试 ${Date.now().toString(36)}）` },
    { 'Idempotency-Key': randomUUID() },
  );
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const caseId = String(made.json.id);
  const accepted = await grid.post(`/api/v1/cases/${caseId}/events`, { event: 'accept' });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.json));

  const inbox = (await resident.get('/api/v1/inbox?unread=1&limit=50')).json;
  const msg = inbox.items.find((m) => String(m.case_id) === caseId && m.title.includes('您的诉求已接单'));
  assert.ok(msg, `the resident's inbox has the accept: ${JSON.stringify(inbox.items.map((m) => m.title))}`);
  assert.ok(inbox.unread >= 1);

  await walk(browser, 'inbox-resident', PHONE, async (w) => {
    const { page } = w;
    await w.login('h5', 'duolun.resident');
    await page.getByTestId('h5-household').waitFor();
    await page.getByTestId('tab-mine').click();
    await page.getByTestId('inbox-badge').waitFor();
    const before = await badgeCount(page);
    assert.ok(before >= 1, `the badge counts the unread messages (${before})`);
    assert.equal(before, (await w.apiGet('/api/v1/inbox?unread=1&limit=1')).json.unread);
    assert.equal(await page.getByTestId('inbox-badge').innerText(), before > 99 ? '99+' : String(before));

    await page.getByTestId('mine-inbox').click();
    await eventually(async () => assert.match(page.url(), /#\/inbox$/));
    const item = page.locator(`[data-testid="inbox-item"][data-id="${msg.id}"]`);
    await item.waitFor();
    assert.equal(await item.getAttribute('data-read'), '0');
    assert.ok((await item.innerText()).includes('您的诉求已接单'));
    const weight = await item.getByTestId('inbox-title').evaluate((el) => getComputedStyle(el).fontWeight);
    assert.ok(Number(weight) >= 600, `an unread title is bold (${weight})`);
    await w.assertChineseRendered('[data-testid="h5-inbox"]');
    await w.screenshot('inbox-h5');

    await item.click();
    await eventually(async () => assert.match(page.url(), new RegExp(`#/case/${caseId}$`)));
    await page.getByTestId('h5-case').waitFor();
    await eventually(async () => assert.equal(await page.getByTestId('case-state').innerText(), '已接单'));

    // Back to 消息 (the message is read now), and back to 我的: one fewer on the badge.
    await page.goBack();
    await eventually(async () => assert.equal(await item.getAttribute('data-read'), '1'));
    await page.locator('.van-nav-bar__left').click();
    await page.getByTestId('h5-mine').waitFor();
    await eventually(async () => assert.equal(await badgeCount(page), before - 1));
    const after = (await resident.get('/api/v1/inbox?limit=50')).json;
    assert.equal(after.unread, before - 1, 'the server counts one fewer unread');
    assert.ok(after.items.find((m) => m.id === msg.id).read_at, 'the message is read on the server');
  });
});
