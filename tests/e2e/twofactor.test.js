// 两步验证 in the browser: a new leader (a role that must have a second factor) is taken to the
// enrolment page right after signing in, scans — here: reads — the secret, confirms it with a code
// computed in the test, is shown the recovery codes once and confirms "我已保存"; the next sign-in
// asks for the code after the password. A grid worker enrols from the account menu by choice,
// and on the phone signs in with a recovery code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, apiAs, BASE, DESKTOP, PHONE } from './lib/browser.js';
import { totpCode, stepOf, wrongCode } from '../api/lib/totp.js';

let browser, admin;
before(async () => {
  browser = await launchBrowser();
  admin = await apiAs('duolun.admin');
});
after(async () => {
  if (browser) await browser.close();
});

let seq = 0;
/** A fresh account made by duolun.admin, its first password already changed. */
async function freshAccount(role, scope_code) {
  seq += 1;
  const username = `e2fa.${Date.now().toString(36)}${seq}`;
  const r = await admin.post('/api/v1/users', { username, name: '两步验证测试', role, scope_code });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const password = `Tt9!${Math.random().toString(36).slice(2, 10)}Q`;
  const call = async (method, p, token, body) => {
    const res = await fetch(BASE + p, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  const l = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: r.json.initial_password }),
  });
  const { token } = await l.json();
  const c = await call('POST', '/api/v1/auth/password', token, { old_password: r.json.initial_password, new_password: password });
  assert.equal(c.status, 204, JSON.stringify(c.json));
  return { username, password, token, call };
}

test('console: a leader is taken to 两步验证, enrols with the QR secret, keeps the codes, then signs in with a code', { timeout: 90000 }, async () => {
  const a = await freshAccount('leader', '152531');
  await walk(browser, 'admin-totp-enrol', DESKTOP, async (w) => {
    const { page } = w;
    await w.login('admin', a.username, a.password);
    // Straight to enrolment: the QR code is drawn, the secret shown for typing.
    await page.getByTestId('totp-page').waitFor();
    await eventually(async () => assert.match(page.url(), /#\/totp$/));
    const qr = page.getByTestId('totp-qr');
    await qr.waitFor();
    await eventually(async () => assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 100), 'the QR image decodes'));
    const secret = await page.getByTestId('totp-secret').getAttribute('data-secret');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal((await page.getByTestId('totp-secret').innerText()).replaceAll(' ', ''), secret);
    await w.assertChineseRendered('[data-testid="totp-page"] .steps');
    await w.screenshot('admin-totp-scan');
    // Nothing else opens meanwhile: the home page sends back here.
    await page.goto(`${BASE}/admin/#/regions`);
    await page.getByTestId('totp-page').waitFor();
    await eventually(async () => assert.match(page.url(), /#\/totp$/));

    // A wrong code is refused on the page; the right one turns it on.
    await page.getByTestId('totp-qr').waitFor();
    const secret2 = await page.getByTestId('totp-secret').getAttribute('data-secret');
    w.expectHttpError(400, '/api/v1/auth/totp/enable');
    await page.getByTestId('totp-code').fill(wrongCode(secret2));
    await page.getByTestId('totp-enable').click();
    await page.getByTestId('totp-error').waitFor();
    assert.match(await page.getByTestId('totp-error').innerText(), /验证码不正确/);
    const enrolStep = stepOf();
    await page.getByTestId('totp-code').fill(totpCode(secret2, enrolStep));
    await page.getByTestId('totp-enable').click();

    // The recovery codes, once; "我已保存" only after the box is ticked.
    await page.getByTestId('totp-recovery-codes').waitFor();
    const codes = await page.getByTestId('totp-recovery-code').allInnerTexts();
    assert.equal(codes.length, 10);
    for (const c of codes) assert.match(c.trim(), /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    assert.equal(await page.getByTestId('totp-codes-done').isDisabled(), true);
    await w.screenshot('admin-totp-codes');
    await page.getByTestId('totp-saved-check').click();
    await page.getByTestId('totp-codes-done').click();
    await page.getByTestId('admin-home').waitFor();
    assert.equal((await w.apiGet('/api/v1/auth/me')).json.user.totp_enabled, true);

    // Sign out and in again: the password, then the code.
    await page.getByTestId('logout').click();
    await page.getByTestId('login-submit').waitFor();
    await w.submitLogin(a.username, a.password);
    await page.getByTestId('login-code').waitFor();
    assert.equal(await w.sessionCookie(), null, 'no session after the password alone');
    await w.assertChineseRendered('[data-testid="login-code-hint"]');
    w.expectHttpError(401, '/api/v1/auth/login/totp');
    await page.getByTestId('login-code').fill(wrongCode(secret2));
    await page.getByTestId('login-code-submit').click();
    const error = page.getByTestId('login-error');
    await error.waitFor();
    assert.equal((await error.innerText()).trim(), '动态验证码或恢复码不正确');
    await page.getByTestId('login-code').fill(totpCode(secret2, enrolStep + 1));
    await page.getByTestId('login-code-submit').click();
    await page.getByTestId('admin-home').waitFor();
    assert.ok(await w.sessionCookie(), 'signed in after the code');
    await w.screenshot('admin-totp-signed-in');
  });
});

test('console and phone: a grid worker enrols from the account menu; the phone asks for the code and takes a recovery code', { timeout: 90000 }, async () => {
  const a = await freshAccount('grid_worker', '15253120220601');
  let codes;
  await walk(browser, 'admin-totp-menu', DESKTOP, async (w) => {
    const { page } = w;
    await w.login('admin', a.username, a.password);
    await page.getByTestId('admin-home').waitFor();
    await page.getByTestId('menu-totp').click();
    await page.getByTestId('totp-start').click();
    await page.getByTestId('totp-qr').waitFor();
    const secret = await page.getByTestId('totp-secret').getAttribute('data-secret');
    await page.getByTestId('totp-code').fill(totpCode(secret));
    await page.getByTestId('totp-enable').click();
    await page.getByTestId('totp-recovery-codes').waitFor();
    codes = (await page.getByTestId('totp-recovery-code').allInnerTexts()).map((c) => c.trim());
    await page.getByTestId('totp-saved-check').click();
    await page.getByTestId('totp-codes-done').click();
    await page.getByTestId('admin-home').waitFor();
    // The page now says it is on, and offers to turn it off (optional for this role).
    await page.getByTestId('menu-totp').click();
    await page.getByTestId('totp-on').waitFor();
    assert.equal(await page.getByTestId('totp-disable').count(), 1);
  });
  await walk(browser, 'h5-totp-login', PHONE, async (w) => {
    const { page } = w;
    await w.login('h5', a.username, a.password);
    await page.getByTestId('login-code').waitFor();
    await w.assertChineseRendered('[data-testid="login-code-hint"]');
    await w.screenshot('h5-totp-code');
    await page.getByTestId('login-code').fill(codes[0].toLowerCase());
    await page.getByTestId('login-code-submit').click();
    await page.getByTestId('h5-grid').waitFor();
    await eventually(async () => assert.match(page.url(), /#\/grid$/));
  });
});
