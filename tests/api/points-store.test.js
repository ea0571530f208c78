// points-store.test.js — 积分超市 (issue 4, docs/POINTS.md "Store") and the county overview, on the
// demo's 化德县 长丰社区 (150922103009), which no other points test touches: goods and their scope,
// redemption end to end (order → code → handover, points and stock moved once), refusals with
// nothing written, cancel and expiry refunds, keepers guessing codes (10 digits, 5 misses pause
// the account 15 minutes), racing orders, idempotent retries, and the county
// overview (JSON and Excel) traced to the ledger rows themselves.
// Points reach households through the village admin's adjustments (POST /api/v1/points/adjustments).
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, demo, assertError, createAccount, BIN, DATA, DB, WORK } from './lib/client.js';
import { openStream } from './lib/sse.js';

const V = '150922103009'; // 化德县 长丰社区
const V_NAME = '长丰社区';
const CN_YEAR = new Date(Date.now() + 8 * 3600e3).getUTCFullYear();

/** One SQL query on the server's store (read-only use, except where a test says so). */
function sql(q) {
  const r = DB
    ? spawnSync('psql', [DB, '-v', 'ON_ERROR_STOP=1', '-AtF', '|', '-c', q], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-cmd', '.timeout 5000', join(DATA, 'jiceng.db'), q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}
const num = (q) => Number(sql(q) || 0);
const balance = (hh) => num(`SELECT balance FROM points_accounts WHERE household_id = ${hh}`);
const stock = (g) => num(`SELECT stock FROM points_goods WHERE id = ${g}`);
const entries = (hh) => num(`SELECT COUNT(*) FROM points_entries WHERE household_id = ${hh}`);
const orders = (hh) => num(`SELECT COUNT(*) FROM points_orders WHERE household_id = ${hh}`);

function jiceng(args) {
  const r = spawnSync(BIN, [...args, '--data', DATA, ...(DB ? ['--db', DB] : [])], { encoding: 'utf8', timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let admin, county, grid, resident, head, informant, party;
let hhResident, hhHead, hhParty;

async function adjust(hh, points, token = admin, reason = '测试：积分调整') {
  const r = await api('POST', '/api/v1/points/adjustments', { token, body: { household_id: String(hh), points, reason } });
  assert.ok(r.status === 201 || r.status === 200, `adjust ${hh} by ${points}: ${r.status} ${r.text}`);
  return r.json;
}

async function newGoods(body, token = admin) {
  const r = await api('POST', `/api/v1/villages/${V}/goods`, { token, body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const order = (token, goods, qty = 1, headers = {}) =>
  api('POST', '/api/v1/points/orders', { token, body: { goods_id: goods.id, qty }, headers });

before(async () => {
  admin = await demo('huade.community');
  county = await demo('huade.admin');
  grid = await demo('huade.grid');
  resident = await demo('huade.resident');
  head = await demo('huade.head');
  informant = await demo('huade.informant');
  party = await demo('huade.party');
  const hid = async (t) => (await api('GET', '/api/v1/me/household', { token: t })).json.id;
  hhResident = await hid(resident);
  hhHead = await hid(head);
  hhParty = await hid(informant);
  assert.ok(hhResident && hhHead && hhParty, 'demo households');
  assert.notEqual(hhResident, hhHead);
  assert.equal(await hid(party), hhParty, 'the party leader and the informant share a household');
  // Points on in the village with room in this year's budget (1 元 a point).
  const s = await api('PUT', `/api/v1/villages/${V}/points-settings`, {
    token: admin,
    body: { fen_per_point: 100, budgets: [{ year: CN_YEAR, budget_fen: 100000000 }] },
  });
  assert.ok(s.status === 200 || s.status === 201, `settings: ${s.text}`);
});

describe('goods: the village store and who may change it', () => {
  test('the village admin adds goods; residents of the village see them without the cost', async () => {
    const g = await newGoods({ name: '洗衣粉（测试）', price_points: 10, stock: 5, cost_fen: 1250 });
    assert.equal(g.village_code, V);
    assert.equal(g.price_points, 10);
    assert.equal(g.stock, 5);
    assert.equal(g.cost_fen, 1250);
    assert.equal(g.active, true);
    const mine = await api('GET', `/api/v1/villages/${V}/goods`, { token: resident });
    assert.equal(mine.status, 200);
    const seen = mine.json.items.find((x) => x.id === g.id);
    assert.ok(seen, 'listed for the resident');
    assert.equal(seen.cost_fen, undefined, 'cost is for staff');
    const staff = await api('GET', `/api/v1/villages/${V}/goods`, { token: grid });
    assert.equal(staff.json.items.find((x) => x.id === g.id).cost_fen, 1250);
  });

  test('the county admin may add goods too; a photo must be one the caller uploaded', async () => {
    const g = await newGoods({ name: '毛巾（县）', price_points: 3, stock: 10 }, county);
    assert.equal(g.village_code, V);
    assertError(await api('POST', `/api/v1/villages/${V}/goods`, { token: admin, body: { name: '带图', price_points: 1, stock: 1, photo_id: 'a'.repeat(64) } }), 400, 'invalid', 'photo_id');
  });

  test('outside the village: 404; roles that may not manage the store: 403', async () => {
    assertError(await api('GET', `/api/v1/villages/${V}/goods`, { token: await demo('tuquan.resident') }), 404);
    assertError(await api('POST', `/api/v1/villages/${V}/goods`, { token: await demo('tuquan.community'), body: { name: '越权', price_points: 1, stock: 1 } }), 404);
    assertError(await api('POST', `/api/v1/villages/${V}/goods`, { token: await demo('tuquan.admin'), body: { name: '越权', price_points: 1, stock: 1 } }), 404);
    assertError(await api('POST', `/api/v1/villages/${V}/goods`, { token: grid, body: { name: '网格员', price_points: 1, stock: 1 } }), 403);
    assertError(await api('POST', `/api/v1/villages/999999999999/goods`, { token: county, body: { name: '无此村', price_points: 1, stock: 1 } }), 404);
  });

  test('bad input is refused with the field named', async () => {
    assertError(await api('POST', `/api/v1/villages/${V}/goods`, { token: admin, body: { price_points: 1, stock: 1 } }), 400, 'invalid', 'name');
    assertError(await api('POST', `/api/v1/villages/${V}/goods`, { token: admin, body: { name: 'x', price_points: 0, stock: 1 } }), 400, 'invalid', 'price_points');
    assertError(await api('POST', `/api/v1/villages/${V}/goods`, { token: admin, body: { name: 'x', price_points: 1, stock: -1 } }), 400, 'invalid', 'stock');
    assertError(await api('POST', `/api/v1/villages/${V}/goods`, { token: admin, body: { name: 'x', price_points: 1, stock: 1, colour: 'red' } }), 400, 'unknown_field');
    assertError(await api('POST', `/api/v1/villages/${V}/goods`, { token: admin, body: { name: '  ', price_points: 1, stock: 1 } }), 400, 'invalid', 'name');
  });

  test('PATCH changes price and stock, takes goods off the shelf; residents then neither see nor order them', async () => {
    const g = await newGoods({ name: '食用油（测试）', price_points: 50, stock: 2 });
    const p = await api('PATCH', `/api/v1/goods/${g.id}`, { token: admin, body: { price_points: 40, stock: 7 } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.price_points, 40);
    assert.equal(p.json.stock, 7);
    assertError(await api('PATCH', `/api/v1/goods/${g.id}`, { token: admin, body: {} }), 400);
    assertError(await api('PATCH', `/api/v1/goods/${g.id}`, { token: await demo('tuquan.community'), body: { stock: 1 } }), 404);
    assertError(await api('PATCH', `/api/v1/goods/${g.id}`, { token: grid, body: { stock: 1 } }), 403);
    const off = await api('PATCH', `/api/v1/goods/${g.id}`, { token: admin, body: { active: false } });
    assert.equal(off.json.active, false);
    const list = await api('GET', `/api/v1/villages/${V}/goods`, { token: resident });
    assert.ok(!list.json.items.some((x) => x.id === g.id), 'hidden from residents');
    const adminList = await api('GET', `/api/v1/villages/${V}/goods`, { token: admin });
    assert.ok(adminList.json.items.some((x) => x.id === g.id), 'the admin still sees it');
    await adjust(hhResident, 100);
    const before = [balance(hhResident), entries(hhResident)];
    assertError(await order(resident, g), 409, 'goods_inactive');
    assert.deepEqual([balance(hhResident), entries(hhResident)], before, 'nothing written');
  });
});

describe('redemption: order, code, handover', () => {
  test('end to end: points and stock move together, once; the code works once', async () => {
    const g = await newGoods({ name: '香皂（测试）', price_points: 10, stock: 3, cost_fen: 300 });
    await adjust(hhResident, 30);
    const bal0 = balance(hhResident);
    const r = await order(resident, g, 2);
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.code, /^\d{10}$/, 'a 10-digit code');
    const o = r.json.order;
    assert.equal(o.state, 'issued');
    assert.equal(o.points, 20);
    assert.equal(o.qty, 2);
    assert.equal(o.household_id, hhResident);
    assert.equal(o.expires_at - o.created_at, 7 * 24 * 3600 * 1000);
    assert.equal(balance(hhResident), bal0 - 20);
    assert.equal(stock(g.id), 1);
    // One redemption entry for the order, in the ledger.
    assert.equal(sql(`SELECT kind || ':' || points FROM points_entries WHERE order_id = ${o.id}`), 'redemption:-20');
    // The code is kept only hashed and encrypted.
    assert.equal(num(`SELECT COUNT(*) FROM points_orders WHERE code_hash = '${r.json.code}' OR code_enc = '${r.json.code}'`), 0);

    // The QR for the household only.
    const qr = await api('GET', r.json.qr_url, { token: resident });
    assert.equal(qr.status, 200);
    assert.match(qr.headers.get('content-type'), /image\/svg\+xml/);
    assert.match(qr.text, /^<\?xml[^]*<svg [^]*<path [^]*\/><\/svg>/);
    assert.match(qr.headers.get('cache-control') || '', /no-store/);
    assertError(await api('GET', r.json.qr_url, { token: head }), 404);

    // The household sees its order; the village's keepers see it in their list.
    const mine = await api('GET', '/api/v1/points/orders', { token: resident });
    assert.ok(mine.json.items.some((x) => x.id === o.id));
    const kept = await api('GET', '/api/v1/points/orders?state=issued', { token: grid });
    assert.ok(kept.json.items.some((x) => x.id === o.id), 'in the grid worker\'s list');
    const other = await api('GET', '/api/v1/points/orders', { token: await demo('tuquan.community') });
    assert.ok(!other.json.items.some((x) => x.id === o.id), 'not in another village\'s list');

    // Handover by the village admin, once.
    assertError(await api('POST', '/api/v1/points/orders/handover', { token: admin, body: { code: '1234567' } }), 400, 'invalid', 'code');
    assertError(await api('POST', '/api/v1/points/orders/handover', { token: await demo('tuquan.community'), body: { code: r.json.code } }), 404);
    assertError(await api('POST', '/api/v1/points/orders/handover', { token: resident, body: { code: r.json.code } }), 403);
    const h = await api('POST', '/api/v1/points/orders/handover', { token: admin, body: { code: r.json.code } });
    assert.equal(h.status, 200, h.text);
    assert.equal(h.json.order.state, 'handed_over');
    assert.equal(h.json.order.id, o.id);
    assert.ok(h.json.order.closed_by);
    assertError(await api('POST', '/api/v1/points/orders/handover', { token: admin, body: { code: r.json.code } }), 409, 'already_used');
    assertError(await api('POST', '/api/v1/points/orders/handover', { token: grid, body: { code: r.json.code } }), 409, 'already_used');
    assert.equal(balance(hhResident), bal0 - 20, 'handover moves no points');
    assert.equal(stock(g.id), 1, 'nor stock');
    assert.equal(num(`SELECT COUNT(*) FROM points_entries WHERE order_id = ${o.id}`), 1);
    // After handover: no QR, no cancel.
    assertError(await api('GET', r.json.qr_url, { token: resident }), 409, 'order_closed');
    assertError(await api('POST', `/api/v1/points/orders/${o.id}/cancel`, { token: resident }), 409, 'already_used');
  });

  test('the household hears of the handover at once: an order_update message on its live stream', async () => {
    const g = await newGoods({ name: '毛巾（测试）', price_points: 3, stock: 2 });
    await adjust(hhResident, 10);
    const r = await order(resident, g);
    assert.equal(r.status, 201, r.text);
    const s = await openStream(resident);
    try {
      assert.equal(s.status, 200, s.text);
      await s.next((e) => e.retry === '3000', 2000);
      const t0 = Date.now();
      const h = await api('POST', '/api/v1/points/orders/handover', { token: grid, body: { code: r.json.code } });
      assert.equal(h.status, 200, h.text);
      const ev = await s.next((e) => e.event === 'inbox' && e.json && e.json.kind === 'order_update', 5000);
      assert.ok(Date.now() - t0 < 1500, `woken by the commit, not the 2 s tick (${Date.now() - t0} ms)`);
      assert.equal(ev.json.title, '兑换商品已领取');
      assert.match(ev.json.body, /「毛巾（测试） ×1」已领取/);
      assert.equal(ev.json.case_id, undefined, 'no case behind it');
    } finally {
      s.close();
    }
    const inbox = await api('GET', '/api/v1/inbox?limit=5', { token: resident });
    assert.equal(inbox.status, 200, inbox.text);
    assert.ok(inbox.json.items.some((m) => m.kind === 'order_update' && m.body.includes('毛巾（测试）')));
    const keeperInbox = await api('GET', '/api/v1/inbox?limit=5', { token: grid });
    assert.ok(!keeperInbox.json.items.some((m) => m.kind === 'order_update' && m.body.includes('毛巾（测试）')), 'the keeper is not told');
  });

  test('a grid worker of the village hands over too', async () => {
    const g = await newGoods({ name: '牙膏（测试）', price_points: 2, stock: 2 });
    await adjust(hhHead, 10);
    const r = await order(head, g);
    assert.equal(r.status, 201, r.text);
    // Typed as it is read aloud, grouped 3-3-4 with a space and a dash: the digits count.
    const grouped = r.json.code.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2-$3');
    const h = await api('POST', '/api/v1/points/orders/handover', { token: grid, body: { code: grouped } });
    assert.equal(h.status, 200, h.text);
    assert.equal(h.json.order.state, 'handed_over');
  });

  test('too few points: 409 insufficient_points, nothing written', async () => {
    const g = await newGoods({ name: '电饭锅（测试）', price_points: 1000000, stock: 5 });
    const before = [balance(hhResident), entries(hhResident), orders(hhResident), stock(g.id)];
    assertError(await order(resident, g), 409, 'insufficient_points');
    assert.deepEqual([balance(hhResident), entries(hhResident), orders(hhResident), stock(g.id)], before);
  });

  test('out of stock: 409 out_of_stock, nothing written', async () => {
    const g = await newGoods({ name: '酱油（测试）', price_points: 1, stock: 2 });
    await adjust(hhResident, 10);
    const before = [balance(hhResident), entries(hhResident), orders(hhResident), stock(g.id)];
    assertError(await order(resident, g, 3), 409, 'out_of_stock');
    assert.deepEqual([balance(hhResident), entries(hhResident), orders(hhResident), stock(g.id)], before);
    assertError(await order(resident, g, 0), 400, 'invalid', 'qty');
    assertError(await order(resident, g, 100), 400, 'invalid', 'qty');
    assertError(await api('POST', '/api/v1/points/orders', { token: resident, body: { goods_id: 12 } }), 400, 'invalid', 'goods_id');
  });

  test('goods of another village: 404; an account without a household: 403', async () => {
    const other = await api('POST', '/api/v1/villages/150922103001/goods', { token: county, body: { name: '别村的', price_points: 1, stock: 5 } });
    assert.equal(other.status, 201, other.text);
    assertError(await order(resident, other.json), 404);
    const u = await createAccount(county, { role: 'resident', scope_code: '15092210300901001', prefix: 'nohh' });
    const g = await newGoods({ name: '无户测试', price_points: 1, stock: 1 });
    assertError(await order(u.token, g), 403, 'no_household');
  });

  test('cancel before handover: a refund entry and the stock back, once', async () => {
    const g = await newGoods({ name: '大米（测试）', price_points: 15, stock: 4 });
    await adjust(hhResident, 30);
    const bal0 = balance(hhResident);
    const r = await order(resident, g, 2);
    assert.equal(r.status, 201, r.text);
    assert.equal(balance(hhResident), bal0 - 30);
    assert.equal(stock(g.id), 2);
    assertError(await api('POST', `/api/v1/points/orders/${r.json.order.id}/cancel`, { token: head }), 404);
    // A keeper who is neither of the household nor the village admin may not cancel.
    const keeper = await createAccount(county, { role: 'grid_worker', scope_code: '15092210300901', prefix: 'keep' });
    assertError(await api('POST', `/api/v1/points/orders/${r.json.order.id}/cancel`, { token: keeper.token }), 403);
    const c = await api('POST', `/api/v1/points/orders/${r.json.order.id}/cancel`, { token: resident });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.order.state, 'cancelled');
    assert.equal(balance(hhResident), bal0);
    assert.equal(stock(g.id), 4);
    assert.equal(sql(`SELECT kind || ':' || points FROM points_entries WHERE order_id = ${r.json.order.id} ORDER BY seq`), 'redemption:-30\nrefund:30');
    assertError(await api('POST', `/api/v1/points/orders/${r.json.order.id}/cancel`, { token: resident }), 409, 'order_closed');
    assertError(await api('POST', '/api/v1/points/orders/handover', { token: admin, body: { code: r.json.code } }), 409, 'order_closed');
    // The village admin may cancel too.
    const r2 = await order(resident, g, 1);
    const c2 = await api('POST', `/api/v1/points/orders/${r2.json.order.id}/cancel`, { token: admin });
    assert.equal(c2.status, 200, c2.text);
    assert.equal(balance(hhResident), bal0);
    assert.equal(stock(g.id), 4);
  });

  test('an order not collected in 7 days expires on the scheduler\'s pass: refund, stock back', async () => {
    const g = await newGoods({ name: '面粉（测试）', price_points: 7, stock: 1 });
    await adjust(hhResident, 7);
    const bal0 = balance(hhResident);
    const r = await order(resident, g);
    assert.equal(r.status, 201, r.text);
    const o = r.json.order;
    // Whatever else of the household is due by then (orders left open by earlier runs) is
    // refunded by these passes.
    const due = num(`SELECT COALESCE(SUM(points), 0) FROM points_orders WHERE household_id = ${hhResident} AND state = 'issued' AND expires_at <= ${o.expires_at + 1000} AND id <> ${o.id}`);
    const early = jiceng(['tick', '--now', String(o.expires_at - 1000)]);
    assert.equal(early.code, 0, early.err);
    assert.equal(sql(`SELECT state FROM points_orders WHERE id = ${o.id}`), 'issued');
    const t = jiceng(['tick', '--now', String(o.expires_at + 1000)]);
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /[1-9]\d* store orders expired/);
    assert.equal(sql(`SELECT state FROM points_orders WHERE id = ${o.id}`), 'expired');
    assert.equal(balance(hhResident), bal0 + due);
    assert.equal(stock(g.id), 1);
    assert.equal(num(`SELECT COUNT(*) FROM points_entries WHERE order_id = ${o.id} AND kind = 'refund' AND points = 7`), 1);
    assertError(await api('POST', '/api/v1/points/orders/handover', { token: admin, body: { code: r.json.code } }), 409, 'order_closed');
    // A second pass changes nothing.
    jiceng(['tick', '--now', String(o.expires_at + 5000)]);
    assert.equal(num(`SELECT COUNT(*) FROM points_entries WHERE order_id = ${o.id}`), 2);
  });

  test('a retry with the same Idempotency-Key gives the same order and code; points move once', async () => {
    const g = await newGoods({ name: '鸡蛋（测试）', price_points: 4, stock: 10 });
    await adjust(hhResident, 8);
    const bal0 = balance(hhResident);
    const key = `order-${Date.now()}-${Math.random()}`;
    const a = await order(resident, g, 1, { 'idempotency-key': key });
    assert.equal(a.status, 201, a.text);
    const b = await order(resident, g, 1, { 'idempotency-key': key });
    assert.equal(b.status, 200, b.text);
    assert.equal(b.json.order.id, a.json.order.id);
    assert.equal(b.json.code, a.json.code);
    assert.equal(balance(hhResident), bal0 - 4);
    assert.equal(stock(g.id), 9);
    assertError(await order(resident, g, 2, { 'idempotency-key': key }), 409, 'conflict');
  });
});

describe('guessing codes: a keeper is paused after 5 codes that match nothing (issue 9 part 6)', () => {
  const GRID = '15092210300901'; // a grid of the village: its grid workers are keepers
  const handover = (token, code) => api('POST', '/api/v1/points/orders/handover', { token, body: { code } });
  /** A fresh keeper, so that no other test's tries count against it. */
  const keeper = () => createAccount(county, { role: 'grid_worker', scope_code: GRID, prefix: 'keeper' });
  /** A 10-digit code; the chance that it is one of the village's open codes is nil. */
  const wrong = () => String(Math.floor(Math.random() * 1e10)).padStart(10, '0');
  const audited = (user, action, outcome) =>
    num(`SELECT COUNT(*) FROM audit WHERE user_id = ${user} AND action = '${action}' AND outcome = '${outcome}'`);
  const guard = (user) => sql(`SELECT misses || ':' || locked_until FROM points_handover_guard WHERE user_id = ${user}`);
  const lockedUntil = (user) => num(`SELECT locked_until FROM points_handover_guard WHERE user_id = ${user}`);
  /** The keyed hash the server finds a code by: BLAKE2b-256 keyed with DATA/keys/hash.key (libsodium's
   * crypto_generichash), computed here to give an order the 8-digit code of an order issued before. */
  function codeHash(code) {
    const py = 'import sys, hashlib; k = open(sys.argv[1], "rb").read(); print(hashlib.blake2b(sys.argv[2].encode(), digest_size=32, key=k).hexdigest())';
    const r = spawnSync('python3', ['-c', py, join(DATA, 'keys', 'hash.key'), code], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  }
  async function issued(name) {
    const g = await newGoods({ name, price_points: 1, stock: 5 });
    await adjust(hhResident, 1);
    const r = await order(resident, g);
    assert.equal(r.status, 201, r.text);
    return r.json;
  }
  /** n wrong codes one after the other; the replies. */
  async function miss(token, n) {
    const out = [];
    for (let i = 0; i < n; i++) out.push(await handover(token, wrong()));
    return out;
  }

  test('an 8-digit code of an order issued before the longer codes still redeems', async () => {
    const made = await issued('老兑换码（测试）');
    const id = made.order.id;
    assert.equal(codeHash(made.code), sql(`SELECT code_hash FROM points_orders WHERE id = ${id}`), 'the hash as the server makes it');
    const old = String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
    sql(`UPDATE points_orders SET code_hash = '${codeHash(old)}' WHERE id = ${id}`);
    const k = await keeper();
    const h = await handover(k.token, `${old.slice(0, 4)} ${old.slice(4)}`);
    assert.equal(h.status, 200, h.text);
    assert.equal(h.json.order.id, id);
    assert.equal(h.json.order.state, 'handed_over');
  });

  test('malformed codes are refused before any lookup and count for nothing', async () => {
    const k = await keeper();
    for (const bad of ['123456789', '12345678901', '123456789x', '１２３４５６７８９０', '1234567890'.repeat(5)])
      assertError(await handover(k.token, bad), 400, 'invalid', 'code');
    assert.equal(num(`SELECT COUNT(*) FROM points_handover_guard WHERE user_id = ${k.id}`), 0);
  });

  test('the 5th miss in 10 minutes pauses the keeper 15 minutes; even the right code is refused; others go on', async () => {
    const made = await issued('核销暂停（测试）');
    const k = await keeper();
    const other = await keeper();
    const misses = await miss(k.token, 4);
    misses.forEach((r, i) => {
      const e = assertError(r, 404, 'not_found', 'code');
      assert.match(e.message, new RegExp(`^兑换码无效.*再错 ${4 - i} 次将暂停核销 15 分钟`), e.message);
    });
    const t5 = Date.now();
    const fifth = await handover(k.token, wrong());
    const e5 = assertError(fifth, 423, 'too_many_attempts');
    const until = lockedUntil(k.id);
    assert.ok(until >= t5 + 15 * 60e3 - 2000 && until <= Date.now() + 15 * 60e3, `locked for 15 minutes: ${until - t5}`);
    // When to come back, China time, rounded up to the minute.
    const back = new Date(Math.ceil(until / 60e3) * 60e3 + 8 * 3600e3);
    const hhmm = `${String(back.getUTCHours()).padStart(2, '0')}:${String(back.getUTCMinutes()).padStart(2, '0')}`;
    assert.ok(e5.message.includes(`请于 ${hhmm}`), `${e5.message} names ${hhmm}`);
    const wait = Number(fifth.headers.get('retry-after'));
    assert.ok(wait > 14 * 60 && wait <= 15 * 60, `Retry-After ${wait}`);
    // Locked: the right code is refused too — no answer tells a right code from a wrong one.
    const right = await handover(k.token, made.code);
    assertError(right, 423, 'too_many_attempts');
    assert.ok(Number(right.headers.get('retry-after')) > 0);
    assertError(await handover(k.token, wrong()), 423, 'too_many_attempts');
    assert.equal(sql(`SELECT state FROM points_orders WHERE id = ${made.order.id}`), 'issued');
    // Audited: the 5 misses (with the account and its IP) and the lock; refusals while locked
    // looked nothing up.
    assert.equal(audited(k.id, 'order_handover', 'failed'), 5);
    assert.equal(audited(k.id, 'handover_locked', 'denied'), 1);
    assert.equal(num(`SELECT COUNT(*) FROM audit WHERE user_id = ${k.id} AND action = 'order_handover' AND outcome = 'failed' AND object = 'user:${k.id}' AND ip IS NOT NULL`), 5);
    // Another keeper of the village is not affected.
    const h = await handover(other.token, made.code);
    assert.equal(h.status, 200, h.text);
    assert.equal(h.json.order.id, made.order.id);
  });

  test('once the pause is over the keeper works again; misses older than 10 minutes are forgotten', async () => {
    const k = await keeper();
    const rs = await miss(k.token, 5);
    assertError(rs[4], 423, 'too_many_attempts');
    // The server's clock cannot be moved: the lock is moved into the past instead.
    sql(`UPDATE points_handover_guard SET locked_until = ${Date.now() - 1000} WHERE user_id = ${k.id}`);
    const made = await issued('暂停结束（测试）');
    const h = await handover(k.token, made.code);
    assert.equal(h.status, 200, h.text);
    // The lock took the misses with it: the count starts again.
    assert.match(assertError(await handover(k.token, wrong()), 404, 'not_found').message, /再错 4 次/);
    // 4 misses, the first of them 10 minutes ago: the window is over, the next miss opens a new one.
    sql(`UPDATE points_handover_guard SET misses = 4, window_from = ${Date.now() - 10 * 60e3 - 1000} WHERE user_id = ${k.id}`);
    assert.match(assertError(await handover(k.token, wrong()), 404, 'not_found').message, /再错 4 次/);
    assert.match(guard(k.id), /^1:/);
    // 4 misses, the first 9 minutes ago: the 5th within the window locks.
    sql(`UPDATE points_handover_guard SET misses = 4, window_from = ${Date.now() - 9 * 60e3} WHERE user_id = ${k.id}`);
    assertError(await handover(k.token, wrong()), 423, 'too_many_attempts');
  });

  test('a handover that succeeds forgives no miss', async () => {
    const k = await keeper();
    await miss(k.token, 3);
    const made = await issued('不清零（测试）');
    assert.equal((await handover(k.token, made.code)).status, 200);
    const rs = await miss(k.token, 2);
    assertError(rs[0], 404, 'not_found');
    assertError(rs[1], 423, 'too_many_attempts');
  });

  test('parallel tries all count: 2 wrong at once are 2 misses, 300 at once look up 5 codes', async () => {
    const k = await keeper();
    const two = await Promise.all([handover(k.token, wrong()), handover(k.token, wrong())]);
    const left = two.map((r) => assertError(r, 404, 'not_found').message.match(/再错 (\d) 次/)[1]).sort();
    assert.deepEqual(left, ['3', '4'], 'one after the other, not both against the same count');
    assert.match(guard(k.id), /^2:0$/);

    const k300 = await keeper();
    const rs = await Promise.all(Array.from({ length: 300 }, () => handover(k300.token, wrong())));
    const by = {};
    for (const r of rs) by[r.status] = (by[r.status] || 0) + 1;
    assert.deepEqual(by, { 404: 4, 423: 296 }, JSON.stringify(by));
    for (const r of rs.filter((x) => x.status === 423)) assertError(r, 423, 'too_many_attempts');
    assert.equal(audited(k300.id, 'order_handover', 'failed'), 5, 'five codes looked up, no more');
    assert.equal(audited(k300.id, 'handover_locked', 'denied'), 1);
    assert.ok(lockedUntil(k300.id) > Date.now() + 14 * 60e3);
  });
});

describe('racing orders: exactly as many win as there is stock or balance', () => {
  test('10 parallel orders for the last item: one wins, stock never negative', async () => {
    const g = await newGoods({ name: '最后一件（测试）', price_points: 1, stock: 1 });
    await adjust(hhResident, 20);
    const bal0 = balance(hhResident);
    const rs = await Promise.all(Array.from({ length: 10 }, () => order(resident, g)));
    const ok = rs.filter((r) => r.status === 201);
    assert.equal(ok.length, 1, rs.map((r) => r.status).join(','));
    for (const r of rs.filter((x) => x.status !== 201)) assertError(r, 409, 'out_of_stock');
    assert.equal(stock(g.id), 0);
    assert.equal(balance(hhResident), bal0 - 1);
    assert.equal(num(`SELECT COUNT(*) FROM points_orders WHERE goods_id = ${g.id}`), 1);
  });

  test('a balance of exactly 2 and 8 parallel orders of 1 point from two members: two win', async () => {
    const g = await newGoods({ name: '针线包（测试）', price_points: 1, stock: 100 });
    await adjust(hhParty, 5);
    const b = balance(hhParty);
    if (b !== 2) await adjust(hhParty, 2 - b, admin, '测试：余额调为 2');
    assert.equal(balance(hhParty), 2);
    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => order(i % 2 ? party : informant, g)));
    const ok = rs.filter((r) => r.status === 201);
    assert.equal(ok.length, 2, rs.map((r) => r.status).join(','));
    for (const r of rs.filter((x) => x.status !== 201)) assertError(r, 409, 'insufficient_points');
    assert.equal(balance(hhParty), 0);
    assert.equal(stock(g.id), 98);
    assert.equal(num(`SELECT COUNT(*) FROM points_orders WHERE goods_id = ${g.id}`), 2);
  });
});

describe('the county overview', () => {
  let awarder1, awarder2;
  before(async () => {
    // Two more cadres of the village award a little; the village admin, who funded every test
    // above, has awarded far more than 3× their median: the awarder rule must name only them.
    awarder1 = await createAccount(county, { role: 'community_admin', scope_code: V, name: '测试委员甲', prefix: 'aw' });
    awarder2 = await createAccount(county, { role: 'community_admin', scope_code: V, name: '测试委员乙', prefix: 'aw' });
    await adjust(hhHead, 3, awarder1.token, '测试：少量发放');
    await adjust(hhHead, 3, awarder2.token, '测试：少量发放');
  });

  test('every figure of the village traces to its ledger rows and accounts', async () => {
    const r = await api('GET', `/api/v1/points/overview?year=${CN_YEAR}`, { token: county });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.county, '150922');
    assert.equal(r.json.year, CN_YEAR);
    const v = r.json.villages.find((x) => x.village_code === V);
    assert.ok(v, 'the village is listed');
    assert.equal(v.name, V_NAME);
    const from = Date.UTC(CN_YEAR, 0, 1) - 8 * 3600e3, to = Date.UTC(CN_YEAR + 1, 0, 1) - 8 * 3600e3;
    const w = `village_code = '${V}' AND at >= ${from} AND at < ${to}`;
    const issued = num(`SELECT COALESCE(SUM(points), 0) FROM points_entries WHERE ${w} AND kind IN ('award', 'adjustment') AND points > 0`)
      + num(`SELECT COALESCE(SUM(points), 0) FROM points_entries WHERE ${w} AND kind = 'reversal' AND points < 0`);
    const redeemed = -num(`SELECT COALESCE(SUM(points), 0) FROM points_entries WHERE ${w} AND kind IN ('redemption', 'refund')`);
    const outstanding = num(`SELECT COALESCE(SUM(points), 0) FROM points_entries WHERE village_code = '${V}'`);
    assert.equal(v.issued, issued);
    assert.equal(v.redeemed, redeemed);
    assert.equal(v.outstanding, outstanding, 'outstanding = the sum of every entry');
    assert.equal(v.outstanding, num(`SELECT SUM(balance) FROM points_accounts WHERE village_code = '${V}'`));
    assert.equal(v.fen_per_point, 100);
    assert.equal(v.liability_fen, outstanding * 100);
    assert.equal(v.issued_fen, issued * 100);
    assert.equal(v.budget_fen, 100000000);
    assert.equal(v.budget_points, 1000000);
    assert.ok(Math.abs(v.liability_vs_budget - (outstanding * 100) / 100000000) < 1e-12);
    assert.equal(v.accounts, num(`SELECT COUNT(*) FROM points_accounts WHERE village_code = '${V}'`));
    assert.equal(v.households, num(`SELECT COUNT(*) FROM households WHERE region_code LIKE '${V}%'`));
    assert.ok(v.issued > 0 && v.redeemed > 0 && v.accounts >= 3);
    const night = num(`SELECT COUNT(*) FROM points_entries WHERE ${w} AND kind IN ('award', 'adjustment') AND points > 0 AND ((at + 28800000) % 86400000) / 3600000 NOT BETWEEN 6 AND 21`);
    assert.equal(v.night_entries, night);
    assert.equal(v.odd.some((o) => o.kind === 'night'), night > 0);
    // Totals are the sums over the villages.
    const sum = (k) => r.json.villages.reduce((s, x) => s + x[k], 0);
    for (const k of ['issued', 'redeemed', 'outstanding', 'liability_fen', 'accounts'])
      assert.equal(r.json.totals[k], sum(k), `totals.${k}`);
    assert.deepEqual(r.json.rules, { awarder_ratio: 3, night_from: 22, night_to: 6 });
  });

  test('odd patterns: the cadre who issued more than 3× the median of the others is named, the others not', async () => {
    const r = await api('GET', '/api/v1/points/overview', { token: county });
    const v = r.json.villages.find((x) => x.village_code === V);
    const flagged = v.odd.filter((o) => o.kind === 'awarder');
    const me = (await api('GET', '/api/v1/auth/me', { token: admin })).json;
    const adminId = me.id ?? me.user?.id;
    assert.ok(flagged.some((o) => o.actor_id === adminId), `the village admin is flagged: ${JSON.stringify(v.odd)}`);
    assert.ok(!flagged.some((o) => o.actor_id === awarder1.id || o.actor_id === awarder2.id), 'small awarders are not');
    for (const o of flagged) {
      assert.ok(o.points > 3 * o.median_others, JSON.stringify(o));
      assert.match(o.message, /[\u4e00-\u9fff]/);
    }
    // Traced: the flagged person's total is their positive awards and adjustments of the year.
    const f = flagged.find((o) => o.actor_id === adminId);
    const from = Date.UTC(CN_YEAR, 0, 1) - 8 * 3600e3;
    assert.equal(f.points, num(`SELECT SUM(points) FROM points_entries WHERE village_code = '${V}' AND actor_id = ${adminId} AND kind IN ('award', 'adjustment') AND points > 0 AND at >= ${from}`));
    assert.ok(r.json.odd.some((o) => o.kind === 'awarder' && o.actor_id === adminId), 'in the county list too');
  });

  test('only county-level accounts see it', async () => {
    assert.equal((await api('GET', '/api/v1/points/overview', { token: await demo('huade.leader') })).status, 200);
    assert.equal((await api('GET', '/api/v1/points/overview', { token: await demo('huade.audit') })).status, 200);
    assertError(await api('GET', '/api/v1/points/overview', { token: admin }), 403);
    assertError(await api('GET', '/api/v1/points/overview', { token: resident }), 403);
    assertError(await api('GET', '/api/v1/points/overview?year=19', { token: county }), 400, 'invalid', 'year');
  });

  test('the Excel file is a valid xlsx with the villages on its first sheet', async () => {
    const res = await fetch(`${process.env.JICENG_TEST_URL}/api/v1/points/overview.xlsx`, { headers: { authorization: `Bearer ${county}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /spreadsheetml\.sheet/);
    assert.match(res.headers.get('content-disposition') || '', /attachment; filename="points-150922-\d{4}\.xlsx"/);
    const buf = Buffer.from(await res.arrayBuffer());
    assert.equal(buf.subarray(0, 2).toString(), 'PK', 'a zip file');
    const dir = mkdtempSync(join(WORK || '/tmp', 'xlsx-'));
    const file = join(dir, 'overview.xlsx');
    writeFileSync(file, buf);
    const py = spawnSync('python3', ['-c', `
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
names = z.namelist()
for n in ('[Content_Types].xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', 'xl/worksheets/sheet3.xml'):
    assert n in names, n
s = z.read('xl/worksheets/sheet1.xml').decode('utf-8')
w = z.read('xl/workbook.xml').decode('utf-8')
print('village' if sys.argv[2] in s else 'no-village', 'header' if '负债（元）' in s else 'no-header', 'sheet' if '各村对比' in w else 'no-sheet')
`, file, V_NAME], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    assert.equal(py.stdout.trim(), 'village header sheet');
    assertError(await api('GET', '/api/v1/points/overview.xlsx', { token: resident }), 403);
  });
});

describe('the ledger stays whole', () => {
  test('jiceng check ledger passes after everything above', () => {
    const r = jiceng(['check', 'ledger']);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^ok: \d+ rows checked, 0 problems/m);
  });
});
