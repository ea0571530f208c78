// Photos in the closed loop, live updates and merging duplicates, in browsers (issue 3).
// Three screens open side by side, none of them reloaded: the community admin's 诉求管理 with its
// KPI figures, the grid worker's 待办 on one phone and the resident's 随手拍 on another. The
// resident reports with a photo; the case appears in the worker's queue by itself (the event
// stream, else the inbox poll); the worker accepts and resolves it with a result photo; the
// resident's open case page turns 已办结 by itself, shows the result photo full size and is rated
// 5 stars; the console's figures count one more case and one more rating. Then: a HEIC picture
// is refused with the server's advice, and the community admin merges a duplicate report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { launchBrowser, Walk, eventually, PHONE, DESKTOP, apiAs, pointInGrid } from './lib/browser.js';
import { png } from '../api/lib/images.js';

// Inside grid 1's boundary (see cases.test.js), away from the spot the other tests use.
let LAT, LON;
// What the inbox poll needs at worst (30 s) plus a margin: the stream is quicker when it is there.
const LIVE_TIMEOUT = 45000;

let browser;
before(async () => {
  browser = await launchBrowser();
  ({ lat: LAT, lon: LON } = await pointInGrid('15253120220601', -0.2, -0.2));
});
after(async () => {
  if (browser) await browser.close();
});

/**
 * Several people at once: opens one context per [name, options], runs fn(walks), then checks each
 * walk is clean; on failure saves FAILED-<name>.png of each and adds their problems to the error.
 */
async function together(specs, fn) {
  const walks = [];
  try {
    for (const [name, options] of specs) walks.push(await Walk.open(browser, name, options));
    await fn(walks);
    for (const w of walks) w.assertClean();
  } catch (e) {
    for (const w of walks) {
      await w.screenshot(`FAILED-${w.name}`).catch(() => {});
      const left = w.unexpectedProblems();
      if (left.length && e && typeof e.message === 'string') {
        e.message += `\n  ${w.name} page problems:\n${left.map((p) => `    ${p.kind}: ${p.text} ${p.url || ''}`).join('\n')}`;
      }
    }
    throw e;
  } finally {
    for (const w of walks) await w.close();
  }
}

/** Choose 消防安全 / 楼道停放电动车 (or another group / category) in the 随手拍 cascader. */
async function pickCategory(page, group, name) {
  await page.getByTestId('report-category').click();
  const options = page.locator('.van-cascader__option');
  await options.filter({ hasText: group }).click();
  await options.filter({ hasText: name }).click();
  await eventually(async () =>
    assert.equal(await page.getByTestId('report-category').locator('input').inputValue(), `${group} / ${name}`),
  );
}

/** An <img> really drew a picture (the server sent it and the browser decoded it). */
async function imageLoaded(img) {
  await eventually(async () => assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'image decoded'), {
    timeout: 10000,
  });
}

async function kpi(page, key) {
  const v = await page.getByTestId(`kpi-${key}`).getAttribute('data-value');
  assert.ok(v !== null && v !== '', `kpi ${key} has a value`);
  return Number(v);
}

