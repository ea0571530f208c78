// registry.test.js — the region tree and its counts, grids and their iron triangle, households and
// people: paging, masking, the audited full view, and the resident's own views.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, demo, assertError, validResidentId, makeResidentId, keysMatching,
} from './lib/client.js';

const DUOLUN = '152531';
const VILLAGE = '152531202206'; // 牛眼睛村
const GRID1 = '15253120220601';
const SANSHUNDIAN = '150103006009'; // 三顺店社区
const ID_MASKED = /^\d{4}\*{10}[\dX]{4}$/;
const PHONE_MASKED = /^1\d{2}\*{4}\d{4}$/;
const FULL_SECRETS = /^(id_number|id_enc|id_hash|phone_enc|phone_hash|phone)$/;

function assertMaskedPerson(p) {
  assert.match(p.id, /^\d+$/);
  assert.match(p.id_number_masked, ID_MASKED, JSON.stringify(p));
  if (p.phone_masked !== null && p.phone_masked !== undefined) assert.match(p.phone_masked, PHONE_MASKED);
  assert.deepEqual(keysMatching(p, FULL_SECRETS), [], `no full ID or phone in ${JSON.stringify(p)}`);
  assert.ok(['M', 'F'].includes(p.sex));
  assert.match(p.birth_date, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(Array.isArray(p.tags));
}

describe('region tree', () => {
  test('多伦县 152531 has the article\'s figures', async () => {
    const r = await api('GET', `/api/v1/regions/${DUOLUN}`, { token: await demo('duolun.admin') });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.code, DUOLUN);
    assert.equal(r.json.name, '多伦县');
    assert.equal(r.json.level, 3);
    assert.deepEqual(r.json.path.at(-1), { code: DUOLUN, name: '多伦县' });
    assert.equal(r.json.path[0].code, '15');
    const c = r.json.counts;
    assert.equal(c.grids, 555);
    assert.equal(c.heads, 1557);
    assert.equal(c.party_groups, 286);
    assert.equal(c.residents, 103700);
    assert.ok(c.households > 0 && c.households < c.residents);
    assert.ok(c.buildings > 0);
  });

  test('the same figures for the leader and the auditor (read-only county roles)', async () => {
    for (const who of ['duolun.leader', 'duolun.audit', 'duolun.center']) {
      const r = await api('GET', `/api/v1/regions/${DUOLUN}`, { token: await demo(who) });
      assert.equal(r.status, 200);
      assert.equal(r.json.counts.residents, 103700);
    }
  });

  test('牛眼睛村 has 5 grids, each with its iron triangle 1 party leader / 1 grid worker / 3 household heads', async () => {
    const t = await demo('duolun.community');
    const v = await api('GET', `/api/v1/regions/${VILLAGE}`, { token: t });
    assert.equal(v.status, 200);
    assert.equal(v.json.name, '牛眼睛村');
    assert.equal(v.json.counts.grids, 5);
    assert.equal(v.json.counts.party_groups, 5);
    assert.equal(v.json.counts.heads, 15);
    const r = await api('GET', `/api/v1/regions/${VILLAGE}/children`, { token: t });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((g) => g.code), [1, 2, 3, 4, 5].map((n) => `${VILLAGE}0${n}`));
    let residents = 0;
    for (const g of r.json.items) {
      assert.equal(g.level, 6);
      assert.equal(g.parent_code, VILLAGE);
      assert.equal(g.counts.party_groups, 1);
      assert.equal(g.counts.heads, 3);
      residents += g.counts.residents;
      const d = await api('GET', `/api/v1/grids/${g.code}`, { token: t });
      assert.equal(d.status, 200, d.text);
      const tri = d.json.triangle;
      assert.equal(tri.party_leader.length, 1, g.code);
      assert.equal(tri.grid_worker.length, 1, g.code);
      assert.equal(tri.heads.length, 3, g.code);
      for (const m of [...tri.party_leader, ...tri.grid_worker, ...tri.heads]) {
        assert.match(m.person_id, /^\d+$/);
        assert.ok(m.name);
        assert.ok(m.region_code.startsWith(g.code));
        if (m.phone_masked) assert.match(m.phone_masked, PHONE_MASKED);
        assert.deepEqual(keysMatching(m, FULL_SECRETS), []);
      }
      assert.ok(tri.heads.every((m) => m.role === 'household_head'));
    }
    assert.equal(residents, v.json.counts.residents, 'children add up to the village');
  });

  test('三顺店社区: 44 building heads and 160 unit heads', async () => {
    const t = await demo('huimin.community');
    const v = await api('GET', `/api/v1/regions/${SANSHUNDIAN}`, { token: t });
    assert.equal(v.status, 200);
    assert.equal(v.json.name, '三顺店社区');
    assert.equal(v.json.counts.heads, 204);
    const kids = await api('GET', `/api/v1/regions/${SANSHUNDIAN}/children`, { token: t });
    const roles = {};
    for (const g of kids.json.items) {
      const d = await api('GET', `/api/v1/grids/${g.code}`, { token: t });
      assert.equal(d.status, 200);
      for (const m of d.json.triangle.heads) roles[m.role] = (roles[m.role] || 0) + 1;
    }
    assert.deepEqual(roles, { building_head: 44, unit_head: 160 });
  });

  test('/grids/{code} answers 404 for a code that is not a grid', async () => {
    const t = await demo('duolun.admin');
    for (const code of [VILLAGE, `${GRID1}001`, '15253120220699', 'abc', '1525312022060x'])
      assertError(await api('GET', `/api/v1/grids/${code}`, { token: t }), 404, 'not_found');
    assertError(await api('GET', '/api/v1/regions/1525319', { token: t }), 404, 'not_found');
    assertError(await api('GET', '/api/v1/regions/152531999999', { token: t }), 404, 'not_found');
  });
});

