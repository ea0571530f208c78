// photos.test.js — issue 3, part 5: photos of cases. Only JPEG/PNG/WebP (HEIC and others refused
// with a clear message), size-capped, re-encoded without EXIF (no GPS leaves the server), upright,
// with a thumbnail, stored once per content, attached to case events, and served only to the
// uploader and those whose scope covers the case.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, demo, assertError, createAccount } from './lib/client.js';
import { png, withExif, jpegSize, EXIF_MARK } from './lib/images.js';

let resident, worker, otherWorker, otherResident, admin, community;

before(async () => {
  resident = await demo('duolun.resident');
  worker = await demo('duolun.grid');
  community = await demo('duolun.community');
  admin = await demo('duolun.admin');
  otherWorker = (await createAccount(admin, { scope_code: '15253120220602', prefix: 'p2' })).token;
  otherResident = await demo('huimin.resident');
});

const upload = (token, bytes, type = 'image/png') =>
  api('POST', '/api/v1/photos', { token, body: bytes, headers: { 'content-type': type } });

async function bytesOf(token, url, headers = {}) {
  const res = await fetch(process.env.JICENG_TEST_URL.replace(/\/$/, '') + url, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe('upload', () => {
  test('a PNG becomes a cleaned JPEG with a thumbnail, content-addressed', async () => {
    const r = await upload(resident, png(640, 480, { seed: 1 }));
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.id, /^[0-9a-f]{64}$/);
    assert.equal(r.json.url, `/api/v1/photos/${r.json.id}`);
    assert.equal(r.json.thumb_url, `/api/v1/photos/${r.json.id}/thumb`);
    assert.equal(r.json.width, 640);
    assert.equal(r.json.height, 480);
    const full = await bytesOf(resident, r.json.url);
    assert.equal(full.status, 200);
    assert.equal(full.headers.get('content-type'), 'image/jpeg');
    assert.equal(full.body[0], 0xff);
    assert.equal(full.body[1], 0xd8);
    assert.deepEqual(jpegSize(full.body), { width: 640, height: 480 });
    assert.equal(full.body.length, r.json.bytes);
    const th = await bytesOf(resident, r.json.thumb_url);
    assert.equal(th.status, 200);
    assert.deepEqual(jpegSize(th.body), { width: 320, height: 240 });
    // The same picture again: the same id (kept once).
    const again = await upload(resident, png(640, 480, { seed: 1 }));
    assert.equal(again.status, 201);
    assert.equal(again.json.id, r.json.id);
    // Cached by the phone: the id is the ETag.
    const etag = full.headers.get('etag');
    assert.ok(etag && etag.includes(r.json.id));
    assert.match(full.headers.get('cache-control'), /private/);
    const cached = await bytesOf(resident, r.json.url, { 'if-none-match': etag });
    assert.equal(cached.status, 304);
  });

  test('EXIF (GPS included) is stripped and the picture is turned upright', async () => {
    const first = await upload(resident, png(64, 32, { seed: 2 }));
    assert.equal(first.status, 201, first.text);
    const jpeg = (await bytesOf(resident, first.json.url)).body;
    const tagged = withExif(jpeg);
    assert.ok(tagged.includes(EXIF_MARK), 'the test input carries the marker');
    const r = await upload(resident, tagged, 'image/jpeg');
    assert.equal(r.status, 201, r.text);
    // Orientation 6: a 64 × 32 picture is shown 32 × 64.
    assert.equal(r.json.width, 32);
    assert.equal(r.json.height, 64);
    for (const url of [r.json.url, r.json.thumb_url]) {
      const out = (await bytesOf(resident, url)).body;
      assert.ok(!out.includes(EXIF_MARK), `${url}: description gone`);
      assert.ok(!out.includes(Buffer.from('Exif\0\0', 'binary')), `${url}: no EXIF block at all`);
    }
  });

  test('a PNG with transparency is flattened onto white', async () => {
    const r = await upload(resident, png(100, 50, { alpha: true, seed: 3 }));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.width, 100);
  });

  test('a big picture is shrunk to 2048 px on its long edge', async () => {
    const r = await upload(resident, png(3000, 1000, { seed: 4 }));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.width, 2048);
    assert.equal(r.json.height, 683);
  });

  test('HEIC is refused with a message that says what to do', async () => {
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic'), Buffer.alloc(200)]);
    const e = assertError(await upload(resident, heic, 'image/heic'), 400, 'unsupported_image', 'photo');
    assert.match(e.message, /HEIC/);
  });

  test('what is not a picture is refused: text, GIF, broken JPEG, empty, too big', async () => {
    assertError(await upload(resident, Buffer.from('hello, not a photo'), 'image/jpeg'), 400, 'unsupported_image', 'photo');
    assertError(await upload(resident, Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(100)]), 'image/gif'), 400, 'unsupported_image');
    // A JPEG cut off half way (a bad network): refused, not kept half grey.
    const ok = await upload(resident, png(400, 300, { seed: 5 }));
    const jpeg = (await bytesOf(resident, ok.json.url)).body;
    assertError(await upload(resident, jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'image/jpeg'), 400, 'bad_image', 'photo');
    // A PNG that claims to be huge (decompression bomb): refused from its header.
    const bomb = png(16, 16);
    bomb.writeUInt32BE(30000, 16);
    bomb.writeUInt32BE(30000, 20);
    const b = await upload(resident, bomb);
    assert.equal(b.status, 400, b.text);
    assertError(await upload(resident, Buffer.alloc(0)), 400, 'invalid');
    const big = Buffer.concat([png(8, 8), Buffer.alloc(10 * 1024 * 1024)]);
    assertError(await upload(resident, big), 413, 'too_large');
  });

  test('only signed-in people upload', async () => {
    const r = await api('POST', '/api/v1/photos', { body: png(), headers: { 'content-type': 'image/png' } });
    assert.equal(r.status, 401);
  });
});