test('随手拍 with a photo → live in 待办 → 办结 with a result photo → rated → KPIs move', { timeout: 240000 }, async () => {
  const stamp = Date.now().toString(36);
  const description = `楼道里电动车充电，电线拖到了楼梯上（照片测试 ${stamp}）`;
  const resolveText = '已劝离电动车，电线已收走，楼道已清理';
  const community = await apiAs('duolun.community');
  const resident = await apiAs('duolun.resident');
  const before = (await community.get('/api/v1/case-stats')).json.totals;

  await together(
    [
      ['live-console', DESKTOP],
      ['live-grid', PHONE],
      ['live-resident', PHONE],
    ],
    async ([con, grid, res]) => {
      // ---- the console's figures, before ----
      await con.login('admin', 'duolun.community');
      await con.page.getByTestId('admin-home').waitFor();
      await con.page.getByTestId('menu-cases').click();
      await con.page.getByTestId('case-kpis').waitFor();
      await eventually(async () => assert.equal(await kpi(con.page, 'cases'), before.cases));
      assert.equal(await kpi(con.page, 'rated'), before.rated);
      const kpiText = await con.page.getByTestId('case-kpis').innerText();
      for (const label of ['诉求总数', '响应率', '按时办结率', '已评价', '满意率', '超时未办']) assert.ok(kpiText.includes(label), label);
      await con.assertChineseRendered('[data-testid="case-kpis"]');

      // ---- the grid worker waits on 待办 ----
      await grid.login('h5', 'duolun.grid');
      await grid.page.getByTestId('h5-grid').waitFor();
      await grid.page.getByTestId('tab-todo').click();
      await grid.page.getByTestId('todo-count').waitFor();

      // ---- the resident reports with a photo ----
      const rp = res.page;
      await res.login('h5', 'duolun.resident');
      await rp.getByTestId('h5-household').waitFor();
      await rp.getByTestId('tab-report').click();
      await rp.getByTestId('h5-report').waitFor();
      await pickCategory(rp, '消防安全', '楼道停放电动车');
      await rp.getByTestId('report-description').locator('textarea').fill(description);
      const photos = rp.getByTestId('report-photos');
      const uploads = [];
      rp.on('request', (r) => {
        if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/photos') uploads.push(r);
      });
      await photos.getByTestId('photo-picker').locator('input[type=file]').setInputFiles({
        name: 'IMG_20261130_0815.png',
        mimeType: 'image/png',
        buffer: png(640, 480, { seed: 21 }),
      });
      await eventually(async () => assert.equal(await photos.locator('.photo-uploader').getAttribute('data-count'), '1'), { timeout: 10000 });
      assert.equal(await photos.locator('.van-uploader__mask').count(), 0, 'no tile is uploading or failed');
      assert.equal(uploads.length, 1);
      assert.equal(uploads[0].headers()['x-requested-with'], 'jiceng', 'the upload carries the CSRF header');
      assert.equal(uploads[0].headers()['content-type'], 'image/png');
      await imageLoaded(photos.locator('.van-uploader__preview img').first());
      await res.screenshot('live-report-photo');
      await rp.getByTestId('report-submit').click();
      await eventually(async () => assert.match(rp.url(), /#\/case\/\d+$/));
      const caseId = /#\/case\/(\d+)$/.exec(rp.url())[1];
      const made = (await resident.get(`/api/v1/cases/${caseId}`)).json;
      assert.equal(made.state, 'dispatched');
      assert.equal(made.timeline[0].event, 'create');
      assert.equal(made.timeline[0].photos.length, 1, 'the report carries its photo');
      const detail = rp.getByTestId('h5-case');
      await detail.waitFor();
      const createPhoto = detail.locator('[data-testid="timeline-item"][data-event="create"] [data-testid="timeline-photo"]');
      await createPhoto.waitFor();
      await imageLoaded(createPhoto.locator('img'));
      assert.equal(await createPhoto.locator('img').getAttribute('src'), made.timeline[0].photos[0].thumb_url);

      // ---- the worker's queue shows it without a reload ----
      const gp = grid.page;
      const card = gp.locator(`[data-testid="case-card"][data-case-id="${caseId}"]`);
      const seenAfter = Date.now();
      await card.waitFor({ timeout: LIVE_TIMEOUT });
      console.log(`# the new case reached 待办 in ${Date.now() - seenAfter} ms`);
      assert.ok((await card.innerText()).includes(description));
      await card.getByTestId('case-action-accept').click();
      const sheet = gp.getByTestId('action-sheet');
      await sheet.waitFor();
      await sheet.getByTestId('action-submit').click();
      await sheet.waitFor({ state: 'hidden' });
      await eventually(async () => assert.equal(await card.getByTestId('case-state').innerText(), '已接单'));

      // 办结 with a result photo: the sheet offers the photo first.
      await card.getByTestId('case-action-resolve').click();
      await sheet.waitFor();
      const offer = sheet.getByTestId('action-photos');
      assert.match(await offer.innerText(), /拍一张处理后的现场照片/);
      await offer.getByTestId('photo-picker').locator('input[type=file]').setInputFiles({
        name: 'result.png',
        mimeType: 'image/png',
        buffer: png(480, 640, { seed: 22 }),
      });
      await eventually(async () => assert.equal(await offer.locator('.photo-uploader').getAttribute('data-count'), '1'), { timeout: 10000 });
      await sheet.getByTestId('action-note-input').locator('textarea').fill(resolveText);
      await grid.screenshot('live-resolve-photo');
      await sheet.getByTestId('action-submit').click();
      await sheet.waitFor({ state: 'hidden' });
      await eventually(async () => assert.equal(await card.getByTestId('case-state').innerText(), '已办结'));
      const resolved = (await resident.get(`/api/v1/cases/${caseId}`)).json;
      const resolveEv = resolved.timeline.find((e) => e.event === 'resolve');
      assert.equal(resolveEv.photos.length, 1, 'the resolve step carries the result photo');
      assert.equal(resolveEv.note, resolveText);

      // ---- the resident's open page turns 已办结 by itself, with the result photo ----
      await eventually(async () => assert.equal(await detail.getByTestId('case-state').innerText(), '已办结'), { timeout: LIVE_TIMEOUT });
      const resultPhoto = detail.locator('[data-testid="timeline-item"][data-event="resolve"] [data-testid="timeline-photo"]');
      await resultPhoto.waitFor();
      await imageLoaded(resultPhoto.locator('img'));
      await resultPhoto.click();
      const viewer = rp.locator('.van-image-preview');
      await viewer.waitFor();
      const big = viewer.locator('.van-image-preview__image img').first();
      await eventually(async () => assert.equal(await big.getAttribute('src'), resolveEv.photos[0].url));
      await imageLoaded(big);
      await res.screenshot('live-result-preview');
      await viewer.locator('.van-image-preview__close-icon').click();
      await viewer.waitFor({ state: 'hidden' });

      await detail.getByTestId('case-action-rate').click();
      await rp.getByTestId('rate-form').waitFor();
      await rp.getByTestId('rate-stars').locator('.van-rate__item').nth(4).click();
      await rp.getByTestId('action-submit').click();
      await eventually(async () => assert.equal(await detail.getByTestId('case-state').innerText(), '已关闭'));

      // ---- the console's figures moved, still without a reload ----
      await eventually(
        async () => {
          assert.equal(await kpi(con.page, 'cases'), before.cases + 1, 'one more case');
          assert.equal(await kpi(con.page, 'rated'), before.rated + 1, 'one more rating');
        },
        { timeout: LIVE_TIMEOUT },
      );
      const after = (await community.get('/api/v1/case-stats')).json.totals;
      assert.equal(after.rated, before.rated + 1);
      await con.screenshot('live-console-kpis');

      // The drawer shows both photos; one opens full size.
      const row = con.page.locator('.el-table__row').filter({ has: con.page.locator(`[data-testid="case-row"][data-case-id="${caseId}"]`) });
      await row.click();
      const drawer = con.page.getByTestId('case-detail');
      await drawer.waitFor();
      await eventually(async () => assert.equal(await drawer.getByTestId('timeline-photo').count(), 2));
      await drawer.locator('[data-testid="timeline-item"][data-event="resolve"] [data-testid="timeline-photo"] img').click();
      const elViewer = con.page.locator('.el-image-viewer__wrapper');
      await elViewer.waitFor();
      await eventually(async () => assert.equal(await elViewer.locator('img.el-image-viewer__img').first().getAttribute('src'), resolveEv.photos[0].url));
      await con.screenshot('live-console-photo');
      await con.page.keyboard.press('Escape');
      await elViewer.waitFor({ state: 'hidden' });
    },
  );
});

test('without the event stream (an older server: 404) the queue still follows by the inbox poll, quietly', { timeout: 90000 }, async () => {
  const resident = await apiAs('duolun.resident');
  await together([['poll-grid', PHONE]], async ([w]) => {
    const { page } = w;
    const tries = [];
    await page.route('**/api/v1/events', (route) => {
      tries.push(Date.now());
      return route.fulfill({
        status: 404,
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify({ error: { code: 'not_found', message: '接口不存在' } }),
      });
    });
    // The browser itself reports the refused stream once per try; that is the only noise allowed.
    const excuse = () => w.expectHttpError(404, '/api/v1/events');
    excuse();
    excuse();
    await w.login('h5', 'duolun.grid');
    await page.getByTestId('h5-grid').waitFor();
    await page.getByTestId('tab-todo').click();
    await page.getByTestId('todo-count').waitFor();
    await eventually(async () => assert.equal(tries.length, 1, 'the stream was tried'));

    const made = await resident.post(
      '/api/v1/cases',
      { category: '0301', description: `电动车堵了消防通道（轮询测试 ${Date.now().toString(36)}）` },
      { 'Idempotency-Key': randomUUID() },
    );
    assert.equal(made.status, 201, JSON.stringify(made.json));
    const t0 = Date.now();
    await page.locator(`[data-testid="case-card"][data-case-id="${made.json.id}"]`).waitFor({ timeout: LIVE_TIMEOUT });
    console.log(`# without the stream the new case reached 待办 in ${Date.now() - t0} ms`);
    assert.ok(tries.length <= 2, `no reconnect storm: ${tries.length} tries of the stream`);
  });
});

test('a HEIC picture is refused with the server\'s advice; the draft keeps photos; logout closes the stream', { timeout: 60000 }, async () => {
  const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic'), Buffer.alloc(400)]);
  await together([['heic-resident', PHONE]], async ([w]) => {
    const { page } = w;
    const streams = [];
    const ended = new Set();
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/events') streams.push(r);
    });
    page.on('requestfinished', (r) => ended.add(r));
    page.on('requestfailed', (r) => ended.add(r));
    await w.login('h5', 'duolun.resident');
    await page.getByTestId('h5-household').waitFor();
    await page.getByTestId('tab-report').click();
    const photos = page.getByTestId('report-photos');
    await photos.waitFor();
    w.expectHttpError(400, '/api/v1/photos');
    await photos.getByTestId('photo-picker').locator('input[type=file]').setInputFiles({
      name: 'IMG_0001.HEIC',
      mimeType: 'image/heic',
      buffer: heic,
    });
    const msg = photos.getByTestId('photo-error');
    await msg.waitFor();
    assert.equal(await msg.innerText(), '暂不支持 HEIC 格式：请在手机相机设置中选择“兼容性最佳”（JPEG）后重新拍摄');
    assert.match(await photos.getByTestId('photo-failed').innerText(), /无法上传/);
    await w.assertChineseRendered('[data-testid="report-photos"]');
    await w.screenshot('heic-refused');
    // The refused tile goes with its ×; nothing is left to send.
    await photos.locator('.van-uploader__preview-delete').first().click();
    await eventually(async () => assert.equal(await photos.getByTestId('photo-error').count(), 0));
    assert.equal(await photos.locator('.van-uploader__preview').count(), 0);
    assert.equal(await page.getByTestId('report-submit').isDisabled(), false);

    // A good picture is kept with the draft: a reload (WeChat does that) still shows it.
    await photos.getByTestId('photo-picker').locator('input[type=file]').setInputFiles({
      name: 'ok.png',
      mimeType: 'image/png',
      buffer: png(320, 240, { seed: 23 }),
    });
    await eventually(async () => assert.equal(await photos.locator('.photo-uploader').getAttribute('data-count'), '1'), { timeout: 10000 });
    await page.reload();
    await photos.waitFor();
    await eventually(async () => assert.equal(await photos.locator('.photo-uploader').getAttribute('data-count'), '1'));
    await imageLoaded(photos.locator('.van-uploader__preview img').first());
    await photos.locator('.van-uploader__preview-delete').first().click();
    await eventually(async () => assert.equal(await photos.locator('.photo-uploader').getAttribute('data-count'), '0'));

    // Signing out closes the live stream, and nothing opens it again.
    assert.ok(streams.length >= 1, 'the page listened to the event stream');
    await page.getByTestId('tab-mine').click();
    await page.getByTestId('h5-mine').waitFor();
    const open = streams.length;
    await page.getByTestId('logout').click();
    await page.getByTestId('login-submit').waitFor();
    await eventually(async () => assert.ok(ended.has(streams[open - 1]), 'the stream was closed'));
    await page.waitForTimeout(4000); // longer than the stream's retry: 3000
    assert.equal(streams.length, open, 'no stream opened after signing out');
  });
});

