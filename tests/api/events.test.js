// events.test.js — live updates (issue 3, notifications): GET /api/v1/events streams a grid
// worker's new messages and the events of cases in the grid as Server-Sent Events; a worker of
// another grid gets none of them; logout ends the stream; Last-Event-ID replays messages; the
// stream never keeps an idle session alive; streams per account are capped.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, demo, login, createAccount, assertError } from './lib/client.js';
import { sql, sqlSkip } from './lib/db.js';
import { openStream } from './lib/sse.js';

const GRID1 = '15253120220601';
let resident, worker, admin, community, otherWorker;

before(async () => {
  resident = await demo('duolun.resident');
  admin = await demo('duolun.admin');
  community = await demo('duolun.community');
  worker = await login('duolun.grid');
  otherWorker = (await createAccount(admin, { scope_code: '15253120220602', prefix: 'ev2' })).token;
});

const report = (token, body) => api('POST', '/api/v1/cases', { token, body });
const within = (p, ms) => Promise.race([p, new Promise((r) => setTimeout(() => r('timeout'), ms))]);

describe('GET /api/v1/events', () => {
  test('a grid worker sees the new message and the case events of a report in the grid, promptly', async () => {
    const s = await openStream(worker);
    const other = await openStream(otherWorker);
    try {
      assert.equal(s.status, 200);
      assert.match(s.headers.get('content-type'), /^text\/event-stream/);
      assert.equal(s.headers.get('cache-control'), 'no-store');
      assert.equal(s.headers.get('content-encoding'), null, 'never compressed (gzip would hold events back)');
      await s.next((e) => e.retry === '3000', 2000);

      const t0 = Date.now();
      const c = await report(resident, { category: '0301', description: '实时推送测试：楼道堆物' });
      assert.equal(c.status, 201, c.text);
      assert.equal(c.json.region_code, GRID1);
      const id = c.json.id;

      const dispatch = await s.next((e) => e.event === 'case' && e.json.id === id && e.json.event === 'dispatch');
      assert.ok(Date.now() - t0 < 1500, `arrived in ${Date.now() - t0} ms (wake-up after commit, not the 2 s poll)`);
      assert.deepEqual(dispatch.json, { id, state: 'dispatched', seq: 2, event: 'dispatch' });
      const create = s.events.find((e) => e.event === 'case' && e.json.id === id && e.json.event === 'create');
      assert.deepEqual(create.json, { id, state: 'submitted', seq: 1, event: 'create' });
      assert.ok(s.events.indexOf(create) < s.events.indexOf(dispatch), 'in order');
      // Each message the inbox lists for this case came down the stream, field for field, with
      // its id as the SSE id (which of the grid's workers is told depends on dispatch).
      const inbox = await api('GET', '/api/v1/inbox?limit=200', { token: worker });
      const told = inbox.json.items.filter((m) => m.case_id === id);
      for (const m of told) {
        const got = await s.next((e) => e.event === 'inbox' && e.id === m.id, 2000);
        assert.deepEqual(got.json, m);
      }

      // The community acts: the step reaches the stream too.
      const r = await api('POST', `/api/v1/cases/${id}/events`, { token: community, body: { event: 'escalate', note: '需社区协调' } });
      assert.equal(r.status, 200, r.text);
      const acc = await s.next((e) => e.event === 'case' && e.json.id === id && e.json.event === 'escalate');
      assert.deepEqual(acc.json, { id, state: 'escalated', seq: 3, event: 'escalate' });

      // Sent once each.
      await new Promise((res) => setTimeout(res, 2500)); // a timer poll re-reads the window
      const mine = s.events.filter((e) => e.event === 'case' && e.json.id === id);
      assert.deepEqual(mine.map((e) => e.json.seq), [1, 2, 3]);
      for (const m of told) assert.equal(s.events.filter((e) => e.event === 'inbox' && e.id === m.id).length, 1);

      // Another grid's worker got nothing about this case.
      assert.equal(other.events.filter((e) => e.json && (e.json.id === id || e.json.case_id === id)).length, 0,
        JSON.stringify(other.events));
      assert.ok(!other.done, 'the other stream is still open');
    } finally {
      s.close();
      other.close();
    }
  });

  test('the reporter sees the steps of their own case', async () => {
    const s = await openStream(resident);
    try {
      const c = await report(resident, { category: '0301', description: '实时推送测试：自己的诉求' });
      const id = c.json.id;
      await s.next((e) => e.event === 'case' && e.json.id === id && e.json.event === 'dispatch');
      const r = await api('POST', `/api/v1/cases/${id}/events`, { token: community, body: { event: 'escalate', note: '需社区协调' } });
      assert.equal(r.status, 200, r.text);
      // The reporter is told in the inbox and sees the event.
      await s.next((e) => e.event === 'inbox' && e.json.case_id === id && e.json.kind === 'case_update');
      await s.next((e) => e.event === 'case' && e.json.id === id && e.json.event === 'escalate');
    } finally {
      s.close();
    }
  });

  test('logout ends the stream', async () => {
    const token = await login('duolun.grid');
    const s = await openStream(token);
    await s.next((e) => e.retry === '3000', 2000);
    const r = await api('POST', '/api/v1/auth/logout', { token });
    assert.equal(r.status, 204);
    assert.equal(await within(s.ended, 5000), true, 'stream closed within 5 s of logout');
  });

  test('a disabled account loses its stream', async () => {
    const acct = await createAccount(admin, { scope_code: GRID1, prefix: 'evd' });
    const s = await openStream(acct.token);
    await s.next((e) => e.retry === '3000', 2000);
    const d = await api('POST', `/api/v1/users/${acct.id}/disable`, { token: admin });
    assert.equal(d.status, 200, d.text);
    assert.equal(await within(s.ended, 5000), true, 'stream closed within 5 s of disabling');
  });

  test('Last-Event-ID replays the messages after that one, and only those', async () => {
    // The reporter is told of each step someone else takes: two messages, a then b.
    const a = await report(resident, { category: '0301', description: '实时推送测试：补发一' });
    const b = await report(resident, { category: '0301', description: '实时推送测试：补发二' });
    for (const c of [a, b]) {
      const r = await api('POST', `/api/v1/cases/${c.json.id}/events`, { token: community, body: { event: 'escalate', note: '需社区协调' } });
      assert.equal(r.status, 200, r.text);
    }
    const items = (await api('GET', '/api/v1/inbox?limit=200', { token: resident })).json.items;
    const ma = items.find((m) => m.case_id === a.json.id);
    const mb = items.find((m) => m.case_id === b.json.id);
    assert.ok(ma && mb && BigInt(ma.id) < BigInt(mb.id), 'two messages, a before b');

    const s = await openStream(resident, { 'last-event-id': ma.id });
    try {
      const got = await s.next((e) => e.event === 'inbox' && e.id === mb.id, 3000);
      assert.deepEqual(got.json, mb);
      assert.ok(!s.events.some((e) => e.event === 'inbox' && e.id === ma.id), 'not the one already seen');
      // Without it, a new stream starts from now: neither is sent.
      const fresh = await openStream(resident);
      await new Promise((res) => setTimeout(res, 2500));
      fresh.close();
      assert.ok(!fresh.events.some((e) => e.event === 'inbox' && (e.id === ma.id || e.id === mb.id)));
    } finally {
      s.close();
    }
    assertError(await api('GET', '/api/v1/events', { token: worker, headers: { 'last-event-id': 'abc' } }),
      400, 'invalid', 'Last-Event-ID');
  });

  test('a stream is not activity, and it ends when the session idles out (等保)', { skip: sqlSkip() }, async () => {
    const a = await createAccount(admin, { scope_code: GRID1, prefix: 'evi' });
    const lastSeen = () => Number(sql(`SELECT MAX(last_seen_at) FROM sessions WHERE user_id = ${a.id}`));
    sql(`UPDATE sessions SET last_seen_at = last_seen_at - ${5 * 60 * 1000} WHERE user_id = ${a.id}`);
    const aged = lastSeen();
    const s = await openStream(a.token);
    await s.next((e) => e.retry === '3000', 2000);
    await new Promise((r) => setTimeout(r, 2500)); // a timer wake re-checks the session
    assert.equal(lastSeen(), aged, 'the stream did not refresh the session');
    assert.ok(!s.done);
    sql(`UPDATE sessions SET last_seen_at = last_seen_at - ${6 * 60 * 1000} WHERE user_id = ${a.id}`);
    assert.equal(await within(s.ended, 5000), true, 'stream closed once the session idled out');
    assertError(await api('GET', '/api/v1/events'), 401, 'unauthenticated');
  });

  test('at most 5 streams per account: the sixth is refused with 429', async () => {
    const token = await login('duolun.grid');
    const open = [];
    try {
      for (let i = 0; i < 5; i++) {
        const s = await openStream(token);
        assert.equal(s.status, 200);
        open.push(s);
      }
      const r = await api('GET', '/api/v1/events', { token });
      assertError(r, 429, 'too_many_streams');
    } finally {
      open.forEach((s) => s.close());
    }
    // A client that goes away frees its place at once (the server watches the connection), so
    // reloading a page does not lock the account out.
    await new Promise((r) => setTimeout(r, 300));
    const again = await openStream(token);
    assert.equal(again.status, 200, again.text);
    again.close();
  });
});

