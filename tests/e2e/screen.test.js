// The big screen (/screen/) is for the county's staff: an anonymous visitor is sent to the
// console's login and comes back to the screen after signing in; a resident or a grid worker
// signed in on the phone gets a Chinese page saying who may open it, never the canvas.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, BASE, DEMO_PW, DESKTOP, PHONE } from './lib/browser.js';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

test('anonymous: /screen/ → console login → back on the screen', { timeout: 30000 }, async () => {
  await walk(browser, 'screen-login', DESKTOP, async (w) => {
    const { page } = w;
    w.expectHttpError(401, '/api/v1/auth/me');
    await page.goto(BASE + '/screen/');
    await page.getByTestId('login-submit').waitFor();
    assert.match(page.url(), /\/admin\/#\/login\?next=%2Fscreen%2F$/, 'sent to the console login');
    assert.equal(await page.getByTestId('screen-canvas').count(), 0);
    await w.submitLogin('duolun.admin', DEMO_PW);
    await page.getByTestId('screen-canvas').waitFor();
    assert.equal(new URL(page.url()).pathname, '/screen/', 'back on the screen after signing in');
    assert.match(await page.getByTestId('screen-canvas').innerText(), /基层治理数据大屏/);
  });
});

test('signed in on the console: the screen opens at once', { timeout: 30000 }, async () => {
  await walk(browser, 'screen-staff', DESKTOP, async (w) => {
    const { page } = w;
    await w.login('admin', 'duolun.admin');
    await page.getByTestId('admin-home').waitFor();
    await page.goto(BASE + '/screen/');
    await page.getByTestId('screen-canvas').waitFor();
    assert.equal(new URL(page.url()).pathname, '/screen/');
  });
});

for (const [who, label] of [
  ['duolun.resident', '居民'],
  ['duolun.grid', '网格员'],
]) {
  test(`${label} (${who}): refused with a Chinese page, no canvas`, { timeout: 30000 }, async () => {
    await walk(browser, `screen-refused-${label}`, PHONE, async (w) => {
      const { page } = w;
      await w.login('h5', who);
      await eventually(async () => assert.doesNotMatch(page.url(), /#\/login/));
      await page.goto(BASE + '/screen/');
      const refused = page.getByTestId('screen-refused');
      await refused.waitFor();
      const text = await refused.innerText();
      assert.match(text, /无权查看数据大屏/);
      assert.match(text, new RegExp(`（${label}）`));
      assert.match(text, /县级管理员/);
      assert.equal(await page.getByTestId('screen-canvas').count(), 0, 'no canvas for this role');
      assert.equal(new URL(page.url()).pathname, '/screen/', 'not sent to a login: the account is known');
      await w.assertChineseRendered('[data-testid="screen-refused"]');
    });
  });
}
