// audit.test.js — the audit log page's API (issue 10 part 7): server-side filters (who, what,
// when, outcome, object) with keyset pages, account names and Chinese labels for every event
// code this build writes, the county scope, and a CSV export that is itself audited.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { api, demo, loginRaw, assertError, HAN } from './lib/client.js';
import { doc as spec, validateReply } from './lib/openapi.js';

const listSchema = spec.paths['/api/v1/audit'].get.responses['200'].content['application/json'].schema;
let auditor, admin, t0;

const list = (q, token = auditor) => api('GET', `/api/v1/audit?${new URLSearchParams(q)}`, { token });

before(async () => {
  t0 = Date.now();
  auditor = await demo('duolun.audit');
  admin = await demo('duolun.admin');
  // Something to find: a failed sign-in of an unknown name and of a known one.
  await loginRaw('no.such.user', 'Wrong#Pass1');
  await loginRaw('duolun.grid', 'Wrong#Pass1');
});

/** Every action code written in src/: `.action = "x"`, ternaries and the audit helpers' calls. */
function actionCodes() {
  const codes = new Set();
  const walk = (dir) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.c')) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/\.action = ([^;,}]+)/g))
          for (const s of m[1].matchAll(/"([a-z_0-9]+)"/g)) codes.add(s[1]);
        for (const m of text.matchAll(/->action = "([a-z_0-9]+)"/g)) codes.add(m[1]);
        for (const m of text.matchAll(/\b(?:pts_audit|audit_guard|audit|ind_detail_audit)\([^;]*?"([a-z]+_[a-z_0-9]+)"/g)) codes.add(m[1]);
      }
    }
  };
  walk(new URL('../../src', import.meta.url).pathname);
  return codes;
}

describe('GET /api/v1/audit', () => {
  test('every event code written in src/ has a Chinese label', async () => {
    const r = await api('GET', '/api/v1/audit/actions', { token: auditor });
    assert.equal(r.status, 200, r.text);
    const labels = Object.fromEntries(r.json.items.map((x) => [x.code, x.label]));
    const codes = actionCodes();
    assert.ok(codes.size > 20, `codes found in src: ${[...codes]}`);
    for (const c of codes) {
      assert.ok(labels[c], `event code ${c} has a label`);
      assert.match(labels[c], HAN, `${c}: ${labels[c]}`);
    }
  });

  test('rows name the account, its role and the event in Chinese; they conform to openapi.yaml', async () => {
    const r = await list({ limit: 50 });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(validateReply(listSchema, r.json), []);
    const login = r.json.items.find((x) => x.action === 'login' && x.username === 'duolun.audit');
    assert.ok(login, 'the auditor\'s own sign-in');
    assert.equal(login.name, '多伦县审计员（演示）');
    assert.equal(login.role_label, '审计员');
    assert.equal(login.action_label, '登录');
    for (const x of r.json.items) assert.match(x.action_label, HAN, x.action);
  });

  test('filters on the server: who, what, outcome, when, object', async () => {
    const who = await list({ username: 'duolun.grid', limit: 50 });
    assert.equal(who.status, 200, who.text);
    assert.ok(who.json.items.length >= 1);
    for (const x of who.json.items) assert.equal(x.username, 'duolun.grid');
    assert.equal(who.json.items[0].action_label, '登录失败');
    assert.equal(who.json.items[0].name, '郑伟', 'the account\'s name');
    // An unknown name belongs to no county: no county's log shows it.
    assert.equal((await list({ username: 'no.such.user' })).json.items.length, 0);

    const failed = await list({ action: 'login_failed', outcome: 'failed', limit: 50 });
    for (const x of failed.json.items) {
      assert.equal(x.action, 'login_failed');
      assert.equal(x.outcome, 'failed');
    }
    assert.ok(failed.json.items.some((x) => x.username === 'duolun.grid'));

    const recent = await list({ from: t0, to: Date.now() + 1000, limit: 200 });
    for (const x of recent.json.items) assert.ok(x.at >= t0, 'inside the window');
    const old = await list({ to: t0 - 3600e3, action: 'login_failed', username: 'duolun.grid' });
    assert.equal(old.json.items.length, 0, 'nothing before the window');

    const persons = await list({ object: 'user:', limit: 50 });
    assert.ok(persons.json.items.length > 0);
    for (const x of persons.json.items) assert.match(x.object, /^user:/);
  });

  test('keyset pages through the filtered rows: no overlap, newest first', async () => {
    const seen = [];
    let cursor = '';
    for (let i = 0; i < 3; i++) {
      const r = await list({ action: 'login', limit: 2, ...(cursor ? { cursor } : {}) });
      assert.equal(r.status, 200, r.text);
      for (const x of r.json.items) assert.equal(x.action, 'login');
      seen.push(...r.json.items.map((x) => x.id));
      cursor = r.json.next_cursor;
      if (!cursor) break;
    }
    assert.equal(new Set(seen).size, seen.length, 'no row twice');
    const sorted = [...seen].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1));
    assert.deepEqual(seen, sorted);
  });

  test('bad filters: 400 with a Chinese message naming the field', async () => {
    for (const [q, field] of [
      [{ action: 'DROP TABLE' }, 'action'],
      [{ outcome: 'maybe' }, 'outcome'],
      [{ from: 'yesterday' }, 'from'],
      [{ from: 2000, to: 1000 }, 'from'],
      [{ object: 'person:\u4e00' }, 'object'],
      [{ username: 'x'.repeat(65) }, 'username'],
    ]) {
      const r = await list(q);
      assertError(r, 400, 'invalid', field);
      assert.match(r.json.error.message, HAN);
    }
  });

  test('scope: a county sees its own rows only; other roles are refused', async () => {
    const tq = await api('GET', '/api/v1/audit?limit=200&action=login', { token: await demo('tuquan.admin') });
    assert.equal(tq.status, 200);
    assert.ok(!tq.json.items.some((x) => /^duolun\./.test(x.username || '')), '突泉县 sees no 多伦县 row');
    assertError(await api('GET', '/api/v1/audit', { token: await demo('duolun.grid') }), 403, 'forbidden');
    assertError(await api('GET', '/api/v1/audit.csv', { token: await demo('duolun.resident') }), 403, 'forbidden');
  });
});

describe('GET /api/v1/audit.csv', () => {
  test('the filtered rows as CSV for Excel, and the export is audited', async () => {
    const r = await api('GET', '/api/v1/audit.csv?action=login_failed&username=duolun.grid', { token: admin });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    assert.match(r.headers.get('content-disposition'), /attachment; filename="audit-152531-\d+\.csv"/);
    const text = r.text.replace(/^\uFEFF/, '');
    const lines = text.trim().split('\r\n');
    assert.equal(lines[0], '时间（北京时间）,用户名,姓名,角色,事件,事件代码,对象,结果,IP,详情');
    assert.ok(lines.length >= 2, 'at least one row');
    for (const l of lines.slice(1)) assert.match(l, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,duolun\.grid,郑伟,网格员,登录失败,login_failed,user:\d+,失败,/);
    const a = await list({ action: 'audit_export', username: 'duolun.admin', limit: 1 });
    assert.equal(a.json.items.length, 1, 'the export wrote an audit row');
    const row = a.json.items[0];
    assert.equal(row.action_label, '导出审计日志');
    assert.match(row.detail, new RegExp(`^rows=${lines.length - 1} username=duolun\\.grid action=login_failed`));
  });
});
