// twofactor.test.js — the second factor (两步验证, 等保 level 3: two factors for administrators):
// required roles limited to enrolment until they have one, enrolment with a code computed here
// from the secret the server hands out (RFC 6238 in node:crypto), sign-in in two steps, a code
// accepted once, recovery codes used once, wrong codes locking the account, turning it off where
// it is optional, a county admin's reset. Every test makes its own accounts.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, loginRaw, demo, assertError, createAccount, strongPassword } from './lib/client.js';
import { sql, sqlSkip } from './lib/db.js';
import { totpCode, stepOf, wrongCode } from './lib/totp.js';

const DUOLUN = '152531';
const GRID = '15253120220601';

let admin; // duolun.admin
before(async () => {
  admin = await demo('duolun.admin');
});

/** A fresh account of `role`, signed in (password changed). */
function fresh(role, prefix) {
  return createAccount(admin, { role, scope_code: role === 'grid_worker' ? GRID : DUOLUN, prefix });
}

/** Enrol `a` (a fresh account with a token): {secret, codes, step} where step is the time step
 *  of the code that confirmed it (the server accepts no code of that step or before again). */
async function enrol(a) {
  const s = await api('POST', '/api/v1/auth/totp/setup', { token: a.token });
  assert.equal(s.status, 200, s.text);
  const step = stepOf();
  const e = await api('POST', '/api/v1/auth/totp/enable', { token: a.token, body: { code: totpCode(s.json.secret, step) } });
  assert.equal(e.status, 200, e.text);
  return { secret: s.json.secret, codes: e.json.recovery_codes, step };
}

/** The password step of a sign-in to an account with a second factor: the challenge. */
async function challengeFor(a) {
  const r = await loginRaw(a.username, a.password);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.second_factor, 'totp');
  assert.match(r.json.challenge, /^[A-Za-z0-9_-]{32,}$/);
  return r.json.challenge;
}

const second = (challenge, code) => api('POST', '/api/v1/auth/login/totp', { body: { challenge, code } });

async function auditActions(userId) {
  const r = await api('GET', '/api/v1/audit?limit=200', { token: await demo('duolun.audit') });
  assert.equal(r.status, 200, r.text);
  return r.json.items.filter((it) => it.object === `user:${userId}`).map((it) => `${it.action}:${it.outcome}`);
}

