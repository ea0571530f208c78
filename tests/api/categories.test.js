// categories.test.js — issue 3, part 2: categories are data and a county can edit them. A new
// category takes reports at once with its own deadlines; a retired one takes none; cases already
// reported keep their deadlines; every change is audited; only the county admin edits, and only
// the county's own list.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, demo, assertError } from './lib/client.js';

let admin, community, resident, otherAdmin, auditor;
const cats = (token, q = '') => api('GET', `/api/v1/case-categories${q}`, { token });
const add = (token, body) => api('POST', '/api/v1/case-categories', { token, body });
const change = (token, code, body) => api('PATCH', `/api/v1/case-categories/${code}`, { token, body });

before(async () => {
  admin = await demo('duolun.admin');
  community = await demo('duolun.community');
  resident = await demo('duolun.resident');
  otherAdmin = await demo('huimin.admin');
  auditor = await demo('duolun.audit');
});

describe('a county edits its categories', () => {
  test('the seeded department category names its department by code, with its name', async () => {
    const r = await cats(resident);
    const c = r.json.items.find((x) => x.code === '0601');
    assert.equal(c.department, 'd06');
    assert.equal(c.department_name, '城市管理局');
    assert.equal(c.active, true);
  });

  test('a new group and category take reports at once, with their own deadlines', async () => {
    const g = await add(admin, { code: '09', name: '冬季供暖', handling: 'community', respond_hours: 12, complete_value: 2, complete_unit: 'workdays' });
    assert.equal(g.status, 201, g.text);
    assert.equal(g.json.parent_code, null);
    const c = await add(admin, { code: '0901', parent_code: '09', name: '暖气不热', handling: 'grid', respond_hours: 4, complete_value: 24, complete_unit: 'hours' });
    assert.equal(c.status, 201, c.text);
    assert.deepEqual(
      { code: c.json.code, parent: c.json.parent_code, name: c.json.name, handling: c.json.handling, active: c.json.active },
      { code: '0901', parent: '09', name: '暖气不热', handling: 'grid', active: true },
    );
    assert.ok((await cats(resident)).json.items.some((x) => x.code === '0901'));
    const k = await api('POST', '/api/v1/cases', { token: resident, body: { category: '0901', description: '家里暖气不热' } });
    assert.equal(k.status, 201, k.text);
    assert.equal(k.json.state, 'dispatched', 'grid handling: straight to the grid');
    assert.equal(k.json.respond_due - k.json.created_at, 4 * 3600 * 1000);
    assert.equal(k.json.complete_due - k.json.created_at, 24 * 3600 * 1000);

    // Changing deadlines applies to new reports only.
    const ch = await change(admin, '0901', { respond_hours: 1, complete_value: 12 });
    assert.equal(ch.status, 200, ch.text);
    assert.equal(ch.json.respond_hours, 1);
    const old = await api('GET', `/api/v1/cases/${k.json.id}`, { token: resident });
    assert.equal(old.json.respond_due - old.json.created_at, 4 * 3600 * 1000, 'old case keeps its deadline');
    const k2 = await api('POST', '/api/v1/cases', { token: resident, body: { category: '0901', description: '暖气还是不热' } });
    assert.equal(k2.json.respond_due - k2.json.created_at, 1 * 3600 * 1000);

    // Retired: no new reports, hidden from the list, shown to the admin with all=1.
    const off = await change(admin, '0901', { active: false });
    assert.equal(off.json.active, false);
    assertError(await api('POST', '/api/v1/cases', { token: resident, body: { category: '0901', description: '停用后再报' } }), 400, 'invalid', 'category');
    assert.ok(!(await cats(resident)).json.items.some((x) => x.code === '0901'));
    assert.ok(!(await cats(resident, '?all=1')).json.items.some((x) => x.code === '0901'), 'all=1 is for the admin only');
    assert.ok((await cats(admin, '?all=1')).json.items.some((x) => x.code === '0901' && x.active === false));
    assert.equal((await api('GET', `/api/v1/cases/${k.json.id}`, { token: resident })).json.category_code, '0901');

    // Audited.
    const log = await api('GET', '/api/v1/audit', { token: auditor });
    const acts = log.json.items.filter((x) => (x.object || '').startsWith('category:09'));
    assert.ok(acts.some((x) => x.action === 'category_create'));
    assert.ok(acts.filter((x) => x.action === 'category_update').length >= 2);
  });

  test('a department category must name a department of the county', async () => {
    assertError(await add(admin, { code: '0603', parent_code: '06', name: '噪音扰民', handling: 'department', respond_hours: 24, complete_value: 5, complete_unit: 'workdays' }), 400, 'invalid', 'department');
    assertError(await add(admin, { code: '0603', parent_code: '06', name: '噪音扰民', handling: 'department', department: 'd99', respond_hours: 24, complete_value: 5, complete_unit: 'workdays' }), 400, 'invalid', 'department');
    const ok = await add(admin, { code: '0603', parent_code: '06', name: '噪音扰民', handling: 'department', department: 'd06', respond_hours: 24, complete_value: 5, complete_unit: 'workdays' });
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.department_name, '城市管理局');
    // Moving it to the community drops the department.
    const moved = await change(admin, '0603', { handling: 'community' });
    assert.equal(moved.json.department, null);
  });

  test('bad input is refused with the field, and nothing is written', async () => {
    const base = { code: '0904', parent_code: '09', name: '水管冻裂', handling: 'grid', respond_hours: 4, complete_value: 24, complete_unit: 'hours' };
    assertError(await add(admin, { ...base, code: '9' }), 400, 'invalid', 'code');
    assertError(await add(admin, { ...base, code: '09x1' }), 400, 'invalid', 'code');
    assertError(await add(admin, { ...base, parent_code: '05' }), 400, 'invalid', 'parent_code');
    assertError(await add(admin, { ...base, code: '8801', parent_code: '88' }), 400, 'invalid', 'parent_code');
    assertError(await add(admin, { ...base, name: '' }), 400, 'invalid', 'name');
    assertError(await add(admin, { ...base, name: '一二三四五六七八九十一二三四五六七八九十一' }), 400, 'invalid', 'name');
    assertError(await add(admin, { ...base, handling: 'village' }), 400, 'invalid', 'handling');
    assertError(await add(admin, { ...base, respond_hours: 0 }), 400, 'invalid', 'respond_hours');
    assertError(await add(admin, { ...base, respond_hours: '4' }), 400, 'invalid', 'respond_hours');
    assertError(await add(admin, { ...base, complete_unit: 'days' }), 400, 'invalid', 'complete_unit');
    assertError(await add(admin, { ...base, complete_unit: 'workdays', complete_value: 61 }), 400, 'invalid', 'complete_value');
    assertError(await add(admin, { ...base, colour: 'red' }), 400, 'unknown_field', 'colour');
    const { complete_unit, ...noUnit } = base;
    assert.ok(complete_unit);
    assertError(await add(admin, noUnit), 400, 'invalid', 'complete_unit');
    assertError(await add(admin, { ...base, code: '0101', parent_code: '01' }), 409, 'conflict', 'code');
    assertError(await change(admin, '0101', {}), 400, 'invalid');
    assertError(await change(admin, '0101', { active: 'no' }), 400, 'invalid', 'active');
    assertError(await change(admin, '7777', { name: '不存在' }), 404, 'not_found');
    assert.ok(!(await cats(admin, '?all=1')).json.items.some((x) => x.code === '0904'));
  });

  test('only a county admin edits, and only the own county', async () => {
    assert.equal((await change(community, '0101', { name: '垃圾' })).status, 403);
    assert.equal((await add(resident, { code: '0905' })).status, 403);
    // 会民's admin changes 会民's 0101, never 多伦's.
    const r = await change(otherAdmin, '0101', { name: '生活垃圾堆放' });
    assert.equal(r.status, 200, r.text);
    const mine = (await cats(admin)).json.items.find((x) => x.code === '0101');
    assert.equal(mine.name, '垃圾堆放');
    const back = await change(otherAdmin, '0101', { name: '垃圾堆放' });
    assert.equal(back.status, 200);
  });
});
