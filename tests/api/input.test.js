// input.test.js — malformed and hostile input: bad JSON, wrong shapes and types, oversized bodies,
// invalid ID numbers, dates, phones and tags, duplicates, and that a refused write leaves nothing.
// People are created in 化德县 (huade.grid), so the exact 多伦县 figures of registry.test.js hold.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, demo, assertError, makeResidentId, idCheckChar, HAN, uniqueName } from './lib/client.js';

let t; // huade.grid
let grid, hh; // its grid code and one household there
before(async () => {
  t = await demo('huade.grid');
  grid = (await api('GET', '/api/v1/auth/me', { token: t })).json.user.scope_code;
  hh = (await api('GET', `/api/v1/regions/${grid}/households?limit=1`, { token: t })).json.items[0];
  assert.ok(hh, 'a household to add people to');
});

async function memberCount() {
  const d = await api('GET', `/api/v1/households/${hh.id}`, { token: t });
  assert.equal(d.status, 200);
  assert.equal(d.json.members.length, d.json.member_count);
  return d.json.member_count;
}

async function peopleInGrid() {
  const r = await api('GET', `/api/v1/regions/${grid}`, { token: t });
  return r.json.counts.residents;
}

const person = (over = {}) => ({ household_id: hh.id, name: '输入测试', id_number: makeResidentId(), ...over });

describe('request bodies', () => {
  test('malformed JSON answers 400 bad_json', async () => {
    for (const body of ['{', '{"username":', 'not json', '{"a":1,}', "{'a':1}", '\u0000', '{"username":"a","username":"b"}'])
      assertError(await api('POST', '/api/v1/auth/login', { body }), 400, 'bad_json');
    assertError(await api('POST', '/api/v1/people', { token: t, body: '{"name":' }), 400, 'bad_json');
  });

  test('an empty body answers 400', async () => {
    assertError(await api('POST', '/api/v1/auth/login', { body: '' }), 400, 'bad_json');
  });

  test('JSON that is not an object answers 400', async () => {
    for (const body of ['[]', '[{"username":"a"}]', '"x"', '42', 'null', 'true'])
      assertError(await api('POST', '/api/v1/auth/login', { body }), 400, 'bad_json');
  });

  test('an unknown field answers 400 unknown_field naming it', async () => {
    assertError(await api('POST', '/api/v1/auth/login', { body: { username: 'a', password: 'b', remember: true } }), 400, 'unknown_field', 'remember');
    assertError(await api('POST', '/api/v1/people', { token: t, body: person({ id: '1' }) }), 400, 'unknown_field', 'id');
    assertError(await api('PATCH', '/api/v1/people/1', { token: t, body: { id_number: '11010519491231002X' } }), 400, 'unknown_field', 'id_number');
    const admin = await demo('duolun.admin');
    assertError(await api('POST', '/api/v1/users', { token: admin, body: { username: uniqueName(), name: 'x', role: 'resident', scope_code: '15253120220601', password: 'Abc@12345' } }), 400, 'unknown_field', 'password');
  });

  test('a wrong type answers 400 naming the field', async () => {
    assertError(await api('POST', '/api/v1/auth/login', { body: { username: 42, password: 'x' } }), 400, 'invalid', 'username');
    assertError(await api('POST', '/api/v1/auth/login', { body: { username: 'a', password: ['x'] } }), 400, 'invalid', 'password');
    assertError(await api('POST', '/api/v1/people', { token: t, body: person({ name: 7 }) }), 400, 'invalid', 'name');
    assertError(await api('POST', '/api/v1/people', { token: t, body: person({ household_id: 12345 }) }), 400, 'invalid', 'household_id');
    assertError(await api('POST', '/api/v1/people', { token: t, body: person({ tags: '党员' }) }), 400, 'invalid', 'tags');
    assertError(await api('POST', '/api/v1/people', { token: t, body: person({ tags: [1] }) }), 400, 'invalid', 'tags');
    assertError(await api('POST', '/api/v1/people', { token: t, body: person({ household_id: 'abc' }) }), 400, 'invalid', 'household_id');
  });

  test('a body over 1 MB answers 413 in JSON', async () => {
    const big = JSON.stringify({ username: 'a'.repeat(1024 * 1024 + 10), password: 'x' });
    const r = await api('POST', '/api/v1/auth/login', { body: big });
    assertError(r, 413, 'too_large');
    assert.match(r.headers.get('content-type') || '', /application\/json/);
    // Just under the limit is parsed (and refused for what it says, not for its size).
    const ok = JSON.stringify({ username: 'a'.repeat(1000 * 1000), password: 'x' });
    assertError(await api('POST', '/api/v1/auth/login', { body: ok }), 401, 'bad_credentials');
  });
});

