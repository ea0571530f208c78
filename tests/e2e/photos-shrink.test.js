// Photos are shrunk on the phone before they go up, and an upload the network lost is tried
// again by itself (issue 9 part 4). On the resident's 随手拍:
//   - a 4000×3000 camera JPEG of several MB (turned by EXIF orientation 6) goes up as a JPEG of
//     1536×2048 — upright, long side 2048 — a fraction of the size, without its EXIF; the tile
//     shows the server's thumbnail; a small JPEG goes up byte for byte (no second compression);
//   - the first upload attempt fails on the network: the photo ends uploaded without a tap, after
//     the 2 s backoff; when every automatic retry fails (2 s, 5 s, 10 s) the tile says 点按重试,
//     and a tap uploads it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, PHONE } from './lib/browser.js';
import { png, withExif, jpegSize, EXIF_MARK } from '../api/lib/images.js';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

const isUpload = (req) => req.method() === 'POST' && new URL(req.url()).pathname === '/api/v1/photos';

/**
 * A JPEG as a phone camera makes it, encoded by the browser itself: width × height of sky, ground
 * and a sun with sensor noise (so it does not compress to nothing), at quality `quality`.
 */
async function cameraJpeg(page, width, height, quality) {
  const b64 = await page.evaluate(
    async ({ width, height, quality }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      const sky = ctx.createLinearGradient(0, 0, 0, height);
      sky.addColorStop(0, '#4a90d9');
      sky.addColorStop(0.55, '#cfe3f5');
      sky.addColorStop(0.56, '#6b8e23');
      sky.addColorStop(1, '#3b5323');
      ctx.fillStyle = sky;
      ctx.fillRect(0, 0, width, height);
      ctx.fillStyle = '#ffd700';
      ctx.beginPath();
      ctx.arc(width * 0.75, height * 0.2, height * 0.08, 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillStyle = '#8b4513'; // a "top" marker: where up is before the EXIF turn
      ctx.fillRect(width * 0.1, height * 0.05, width * 0.2, height * 0.1);
      const band = 500;
      let seed = 12345;
      for (let y = 0; y < height; y += band) {
        const h = Math.min(band, height - y);
        const img = ctx.getImageData(0, y, width, h);
        const d = img.data;
        for (let i = 0; i < d.length; i += 4) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          const n = ((seed >> 8) % 41) - 20;
          d[i] += n;
          d[i + 1] += n;
          d[i + 2] += n;
        }
        ctx.putImageData(img, 0, y);
      }
      const blob = await new Promise((r) => canvas.toBlob(r, 'image/jpeg', quality));
      canvas.width = 0;
      canvas.height = 0;
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = '';
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(s);
    },
    { width, height, quality },
  );
  return Buffer.from(b64, 'base64');
}

/** Open 随手拍 as the resident; returns the photos cell. */
async function openReport(w) {
  await w.login('h5', 'duolun.resident');
  await w.page.getByTestId('h5-household').waitFor();
  await w.page.getByTestId('tab-report').click();
  await w.page.getByTestId('h5-report').waitFor();
  const photos = w.page.getByTestId('report-photos');
  await photos.waitFor();
  return photos;
}

const pickerInput = (photos) => photos.getByTestId('photo-picker').locator('input[type=file]');
const count = (photos) => photos.locator('.photo-uploader').getAttribute('data-count');

/** An <img> really drew a picture (the server sent it and the browser decoded it). */
async function imageLoaded(img) {
  await eventually(async () => assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'image decoded'), {
    timeout: 10000,
  });
}

/**
 * The uploads the test broke on purpose leave their trace with the walk (a failed request and
 * the browser's "Failed to load resource" line): check there are exactly `n` of each and excuse
 * them; anything else is still a problem.
 */
function excuseLostUploads(w, n) {
  const lost = (p) =>
    (p.kind === 'requestfailed' && /^POST \S+\/api\/v1\/photos: net::ERR_CONNECTION_RESET/.test(p.text)) ||
    (p.kind === 'console' && /net::ERR_CONNECTION_RESET/.test(p.text) && /\/api\/v1\/photos$/.test(p.url));
  const failed = w.problems.filter((p) => p.kind === 'requestfailed' && lost(p)).length;
  assert.equal(failed, n, `${n} uploads lost on purpose: ${JSON.stringify(w.problems)}`);
  assert.ok(w.problems.filter((p) => p.kind === 'console' && lost(p)).length <= n);
  w.problems = w.problems.filter((p) => !lost(p));
}