describe('households', () => {
  test('paging: limit, next_cursor, no duplicates, every household once', async () => {
    const t = await demo('duolun.grid');
    const total = (await api('GET', `/api/v1/regions/${GRID1}`, { token: t })).json.counts.households;
    assert.ok(total > 10);
    const seen = new Set();
    let cursor = null, pages = 0;
    do {
      const r = await api('GET', `/api/v1/regions/${GRID1}/households?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { token: t });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.items.length <= 7);
      for (const h of r.json.items) {
        assert.ok(!seen.has(h.id), `duplicate ${h.id}`);
        seen.add(h.id);
        assert.ok(h.region_code.startsWith(GRID1));
        assert.equal(typeof h.member_count, 'number');
        assert.equal(typeof h.address, 'string');
      }
      if (r.json.next_cursor !== null) {
        assert.equal(typeof r.json.next_cursor, 'string');
        assert.equal(r.json.items.length, 7, 'a page with a next cursor is full');
      }
      cursor = r.json.next_cursor;
      pages++;
    } while (cursor && pages < 100);
    assert.equal(seen.size, total);
    assert.equal(pages, Math.ceil(total / 7));
    const one = await api('GET', `/api/v1/regions/${GRID1}/households`, { token: t });
    assert.equal(one.json.items.length, Math.min(20, total), 'default limit is 20');
  });

  test('limit out of range answers 400 with field limit', async () => {
    const t = await demo('duolun.grid');
    for (const l of ['0', '201', '-1', 'abc', '', '1.5'])
      assertError(await api('GET', `/api/v1/regions/${GRID1}/households?limit=${l}`, { token: t }), 400, 'invalid', 'limit');
    assert.equal((await api('GET', `/api/v1/regions/${GRID1}/households?limit=200`, { token: t })).status, 200);
    assert.equal((await api('GET', `/api/v1/regions/${GRID1}/households?limit=1`, { token: t })).json.items.length, 1);
  });

  test('household detail: members masked, no full ID number or phone', async () => {
    const t = await demo('duolun.grid');
    const list = await api('GET', `/api/v1/regions/${GRID1}/households?limit=5`, { token: t });
    for (const h of list.json.items) {
      const d = await api('GET', `/api/v1/households/${h.id}`, { token: t });
      assert.equal(d.status, 200, d.text);
      assert.equal(d.json.id, h.id);
      assert.equal(d.json.members.length, h.member_count);
      assert.equal(d.json.grid_name, '牛眼睛村第1网格');
      assert.match(d.json.node_name, /^第[1-3]联户组$/);
      for (const m of d.json.members) {
        assertMaskedPerson(m);
        assert.equal(m.household_id, h.id);
      }
      // Object IDs are long digit strings too: take them out, then look for ID numbers and phones.
      const rest = d.text.replace(/"(\w+_)?id":"\d+"/g, '');
      assert.ok(!/(?<!\d)\d{17}[\dX](?![\dX])/.test(rest), 'no 18-character ID anywhere in the reply');
      assert.ok(!/(?<!\d)1[3-9]\d{9}(?!\d)/.test(rest), 'no full phone in the reply');
    }
  });
});

describe('people and the audited full view', () => {
  let person; // a person of 牛眼睛村第1网格
  before(async () => {
    const t = await demo('duolun.grid');
    const list = await api('GET', `/api/v1/people?region=${GRID1}&limit=50`, { token: t });
    assert.equal(list.status, 200);
    person = list.json.items.find((p) => p.phone_masked) || list.json.items[0];
  });

  test('the people list is masked and stays in scope', async () => {
    const t = await demo('duolun.grid');
    const r = await api('GET', '/api/v1/people?limit=50', { token: t });
    assert.equal(r.status, 200);
    assert.equal(r.json.items.length, 50);
    for (const p of r.json.items) {
      assertMaskedPerson(p);
      assert.ok(p.region_code.startsWith(GRID1));
    }
    const tagged = await api('GET', `/api/v1/people?tag=${encodeURIComponent('独居老人')}&limit=200`, { token: await demo('duolun.community') });
    assert.equal(tagged.status, 200);
    assert.ok(tagged.json.items.length > 0, 'some 独居老人 in 牛眼睛村');
    for (const p of tagged.json.items) {
      assert.ok(p.tags.includes('独居老人'));
      assert.ok(p.region_code.startsWith(VILLAGE));
    }
  });

  test('GET /people/{id} is masked and matches the list', async () => {
    const r = await api('GET', `/api/v1/people/${person.id}`, { token: await demo('duolun.grid') });
    assert.equal(r.status, 200);
    assertMaskedPerson(r.json);
    assert.deepEqual(r.json, person);
  });

  test('a grid worker sees the full ID (valid GB 11643) and phone, and the view is audited', async () => {
    const t = await demo('duolun.grid');
    const since = Date.now() - 1000;
    const r = await api('GET', `/api/v1/people/${person.id}/sensitive?purpose=%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD`, { token: t });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, person.id);
    const id = r.json.id_number;
    assert.equal(id.length, 18);
    assert.ok(validResidentId(id), `valid ID ${id}`);
    assert.equal(id.slice(0, 4), person.id_number_masked.slice(0, 4));
    assert.equal(id.slice(-4), person.id_number_masked.slice(-4));
    assert.equal(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`, person.birth_date);
    assert.equal(Number(id[16]) % 2 ? 'M' : 'F', person.sex);
    if (person.phone_masked) {
      assert.match(r.json.phone, /^1[3-9]\d{9}$/);
      assert.equal(`${r.json.phone.slice(0, 3)}****${r.json.phone.slice(-4)}`, person.phone_masked);
    }
    for (const auditor of ['duolun.audit', 'duolun.admin']) {
      const a = await api('GET', '/api/v1/audit?limit=50', { token: await demo(auditor) });
      assert.equal(a.status, 200);
      const row = a.json.items.find((it) => it.action === 'sensitive_read' && it.object === `person:${person.id}` && it.at >= since);
      assert.ok(row, `audit row for the full view (${auditor})`);
      assert.equal(row.username, 'duolun.grid');
      assert.equal(row.role, 'grid_worker');
      assert.equal(row.outcome, 'ok');
      assert.ok(!JSON.stringify(row).includes(id), 'the audit log does not repeat the ID number');
    }
  });

  test('a full view without a purpose is refused (400, Chinese); the purpose goes into the audit row', async () => {
    const t = await demo('duolun.grid');
    for (const q of ['', '?purpose=', '?purpose=%20%20', '?other=1']) {
      const r = await api('GET', `/api/v1/people/${person.id}/sensitive${q}`, { token: t });
      assertError(r, 400, 'purpose_required', 'purpose');
      assert.match(r.json.error.message, /用途/);
    }
    assertError(await api('GET', `/api/v1/people/${person.id}/sensitive?purpose=${'长'.repeat(101)}`, { token: t }), 400, 'invalid', 'purpose');
    assertError(await api('GET', `/api/v1/people/${person.id}/sensitive?purpose=%0A%E5%85%A5%E6%88%B7`, { token: t }), 400, 'invalid', 'purpose');
    const since = Date.now() - 1000;
    const purpose = '入户走访：核实低保申请人身份';
    const r = await api('GET', `/api/v1/people/${person.id}/sensitive?purpose=${encodeURIComponent(purpose)}`, { token: t });
    assert.equal(r.status, 200, r.text);
    const a = await api('GET', '/api/v1/audit?limit=50', { token: await demo('duolun.audit') });
    const rows = a.json.items.filter((it) => it.action === 'sensitive_read' && it.object === `person:${person.id}` && it.at >= since);
    assert.equal(rows.filter((it) => it.detail.includes(`用途：${purpose}`)).length, 1, 'the view wrote one row with its purpose');
    for (const it of rows) assert.match(it.detail, /用途：\S/, 'no full view without a purpose in the audit log');
  });

  test('the audit list pages with a cursor, newest first', async () => {
    const t = await demo('duolun.audit');
    const a = await api('GET', '/api/v1/audit?limit=3', { token: t });
    assert.equal(a.json.items.length, 3);
    assert.ok(a.json.next_cursor);
    const b = await api('GET', `/api/v1/audit?limit=3&cursor=${a.json.next_cursor}`, { token: t });
    assert.equal(b.status, 200);
    const ids = [...a.json.items, ...b.json.items].map((x) => BigInt(x.id));
    assert.equal(new Set(ids).size, ids.length);
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i] < ids[i - 1], 'descending');
    assertError(await api('GET', '/api/v1/audit?limit=0', { token: t }), 400, 'invalid', 'limit');
  });

  test('building heads and party leaders may not see full IDs: 403, nothing audited', async () => {
    const since = Date.now() - 1000;
    for (const who of ['duolun.head', 'duolun.party', 'duolun.leader', 'duolun.audit'])
      assertError(await api('GET', `/api/v1/people/${person.id}/sensitive?purpose=%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD`, { token: await demo(who) }), 403, 'forbidden');
    const a = await api('GET', '/api/v1/audit?limit=50', { token: await demo('duolun.audit') });
    assert.ok(!a.json.items.some((it) => it.action === 'sensitive_read' && it.at >= since && it.username !== 'duolun.grid'));
  });

  // Created in 固阳县, so that the exact 多伦县 figures above stay true whatever order files run in.
  test('a grid worker registers a person in its grid; phone and tags change by PATCH', async () => {
    const t = await demo('guyang.grid');
    const grid = (await api('GET', '/api/v1/auth/me', { token: t })).json.user.scope_code;
    const hh = (await api('GET', `/api/v1/regions/${grid}/households?limit=1`, { token: t })).json.items[0];
    const idn = makeResidentId('110105', '19900307');
    const c = await api('POST', '/api/v1/people', { token: t, body: { household_id: hh.id, name: '测试人员', id_number: idn, phone: '13800138000', relation: '其他', tags: ['党员'] } });
    assert.equal(c.status, 201, c.text);
    assertMaskedPerson(c.json);
    assert.equal(c.json.household_id, hh.id);
    assert.equal(c.json.birth_date, '1990-03-07');
    assert.equal(c.json.sex, Number(idn[16]) % 2 ? 'M' : 'F');
    assert.equal(c.json.id_number_masked, `${idn.slice(0, 4)}**********${idn.slice(-4)}`);
    assert.equal(c.json.phone_masked, '138****8000');
    assert.deepEqual(c.json.tags, ['党员']);
    const d = await api('GET', `/api/v1/households/${hh.id}`, { token: t });
    assert.equal(d.json.member_count, hh.member_count + 1);
    assert.ok(d.json.members.some((m) => m.id === c.json.id));
    const s = await api('GET', `/api/v1/people/${c.json.id}/sensitive?purpose=%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD`, { token: t });
    assert.equal(s.json.id_number, idn);
    assert.equal(s.json.phone, '13800138000');
    const p = await api('PATCH', `/api/v1/people/${c.json.id}`, { token: t, body: { phone: '+8613912345678', tags: ['独居老人', '重点关注'], name: '新名字' } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.phone_masked, '139****5678');
    assert.deepEqual(p.json.tags, ['独居老人', '重点关注']);
    assert.equal(p.json.name, '新名字');
    const s2 = await api('GET', `/api/v1/people/${c.json.id}/sensitive?purpose=%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD`, { token: t });
    assert.equal(s2.json.phone, '13912345678');
    // Clearing the phone.
    const p2 = await api('PATCH', `/api/v1/people/${c.json.id}`, { token: t, body: { phone: '' } });
    assert.equal(p2.status, 200, p2.text);
    assert.ok(p2.json.phone_masked === null || p2.json.phone_masked === undefined);
  });
});

