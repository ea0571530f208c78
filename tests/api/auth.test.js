// auth.test.js — sign-in, sessions, cookies and CSRF, lockout, 等保 password rules, disabling,
// reset, idle timeout. Every test that changes an account's state makes its own account first.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  api, login, loginRaw, demo, assertError, createAccount, strongPassword, uniqueName,
  keysMatching, DEMO_PW,
} from './lib/client.js';
import { sql, sqlSkip } from './lib/db.js';

const SECRET_KEYS = /^(?!must_change_password$).*(pw|password|hash|secret|salt).*$/i;

let admin; // duolun.admin
before(async () => {
  admin = await demo('duolun.admin');
});

describe('login', () => {
  test('a demo account signs in: token, HttpOnly SameSite=Strict cookie, user without secrets', async () => {
    const r = await loginRaw('duolun.grid', DEMO_PW);
    assert.equal(r.status, 200, r.text);
    assert.match(r.json.token, /^[A-Za-z0-9_-]{32,}$/);
    const ck = r.headers.get('set-cookie') || '';
    assert.match(ck, new RegExp(`^jiceng_session=${r.json.token};`));
    assert.match(ck, /;\s*HttpOnly/i);
    assert.match(ck, /;\s*SameSite=Strict/i);
    assert.match(ck, /;\s*Path=\//i);
    const u = r.json.user;
    assert.equal(u.username, 'duolun.grid');
    assert.equal(u.role, 'grid_worker');
    assert.equal(u.scope_code, '15253120220601');
    assert.equal(typeof u.id, 'string');
    assert.match(u.id, /^\d+$/);
    assert.equal(u.disabled, false);
    assert.equal(u.must_change_password, false);
    assert.deepEqual(keysMatching(r.json, SECRET_KEYS).filter((k) => k !== '$.token'), []);
    assert.ok(!r.text.includes('$argon2'), 'no password hash in the reply');
    // The token works as a bearer token and as the cookie.
    const me = await api('GET', '/api/v1/auth/me', { token: r.json.token });
    assert.equal(me.status, 200);
    assert.equal(me.json.user.id, u.id);
    const me2 = await api('GET', '/api/v1/auth/me', { cookie: `jiceng_session=${r.json.token}` });
    assert.equal(me2.status, 200);
    assert.equal(me2.json.user.username, 'duolun.grid');
    assert.deepEqual(keysMatching(me.json, SECRET_KEYS), []);
  });

  test('a wrong password answers 401 bad_credentials in Chinese, without a cookie', async () => {
    // A fresh account, so that no demo account collects failures.
    const a = await createAccount(admin, { prefix: 'badpw' });
    const r = await loginRaw(a.username, 'Wrong@Password1');
    const e = assertError(r, 401, 'bad_credentials');
    assert.equal(r.headers.get('set-cookie'), null);
    assert.ok(!('token' in r.json));
    const u = await loginRaw(uniqueName('ghost'), 'Wrong@Password1');
    const e2 = assertError(u, 401, 'bad_credentials');
    assert.equal(e2.message, e.message, 'unknown user and wrong password read the same');
  });

  test('empty or oversized credentials are refused like wrong ones', async () => {
    assertError(await loginRaw('', 'x'), 401, 'bad_credentials');
    assertError(await loginRaw('duolun.grid', ''), 401, 'bad_credentials');
    assertError(await loginRaw('a'.repeat(65), DEMO_PW), 401, 'bad_credentials');
  });

  test('missing fields answer 400 with the field', async () => {
    assertError(await api('POST', '/api/v1/auth/login', { body: { username: 'duolun.grid' } }), 400, 'invalid', 'password');
    assertError(await api('POST', '/api/v1/auth/login', { body: { password: 'x' } }), 400, 'invalid', 'username');
  });
});

describe('lockout (等保: 5 failures lock for 10 minutes)', () => {
  test('5 wrong passwords lock a fresh account: 423, and the right password is refused too', async () => {
    const a = await createAccount(admin, { prefix: 'lock' });
    for (let i = 1; i <= 4; i++) assertError(await loginRaw(a.username, `Wrong@Pass${i}`), 401, 'bad_credentials');
    assertError(await loginRaw(a.username, 'Wrong@Pass5'), 423, 'locked');
    assertError(await loginRaw(a.username, a.password), 423, 'locked');
    // The session it already had is not affected by failed logins of others.
    assert.equal((await api('GET', '/api/v1/auth/me', { token: a.token })).status, 200);
    // An administrator's reset lifts the lock (and forces a new password).
    const reset = await api('POST', `/api/v1/users/${a.id}/reset-password`, { token: admin });
    assert.equal(reset.status, 200, reset.text);
    const r = await loginRaw(a.username, reset.json.initial_password);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.must_change_password, true);
  });

  test('a wrong old password when changing the password counts towards the lockout', async () => {
    const a = await createAccount(admin, { prefix: 'lockc' });
    const change = (old_password) => api('POST', '/api/v1/auth/password', { token: a.token, body: { old_password, new_password: strongPassword() } });
    for (let i = 0; i < 4; i++) assertError(await change(`Wrong@Old${i}`), 400, 'bad_credentials', 'old_password');
    assertError(await loginRaw(a.username, 'Wrong@Pass5'), 423, 'locked');
    assertError(await loginRaw(a.username, a.password), 423, 'locked');
  });

  test('no password oracle: the 5th wrong old password locks, then even the right one is refused', async () => {
    const a = await createAccount(admin, { prefix: 'lockpw' });
    const next = strongPassword();
    const change = (old_password) => api('POST', '/api/v1/auth/password', { token: a.token, body: { old_password, new_password: next } });
    for (let i = 0; i < 4; i++) assertError(await change(`Wrong@Old${i}`), 400, 'bad_credentials', 'old_password');
    const fifth = assertError(await change('Wrong@Old4'), 423, 'locked');
    // During the lock the right old password answers exactly like a wrong one.
    const right = await change(a.password);
    assertError(right, 423, 'locked');
    assert.deepEqual(right.json, (await change('Wrong@Old5')).json);
    assert.equal(right.json.error.message, fifth.message);
    const login = await loginRaw(a.username, a.password);
    assertError(login, 423, 'locked');
    assert.equal(login.json.error.message, fifth.message, 'the same words as a sign-in lock');
    // The password did not change: the new one does not work either.
    assertError(await loginRaw(a.username, next), 423, 'locked');
    // The session itself stays (the lock is on guessing, not on working).
    assert.equal((await api('GET', '/api/v1/auth/me', { token: a.token })).status, 200);
  });

  test('a lock from failed sign-ins also stops password changes', async () => {
    const a = await createAccount(admin, { prefix: 'lockx' });
    for (let i = 1; i <= 5; i++) await loginRaw(a.username, `Wrong@Pass${i}`);
    assertError(await api('POST', '/api/v1/auth/password', { token: a.token, body: { old_password: a.password, new_password: strongPassword() } }), 423, 'locked');
  });

  test('a success in between resets the failure count', async () => {
    const a = await createAccount(admin, { prefix: 'lockr' });
    for (let i = 0; i < 4; i++) assertError(await loginRaw(a.username, 'Wrong@Pass0'), 401, 'bad_credentials');
    await login(a.username, a.password);
    for (let i = 0; i < 4; i++) assertError(await loginRaw(a.username, 'Wrong@Pass0'), 401, 'bad_credentials');
    await login(a.username, a.password);
  });
});