describe('registering people', () => {
  test('ID number with a wrong check character: 400 on id_number, in Chinese, nothing written', async () => {
    const n0 = await memberCount();
    const good = makeResidentId();
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const e = assertError(await api('POST', '/api/v1/people', { token: t, body: person({ id_number: bad }) }), 400, 'invalid', 'id_number');
    assert.match(e.message, /校验/);
    assert.equal(await memberCount(), n0);
  });

  test('ID numbers with impossible or future dates, wrong length or letters: 400 on id_number', async () => {
    const n0 = await memberCount();
    const withDate = (d) => { const f = `110105${d}123`; return f + idCheckChar(f); };
    const future = new Date(Date.now() + 3 * 86400000).toISOString().slice(0, 10).replaceAll('-', '');
    for (const id of [withDate('19900230'), withDate('20230229'), withDate('19901301'), withDate('19900000'), withDate(future), '11010519491231002', '11010519491231002XX', '1101051949123100AX', '']) {
      const e = assertError(await api('POST', '/api/v1/people', { token: t, body: person({ id_number: id }) }), 400, 'invalid', 'id_number');
      assert.match(e.message, HAN);
    }
    assert.equal(await memberCount(), n0);
    // Leap day in a leap year and a lower-case x are fine (GB 11643 vectors from STANDARDS.md §3).
    const leap = withDate('20000229');
    const r = await api('POST', '/api/v1/people', { token: t, body: person({ id_number: leap }) });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.birth_date, '2000-02-29');
  });

  test('a lower-case x check character is accepted and stored upper-case', async () => {
    // Find an ID whose check character is X.
    let id;
    do id = makeResidentId(); while (id[17] !== 'X');
    const r = await api('POST', '/api/v1/people', { token: t, body: person({ id_number: id.toLowerCase() }) });
    assert.equal(r.status, 201, r.text);
    assert.ok(r.json.id_number_masked.endsWith('X'));
    const s = await api('GET', `/api/v1/people/${r.json.id}/sensitive?purpose=%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD`, { token: t });
    assert.equal(s.json.id_number, id);
  });

  test('a bad phone: 400 on phone', async () => {
    const n0 = await memberCount();
    for (const phone of ['12345678901', '1380013800', '138001380000', '23800138000', '1380013800a', '+85213800138000'])
      assertError(await api('POST', '/api/v1/people', { token: t, body: person({ phone }) }), 400, 'invalid', 'phone');
    assert.equal(await memberCount(), n0);
  });

  test('an unknown tag: 400 on tags', async () => {
    const n0 = await memberCount();
    assertError(await api('POST', '/api/v1/people', { token: t, body: person({ tags: ['党员', '外星人'] }) }), 400, 'invalid', 'tags');
    assert.equal(await memberCount(), n0);
    assertError(await api('GET', `/api/v1/people?tag=${encodeURIComponent('外星人')}`, { token: t }), 400, 'invalid', 'tag');
    assertError(await api('GET', '/api/v1/people?region=12x', { token: t }), 400, 'invalid', 'region');
  });

  test('a bad name: 400 on name', async () => {
    for (const name of ['', '名'.repeat(21)])
      assertError(await api('POST', '/api/v1/people', { token: t, body: person({ name }) }), 400, 'invalid', 'name');
    assertError(await api('POST', '/api/v1/people', { token: t, body: { household_id: hh.id, id_number: makeResidentId() } }), 400, 'invalid', 'name');
  });

  test('a duplicate ID number answers 409 and nothing is half-written', async () => {
    const id = makeResidentId();
    const first = await api('POST', '/api/v1/people', { token: t, body: person({ id_number: id, phone: '13700001111' }) });
    assert.equal(first.status, 201, first.text);
    const n0 = await memberCount();
    const p0 = await peopleInGrid();
    const dup = await api('POST', '/api/v1/people', { token: t, body: person({ id_number: id, name: '重复的人', phone: '13700002222' }) });
    assertError(dup, 409, 'conflict', 'id_number');
    // Also a seeded person's real ID number.
    const seeded = (await api('GET', `/api/v1/households/${hh.id}`, { token: t })).json.members.find((m) => m.id !== first.json.id);
    const real = (await api('GET', `/api/v1/people/${seeded.id}/sensitive?purpose=%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD`, { token: t })).json.id_number;
    assertError(await api('POST', '/api/v1/people', { token: t, body: person({ id_number: real }) }), 409, 'conflict', 'id_number');
    assert.equal(await memberCount(), n0);
    assert.equal(await peopleInGrid(), p0);
    const list = await api('GET', `/api/v1/households/${hh.id}`, { token: t });
    assert.ok(!list.json.members.some((m) => m.name === '重复的人'));
  });

  test('a household outside scope or unknown: 404, nothing written', async () => {
    const other = (await api('GET', '/api/v1/regions/15253120220601/households?limit=1', { token: await demo('duolun.grid') })).json.items[0];
    assertError(await api('POST', '/api/v1/people', { token: t, body: person({ household_id: other.id }) }), 404, 'not_found');
    assertError(await api('POST', '/api/v1/people', { token: t, body: person({ household_id: '999999999999' }) }), 404, 'not_found');
    const d = await api('GET', `/api/v1/households/${other.id}`, { token: await demo('duolun.grid') });
    assert.equal(d.json.member_count, other.member_count);
  });

  test('a PATCH with one bad field changes nothing at all', async () => {
    const c = await api('POST', '/api/v1/people', { token: t, body: person({ phone: '13600001234', tags: ['党员'] }) });
    assert.equal(c.status, 201, c.text);
    const before = (await api('GET', `/api/v1/people/${c.json.id}`, { token: t })).json;
    assertError(await api('PATCH', `/api/v1/people/${c.json.id}`, { token: t, body: { name: '新名', phone: '123' } }), 400, 'invalid', 'phone');
    assertError(await api('PATCH', `/api/v1/people/${c.json.id}`, { token: t, body: { name: '新名', tags: ['外星人'] } }), 400, 'invalid', 'tags');
    assertError(await api('PATCH', `/api/v1/people/${c.json.id}`, { token: t, body: { name: '', tags: ['残疾人'] } }), 400, 'invalid', 'name');
    assert.deepEqual((await api('GET', `/api/v1/people/${c.json.id}`, { token: t })).json, before);
  });
});

