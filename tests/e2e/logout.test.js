// Logging out: back to the login page, and the old session is dead on the server — a reload,
// even with the old cookie put back, asks for the login again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, BASE, PHONE, DESKTOP } from './lib/browser.js';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

test('H5: logout returns to login; a reload with the old session asks for login', { timeout: 45000 }, async () => {
  await walk(browser, 'h5-logout', PHONE, async (w) => {
    const { page, ctx } = w;
    await w.login('h5', 'duolun.grid');
    await page.getByTestId('h5-grid').waitFor();
    const old = await w.sessionCookie();
    assert.ok(old, 'signed in: the session cookie is set');
    assert.equal((await w.apiGet('/api/v1/auth/me')).status, 200);

    await page.getByTestId('tab-mine').click();
    await page.getByTestId('h5-mine').waitFor();
    await page.getByTestId('logout').click();
    await page.getByTestId('login-submit').waitFor();
    await eventually(async () => assert.match(page.url(), /#\/login/));
    assert.equal(await w.sessionCookie(), null, 'the logout answer cleared the cookie');

    // A reload of a staff page asks who we are and gets the login page.
    w.expectHttpError(401, '/api/v1/auth/me');
    await page.goto(`${BASE}/#/grid`);
    await page.reload();
    await page.getByTestId('login-submit').waitFor();
    await eventually(async () => assert.match(page.url(), /#\/login/));
    assert.equal(await page.getByTestId('h5-grid').count(), 0);

    // The old token is dead server-side, not just forgotten by the browser.
    await ctx.addCookies([old]);
    assert.equal((await w.apiGet('/api/v1/auth/me')).status, 401, 'the old session is refused');
    w.expectHttpError(401, '/api/v1/auth/me');
    await page.goto(`${BASE}/#/grid`);
    await page.reload();
    await page.getByTestId('login-submit').waitFor();
    await eventually(async () => assert.match(page.url(), /#\/login/));
    assert.equal(await page.getByTestId('h5-grid').count(), 0);
    assert.equal(await page.getByTestId('h5-tabbar').count(), 0);
  });
});

test('console: logout returns to login; the old session no longer opens 区域网格', { timeout: 45000 }, async () => {
  await walk(browser, 'admin-logout', DESKTOP, async (w) => {
    const { page, ctx } = w;
    await w.login('admin', 'duolun.admin');
    await page.getByTestId('admin-home').waitFor();
    const old = await w.sessionCookie();
    assert.ok(old);

    await page.getByTestId('logout').click();
    await page.getByTestId('login-submit').waitFor();
    await eventually(async () => assert.match(page.url(), /\/admin\/#\/login/));

    await ctx.addCookies([old]);
    w.expectHttpError(401, '/api/v1/auth/me');
    await page.goto(`${BASE}/admin/#/regions`);
    await page.reload();
    await page.getByTestId('login-submit').waitFor();
    await eventually(async () => assert.match(page.url(), /\/admin\/#\/login/));
    assert.equal(await page.getByTestId('menu-regions').count(), 0);
    assert.equal(await page.locator('[data-testid^="region-node-"]').count(), 0);
  });
});
