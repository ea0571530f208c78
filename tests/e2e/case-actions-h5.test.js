// The (state, role) → buttons matrix on the phone (issue 10 part 1): for every phone role of 多伦县
// (resident, grid worker, and the informant and building head on their own reports) and every
// case it can see in every state, the case's page shows exactly one button per entry of the
// case's `actions` as the API gives them to that role — same events, same order, same labels —
// and each button opens its sheet with what that step needs (a reason where required, photos
// where offered, the blue slip's targets by name, the stars of a rating). One page per role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, BASE, PHONE } from './lib/browser.js';
import { duolunAccounts, casesInEveryState } from './lib/caseStates.js';

const TAG = `·矩阵${Date.now() % 100000}`;

let browser;
let as;
let cases;
// Cases the informant and the building head reported themselves: what they can see.
const own = { informant: {}, head: {} };

before(async () => {
  browser = await launchBrowser();
  as = await duolunAccounts();
  cases = await casesInEveryState(as, TAG);
  for (const who of ['informant', 'head']) {
    const report = async (description) => {
      const r = await as[who].post('/api/v1/cases', { category: '0301', description: `${description}${TAG}` });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      return r.json.id;
    };
    own[who].dispatched = await report('自己反映的问题');
    own[who].resolved = await report('自己反映已办结');
    for (const event of ['accept', 'resolve']) {
      const r = await as.grid.post(`/api/v1/cases/${own[who].resolved}/events`, { event, note: '已处理' });
      assert.equal(r.status, 200, JSON.stringify(r.json));
    }
  }
});
after(async () => {
  if (browser) await browser.close();
});

/** Every case of `ids` the role can read, with its actions as the API gives them to that role. */
async function visible(role, ids) {
  const out = [];
  for (const [name, id] of Object.entries(ids)) {
    const r = await as[role].get(`/api/v1/cases/${id}`);
    if (r.status === 404) continue;
    assert.equal(r.status, 200, JSON.stringify(r.json));
    out.push({ name, c: r.json });
  }
  return out;
}

/** Walk the case pages of one role, checking buttons and sheets against the API. */
async function checkRole(role, username, ids, { atLeast }) {
  const seen = await visible(role, ids);
  assert.ok(seen.length >= atLeast, `${role} sees ${seen.length} of the cases`);
  let buttons = 0;
  await walk(browser, `case-actions-h5-${role}`, PHONE, async (w) => {
    const { page } = w;
    await w.login('h5', username);
    await page.locator('.van-tabbar').waitFor();
    // Sheets slide in and out in 0.3 s each; dozens of them need not (what is checked is what
    // they hold).
    await page.addStyleTag({ content: '*, *::before, *::after { transition-duration: 0s !important; animation-duration: 0s !important; }' });
    for (const { name, c } of seen) {
      await page.goto(`${BASE}/#/case/${c.id}`);
      const detail = page.getByTestId('h5-case');
      await eventually(async () => assert.equal(await detail.getByTestId('case-description').innerText(), c.description));
      assert.equal(await detail.getByTestId('case-state').innerText(), c.state_label, `${role} on ${name}`);
      const want = c.actions.map((a) => [`case-action-${a.event}`, a.label]);
      const shown = detail.locator('[data-testid^="case-action-"]');
      const got = await shown.evaluateAll((els) => els.filter((e) => e.offsetParent !== null).map((e) => [e.dataset.testid, e.innerText.trim()]));
      assert.deepEqual(got, want, `${role} on ${name} (${c.state}): the buttons are the server's actions, in its order`);
      for (const a of c.actions) {
        await detail.getByTestId(`case-action-${a.event}`).click();
        const sheet = page.locator(`[data-testid="action-sheet"][data-event="${a.event}"]`);
        await sheet.waitFor();
        const what = `${role} on ${name}: the ${a.event} sheet`;
        if (a.event === 'rate') {
          await sheet.getByTestId('rate-stars').waitFor();
          await sheet.getByTestId('rate-comment').waitFor();
        } else {
          const field = sheet.getByTestId('action-note-input');
          await field.waitFor();
          assert.equal(await field.getAttribute('data-required'), a.note === 'required' ? '1' : '0', `${what}: note ${a.note}`);
        }
        assert.equal(await sheet.getByTestId('action-photos').count(), a.photos ? 1 : 0, `${what}: photos ${a.photos}`);
        if (a.targets) {
          const names = await sheet.getByTestId('action-target').allInnerTexts();
          assert.deepEqual(names.map((t) => t.trim()), a.targets.map((t) => t.name), `${what}: targets by name`);
          assert.equal(await sheet.locator('[data-testid="action-target"][aria-checked="true"]').getAttribute('data-code'), a.targets[0].code, `${what}: the level above first`);
        }
        if (a.note === 'required') {
          // Submitting without the reason is refused on the page, before any request.
          await sheet.getByTestId('action-submit').click();
          await eventually(async () => assert.match(await sheet.getByTestId('action-error').innerText(), /请/));
        }
        await sheet.getByTestId('action-cancel').click();
        await sheet.waitFor({ state: 'hidden' });
        buttons++;
      }
    }
    const after = await visible(role, Object.fromEntries(seen.map(({ name, c }) => [name, c.id])));
    for (const [i, { c }] of after.entries()) {
      assert.equal(c.timeline.length, seen[i].c.timeline.length, `${role}: opening and closing the sheets wrote nothing`);
    }
  });
  return buttons;
}

test('phone roles: every case page shows exactly the actions the server offers, and each opens its form', { timeout: 90000 }, async () => {
  const t0 = Date.now();
  const n = {};
  n.resident = await checkRole('resident', 'duolun.resident', cases, { atLeast: 15 });
  n.grid = await checkRole('grid', 'duolun.grid', cases, { atLeast: 12 });
  n.informant = await checkRole('informant', 'duolun.informant', own.informant, { atLeast: 2 });
  n.head = await checkRole('head', 'duolun.head', own.head, { atLeast: 2 });
  // Each role had something to press: the resident 撤销 and 评价, the worker its whole set.
  assert.ok(n.resident >= 4 && n.grid >= 15 && n.informant >= 2 && n.head >= 2, JSON.stringify(n));
  console.log(`# buttons checked: ${JSON.stringify(n)} in ${Date.now() - t0} ms`);
});