test('a large camera photo is shrunk on the phone before upload: upright JPEG, long side 2048, a fraction of the bytes', { timeout: 120000 }, async () => {
  await walk(browser, 'shrink-resident', PHONE, async (w) => {
    const { page } = w;
    const photos = await openReport(w);

    const original = withExif(await cameraJpeg(page, 4000, 3000, 0.95));
    const size = jpegSize(original);
    assert.deepEqual(size, { width: 4000, height: 3000 });
    assert.ok(original.length > 2 * 1024 * 1024 && original.length < 10 * 1024 * 1024, `a camera-sized file: ${original.length} bytes`);

    const bodies = [];
    await page.route('**/api/v1/photos', async (route) => {
      const req = route.request();
      if (isUpload(req)) bodies.push({ type: req.headers()['content-type'], body: req.postDataBuffer() });
      await route.continue();
    });
    const replied = page.waitForResponse((r) => isUpload(r.request()), { timeout: 30000 });
    const t0 = Date.now();
    await pickerInput(photos).setInputFiles({ name: 'IMG_20261201_093015.jpg', mimeType: 'image/jpeg', buffer: original });
    const reply = await replied;
    assert.equal(reply.status(), 201, await reply.text());
    const photo = await reply.json();
    await eventually(async () => assert.equal(await count(photos), '1'), { timeout: 10000 });
    const ms = Date.now() - t0;

    assert.equal(bodies.length, 1, 'one upload');
    const sent = bodies[0];
    assert.equal(sent.type, 'image/jpeg');
    assert.ok(sent.body && sent.body[0] === 0xff && sent.body[1] === 0xd8, 'the body is a JPEG');
    assert.deepEqual(jpegSize(sent.body), { width: 1536, height: 2048 }, 'shrunk to long side 2048, upright by the EXIF orientation');
    assert.ok(sent.body.length < original.length / 4, `a fraction of the original: ${sent.body.length} of ${original.length} bytes`);
    assert.ok(sent.body.length < 1.5 * 1024 * 1024, `well under 1.5 MB: ${sent.body.length} bytes`);
    assert.ok(!sent.body.includes(Buffer.from(EXIF_MARK)), 'the EXIF (with its GPS block) stays on the phone');
    assert.equal(photo.width, 1536);
    assert.equal(photo.height, 2048);
    // Upright: EXIF orientation 6 turns the picture a quarter clockwise, so the brown marker
    // drawn near the top left of the stored pixels is now near the top right.
    const marker = await page.evaluate(async (url) => {
      const bitmap = await createImageBitmap(await (await fetch(url)).blob());
      const c = document.createElement('canvas');
      c.width = bitmap.width;
      c.height = bitmap.height;
      const ctx = c.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(bitmap, 0, 0);
      const at = (fx, fy) => Array.from(ctx.getImageData(Math.round(c.width * fx), Math.round(c.height * fy), 1, 1).data.slice(0, 3));
      return { right: at(0.9, 0.2), left: at(0.1, 0.2) };
    }, photo.url);
    const brown = ([r, g, b]) => Math.abs(r - 0x8b) < 40 && Math.abs(g - 0x45) < 40 && Math.abs(b - 0x13) < 40;
    assert.ok(brown(marker.right) && !brown(marker.left), `the marker is at the top right: ${JSON.stringify(marker)}`);
    console.log(`# ${size.width}×${size.height} ${original.length} B → ${photo.width}×${photo.height} ${sent.body.length} B (${ms} ms to uploaded)`);

    // The tile shows the photo (the server's thumbnail), nothing is uploading or failed.
    const tileImg = photos.locator('.van-uploader__preview img').first();
    await imageLoaded(tileImg);
    assert.equal(await tileImg.getAttribute('src'), photo.thumb_url);
    assert.equal(await photos.locator('.van-uploader__mask').count(), 0);
    assert.equal(await photos.getByTestId('photo-error').count(), 0);
    assert.equal(await page.getByTestId('report-submit').isDisabled(), false);
    await w.screenshot('shrink-uploaded');

    // A JPEG already small (≤ 2048 px, ≤ 1.5 MB) goes up as it is: no second compression.
    const small = await cameraJpeg(page, 1200, 900, 0.9);
    await pickerInput(photos).setInputFiles({ name: 'small.jpg', mimeType: 'image/jpeg', buffer: small });
    await eventually(async () => assert.equal(await count(photos), '2'), { timeout: 10000 });
    assert.equal(bodies.length, 2);
    assert.equal(bodies[1].type, 'image/jpeg');
    assert.ok(bodies[1].body.equals(small), `the small JPEG is sent byte for byte (${small.length} B)`);
  });
});