describe('no account enumeration (等保: the lock applies to every name)', () => {
  test('an unknown username answers exactly like an existing one, 423 after 5 failures included', async () => {
    const a = await createAccount(admin, { prefix: 'enum' });
    const ghost = uniqueName('ghost');
    const statuses = [];
    for (let i = 1; i <= 7; i++) {
      const known = await loginRaw(a.username, `Wrong@Pass${i}`);
      const unknown = await loginRaw(ghost, `Wrong@Pass${i}`);
      assert.equal(unknown.status, known.status, `attempt ${i}: ${known.text} vs ${unknown.text}`);
      assert.deepEqual(unknown.json, known.json, `attempt ${i}: same body`);
      assert.equal(unknown.headers.get('content-type'), known.headers.get('content-type'));
      assert.equal(unknown.headers.get('set-cookie'), null);
      statuses.push(known.status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 423, 423, 423]);
    assertError(await loginRaw(ghost, 'Any@Pass1'), 423, 'locked');
    // Names are told apart exactly (no prefix or case folding shares a counter).
    assertError(await loginRaw(`${ghost}x`, 'Wrong@Pass1'), 401, 'bad_credentials');
  });
});

describe('sessions', () => {
  test('logout kills the session server-side: the token then answers 401', async () => {
    const t = await login('duolun.grid');
    const t2 = await login('duolun.grid');
    const r = await api('POST', '/api/v1/auth/logout', { token: t });
    assert.equal(r.status, 204);
    assert.match(r.headers.get('set-cookie') || '', /jiceng_session=;.*Max-Age=0/i);
    assertError(await api('GET', '/api/v1/auth/me', { token: t }), 401, 'unauthenticated');
    assertError(await api('POST', '/api/v1/auth/logout', { token: t }), 401, 'unauthenticated');
    // Only that session ended.
    assert.equal((await api('GET', '/api/v1/auth/me', { token: t2 })).status, 200);
    await api('POST', '/api/v1/auth/logout', { token: t2 });
  });

  test('previous_login_at is the sign-in before this one (上次登录), last_login_at this one', async () => {
    const a = await createAccount(admin, { prefix: 'prev' });
    const first = await loginRaw(a.username, a.password);
    assert.equal(first.status, 200, first.text);
    await new Promise((r) => setTimeout(r, 30));
    const second = await loginRaw(a.username, a.password);
    assert.equal(second.status, 200, second.text);
    assert.equal(second.json.user.previous_login_at, first.json.user.last_login_at);
    assert.ok(second.json.user.last_login_at > first.json.user.last_login_at);
    const me = await api('GET', '/api/v1/auth/me', { token: second.json.token });
    assert.equal(me.json.user.previous_login_at, first.json.user.last_login_at);
  });

  test('/auth/me returns the signed-in account', async () => {
    const r = await api('GET', '/api/v1/auth/me', { token: await demo('huimin.community') });
    assert.equal(r.status, 200);
    assert.equal(r.json.user.username, 'huimin.community');
    assert.equal(r.json.user.role, 'community_admin');
    assert.equal(r.json.user.scope_code, '150103006009');
    assert.equal(r.json.user.scope_name, '三顺店社区');
    assert.deepEqual(keysMatching(r.json, SECRET_KEYS), []);
  });

  test('cookie auth on a POST needs X-Requested-With: jiceng (CSRF), bearer does not', async () => {
    const t = await login('duolun.grid');
    const cookie = `jiceng_session=${t}`;
    assertError(await api('POST', '/api/v1/auth/logout', { cookie }), 403, 'csrf');
    assertError(await api('POST', '/api/v1/auth/logout', { cookie, headers: { 'x-requested-with': 'XMLHttpRequest' } }), 403, 'csrf');
    assertError(await api('PATCH', '/api/v1/people/1', { cookie, body: {} }), 403, 'csrf');
    // A GET by cookie needs no header.
    assert.equal((await api('GET', '/api/v1/auth/me', { cookie })).status, 200);
    // The refused POST did not log out.
    const ok = await api('POST', '/api/v1/auth/logout', { cookie, headers: { 'x-requested-with': 'jiceng' } });
    assert.equal(ok.status, 204, ok.text);
    assertError(await api('GET', '/api/v1/auth/me', { cookie }), 401, 'unauthenticated');
  });
});

