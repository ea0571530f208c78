// points-demo.test.js — what the 积分制 demo of 突泉县 promises (src/domain/seed_points.c,
// MISSION practice 1): 46 villages on points with budgets summing to 1,600,000 元 for the year,
// 40+ indicators in the county template and in every village (农机摆放整齐 +2, 参加夜校 +2,
// 发展庭院经济 +5), 利民村's 互检 with awards waiting for an inspector of another micro-grid,
// 十家子村's star levels, 明星村's store "明星·家" (米面粮油 priced in points), a year of entries
// through the ledger, and demo accounts that work. Read-mostly: one 互检 confirmation is made.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { api, demo, BIN, DATA, DB, BASE } from './lib/client.js';
import { sql, sqlSkip } from './lib/db.js';

const COUNTY = '152224';
const FUSHENG = '152224100209', MINGXING = '152224102218', LIMIN = '152224200207', SHIJIAZI = '152224201206';
const YEAR = new Date(Date.now() + 8 * 3600e3).getUTCFullYear(); // China time
const DAY = 86400e3;

let admin, villages;
before(async () => {
  admin = await demo('tuquan.admin');
  const o = await api('GET', '/api/v1/points/overview', { token: admin });
  assert.equal(o.status, 200, o.text);
  assert.equal(o.json.year, YEAR);
  villages = o.json.villages;
});

describe('46 villages of 突泉县 on points', () => {
  test('46 real villages (12-digit codes of 152224), the four of the article among them', () => {
    assert.equal(villages.length, 46);
    for (const v of villages) assert.match(v.village_code, /^152224\d{6}$/);
    assert.equal(new Set(villages.map((v) => v.village_code)).size, 46);
    const codes = villages.map((v) => v.village_code);
    for (const c of [FUSHENG, MINGXING, LIMIN, SHIJIAZI]) assert.ok(codes.includes(c), c);
    const names = Object.fromEntries(villages.map((v) => [v.village_code, v.name]));
    assert.equal(names[MINGXING], '明星村');
    assert.equal(names[LIMIN], '利民村');
    assert.equal(names[SHIJIAZI], '十家子村');
    assert.equal(names[FUSHENG], '福胜村');
  });

  test("this year's budgets sum to exactly 1,600,000 元; one point is 1 元", () => {
    const fen = villages.reduce((s, v) => s + v.budget_fen, 0);
    assert.equal(fen, 1_600_000 * 100);
    for (const v of villages) {
      assert.equal(v.fen_per_point, 100, v.name);
      assert.ok(v.budget_fen > 0, v.name);
    }
  });

  test('settings: 利民村 互检 on, 十家子村 five star levels, every award within budget', async () => {
    for (const v of villages) {
      const r = await api('GET', `/api/v1/villages/${v.village_code}/points-settings`, { token: admin });
      assert.equal(r.status, 200, r.text);
      const s = r.json;
      assert.equal(s.enabled, true, v.name);
      assert.equal(s.mutual_check, v.village_code === LIMIN, v.name);
      assert.ok(s.budgets.some((b) => b.year === YEAR && b.budget_fen === v.budget_fen), v.name);
      assert.ok(s.year_issued > 0, `${v.name} issued points this year`);
      assert.ok(s.year_issued <= s.year_budget_points, `${v.name} within budget`);
      assert.ok(s.outstanding >= 0);
      if (v.village_code === SHIJIAZI) {
        assert.deepEqual(s.stars.map((x) => x.level), [1, 2, 3, 4, 5]);
        for (let i = 1; i < 5; i++) assert.ok(s.stars[i].min_honour > s.stars[i - 1].min_honour);
      } else {
        assert.equal(s.stars.length, 0, v.name);
      }
    }
  });
});

