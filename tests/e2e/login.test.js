// A wrong password: the login page shows the server's own Chinese message and stays put.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, PHONE, DESKTOP, DEMO_PW } from './lib/browser.js';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

test('H5: a wrong password shows 用户名或密码错误 and stays on the login page', { timeout: 30000 }, async () => {
  await walk(browser, 'h5-wrong-password', PHONE, async (w) => {
    const { page } = w;
    await w.openLogin('h5');
    assert.equal(await page.getByTestId('login-error').count(), 0, 'no error before trying');
    w.expectHttpError(401, '/api/v1/auth/login');
    await w.submitLogin('duolun.informant', 'Wrong#Pass1');
    const error = page.getByTestId('login-error');
    await error.waitFor();
    assert.equal((await error.innerText()).trim(), '用户名或密码错误');
    await w.assertChineseRendered('[data-testid="login-error"]');
    // Still the login form, nobody signed in.
    await page.waitForTimeout(300); // time for a wrong redirect to show itself
    assert.match(page.url(), /#\/login/);
    await page.getByTestId('login-submit').waitFor();
    assert.equal(await page.getByTestId('h5-tabbar').count(), 0);
    assert.equal(await w.sessionCookie(), null, 'no session cookie after a failed login');
    assert.equal((await w.apiGet('/api/v1/auth/me')).status, 401);
    await w.screenshot('h5-login-error');

    // The right password then works from the same form (and clears the failure count).
    await page.getByTestId('login-password').fill(DEMO_PW);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('h5-household').waitFor();
    await eventually(async () => assert.match(page.url(), /#\/family$/));
    assert.equal(await page.getByTestId('login-error').count(), 0);
  });
});

test('console: an unknown user gets the same message (no account enumeration)', { timeout: 30000 }, async () => {
  await walk(browser, 'admin-wrong-password', DESKTOP, async (w) => {
    const { page } = w;
    await w.openLogin('admin');
    w.expectHttpError(401, '/api/v1/auth/login');
    await w.submitLogin('duolun.nobody', 'Wrong#Pass1');
    const error = page.getByTestId('login-error');
    await error.waitFor();
    assert.equal((await error.innerText()).trim(), '用户名或密码错误');
    await page.waitForTimeout(300);
    assert.match(page.url(), /#\/login/);
    assert.equal(await page.getByTestId('admin-home').count(), 0);
    assert.equal(await w.sessionCookie(), null);
  });
});