describe('first sign-in and password changes (等保)', () => {
  test('a new account must change its password before anything else', async () => {
    const a = await createAccount(admin, { prefix: 'mc', activate: false });
    assert.equal(a.user.must_change_password, true);
    assert.match(a.initial_password, /^.{8,}$/);
    const r = await loginRaw(a.username, a.initial_password);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.must_change_password, true);
    const t = r.json.token;
    const me = await api('GET', '/api/v1/auth/me', { token: t });
    assert.equal(me.status, 200);
    assert.equal(me.json.user.must_change_password, true);
    for (const [m, p] of [
      ['GET', '/api/v1/regions/15253120220601'],
      ['GET', '/api/v1/grids/15253120220601'],
      ['GET', '/api/v1/people'],
      ['GET', '/api/v1/me/profile'],
      ['GET', '/api/v1/users'],
      ['GET', '/api/v1/audit'],
    ])
      assertError(await api(m, p, { token: t }), 403, 'password_change_required');
    const pw = strongPassword();
    const c = await api('POST', '/api/v1/auth/password', { token: t, body: { old_password: a.initial_password, new_password: pw } });
    assert.equal(c.status, 204, c.text);
    // The same session goes on, now allowed.
    assert.equal((await api('GET', '/api/v1/regions/15253120220601', { token: t })).status, 200);
    const me2 = await api('GET', '/api/v1/auth/me', { token: t });
    assert.equal(me2.json.user.must_change_password, false);
    // Logout is allowed while a change is pending, too.
    const b = await createAccount(admin, { prefix: 'mc2', activate: false });
    const tb = await login(b.username, b.initial_password);
    assert.equal((await api('POST', '/api/v1/auth/logout', { token: tb })).status, 204);
  });

  test('the password policy: 8+ chars, 3 of 4 classes, not the username, not the old one', async () => {
    const a = await createAccount(admin, { prefix: 'pol' });
    const change = (new_password, old_password = a.password) => api('POST', '/api/v1/auth/password', { token: a.token, body: { old_password, new_password } });
    assertError(await change('Ab1!xyz'), 400, 'invalid', 'new_password'); // 7 chars
    assertError(await change('abcdefgh12'), 400, 'invalid', 'new_password'); // 2 classes
    assertError(await change('ABCDEFGH!!'), 400, 'invalid', 'new_password'); // 2 classes
    assertError(await change(`X9!${a.username.toUpperCase()}`), 400, 'invalid', 'new_password');
    assertError(await change(a.password), 400, 'invalid', 'new_password');
    assertError(await change('A'.repeat(30) + 'b1!' + 'c'.repeat(40)), 400, 'invalid', 'new_password'); // > 64
    const wrongOld = await change(strongPassword(), 'Not@TheOld1');
    assertError(wrongOld, 400, undefined, 'old_password');
    assertError(await api('POST', '/api/v1/auth/password', { token: a.token, body: { new_password: strongPassword() } }), 400, 'invalid', 'old_password');
    // None of the refused changes took effect.
    await login(a.username, a.password);
  });

  test('libpwquality: dictionary words, systematic strings and near copies are refused, in Chinese, on the field', async () => {
    const a = await createAccount(admin, { prefix: 'pwq' });
    const change = (new_password, old_password = a.password) => api('POST', '/api/v1/auth/password', { token: a.token, body: { old_password, new_password } });
    const e = assertError(await change('12345678Aa'), 400, 'invalid', 'new_password');
    assert.match(e.message, /简单/);
    for (const pw of ['Password1!', 'Qwerty123!', 'Abcdef12', 'Admin@12345'])
      assertError(await change(pw), 400, 'invalid', 'new_password');
    // Three characters at least must change from the old one.
    const base = 'Kx7#mPq2vL9z';
    assert.equal((await change(base)).status, 204);
    const near = assertError(await change('Kx7#mPq2vL9y', base), 400, 'invalid', 'new_password');
    assert.match(near.message, /相似/);
    assert.equal((await change(strongPassword(), base)).status, 204);
  });

  test('none of the last 5 passwords may come back; the 6th back may', async () => {
    const a = await createAccount(admin, { prefix: 'hist' }); // initial password, then a.password
    const used = [a.password];
    let current = a.password;
    for (let i = 0; i < 4; i++) {
      const pw = strongPassword();
      const c = await api('POST', '/api/v1/auth/password', { token: a.token, body: { old_password: current, new_password: pw } });
      assert.equal(c.status, 204, c.text);
      used.push(pw);
      current = pw;
    }
    // used = the last 5 passwords, the current one last.
    for (const old of used) {
      const r = await api('POST', '/api/v1/auth/password', { token: a.token, body: { old_password: current, new_password: old } });
      const e = assertError(r, 400, 'invalid', 'new_password');
      assert.match(e.message, old === current ? /原密码/ : /最近 5 次/);
    }
    // The initial password is the 6th back: allowed again.
    const back = await api('POST', '/api/v1/auth/password', { token: a.token, body: { old_password: current, new_password: a.initial_password } });
    assert.equal(back.status, 204, back.text);
    await login(a.username, a.initial_password);
  });

  test('an administrator\'s reset keeps the history: the password before it cannot come back', async () => {
    const a = await createAccount(admin, { prefix: 'histr' });
    const r = await api('POST', `/api/v1/users/${a.id}/reset-password`, { token: admin });
    assert.equal(r.status, 200, r.text);
    const t = await login(a.username, r.json.initial_password);
    const c = await api('POST', '/api/v1/auth/password', { token: t, body: { old_password: r.json.initial_password, new_password: a.password } });
    assertError(c, 400, 'invalid', 'new_password');
  });

  test('after a change the old password fails, the new one works, other sessions end', async () => {
    const a = await createAccount(admin, { prefix: 'chg' });
    const other = await login(a.username, a.password);
    const pw = strongPassword();
    const c = await api('POST', '/api/v1/auth/password', { token: a.token, body: { old_password: a.password, new_password: pw } });
    assert.equal(c.status, 204, c.text);
    assertError(await loginRaw(a.username, a.password), 401, 'bad_credentials');
    await login(a.username, pw);
    assert.equal((await api('GET', '/api/v1/auth/me', { token: a.token })).status, 200, 'the changing session stays');
    assertError(await api('GET', '/api/v1/auth/me', { token: other }), 401, 'unauthenticated');
  });
});