describe("the resident's own views", () => {
  test('a resident sees its own household and profile', async () => {
    const t = await demo('duolun.resident');
    const me = (await api('GET', '/api/v1/auth/me', { token: t })).json.user;
    assert.ok(me.person_id);
    const h = await api('GET', '/api/v1/me/household', { token: t });
    assert.equal(h.status, 200, h.text);
    assert.ok(h.json.members.some((m) => m.id === me.person_id));
    for (const m of h.json.members) assertMaskedPerson(m);
    const p = await api('GET', '/api/v1/me/profile', { token: t });
    assert.equal(p.status, 200);
    assert.equal(p.json.id, me.person_id);
    assert.equal(p.json.household_id, h.json.id);
    assert.match(p.json.id_number_masked, ID_MASKED);
    assert.equal(p.json.id_number, undefined, 'own ID stays masked');
    if (p.json.phone_masked) {
      assert.match(p.json.phone, /^1[3-9]\d{9}$/, 'own phone in full');
      assert.equal(`${p.json.phone.slice(0, 3)}****${p.json.phone.slice(-4)}`, p.json.phone_masked);
    }
    // By ID: its own household yes, another one no.
    assert.equal((await api('GET', `/api/v1/households/${h.json.id}`, { token: t })).status, 200);
    const other = (await api('GET', `/api/v1/regions/${GRID1}/households?limit=5`, { token: await demo('duolun.grid') })).json.items.find((x) => x.id !== h.json.id);
    const r = await api('GET', `/api/v1/households/${other.id}`, { token: t });
    assertError(r, 404, 'not_found');
    assert.ok(!r.text.includes(other.id));
    assertError(await api('GET', '/api/v1/households/999999999999', { token: t }), 404, 'not_found');
  });

  test('an informant sees its own household; staff without a person record get 404 from /me/profile', async () => {
    const h = await api('GET', '/api/v1/me/household', { token: await demo('duolun.informant') });
    assert.equal(h.status, 200, h.text);
    assert.ok(h.json.members.length >= 1);
    assertError(await api('GET', '/api/v1/me/profile', { token: await demo('duolun.admin') }), 404, 'not_found');
  });

  test('a building head sees households of its own building only', async () => {
    const t = await demo('duolun.head');
    const me = (await api('GET', '/api/v1/auth/me', { token: t })).json.user;
    const own = await api('GET', `/api/v1/regions/${me.scope_code}/households?limit=3`, { token: t });
    assert.equal(own.status, 200, own.text);
    assert.ok(own.json.items.length > 0);
    assert.equal((await api('GET', `/api/v1/households/${own.json.items[0].id}`, { token: t })).status, 200);
    const sib = `${GRID1}002`;
    assert.notEqual(me.scope_code, sib);
    assertError(await api('GET', `/api/v1/regions/${sib}/households`, { token: t }), 404, 'not_found');
    const other = (await api('GET', `/api/v1/regions/${sib}/households?limit=1`, { token: await demo('duolun.grid') })).json.items[0];
    assertError(await api('GET', `/api/v1/households/${other.id}`, { token: t }), 404, 'not_found');
  });
});
