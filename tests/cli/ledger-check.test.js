// ledger-check.test.js — `jiceng check ledger` (issue 4): entries posted through the API pass; a
// ledger row or an account changed directly in the database (sqlite3 / psql, outside the
// application) is reported by name and the command exits non-zero; put back, it passes again.
// Uses 化德县 长丰社区 (150922103009): an adjustment, an order (redemption) and its cancel (refund).
// Env (from scripts/test): JICENG_BIN, JICENG_TEST_DATA, JICENG_TEST_DB, JICENG_TEST_URL.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BIN = process.env.JICENG_BIN;
const DATA = process.env.JICENG_TEST_DATA;
const DB = process.env.JICENG_TEST_DB || '';
const URL = process.env.JICENG_TEST_URL;
const V = '150922103009';
const YEAR = new Date(Date.now() + 8 * 3600e3).getUTCFullYear();

function jiceng(args) {
  const r = spawnSync(BIN, [...args, '--data', DATA, ...(DB ? ['--db', DB] : [])], { encoding: 'utf8', timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
/** SQL straight into the store, as someone with database access would. */
function sql(q) {
  const r = DB
    ? spawnSync('psql', [DB, '-v', 'ON_ERROR_STOP=1', '-Atc', q], { encoding: 'utf8' })
    : spawnSync('sqlite3', ['-cmd', '.timeout 5000', join(DATA, 'jiceng.db'), q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}
async function call(method, path, token, body) {
  const r = await fetch(URL + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null, text };
}
async function login(username) {
  const r = await call('POST', '/api/v1/auth/login', null, { username, password: 'Jiceng@2026' });
  assert.equal(r.status, 200, r.text);
  return r.json.token;
}

let redemption, household;

before(async () => {
  const admin = await login('huade.community');
  const head = await login('huade.head');
  household = (await call('GET', '/api/v1/me/household', head)).json.id;
  const s = await call('PUT', `/api/v1/villages/${V}/points-settings`, admin, { fen_per_point: 100, budgets: [{ year: YEAR, budget_fen: 100000000 }] });
  assert.ok(s.status === 200 || s.status === 201, s.text);
  const a = await call('POST', '/api/v1/points/adjustments', admin, { household_id: household, points: 12, reason: '核对测试：发放' });
  assert.ok(a.status === 201 || a.status === 200, a.text);
  const g = await call('POST', `/api/v1/villages/${V}/goods`, admin, { name: '核对测试商品', price_points: 5, stock: 3 });
  assert.equal(g.status, 201, g.text);
  const o = await call('POST', '/api/v1/points/orders', head, { goods_id: g.json.id, qty: 1 });
  assert.equal(o.status, 201, o.text);
  const c = await call('POST', `/api/v1/points/orders/${o.json.order.id}/cancel`, head);
  assert.equal(c.status, 200, c.text);
  redemption = sql(`SELECT id FROM points_entries WHERE order_id = ${o.json.order.id} AND kind = 'redemption'`);
  assert.match(redemption, /^\d+$/);
});

test('check ledger passes on entries posted through the application', () => {
  const r = jiceng(['check', 'ledger']);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /^ok: (\d+) rows checked, 0 problems/m);
  assert.ok(Number(/(\d+) rows checked/.exec(r.out)[1]) >= 4);
});

test('an entry changed in the database is reported by village, seq and id; exit status 1', () => {
  const seq = sql(`SELECT seq FROM points_entries WHERE id = ${redemption}`);
  sql(`UPDATE points_entries SET points = points - 100 WHERE id = ${redemption}`);
  try {
    const r = jiceng(['check', 'ledger']);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, new RegExp(`ledger ${V} seq ${seq} \\(entry ${redemption}\\): changed outside the application`));
    assert.match(r.out, new RegExp(`ledger account of household ${household}: balance`), 'the balance no longer matches either');
    assert.match(r.out, /^FAILED: \d+ rows checked, [1-9]\d* problems/m);
    // `check all` includes the ledger.
    assert.equal(jiceng(['check', 'all']).code, 1);
  } finally {
    sql(`UPDATE points_entries SET points = points + 100 WHERE id = ${redemption}`);
  }
  assert.equal(jiceng(['check', 'ledger']).code, 0, 'put back, it passes again');
});

test('a balance changed in the database is reported; a removed entry breaks the chain', () => {
  sql(`UPDATE points_accounts SET balance = balance + 1000 WHERE household_id = ${household}`);
  try {
    const r = jiceng(['check', 'ledger']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, new RegExp(`ledger account of household ${household}: balance \\d+ honour -?\\d+, entries say`));
  } finally {
    sql(`UPDATE points_accounts SET balance = balance - 1000 WHERE household_id = ${household}`);
  }
  // The newest entry of the village removed and then restored as it was.
  const last = sql(`SELECT seq FROM points_entries WHERE village_code = '${V}' ORDER BY seq DESC LIMIT 1`);
  const cols = 'village_code, seq, id, county, household_id, kind, points, honour, indicator_id, reverses, order_id, source, source_ref, reason, photos, actor_id, actor_name, at, prev_hash, hash';
  sql(`CREATE TABLE ledger_check_keep AS SELECT ${cols} FROM points_entries WHERE village_code = '${V}' AND seq = ${last}`);
  try {
    sql(`DELETE FROM points_entries WHERE village_code = '${V}' AND seq = ${last}`);
    const r = jiceng(['check', 'ledger']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, new RegExp(`ledger ${V}: chain head \\(seq ${last}\\) does not match its last entry`));
  } finally {
    sql(`INSERT INTO points_entries (${cols}) SELECT ${cols} FROM ledger_check_keep`);
    sql('DROP TABLE ledger_check_keep');
  }
  const ok = jiceng(['check', 'ledger']);
  assert.equal(ok.code, 0, ok.out);
});