describe('indicators', () => {
  const named = { 农机摆放整齐: 2, 参加夜校: 2, 发展庭院经济: 5 };
  const groups = ['人居环境', '诚信建设', '志愿服务', '移风易俗', '庭院经济', '平安建设'];

  function checkCatalogue(items, where) {
    const active = items.filter((i) => i.active);
    assert.ok(active.length >= 40, `${where}: ${active.length} active indicators`);
    for (const [name, points] of Object.entries(named)) {
      const i = active.find((x) => x.name === name);
      assert.ok(i, `${where}: ${name}`);
      assert.equal(i.points, points, `${where}: ${name}`);
    }
    for (const g of groups) assert.ok(active.some((i) => i.group === g), `${where}: group ${g}`);
    assert.ok(active.some((i) => i.points < 0), `${where}: deductions (乱堆乱放 …)`);
    assert.equal(active.find((i) => i.name.startsWith('乱堆乱放')).points, -2);
    assert.ok(active.some((i) => i.evidence_required), `${where}: evidence required on some`);
    assert.ok(active.some((i) => i.limit_count > 0 && i.limit_period === 'month'), `${where}: limits`);
  }

  test('the county template: 40+ indicators in the groups of the article', async () => {
    const r = await api('GET', `/api/v1/counties/${COUNTY}/indicator-template`, { token: admin });
    assert.equal(r.status, 200, r.text);
    checkCatalogue(r.json.items, '县级模板');
  });

  test("every village's catalogue has them too; villages changed a little of their own", async () => {
    const byVillage = {};
    for (const v of villages) {
      const r = await api('GET', `/api/v1/villages/${v.village_code}/indicators?all=1`, { token: admin });
      assert.equal(r.status, 200, r.text);
      checkCatalogue(r.json.items, v.name);
      byVillage[v.village_code] = r.json.items;
    }
    // 利民村 retired one and added its own; 福胜村 re-priced one.
    assert.ok(byVillage[LIMIN].some((i) => !i.active));
    assert.ok(byVillage[LIMIN].some((i) => i.name === '微网格卫生互评优秀户' && i.active));
    assert.equal(byVillage[FUSHENG].find((i) => i.name === '柴草垛堆放规整').points, 3);
  });
});

describe('明星村 "明星·家"', () => {
  test('goods priced in points: 米, 面, 油, 洗衣粉 … with stock and cost', async () => {
    const keeper = await demo('tuquan.mingxing');
    const r = await api('GET', `/api/v1/villages/${MINGXING}/goods`, { token: keeper });
    assert.equal(r.status, 200, r.text);
    const goods = r.json.items;
    assert.ok(goods.length >= 12, `${goods.length} goods`);
    for (const word of ['大米', '面粉', '豆油', '洗衣粉']) assert.ok(goods.some((g) => g.name.includes(word)), word);
    for (const g of goods) {
      assert.ok(g.price_points > 0 && g.stock >= 0 && g.cost_fen > 0, g.name);
      // 1 分 = 1 元: a price covers the goods' cost, and is close to it.
      assert.ok(g.cost_fen <= g.price_points * 100 && g.cost_fen >= g.price_points * 70, `${g.name}: 1 分 ≈ 1 元`);
    }
    // Redeemed over the year: some stock has gone.
    const orders = await api('GET', '/api/v1/points/orders?limit=50', { token: keeper });
    assert.equal(orders.status, 200, orders.text);
    assert.ok(orders.json.items.some((o) => o.state === 'handed_over'));
  });

  test('the demo resident has a balance, a history and can see the store', async () => {
    const resident = await demo('tuquan.mingxing.resident');
    const me = await api('GET', '/api/v1/me/points?limit=100', { token: resident });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.village_code, MINGXING);
    assert.ok(me.json.balance > 0, `balance ${me.json.balance}`);
    assert.ok(me.json.honour >= me.json.balance);
    const kinds = new Set(me.json.entries.map((e) => e.kind));
    assert.ok(kinds.has('award') && kinds.has('redemption'), [...kinds].join(','));
    const goods = await api('GET', `/api/v1/villages/${MINGXING}/goods`, { token: resident });
    assert.equal(goods.status, 200, goods.text);
    assert.ok(goods.json.items.some((g) => g.price_points <= me.json.balance), 'something affordable');
  });
});