describe('photos on cases', () => {
  let caseId, photoId, resultId;

  test('a report carries up to 6 photos; they show on its first event', async () => {
    const p = await upload(resident, png(200, 100, { seed: 10 }));
    photoId = p.json.id;
    const c = await api('POST', '/api/v1/cases', {
      token: resident,
      body: { category: '0301', description: '楼道里堆放杂物，附照片', photos: [photoId] },
    });
    assert.equal(c.status, 201, c.text);
    caseId = c.json.id;
    const first = c.json.timeline.find((e) => e.seq === 1);
    assert.deepEqual(first.photos.map((x) => x.id), [photoId]);
    assert.equal(first.photos[0].thumb_url, `/api/v1/photos/${photoId}/thumb`);
    const second = c.json.timeline.find((e) => e.seq === 2);
    assert.deepEqual(second.photos, []);
  });

  test('the grid worker and the community see the photo; another grid and another county do not', async () => {
    assert.equal((await bytesOf(worker, `/api/v1/photos/${photoId}`)).status, 200);
    assert.equal((await bytesOf(community, `/api/v1/photos/${photoId}/thumb`)).status, 200);
    const other = await bytesOf(otherWorker, `/api/v1/photos/${photoId}`);
    assert.equal(other.status, 404);
    assert.equal((await bytesOf(otherResident, `/api/v1/photos/${photoId}`)).status, 404);
    assert.equal((await bytesOf(otherResident, `/api/v1/photos/${'0'.repeat(64)}`)).status, 404);
    assert.equal((await bytesOf(worker, '/api/v1/photos/not-an-id')).status, 404);
  });

  test('the worker resolves with a result photo', async () => {
    assert.equal((await api('POST', `/api/v1/cases/${caseId}/events`, { token: worker, body: { event: 'accept' } })).status, 200);
    const p = await upload(worker, png(120, 90, { seed: 11 }));
    resultId = p.json.id;
    const r = await api('POST', `/api/v1/cases/${caseId}/events`, {
      token: worker,
      body: { event: 'resolve', note: '已清理', photos: [resultId] },
    });
    assert.equal(r.status, 200, r.text);
    const ev = r.json.timeline.find((e) => e.event === 'resolve');
    assert.deepEqual(ev.photos.map((x) => x.id), [resultId]);
    // The reporter sees the result photo of her case.
    assert.equal((await bytesOf(resident, `/api/v1/photos/${resultId}`)).status, 200);
  });

  test('bad photo lists are refused and nothing is written', async () => {
    const before = (await api('GET', '/api/v1/cases?limit=200', { token: resident })).json.items.length;
    const mine = await upload(resident, png(50, 50, { seed: 12 }));
    const report = (photos) => api('POST', '/api/v1/cases', { token: resident, body: { category: '0301', description: '测试照片校验', photos } });
    // Someone else's upload cannot be attached.
    assertError(await report([resultId]), 400, 'invalid', 'photos');
    assertError(await report(['abc']), 400, 'invalid', 'photos');
    assertError(await report([mine.json.id, mine.json.id]), 400, 'invalid', 'photos');
    assertError(await report('x'), 400, 'invalid', 'photos');
    const seven = [];
    for (let i = 0; i < 7; i++) seven.push((await upload(resident, png(20, 20, { seed: 20 + i }))).json.id);
    assertError(await report(seven), 400, 'invalid', 'photos');
    const after = (await api('GET', '/api/v1/cases?limit=200', { token: resident })).json.items.length;
    assert.equal(after, before, 'no case was made by a refused report');
    // The same on a step: refused, and the case did not move.
    const c = await api('GET', `/api/v1/cases/${caseId}`, { token: resident });
    assertError(await api('POST', `/api/v1/cases/${caseId}/events`, { token: resident, body: { event: 'rate', rating: 5, photos: [resultId] } }), 400, 'invalid', 'photos');
    const c2 = await api('GET', `/api/v1/cases/${caseId}`, { token: resident });
    assert.equal(c2.json.state, c.json.state);
    assert.equal(c2.json.timeline.length, c.json.timeline.length);
  });
});