describe('administrators act on accounts', () => {
  test('disabling an account kills its live session; enabling lets it sign in again', async () => {
    const a = await createAccount(admin, { prefix: 'dis' });
    assert.equal((await api('GET', '/api/v1/auth/me', { token: a.token })).status, 200);
    const d = await api('POST', `/api/v1/users/${a.id}/disable`, { token: admin });
    assert.equal(d.status, 200, d.text);
    assert.equal(d.json.user.disabled, true);
    assert.equal(d.json.user.id, a.id);
    assertError(await api('GET', '/api/v1/auth/me', { token: a.token }), 401, 'unauthenticated');
    const r = await loginRaw(a.username, a.password);
    assertError(r, 401);
    assert.equal(r.json.token, undefined);
    const en = await api('POST', `/api/v1/users/${a.id}/enable`, { token: admin });
    assert.equal(en.status, 200, en.text);
    assert.equal(en.json.user.disabled, false);
    assertError(await api('GET', '/api/v1/auth/me', { token: a.token }), 401, 'unauthenticated'); // the old session stays dead
    await login(a.username, a.password);
  });

  test('reset-password returns a one-time initial password, ends sessions and forces a change', async () => {
    const a = await createAccount(admin, { prefix: 'rst' });
    const r = await api('POST', `/api/v1/users/${a.id}/reset-password`, { token: admin });
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof r.json.initial_password, 'string');
    assert.ok(r.json.initial_password.length >= 8);
    assert.notEqual(r.json.initial_password, a.password);
    assertError(await api('GET', '/api/v1/auth/me', { token: a.token }), 401, 'unauthenticated');
    assertError(await loginRaw(a.username, a.password), 401, 'bad_credentials');
    const l = await loginRaw(a.username, r.json.initial_password);
    assert.equal(l.status, 200);
    assert.equal(l.json.user.must_change_password, true);
    assertError(await api('GET', '/api/v1/people', { token: l.json.token }), 403, 'password_change_required');
  });

  test('nobody disables, enables or resets their own account', async () => {
    const me = (await api('GET', '/api/v1/auth/me', { token: admin })).json.user;
    for (const op of ['disable', 'enable', 'reset-password'])
      assertError(await api('POST', `/api/v1/users/${me.id}/${op}`, { token: admin }), 403, 'forbidden');
  });
});