describe('pictures of the goods (drawn at seed time from @twemoji/svg)', () => {
  test('every seeded goods has a real photo, shown to the village\'s residents, on its orders too', async () => {
    const resident = await demo('tuquan.mingxing.resident');
    const r = await api('GET', `/api/v1/villages/${MINGXING}/goods`, { token: resident });
    assert.equal(r.status, 200, r.text);
    const ids = new Set();
    for (const g of r.json.items) {
      assert.match(g.photo_id || '', /^[0-9a-f]{64}$/, `${g.name} has a picture`);
      assert.equal(g.photo_url, `/api/v1/photos/${g.photo_id}`);
      ids.add(g.photo_id);
    }
    assert.ok(ids.size >= 12, `different pictures for different goods (${ids.size})`);
    const rice = r.json.items.find((g) => g.name.includes('大米'));
    const soap = r.json.items.find((g) => g.name.includes('香皂'));
    assert.notEqual(rice.photo_id, soap.photo_id);
    for (const url of [rice.photo_url, rice.thumb_url]) {
      const p = await fetch(`${BASE}${url}`, { headers: { authorization: `Bearer ${resident}` } });
      assert.equal(p.status, 200, url);
      assert.equal(p.headers.get('content-type'), 'image/jpeg');
      const bytes = Buffer.from(await p.arrayBuffer());
      assert.equal(bytes.readUInt16BE(0), 0xffd8, 'a JPEG');
      assert.ok(bytes.length > 2000, `${url}: ${bytes.length} bytes of picture`);
    }
    // Kept through the photos module: recorded as uploaded by the village admin.
    const keeper = await demo('tuquan.mingxing');
    const me = await api('GET', '/api/v1/auth/me', { token: keeper });
    if (!sqlSkip())
      assert.equal(sql(`SELECT COUNT(*) FROM photos WHERE id = '${rice.photo_id}' AND uploader_id = ${me.json.user.id}`), '1');
    // Every village's goods have theirs.
    if (!sqlSkip())
      assert.equal(sql(`SELECT COUNT(*) FROM points_goods WHERE county = '${COUNTY}' AND photo_id IS NULL`), '0');
    // The household's orders show the goods' picture.
    const orders = await api('GET', '/api/v1/points/orders?mine=1&limit=20', { token: resident });
    assert.ok(orders.json.items.length > 0);
    for (const o of orders.json.items) assert.match(o.thumb_url || '', /^\/api\/v1\/photos\/[0-9a-f]{64}\/thumb$/, o.goods_name);
  });
});

describe('利民村 微网格互检 and 十家子村 双轨', () => {
  test('awards wait for an inspector of another micro-grid; one confirms', async () => {
    const inspector = await demo('tuquan.limin.grid2');
    const r = await api('GET', '/api/v1/points/pending', { token: inspector });
    assert.equal(r.status, 200, r.text);
    const mine = r.json.items.filter((p) => p.can_confirm);
    assert.ok(mine.length >= 1, 'something to confirm');
    const p = mine[0];
    const c = await api('POST', `/api/v1/points/pending/${p.id}/confirm`, { token: inspector });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.json.pending.state, 'confirmed');
    assert.equal(c.json.entry.kind, 'award');
    assert.notEqual(p.household_grid, `${LIMIN}02`);
    // Nobody confirms the awards of their own micro-grid.
    const own = await api('GET', '/api/v1/points/pending', { token: await demo('tuquan.limin.grid1') });
    assert.equal(own.status, 200, own.text);
    for (const x of own.json.items) if (x.household_grid === `${LIMIN}01`) assert.equal(x.can_confirm, false);
  });

  test('十家子村 board: star households by honour', async () => {
    const r = await api('GET', `/api/v1/villages/${SHIJIAZI}/points-board`, { token: await demo('tuquan.shijiazi') });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.star_levels.length, 5);
    assert.ok(r.json.ranking.some((x) => x.star >= 3), 'some three-star households or better');
  });

  test('the demo accounts sign in with the demo password', async () => {
    for (const u of ['tuquan.community', 'tuquan.grid', 'tuquan.mingxing', 'tuquan.mingxing.resident', 'tuquan.limin',
      'tuquan.limin.grid1', 'tuquan.limin.grid2', 'tuquan.limin.grid3', 'tuquan.limin.grid4', 'tuquan.shijiazi',
      'tuquan.fusheng.grid2', 'tuquan.fusheng.grid3', 'tuquan.fusheng.grid4', `tuquan.v${villages.find((v) => ![FUSHENG, MINGXING, LIMIN, SHIJIAZI].includes(v.village_code)).village_code}`])
      assert.ok(await demo(u), u);
  });
});

