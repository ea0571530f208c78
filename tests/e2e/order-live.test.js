// The resident's 我的兑换 follows the handover live (issue 10 part 7): 明星村's demo resident has
// an order open on the phone, with its code shown; the keeper (明星村's admin) hands the goods
// over; within seconds the popup closes and the order reads 已领取, without a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, apiAs, BASE, PHONE } from './lib/browser.js';

const MINGXING = '152224102218';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

test('phone: an order flips to 已领取 within seconds of the handover', { timeout: 45000 }, async () => {
  const resident = await apiAs('tuquan.mingxing.resident');
  const keeper = await apiAs('tuquan.mingxing');
  const goods = (await resident.get(`/api/v1/villages/${MINGXING}/goods`)).json.items;
  const bal = (await resident.get('/api/v1/me/points')).json.balance;
  const item = goods.filter((g) => g.stock > 0 && g.price_points <= bal).sort((a, b) => a.price_points - b.price_points)[0];
  assert.ok(item, 'something the household can afford');
  const o = await resident.post('/api/v1/points/orders', { goods_id: item.id, qty: 1 }, { 'Idempotency-Key': `e2e-live-${Date.now()}` });
  assert.equal(o.status, 201, JSON.stringify(o.json));
  const orderId = o.json.order.id;

  await walk(browser, 'order-live', PHONE, async (w) => {
    const { page } = w;
    await w.login('h5', 'tuquan.mingxing.resident');
    await page.getByTestId('h5-tabbar').waitFor();
    await page.goto(`${BASE}/#/points/orders`);
    const row = page.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`);
    await row.waitFor();
    assert.equal(await row.getByTestId('order-state').innerText(), '待领取');
    await row.getByTestId('order-show-code').click();
    const sheet = page.getByTestId('order-code-sheet');
    await sheet.waitFor();

    const h = await keeper.post('/api/v1/points/orders/handover', { code: o.json.code });
    assert.equal(h.status, 200, JSON.stringify(h.json));
    const t0 = Date.now();
    await eventually(async () => assert.equal(await row.getAttribute('data-state'), 'handed_over'), { timeout: 6000 });
    assert.equal(await row.getByTestId('order-state').innerText(), '已领取');
    console.log(`# order shown as 已领取 ${Date.now() - t0} ms after the handover`);
    await eventually(async () => assert.equal(await sheet.isVisible(), false), { timeout: 3000 });
    assert.equal(await row.getByTestId('order-show-code').count(), 0, 'no code to show any more');
    await w.screenshot('order-live');
  });
});
