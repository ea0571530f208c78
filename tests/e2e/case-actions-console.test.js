// case-actions-console.test.js — the (state, role) → buttons matrix on the console side (issue 10
// part 1): for every console role of 多伦县 (community, street, center, county admin, leader,
// department) and a case in every state, the drawer shows exactly the `case-action-*` buttons
// the API's `actions` name for that role, in the server's order and with its labels, and each
// button opens its form (a step without a form fails). Nothing in the drawer shows a department
// code or a region code where a name belongs. One page per role, the drawer moved from case to
// case by its link (?case=), each button clicked inside the page (no round trip per step),
// transitions off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, DESKTOP } from './lib/browser.js';
import { casesInEveryState, duolunAccounts } from './lib/caseStates.js';

const CONSOLE_ROLES = ['community', 'street', 'center', 'admin', 'leader', 'dept'];
// What each step's form must show beyond the note (every form but 报到 has one).
const FORM_PART = {
  dispatch: 'dispatch-target',
  whistle: 'whistle-departments',
  escalate: 'escalate-target',
  close: 'close-outcome',
  merge: 'merge-list',
  rate: 'rate-stars',
};
const NO_ANIMATION = '*, *::before, *::after { transition: none !important; animation: none !important; }';
// A code where a name belongs: dept:d06, or a region code of a village (12) to a building (17).
const CODE = /dept:|(?<!\d)\d{12,17}(?!\d)/;

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

test('console: every role sees exactly its actions as buttons, and each opens its form', { timeout: 90000 }, async () => {
  const as = await duolunAccounts();
  const cases = await casesInEveryState(as, `（按钮 ${Date.now().toString(36)}）`);
  let opened = 0;
  const seenEvents = new Set();
  for (const role of CONSOLE_ROLES) {
    // The truth, from the API, as this role reads each case it can see.
    const expected = [];
    for (const [name, id] of Object.entries(cases)) {
      const r = await as[role].get(`/api/v1/cases/${id}`);
      if (r.status === 404) continue; // not theirs to see (a department: not sent or summoned)
      assert.equal(r.status, 200, JSON.stringify(r.json));
      expected.push({ name, id, actions: r.json.actions });
    }
    assert.ok(expected.length >= 2, `${role} sees some of the cases`);
    if (role === 'leader') assert.ok(expected.every((c) => c.actions.length === 0), 'a leader reads and never acts');

    await walk(browser, `case-actions-${role}`, DESKTOP, async (w) => {
      const { page } = w;
      await w.login('admin', `duolun.${role}`);
      await page.getByTestId('admin-home').waitFor();
      await page.addStyleTag({ content: NO_ANIMATION });
      const drawer = page.getByTestId('case-detail');
      for (const c of expected) {
        await page.evaluate((id) => {
          location.hash = `#/cases?case=${id}`;
        }, c.id);
        await eventually(async () => assert.equal(await drawer.getAttribute('data-case-id'), c.id), { timeout: 8000 });
        const buttons = drawer.locator('[data-testid="case-actions"] [data-testid^="case-action-"]');
        const got = await buttons.evaluateAll((els) => els.map((el) => [el.dataset.testid.slice('case-action-'.length), el.innerText.trim()]));
        assert.deepEqual(got, c.actions.map((a) => [a.event, a.label]), `${role} on ${c.name}: buttons as the server orders and names them`);
        const text = await drawer.innerText();
        assert.doesNotMatch(text, CODE, `${role} on ${c.name}: names, not codes`);
        // Each button, clicked in the page (no round trip per step): its form opens, with what
        // the step needs, and closes again.
        const forms = await page.evaluate(clickEachAction, FORM_PART);
        assert.deepEqual(
          forms.map((f) => f.event),
          c.actions.map((a) => a.event),
          `${role} on ${c.name}: every button opened its form (${JSON.stringify(forms)})`,
        );
        forms.forEach((f, i) => {
          const a = c.actions[i];
          const where = `${role} ${a.event} on ${c.name}`;
          assert.ok(f.part, `${where}: the form shows ${FORM_PART[a.event] || 'case-action-note'}`);
          assert.ok(f.note, `${where}: the form has its note`);
          assert.equal(f.noteRequired, a.note === 'required', `${where}: the note required as the server says`);
          assert.equal(f.photos, a.photos, `${where}: photos offered exactly when the server says`);
          if (a.event === 'escalate') assert.deepEqual(f.targets, a.targets.map((t) => t.name));
          seenEvents.add(a.event);
        });
        opened++;
      }
    });
  }
  // The walk covered the console's steps (rate and cancel-by-reporter belong to the phone).
  for (const ev of ['accept', 'resolve', 'note', 'dispatch', 'whistle', 'escalate', 'return', 'wait', 'resume', 'reopen', 'close', 'merge', 'cancel', 'part_report', 'part_done']) {
    assert.ok(seenEvents.has(ev), `some role was offered ${ev} and its form opened`);
  }
  console.log(`# ${opened} drawers checked`);
});

/**
 * In the page: click each action button of the open drawer in turn; for each, wait for the step
 * dialog to show (data-event), note what its form shows, cancel, wait for it to hide. Returns
 * [{event, part, note, noteRequired, photos, targets}] (a button whose form never showed ends
 * the list with {event, opened: false}).
 */
async function clickEachAction(formPart) {
  const shown = (el) => !!el && el.getClientRects().length > 0;
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const until = async (ok) => {
    for (let i = 0; i < 200; i++) {
      if (ok()) return true;
      await frame();
    }
    return false;
  };
  const dialog = () => document.querySelector('[data-testid="case-action-dialog"]');
  const out = [];
  const buttons = [...document.querySelectorAll('[data-testid="case-detail"] [data-testid="case-actions"] [data-testid^="case-action-"]')];
  for (const b of buttons) {
    const event = b.dataset.testid.slice('case-action-'.length);
    b.click();
    const opened = await until(() => shown(dialog()) && dialog().dataset.event === event);
    if (!opened) {
      out.push({ event, opened: false });
      break;
    }
    const d = dialog();
    const note = d.querySelector('[data-testid="case-action-note"]');
    const item = note && note.closest('.el-form-item');
    out.push({
      event,
      part: shown(d.querySelector(`[data-testid="${formPart[event] || 'case-action-note'}"]`)),
      note: shown(note),
      noteRequired: !!item && item.classList.contains('is-required'),
      photos: shown(d.querySelector('[data-testid="photo-picker"]')),
      targets: [...d.querySelectorAll('[data-testid="escalate-target"] .el-radio')].map((r) => r.innerText.trim()),
    });
    d.querySelector('[data-testid="case-action-cancel"]').click();
    await until(() => !shown(dialog()));
  }
  return out;
}