test('an upload lost on the network is retried by itself; after the last retry the tile says 点按重试 and a tap sends it', { timeout: 120000 }, async () => {
  await walk(browser, 'retry-resident', PHONE, async (w) => {
    const { page } = w;
    const photos = await openReport(w);

    // Attempts at the upload, and how many of the next ones the "network" loses.
    const attempts = [];
    let lose = 1;
    await page.route('**/api/v1/photos', async (route) => {
      if (!isUpload(route.request())) return route.continue();
      attempts.push(Date.now());
      if (lose > 0) {
        lose--;
        return route.abort('connectionreset');
      }
      return route.continue();
    });

    // The first attempt is lost: the tile waits, and the second one goes through without a tap.
    await pickerInput(photos).setInputFiles({ name: 'IMG_0815.png', mimeType: 'image/png', buffer: png(640, 480, { seed: 31 }) });
    const mask = photos.locator('.van-uploader__mask-message');
    await eventually(async () => assert.equal(await mask.first().innerText(), '网络不佳，稍后重试'), { timeout: 5000, interval: 20 });
    assert.equal(await page.getByTestId('report-submit').isDisabled(), true, 'no submitting while the photo waits for its retry');
    await eventually(async () => assert.equal(await count(photos), '1'), { timeout: 10000 });
    assert.equal(attempts.length, 2);
    const gap = attempts[1] - attempts[0];
    assert.ok(gap >= 1900 && gap < 4000, `retried after the 2 s backoff (${gap} ms)`);
    assert.equal(await photos.getByTestId('photo-failed').count(), 0);
    assert.equal(await photos.getByTestId('photo-error').count(), 0);
    await imageLoaded(photos.locator('.van-uploader__preview img').first());
    excuseLostUploads(w, 1);

    // Every automatic try is lost (the first and three retries): then the tile asks for a tap.
    attempts.length = 0;
    lose = 4;
    await pickerInput(photos).setInputFiles({ name: 'IMG_0816.png', mimeType: 'image/png', buffer: png(480, 640, { seed: 32 }) });
    const failed = photos.getByTestId('photo-failed');
    await failed.waitFor({ timeout: 25000 });
    assert.equal(await failed.innerText(), '点按重试');
    assert.equal(await photos.getByTestId('photo-error').innerText(), '网络连接失败，请检查网络后重试（点按图片重试）');
    assert.equal(attempts.length, 4);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]);
    for (const [i, want] of [2000, 5000, 10000].entries()) {
      assert.ok(gaps[i] >= want - 100 && gaps[i] < want + 2000, `backoff ${i + 1}: ${gaps[i]} ms, want about ${want}`);
    }
    assert.equal(await page.getByTestId('report-submit').isDisabled(), false, 'a failed photo does not block the form');
    await w.screenshot('retry-failed');
    await page.waitForTimeout(1500);
    assert.equal(attempts.length, 4, 'no more tries without a tap');
    excuseLostUploads(w, 4);

    await failed.click();
    await eventually(async () => assert.equal(await count(photos), '2'), { timeout: 10000 });
    assert.equal(attempts.length, 5);
    assert.equal(await photos.getByTestId('photo-failed').count(), 0);
    assert.equal(await photos.getByTestId('photo-error').count(), 0);
  });
});