describe('the ledger of the demo', () => {
  test('a year of entries of every kind, none in the future, no negative balance', { skip: sqlSkip() }, () => {
    const now = Date.now();
    const [n, min, max] = sql(`SELECT COUNT(*), MIN(at), MAX(at) FROM points_entries WHERE county = '${COUNTY}'`).split('|').map(Number);
    assert.ok(n > 10000, `${n} entries`);
    assert.ok(min >= now - 367 * DAY && min < now - 300 * DAY, 'the history starts about a year ago');
    assert.ok(max <= now);
    const kinds = sql(`SELECT DISTINCT kind FROM points_entries WHERE county = '${COUNTY}' ORDER BY kind`).split('\n');
    assert.deepEqual(kinds, ['adjustment', 'award', 'redemption', 'refund', 'reversal']);
    assert.equal(sql(`SELECT COUNT(*) FROM points_accounts WHERE county = '${COUNTY}' AND balance < 0`), '0');
    // Awards name an indicator of their own village.
    assert.equal(sql(`SELECT COUNT(*) FROM points_entries e LEFT JOIN points_indicators i ON i.id = e.indicator_id
      WHERE e.county = '${COUNTY}' AND e.kind = 'award' AND (i.id IS NULL OR i.village_code <> e.village_code)`), '0');
    // Every redemption has its order.
    assert.equal(sql(`SELECT COUNT(*) FROM points_entries e LEFT JOIN points_orders o ON o.id = e.order_id
      WHERE e.county = '${COUNTY}' AND e.kind = 'redemption' AND o.id IS NULL`), '0');
  });

  test('no cadre scores, corrects or confirms their own household (award.c refuses it)', { skip: sqlSkip() }, async () => {
    // 明星村's admin lives in the village: none of his household's entries is his.
    const me = await api('GET', '/api/v1/auth/me', { token: await demo('tuquan.mingxing') });
    assert.equal(me.status, 200, me.text);
    const own = sql(`SELECT household_id FROM people WHERE county = '${COUNTY}' AND id = ${me.json.user.person_id}`);
    assert.match(own, /^\d+$/, 'the 明星村 admin belongs to a household of the registry');
    assert.equal(sql(`SELECT COUNT(*) FROM points_entries e JOIN users u ON u.id = e.actor_id
      WHERE e.household_id = ${own} AND u.id = ${me.json.user.id}`), '0', 'none of them written by himself');
    // Anywhere in the county: no award, adjustment or reversal by a member of the household.
    const self = sql(`SELECT e.kind || ' ' || u.username FROM points_entries e JOIN users u ON u.id = e.actor_id
      JOIN people p ON p.county = e.county AND p.id = u.person_id
      WHERE e.county = '${COUNTY}' AND e.kind IN ('award', 'adjustment', 'reversal') AND p.household_id = e.household_id`);
    assert.equal(self, '', 'entries scored by a member of the household itself');
    // 互检: neither the awarder nor the inspector of a pending award is of the household.
    const pend = sql(`SELECT pp.state || ' ' || u.username FROM points_pending pp
      JOIN users u ON u.id = pp.awarder_id OR u.id = pp.decided_by
      JOIN people p ON p.county = pp.county AND p.id = u.person_id
      WHERE pp.county = '${COUNTY}' AND p.household_id = pp.household_id`);
    assert.equal(pend, '', '互检 awards of or confirmed by the household itself');
  });

  test('`jiceng check ledger` passes on the seeded data', () => {
    const r = spawnSync(BIN, ['check', 'ledger', '--data', DATA, ...(DB ? ['--db', DB] : [])], { encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ok: \d+ rows checked, 0 problems/m);
  });
});