describe('query parameters and path IDs', () => {
  test('invalid limit answers 400 on every list', async () => {
    const admin = await demo('huade.admin');
    for (const path of ['/api/v1/people', `/api/v1/regions/${grid}/households`, '/api/v1/users', '/api/v1/audit'])
      for (const l of ['0', '201', 'x', '-5', '99999999999999999999']) {
        const r = await api('GET', `${path}?limit=${l}`, { token: admin });
        assertError(r, 400, 'invalid', 'limit');
      }
  });

  test('path IDs that are not numbers answer 404', async () => {
    for (const id of ['abc', '-1', '0', '1e5', '12345678901234567890123'])
      assertError(await api('GET', `/api/v1/people/${id}`, { token: t }), 404, 'not_found');
    assertError(await api('GET', "/api/v1/households/1%27%20OR%201=1", { token: t }), 404, 'not_found');
    assertError(await api('GET', '/api/v1/regions/%27%20OR%20%271%27=%271', { token: t }), 404, 'not_found');
  });

  test('over-long and hostile query strings are refused or harmless', async () => {
    const admin = await demo('huade.admin');
    assertError(await api('GET', `/api/v1/users?q=${'x'.repeat(61)}`, { token: admin }), 400, 'invalid', 'q');
    const r = await api('GET', `/api/v1/users?q=${encodeURIComponent("%' OR '1'='1")}`, { token: admin });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.items, []);
    for (const path of ['/api/v1/users', '/api/v1/audit', '/api/v1/people', '/api/v1/regions/150922/households']) {
      assertError(await api('GET', `${path}?cursor=notanumber`, { token: admin }), 400, 'invalid', 'cursor');
      assertError(await api('GET', `${path}?cursor=-5`, { token: admin }), 400, 'invalid', 'cursor');
      assertError(await api('GET', `${path}?cursor=${'9'.repeat(25)}`, { token: admin }), 400, 'invalid', 'cursor');
    }
  });
});