describe('required roles (county admin, 综治中心, leader)', () => {
  test('a new leader is limited to enrolment until the second factor is on', async () => {
    const a = await fresh('leader', 'tl');
    const me = await api('GET', '/api/v1/auth/me', { token: a.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.user.totp_required, true);
    assert.equal(me.json.user.totp_enabled, false);
    for (const [m, p] of [
      ['GET', `/api/v1/regions/${DUOLUN}`],
      ['GET', '/api/v1/case-stats'],
      ['GET', '/api/v1/inbox'],
      ['GET', '/api/v1/me/profile'],
    ])
      assertError(await api(m, p, { token: a.token }), 403, 'second_factor_required');
    // Turning off what is not on is not enrolment either.
    assertError(await api('POST', '/api/v1/auth/totp/disable', { token: a.token, body: { code: '123456' } }), 403, 'second_factor_required');

    const s = await api('POST', '/api/v1/auth/totp/setup', { token: a.token });
    assert.equal(s.status, 200, s.text);
    assert.match(s.json.secret, /^[A-Z2-7]{32}$/);
    const uri = new URL(s.json.otpauth_uri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), s.json.secret);
    assert.equal(uri.searchParams.get('issuer'), '基层治理');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
    assert.ok(decodeURIComponent(uri.pathname).endsWith(`:${a.username}`), uri.pathname);
    assert.match(s.json.qr_svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<path fill="#000" d="M/s);
    assert.ok(!/<script|on\w+=/i.test(s.json.qr_svg), 'a plain drawing');

    // A wrong first code leaves it off.
    assertError(await api('POST', '/api/v1/auth/totp/enable', { token: a.token, body: { code: wrongCode(s.json.secret) } }), 400, 'invalid', 'code');
    assertError(await api('GET', `/api/v1/regions/${DUOLUN}`, { token: a.token }), 403, 'second_factor_required');
    const e = await api('POST', '/api/v1/auth/totp/enable', { token: a.token, body: { code: totpCode(s.json.secret) } });
    assert.equal(e.status, 200, e.text);
    assert.equal(e.json.recovery_codes.length, 10);
    assert.equal(new Set(e.json.recovery_codes).size, 10);
    for (const c of e.json.recovery_codes) assert.match(c, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    // The same session goes on, now allowed.
    assert.equal((await api('GET', `/api/v1/regions/${DUOLUN}`, { token: a.token })).status, 200);
    const me2 = await api('GET', '/api/v1/auth/me', { token: a.token });
    assert.equal(me2.json.user.totp_enabled, true);
    // Once on: no second setup, no second enable, and a required role cannot turn it off.
    assertError(await api('POST', '/api/v1/auth/totp/setup', { token: a.token }), 409, 'conflict');
    assertError(await api('POST', '/api/v1/auth/totp/enable', { token: a.token, body: { code: totpCode(s.json.secret) } }), 409, 'conflict');
    assertError(await api('POST', '/api/v1/auth/totp/disable', { token: a.token, body: { code: e.json.recovery_codes[0] } }), 403, 'forbidden');
    const acts = await auditActions(a.id);
    assert.ok(acts.includes('totp_setup:ok') && acts.includes('totp_enable:ok'), acts.join(', '));
  });

  test('the rule holds for 综治中心; a grid worker is not limited', async () => {
    const c = await fresh('center_operator', 'tc');
    assertError(await api('GET', `/api/v1/regions/${DUOLUN}`, { token: c.token }), 403, 'second_factor_required');
    // A grid worker is not limited.
    const g = await fresh('grid_worker', 'tg');
    const me = await api('GET', '/api/v1/auth/me', { token: g.token });
    assert.equal(me.json.user.totp_required, false);
    assert.equal((await api('GET', `/api/v1/regions/${GRID}`, { token: g.token })).status, 200);
  });

  test('the seeded demo accounts are exempt (their password is public), and say so', async () => {
    for (const name of ['duolun.admin', 'duolun.center', 'duolun.leader']) {
      const t = await demo(name);
      const me = await api('GET', '/api/v1/auth/me', { token: t });
      assert.equal(me.json.user.totp_required, false, name);
      assert.equal((await api('GET', `/api/v1/regions/${DUOLUN}`, { token: t })).status, 200, name);
    }
    // In the account list a real leader shows the requirement.
    const a = await fresh('leader', 'tlist');
    const list = await api('GET', `/api/v1/users?q=${a.username}`, { token: admin });
    assert.equal(list.json.items[0].totp_required, true);
    assert.equal(list.json.items[0].totp_enabled, false);
  });
});

describe('signing in with a second factor', () => {
  test('two steps: the password gives a challenge and no session, the code the session', async () => {
    const a = await fresh('leader', 'ts');
    const f = await enrol(a);
    const r = await loginRaw(a.username, a.password);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['challenge', 'expires_in', 'second_factor']);
    assert.equal(r.headers.get('set-cookie'), null, 'no session cookie after the password alone');
    assert.ok(r.json.expires_in > 0 && r.json.expires_in <= 600);
    const code = totpCode(f.secret, f.step + 1); // the step after enrolment: inside the window
    const s = await second(r.json.challenge, code);
    assert.equal(s.status, 200, s.text);
    assert.match(s.json.token, /^[A-Za-z0-9_-]{32,}$/);
    assert.match(s.headers.get('set-cookie') || '', new RegExp(`^jiceng_session=${s.json.token};.*HttpOnly`, 'i'));
    assert.equal(s.json.user.username, a.username);
    assert.equal((await api('GET', `/api/v1/regions/${DUOLUN}`, { token: s.json.token })).status, 200);
    // The challenge was used up.
    assertError(await second(r.json.challenge, totpCode(f.secret)), 401, 'challenge_expired');
    assertError(await second('no-such-challenge', totpCode(f.secret)), 401, 'challenge_expired');
    // The same code again, with a fresh challenge: a code is good once.
    const again = await challengeFor(a);
    assertError(await second(again, code), 401, 'bad_code', 'code');
    // So is the code of the enrolment.
    assertError(await second(again, totpCode(f.secret, f.step)), 401, 'bad_code', 'code');
    const acts = await auditActions(a.id);
    assert.ok(acts.includes('login_challenge:ok'), acts.join(', '));
    assert.ok(acts.includes('login:ok'), acts.join(', '));
    assert.ok(acts.includes('login_failed:failed'), acts.join(', '));
    assertError(await api('POST', '/api/v1/auth/login/totp', { body: { challenge: again } }), 400, 'invalid', 'code');
  });

  test('a recovery code works once, typed in any case, with or without dashes', async () => {
    const a = await fresh('center_operator', 'tr');
    const f = await enrol(a);
    const [c0, c1] = f.codes;
    const s = await second(await challengeFor(a), c0.toLowerCase());
    assert.equal(s.status, 200, s.text);
    assertError(await second(await challengeFor(a), c0), 401, 'bad_code', 'code');
    const s2 = await second(await challengeFor(a), c1.replaceAll('-', ''));
    assert.equal(s2.status, 200, s2.text);
    assertError(await second(await challengeFor(a), c1), 401, 'bad_code', 'code');
    // A recovery code of another account is no code here.
    const b = await fresh('grid_worker', 'tr2');
    const fb = await enrol(b);
    assertError(await second(await challengeFor(a), fb.codes[0]), 401, 'bad_code', 'code');
  });

  test('wrong codes count like wrong passwords: the 5th locks; the password step does not reset the count', async () => {
    const a = await fresh('leader', 'tk');
    const f = await enrol(a);
    const bad = () => wrongCode(f.secret);
    // 2 wrong codes, the password again (right), 2 more, the password again: still counting.
    let ch = await challengeFor(a);
    assertError(await second(ch, bad()), 401, 'bad_code', 'code');
    assertError(await second(ch, bad()), 401, 'bad_code', 'code');
    ch = await challengeFor(a);
    assertError(await second(ch, bad()), 401, 'bad_code', 'code');
    assertError(await second(ch, 'AAAA-BBBB-CCCC'), 401, 'bad_code', 'code');
    ch = await challengeFor(a);
    assertError(await second(ch, bad()), 423, 'locked');
    // The lock ends the challenge, refuses the password, and a right code on a new one is moot.
    assertError(await second(ch, totpCode(f.secret, f.step + 1)), 401, 'challenge_expired');
    assertError(await loginRaw(a.username, a.password), 423, 'locked');
    const acts = await auditActions(a.id);
    assert.equal(acts.filter((x) => x === 'login_failed:failed').length, 5, acts.join(', '));
  });

  test('a right code resets the failure count', async () => {
    const a = await fresh('grid_worker', 'tok');
    const f = await enrol(a);
    const ch = await challengeFor(a);
    for (let i = 0; i < 4; i++) assertError(await second(ch, wrongCode(f.secret)), 401, 'bad_code', 'code');
    assert.equal((await second(ch, f.codes[0])).status, 200);
    const ch2 = await challengeFor(a);
    for (let i = 0; i < 4; i++) assertError(await second(ch2, wrongCode(f.secret)), 401, 'bad_code', 'code');
    assert.equal((await second(ch2, f.codes[1])).status, 200);
  });
});

describe('optional roles and resets', () => {
  test('a grid worker may turn it on and off; turning off needs a right code, and wrong ones count', async () => {
    const a = await fresh('grid_worker', 'to');
    assertError(await api('POST', '/api/v1/auth/totp/disable', { token: a.token, body: { code: '123456' } }), 409, 'conflict');
    assertError(await api('POST', '/api/v1/auth/totp/enable', { token: a.token, body: { code: '123456' } }), 409, 'conflict');
    const f = await enrol(a);
    assert.equal((await api('GET', '/api/v1/auth/me', { token: a.token })).json.user.totp_enabled, true);
    assertError(await api('POST', '/api/v1/auth/totp/disable', { token: a.token, body: { code: wrongCode(f.secret) } }), 400, 'bad_code', 'code');
    assertError(await api('POST', '/api/v1/auth/totp/disable', { token: a.token, body: {} }), 400, 'invalid', 'code');
    const off = await api('POST', '/api/v1/auth/totp/disable', { token: a.token, body: { code: f.codes[3] } });
    assert.equal(off.status, 204, off.text);
    // One step again.
    const l = await loginRaw(a.username, a.password);
    assert.equal(l.status, 200, l.text);
    assert.ok(l.json.token, 'a session without a code');
    assert.deepEqual((await auditActions(a.id)).filter((x) => x.startsWith('totp_disable')).sort(), ['totp_disable:failed', 'totp_disable:ok']);
  });

  test('turning it off is locked out like a password change: 5 wrong codes, then even a right one is refused', async () => {
    const a = await fresh('grid_worker', 'tol');
    const f = await enrol(a);
    const off = (code) => api('POST', '/api/v1/auth/totp/disable', { token: a.token, body: { code } });
    for (let i = 0; i < 4; i++) assertError(await off(wrongCode(f.secret)), 400, 'bad_code', 'code');
    assertError(await off(wrongCode(f.secret)), 423, 'locked');
    assertError(await off(f.codes[0]), 423, 'locked');
    assertError(await loginRaw(a.username, a.password), 423, 'locked');
    assert.equal((await api('GET', '/api/v1/auth/me', { token: a.token })).json.user.totp_enabled, true);
  });

  test('a county admin resets a lost second factor: sessions end, the leader enrols again', async () => {
    const a = await fresh('leader', 'trs');
    await enrol(a);
    const r = await api('POST', `/api/v1/users/${a.id}/reset-totp`, { token: admin });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.totp_enabled, false);
    assertError(await api('GET', '/api/v1/auth/me', { token: a.token }), 401, 'unauthenticated');
    const l = await loginRaw(a.username, a.password);
    assert.equal(l.status, 200, l.text);
    assert.ok(l.json.token, 'the password alone signs in again…');
    assertError(await api('GET', `/api/v1/regions/${DUOLUN}`, { token: l.json.token }), 403, 'second_factor_required');
    const acts = await auditActions(a.id);
    assert.ok(acts.includes('totp_reset:ok'), acts.join(', '));
    // Only county admins, inside their scope, never on themselves.
    assertError(await api('POST', `/api/v1/users/${a.id}/reset-totp`, { token: await demo('duolun.street') }), 403, 'forbidden');
    assertError(await api('POST', `/api/v1/users/${a.id}/reset-totp`, { token: await demo('huade.admin') }), 404, 'not_found');
    const self = (await api('GET', '/api/v1/auth/me', { token: admin })).json.user.id;
    assertError(await api('POST', `/api/v1/users/${self}/reset-totp`, { token: admin }), 403, 'forbidden');
  });

  test('a password change does not remove the second factor', async () => {
    const a = await fresh('grid_worker', 'tpw');
    const f = await enrol(a);
    const pw = strongPassword();
    const c = await api('POST', '/api/v1/auth/password', { token: a.token, body: { old_password: a.password, new_password: pw } });
    assert.equal(c.status, 204, c.text);
    const r = await loginRaw(a.username, pw);
    assert.equal(r.json.second_factor, 'totp');
    assert.equal((await second(r.json.challenge, f.codes[9])).status, 200);
  });
});

describe('storage', { skip: sqlSkip() }, () => {
  test('the secret is stored encrypted and recovery codes only as keyed hashes', async () => {
    const a = await fresh('grid_worker', 'tdb');
    const f = await enrol(a);
    const [enc, pending, step] = sql(`SELECT totp_secret_enc, COALESCE(totp_pending_enc, ''), totp_last_step FROM users WHERE id = ${a.id}`).split('|');
    assert.ok(enc.length > 40 && !enc.includes(f.secret), 'encrypted');
    assert.equal(pending, '');
    assert.equal(Number(step), f.step);
    const hashes = sql(`SELECT code_hash FROM totp_recovery WHERE user_id = ${a.id}`).split('\n');
    assert.equal(hashes.length, 10);
    for (const h of hashes) {
      assert.match(h, /^[0-9a-f]{64}$/);
      for (const c of f.codes) assert.ok(!h.includes(c.replaceAll('-', '')));
    }
  });
});