// Idle timeout and password age: waiting 10 minutes or 90 days is not an option, so these tests
// age the stored timestamps through the sqlite3 or psql client and check what the server says.
describe('idle timeout and password age (等保)', { skip: sqlSkip() }, () => {
  test('a session idle for 9 minutes lives on and is refreshed; after 11 idle minutes it is dead', async () => {
    const a = await createAccount(admin, { prefix: 'idle' });
    assert.match(a.id, /^\d+$/);
    const age = (ms) => sql(`UPDATE sessions SET last_seen_at = last_seen_at - ${ms} WHERE user_id = ${a.id}`);
    const lastSeen = () => Number(sql(`SELECT MAX(last_seen_at) FROM sessions WHERE user_id = ${a.id}`));
    age(9 * 60 * 1000);
    const aged = lastSeen();
    assert.equal((await api('GET', '/api/v1/auth/me', { token: a.token })).status, 200, '9 minutes idle: still signed in');
    // The request refreshed last_seen_at (written shortly after the reply).
    let fresh = aged;
    for (let i = 0; i < 50 && fresh === aged; i++) {
      await new Promise((r) => setTimeout(r, 50));
      fresh = lastSeen();
    }
    assert.ok(fresh > aged + 8 * 60 * 1000, 'activity moved last_seen_at forward');
    age(9 * 60 * 1000); // 18 minutes after sign-in, but only 9 idle
    assert.equal((await api('GET', '/api/v1/auth/me', { token: a.token })).status, 200, 'sliding window');
    for (let i = 0; i < 50 && lastSeen() < Date.now() - 60000; i++) await new Promise((r) => setTimeout(r, 50));
    age(11 * 60 * 1000);
    assertError(await api('GET', '/api/v1/auth/me', { token: a.token }), 401, 'unauthenticated');
    // Signing in again works.
    await login(a.username, a.password);
  });

  test('polling the inbox is not activity: an open but idle app still times out', async () => {
    const a = await createAccount(admin, { prefix: 'poll' });
    const lastSeen = () => Number(sql(`SELECT MAX(last_seen_at) FROM sessions WHERE user_id = ${a.id}`));
    sql(`UPDATE sessions SET last_seen_at = last_seen_at - ${5 * 60 * 1000} WHERE user_id = ${a.id}`);
    const aged = lastSeen();
    assert.equal((await api('GET', '/api/v1/inbox', { token: a.token })).status, 200);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(lastSeen(), aged, 'the poll did not refresh the session');
    sql(`UPDATE sessions SET last_seen_at = last_seen_at - ${6 * 60 * 1000} WHERE user_id = ${a.id}`);
    assertError(await api('GET', '/api/v1/inbox', { token: a.token }), 401, 'unauthenticated');
  });

  test('a password older than 90 days must be changed: live sessions and new sign-ins', async () => {
    const a = await createAccount(admin, { prefix: 'old' });
    assert.match(a.id, /^\d+$/);
    sql(`UPDATE users SET pw_changed_at = pw_changed_at - ${91 * 24 * 3600 * 1000} WHERE id = ${a.id}`);
    const me = await api('GET', '/api/v1/auth/me', { token: a.token });
    assert.equal(me.status, 200);
    assert.equal(me.json.user.must_change_password, true);
    assertError(await api('GET', '/api/v1/regions/15253120220601', { token: a.token }), 403, 'password_change_required');
    const l = await loginRaw(a.username, a.password);
    assert.equal(l.status, 200);
    assert.equal(l.json.user.must_change_password, true);
    assertError(await api('GET', '/api/v1/people', { token: l.json.token }), 403, 'password_change_required');
    const c = await api('POST', '/api/v1/auth/password', { token: l.json.token, body: { old_password: a.password, new_password: strongPassword() } });
    assert.equal(c.status, 204, c.text);
    assert.equal((await api('GET', '/api/v1/regions/15253120220601', { token: l.json.token })).status, 200);
  });

  test('89 days is not yet too old', async () => {
    const a = await createAccount(admin, { prefix: 'old89' });
    sql(`UPDATE users SET pw_changed_at = pw_changed_at - ${89 * 24 * 3600 * 1000} WHERE id = ${a.id}`);
    assert.equal((await api('GET', '/api/v1/regions/15253120220601', { token: a.token })).status, 200);
  });
});