describe('department staff on the stream', () => {
  test('the cases dispatched to their department reach them, another department\'s do not', async () => {
    const center = await demo('duolun.center');
    const d03 = await demo('duolun.dept');
    const d07 = (await createAccount(admin, { role: 'department_staff', scope_code: '152531', prefix: 'ev7', department: 'd07' })).token;
    const mine = await openStream(d03);
    const other = await openStream(d07);
    try {
      await mine.next((e) => e.retry === '3000', 2000);
      const c = await report(resident, { category: '0301', description: '实时推送测试：派给部门' });
      assert.equal(c.status, 201, c.text);
      const id = c.json.id;
      assert.equal((await api('POST', `/api/v1/cases/${id}/events`, { token: community, body: { event: 'escalate', note: '需部门处理' } })).status, 200);
      const r = await api('POST', `/api/v1/cases/${id}/events`, { token: center, body: { event: 'dispatch', assignee: 'dept:d03' } });
      assert.equal(r.status, 200, r.text);
      const got = await mine.next((e) => e.event === 'case' && e.json.id === id && e.json.event === 'dispatch');
      assert.equal(got.json.state, 'dispatched');
      assert.equal((await api('POST', `/api/v1/cases/${id}/events`, { token: d03, body: { event: 'accept' } })).status, 200);
      await mine.next((e) => e.event === 'case' && e.json.id === id && e.json.event === 'accept');
      await new Promise((res) => setTimeout(res, 1000));
      assert.ok(!other.events.some((e) => e.event === 'case' && e.json.id === id), 'not sent to another department');
    } finally {
      mine.close();
      other.close();
    }
  });
});
