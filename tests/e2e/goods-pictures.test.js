// Store goods have pictures (issue 10 part 7): the seeded goods of 明星村 "明星·家" carry real
// photo files drawn from emoji at seed time; the store keeper puts up new goods with a picture
// uploaded in the console; the resident sees the pictures in the phone's store and on the order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, apiAs, BASE, DESKTOP, PHONE } from './lib/browser.js';
import { png } from '../api/lib/images.js';

const MINGXING = '152224102218';
const NAME = `测试毛巾${Date.now().toString(36).slice(-4)}`;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

/** The image in `img` has loaded and has pixels. */
const loaded = (img) => img.evaluate((el) => el.complete && el.naturalWidth > 0);

test('console: goods put up with a picture; phone: pictures in the store and on the order', { timeout: 60000 }, async () => {
  await walk(browser, 'goods-upload', DESKTOP, async (w) => {
    const { page } = w;
    await w.login('admin', 'tuquan.mingxing');
    await page.getByTestId('menu-points').click();
    await page.getByTestId('points-tabs').waitFor();
    await page.getByRole('tab', { name: '积分超市' }).click();
    const table = page.getByTestId('goods-table');
    await table.locator('.el-table__row').first().waitFor();
    // The seeded goods have pictures.
    const rice = table.locator('.el-table__row').filter({ hasText: '东北大米' });
    await rice.locator('img').first().waitFor();
    assert.ok(await loaded(rice.locator('img').first()), 'the seeded rice has its picture');

    await page.getByTestId('goods-add').click();
    await page.getByTestId('goods-name').fill(NAME);
    const price = page.locator('.el-dialog .el-input-number').first().locator('input');
    await price.fill('1');
    await price.blur();
    await page.getByTestId('photo-picker').locator('input[type=file]').setInputFiles({
      name: 'towel.png',
      mimeType: 'image/png',
      buffer: png(640, 480, { seed: 7 }),
    });
    await eventually(async () => assert.equal(await page.getByTestId('photo-picker').getByTestId('photo-tile').count(), 1), { timeout: 10000 });
    await eventually(async () => assert.equal(await page.getByTestId('goods-save').isDisabled(), false), { timeout: 10000 });
    await page.getByTestId('goods-save').click();
    const row = table.locator('.el-table__row').filter({ hasText: NAME });
    await row.locator('img').first().waitFor();
    assert.ok(await loaded(row.locator('img').first()), 'the new goods shows its picture');
  });

  // The resident orders it over the API, then looks at the phone.
  const resident = await apiAs('tuquan.mingxing.resident');
  const goods = (await resident.get(`/api/v1/villages/${MINGXING}/goods`)).json.items;
  const item = goods.find((g) => g.name === NAME);
  assert.ok(item && item.photo_url && item.thumb_url, 'the goods has a picture in the API');
  const o = await resident.post('/api/v1/points/orders', { goods_id: item.id, qty: 1 }, { 'Idempotency-Key': `pic-${Date.now()}` });
  assert.equal(o.status, 201, JSON.stringify(o.json));

  await walk(browser, 'goods-phone', PHONE, async (w) => {
    const { page } = w;
    await w.login('h5', 'tuquan.mingxing.resident');
    await page.getByTestId('h5-tabbar').waitFor();
    await page.goto(`${BASE}/#/points/store`);
    const card = page.locator(`[data-testid="store-goods"][data-goods-id="${item.id}"]`);
    await card.locator('img').waitFor();
    assert.ok(await loaded(card.locator('img')), 'the picture in the store');
    for (const name of ['东北大米', '大豆油 5L', '香皂 3块装']) {
      const c = page.locator(`[data-testid="store-goods"][data-name^="${name}"]`);
      await c.locator('img').waitFor();
      assert.ok(await loaded(c.locator('img')), `${name} has its seeded picture`);
    }
    await w.screenshot('goods-store');
    await page.goto(`${BASE}/#/points/orders`);
    const order = page.locator(`[data-testid="order-row"][data-order-id="${o.json.order.id}"]`);
    await order.getByTestId('order-photo').waitFor();
    assert.ok(await loaded(order.getByTestId('order-photo')), 'the picture on the order');
    await w.screenshot('goods-order');
  });
});