test('疑似重复: the community admin merges a second report of the same problem into the first', { timeout: 60000 }, async () => {
  const stamp = Date.now().toString(36);
  const resident = await apiAs('duolun.resident');
  const report = async (text, lat, lon) => {
    const r = await resident.post(
      '/api/v1/cases',
      { category: '0101', description: text, location: { lat, lon } },
      { 'Idempotency-Key': randomUUID() },
    );
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json;
  };
  const first = await report(`路口垃圾堆了三天没人清（合并测试 ${stamp}）`, LAT, LON);
  const second = await report(`路口那堆垃圾还在，味道很大（合并测试 ${stamp}）`, LAT + 0.0005, LON + 0.0003);
  const community = await apiAs('duolun.community');
  const sim = await community.get(`/api/v1/cases/${second.id}/similar`);
  assert.equal(sim.status, 200, JSON.stringify(sim.json));
  const suggestion = sim.json.items.find((c) => c.id === first.id);
  assert.ok(suggestion, 'the API suggests the first report');

  await together([['merge-console', DESKTOP]], async ([w]) => {
    const { page } = w;
    await w.login('admin', 'duolun.community');
    await page.getByTestId('admin-home').waitFor();
    await page.getByTestId('menu-cases').click();
    const rowOf = (id) => page.locator('.el-table__row').filter({ has: page.locator(`[data-testid="case-row"][data-case-id="${id}"]`) });
    await rowOf(second.id).click();
    const drawer = page.getByTestId('case-detail');
    await drawer.waitFor();
    const item = drawer.locator(`[data-testid="similar-item"][data-case-id="${first.id}"]`);
    await item.waitFor();
    const text = await item.innerText();
    assert.ok(text.includes(first.description), text);
    assert.match(text, new RegExp(`相距约 ${suggestion.distance_m} 米`));
    await eventually(() => w.assertChineseRendered('[data-testid="case-similar"]'), { timeout: 5000, interval: 200 });
    await w.screenshot('merge-suggestions');

    // 合并到此 opens the 合并 form with that case chosen; cancelling changes nothing.
    await item.getByTestId('case-merge').click();
    const box = page.locator('[data-testid="case-action-dialog"][data-event="merge"]');
    await box.waitFor();
    assert.match(await box.innerText(), /合并后本诉求不再单独办理/);
    await eventually(async () =>
      assert.equal(await box.locator(`[data-testid="merge-candidate"][data-case-id="${first.id}"].is-checked`).count(), 1),
    );
    await box.getByTestId('case-action-cancel').click();
    await box.waitFor({ state: 'hidden' });
    assert.equal((await community.get(`/api/v1/cases/${second.id}`)).json.state, 'dispatched');

    await item.getByTestId('case-merge').click();
    await box.waitFor();
    await box.getByTestId('case-action-note').locator('textarea').fill('同一处垃圾，合并办理');
    await box.getByTestId('case-action-submit').click();
    await eventually(async () => assert.equal(await drawer.getByTestId('case-state').innerText(), '已合并'));
    const merged = (await community.get(`/api/v1/cases/${second.id}`)).json;
    assert.equal(merged.state, 'merged');
    assert.equal(merged.merged_into, first.id);
    assert.equal(await drawer.getByTestId('case-similar').count(), 0, 'a merged case offers no more merging');
    const link = drawer.getByTestId('case-merged-into');
    await eventually(async () => assert.ok((await link.innerText()).includes(first.description)));
    await w.screenshot('merge-done');

    // The link opens the case it went into.
    await link.click();
    await eventually(async () => assert.equal(await drawer.getByTestId('case-description').innerText(), first.description));
    assert.equal(await drawer.getByTestId('case-state').innerText(), '已派单');

    // 进展 with a photo from the console.
    await drawer.getByTestId('case-action-note').click();
    const dialog = page.getByTestId('case-action-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('photo-input').setInputFiles({ name: 'site.png', mimeType: 'image/png', buffer: png(300, 200, { seed: 24 }) });
    await eventually(async () => assert.equal(await dialog.locator('.tile.done').count(), 1), { timeout: 10000 });
    await dialog.getByTestId('case-action-note').locator('textarea').fill('已通知保洁，今天下午清运');
    await dialog.getByTestId('case-action-submit').click();
    await dialog.waitFor({ state: 'hidden' });
    const notePhoto = drawer.locator('[data-testid="timeline-item"][data-event="note"] [data-testid="timeline-photo"]');
    await notePhoto.waitFor();
    await imageLoaded(notePhoto.locator('img'));
    const noted = (await community.get(`/api/v1/cases/${first.id}`)).json;
    const ev = noted.timeline.find((e) => e.event === 'note');
    assert.equal(ev.photos.length, 1);
    assert.equal(ev.note, '已通知保洁，今天下午清运');
    await w.screenshot('merge-target-note-photo');
  });
});
