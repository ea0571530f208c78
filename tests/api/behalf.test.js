// behalf.test.js — 代报: a building head reports for a resident of their building. The case is the
// resident's (placed by their household; they follow and rate it when they have an account), the
// head follows it too, and nobody files for someone outside their scope.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, demo, assertError } from './lib/client.js';

let head, resident, worker, otherResident;
const report = (token, body) => api('POST', '/api/v1/cases', { token, body });
const act = (token, id, body) => api('POST', `/api/v1/cases/${id}/events`, { token, body });

before(async () => {
  head = await demo('duolun.head');
  resident = await demo('duolun.resident');
  worker = await demo('duolun.grid');
  otherResident = await demo('huimin.resident');
});

describe('a building head reports on a resident\'s behalf', () => {
  test('for a resident with an account: theirs to follow and rate; the head follows too', async () => {
    const me = (await api('GET', '/api/v1/me/profile', { token: resident })).json;
    const personId = me.id || me.person?.id;
    assert.ok(personId, 'the resident has a person record');
    const r = await report(head, { category: '0101', description: '代居民反映：门口垃圾没人清', for_person: personId });
    assert.equal(r.status, 201, r.text);
    const c = r.json;
    assert.equal(c.source, 'building_head');
    assert.equal(c.mine, false, 'not the head\'s own report');
    const create = c.timeline[0];
    assert.equal(create.actor_role, 'building_head', 'the timeline says who filed it');
    assert.equal(create.detail.for_person, personId);
    assert.equal(create.detail.placed_by, 'household');
    // The resident sees it as theirs.
    const mine = await api('GET', `/api/v1/cases/${c.id}`, { token: resident });
    assert.equal(mine.status, 200);
    assert.equal(mine.json.mine, true);
    assert.ok((await api('GET', '/api/v1/cases?limit=50', { token: resident })).json.items.some((x) => x.id === c.id));
    // The head follows what they filed.
    assert.ok((await api('GET', '/api/v1/cases?limit=50', { token: head })).json.items.some((x) => x.id === c.id));
    // The loop closes with the resident's rating.
    assert.equal((await act(worker, c.id, { event: 'accept' })).status, 200);
    assert.equal((await act(worker, c.id, { event: 'resolve', note: '已清理' })).status, 200);
    assertError(await act(head, c.id, { event: 'rate', rating: 5 }), 403, 'forbidden');
    assert.equal((await act(resident, c.id, { event: 'rate', rating: 5 })).json.state, 'closed');
  });

  test('for a person without an account: the head holds it and rates for them', async () => {
    const people = (await api('GET', '/api/v1/people?region=15253120220601001&limit=50', { token: head })).json.items;
    const me = (await api('GET', '/api/v1/me/profile', { token: resident })).json;
    const other = people.find((p) => p.id !== (me.id || me.person?.id));
    assert.ok(other, 'another person in the building');
    const c = (await report(head, { category: '0501', description: '独居老人需要帮助买药', for_person: other.id })).json;
    assert.equal(c.mine, true, 'no account of their own: the head is the reporter');
    assert.equal(c.timeline[0].detail.for_person, other.id);
  });

  test('nobody files outside their scope, and only heads and grid workers file for others', async () => {
    const far = (await api('GET', '/api/v1/me/profile', { token: otherResident })).json;
    assertError(await report(head, { category: '0101', description: '越界代报', for_person: far.id || far.person?.id }), 400, 'invalid', 'for_person');
    assertError(await report(head, { category: '0101', description: '不存在的人', for_person: '999999' }), 400, 'invalid', 'for_person');
    assertError(await report(head, { category: '0101', description: '格式不对', for_person: 12 }), 400, 'invalid', 'for_person');
    const me = (await api('GET', '/api/v1/me/profile', { token: resident })).json;
    assertError(await report(resident, { category: '0101', description: '居民不能代报', for_person: me.id || me.person?.id }), 403, 'forbidden', 'for_person');
  });
});
