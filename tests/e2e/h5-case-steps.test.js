// The steps of a case on the phone beyond 接单 / 进展 / 办结 (issue 10 parts 1 and 5), each from
// the buttons the server's actions draw: a grid worker sends one case back (退回) with a reason,
// sends another up as a blue slip to the department its category names (上报, reason and target
// chosen by name), and pauses a third while waiting on the resident (等待群众) and takes it up
// again (继续办理); a resident withdraws a report with a reason (撤销) from 我的诉求 and from the
// case's page and sees 已撤销 with the reason in the timeline; once a case is accepted there is
// no 撤销 and the server refuses one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, BASE, PHONE, apiAs } from './lib/browser.js';
import { freshAccount } from './lib/accounts.js';

const GRID1 = '15253120220601'; // 牛眼睛村第1网格: the resident's grid, duolun.grid's
const TAG = `·步骤${Date.now() % 100000}`;

let browser;
let as;
before(async () => {
  browser = await launchBrowser();
  as = {};
  for (const r of ['resident', 'grid', 'center', 'admin']) as[r] = await apiAs(`duolun.${r}`);
});
after(async () => {
  if (browser) await browser.close();
});

async function report(category, description) {
  const r = await as.resident.post('/api/v1/cases', { category, description: `${description}${TAG}` });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}
async function step(api, id, body) {
  const r = await api.post(`/api/v1/cases/${id}/events`, body);
  assert.equal(r.status, 200, `${body.event}: ${JSON.stringify(r.json)}`);
  return r.json;
}
const events = (detail) => detail.getByTestId('timeline-item').evaluateAll((els) => els.map((e) => e.dataset.event));
const lastItem = (detail) => detail.getByTestId('timeline-item').last();

/** Open a button's sheet, give the reason (first trying without one), submit; the sheet closes. */
async function withReason(page, detail, event, reason, complaint) {
  await detail.getByTestId(`case-action-${event}`).click();
  const sheet = page.locator(`[data-testid="action-sheet"][data-event="${event}"]`);
  await sheet.waitFor();
  await sheet.getByTestId('action-submit').click();
  await eventually(async () => assert.equal(await sheet.getByTestId('action-error').innerText(), complaint));
  await sheet.getByTestId('action-note-input').locator('textarea').fill(reason);
  return sheet;
}
async function submit(sheet) {
  await sheet.getByTestId('action-submit').click();
  await sheet.waitFor({ state: 'hidden' });
}

test('grid worker: 退回 with a reason, 上报（蓝单） to 城市管理局 with a reason, 等待群众 and 继续办理', { timeout: 90000 }, async () => {
  const toReturn = await report('0301', '不在本网格的问题');
  // An 占道经营 case 城市管理局 sent back and the center gave to the grid: its blue slip may go up
  // to the village or straight to 城市管理局.
  const d06 = await freshAccount(as.admin, { role: 'department_staff', scope_code: '152531', department: 'd06', prefix: 'e2ed06' });
  const toEscalate = await report('0601', '门口占道经营');
  await step(d06, toEscalate.id, { event: 'return', note: '需网格先劝离' });
  await step(as.center, toEscalate.id, { event: 'dispatch', assignee: GRID1 });
  const toWait = await report('0301', '楼道里的电动车需要车主配合');

  await walk(browser, 'h5-steps-grid', PHONE, async (w) => {
    const { page } = w;
    await w.login('h5', 'duolun.grid');
    await page.getByTestId('h5-grid').waitFor();
    const detail = page.getByTestId('h5-case');

    // 退回, on the case's page (where the server offers it; the 待办 card links there, but a
    // queue of a year's demo cases need not show this one on its first screen).
    await page.goto(`${BASE}/#/case/${toReturn.id}`);
    await eventually(async () => assert.equal(await detail.getByTestId('case-description').innerText(), toReturn.description));
    const reason = '位置在隔壁网格，请重新派单';
    const rsheet = await withReason(page, detail, 'return', reason, '请填写退回原因');
    await submit(rsheet);
    await eventually(async () => assert.equal(await detail.getByTestId('case-state').innerText(), '已退回'));
    assert.equal(await lastItem(detail).getAttribute('data-event'), 'return');
    assert.ok((await lastItem(detail).innerText()).includes(reason));
    assert.equal(await detail.locator('[data-testid^="case-action-"]').count(), 0, 'sent back: nothing left for the grid');
    const returned = (await as.grid.get(`/api/v1/cases/${toReturn.id}`)).json;
    assert.equal(returned.state, 'returned');
    assert.equal(returned.timeline.at(-1).note, reason);

    // 上报（蓝单）: two targets by name, the level above first; the worker picks 城市管理局.
    await page.goto(`${BASE}/#/case/${toEscalate.id}`);
    await eventually(async () => assert.equal(await detail.getByTestId('case-description').innerText(), toEscalate.description));
    const why = '占道经营归城管执法，网格劝离无效';
    const esheet = await withReason(page, detail, 'escalate', why, '请填写上报原因');
    const targets = esheet.getByTestId('action-target');
    assert.deepEqual((await targets.allInnerTexts()).map((t) => t.trim()), ['牛眼睛村', '城市管理局']);
    assert.equal(await targets.first().getAttribute('aria-checked'), 'true', 'the level above is the default');
    await targets.filter({ hasText: '城市管理局' }).click();
    assert.equal(await targets.nth(1).getAttribute('aria-checked'), 'true');
    await w.screenshot('h5-steps-escalate');
    await submit(esheet);
    await eventually(async () => assert.equal(await detail.getByTestId('case-state').innerText(), '已上报'));
    assert.equal(await detail.getByTestId('case-assignee').locator('.van-cell__value').innerText(), '城市管理局');
    const last = await lastItem(detail).innerText();
    assert.ok(last.includes(why) && last.includes('上报至 城市管理局'), last);
    const escalated = (await as.grid.get(`/api/v1/cases/${toEscalate.id}`)).json;
    assert.equal(escalated.assignee_code, 'dept:d06');
    assert.equal(escalated.slip, 'blue');

    // 接单, then 等待群众 (a reason, the clock stops) and 继续办理.
    await page.goto(`${BASE}/#/case/${toWait.id}`);
    await eventually(async () => assert.equal(await detail.getByTestId('case-description').innerText(), toWait.description));
    await detail.getByTestId('case-action-accept').click();
    await submit(page.locator('[data-testid="action-sheet"][data-event="accept"]'));
    await eventually(async () => assert.equal(await detail.getByTestId('case-state').innerText(), '已接单'));
    const waitFor = '等待车主下班后挪车';
    const wsheet = await withReason(page, detail, 'wait', waitFor, '请说明在等待群众什么');
    await submit(wsheet);
    await detail.getByTestId('case-action-resume').waitFor();
    assert.equal(await detail.getByTestId('case-action-wait').count(), 0);
    await eventually(async () => assert.match(await detail.getByTestId('countdown').innerText(), /已暂停计时/));
    assert.ok((await lastItem(detail).innerText()).includes(waitFor));
    assert.notEqual((await as.grid.get(`/api/v1/cases/${toWait.id}`)).json.paused_at, null);
    await detail.getByTestId('case-action-resume').click();
    const usheet = page.locator('[data-testid="action-sheet"][data-event="resume"]');
    await usheet.waitFor();
    assert.equal(await usheet.getByTestId('action-photos').count(), 0, '继续办理 takes no photos');
    await submit(usheet);
    await detail.getByTestId('case-action-wait').waitFor();
    assert.equal(await detail.getByTestId('case-action-resume').count(), 0);
    const resumed = (await as.grid.get(`/api/v1/cases/${toWait.id}`)).json;
    assert.equal(resumed.paused_at, null);
    assert.deepEqual((await events(detail)).slice(-3), ['accept', 'wait', 'resume']);
  });
});

test('resident: 撤销 with a reason before it is accepted (card and page), 已撤销 in the timeline; none once accepted, and the server refuses', { timeout: 60000 }, async () => {
  const fromCard = await report('0301', '已经自己挪走了');
  const fromPage = await report('0601', '摊贩已经离开');
  const accepted = await report('0301', '网格员已接单的问题');
  await step(as.grid, accepted.id, { event: 'accept' });

  await walk(browser, 'h5-steps-resident', PHONE, async (w) => {
    const { page } = w;
    await w.login('h5', 'duolun.resident');
    await page.locator('.van-tabbar').waitFor();
    await page.goto(`${BASE}/#/cases`);
    const card = page.locator(`[data-testid="case-card"][data-case-id="${fromCard.id}"]`);
    const reason = '问题已经自己解决了';
    const csheet = await withReason(page, card, 'cancel', reason, '请填写撤销原因');
    await w.screenshot('h5-steps-cancel');
    await submit(csheet);
    await eventually(async () => assert.equal(await card.getByTestId('case-state').innerText(), '已撤销'));
    assert.equal(await card.getByTestId('case-action-cancel').count(), 0);

    // Accepted: no 撤销 on its card or its page.
    const acard = page.locator(`[data-testid="case-card"][data-case-id="${accepted.id}"]`);
    await acard.waitFor();
    assert.equal(await acard.getByTestId('case-state').innerText(), '已接单');
    assert.equal(await acard.locator('[data-testid^="case-action-"]').count(), 0);

    // The withdrawn case's page says so, with the reason.
    await card.locator('.cc-main').click();
    const detail = page.getByTestId('h5-case');
    await eventually(async () => assert.equal(await detail.getByTestId('case-description').innerText(), fromCard.description));
    assert.equal(await detail.getByTestId('case-state').innerText(), '已撤销');
    await eventually(async () => assert.equal(await lastItem(detail).getAttribute('data-event'), 'cancel'));
    const last = await lastItem(detail).innerText();
    assert.ok(last.includes('撤销') && last.includes(reason), last);
    assert.equal(await detail.locator('[data-testid^="case-action-"]').count(), 0);

    // From a case's page (one 城市管理局 holds: still not accepted).
    await page.goto(`${BASE}/#/case/${fromPage.id}`);
    await eventually(async () => assert.equal(await detail.getByTestId('case-description').innerText(), fromPage.description));
    const psheet = await withReason(page, detail, 'cancel', '摊贩已经离开', '请填写撤销原因');
    await submit(psheet);
    await eventually(async () => assert.equal(await detail.getByTestId('case-state').innerText(), '已撤销'));
    assert.equal((await as.resident.get(`/api/v1/cases/${fromPage.id}`)).json.state, 'cancelled');

    await page.goto(`${BASE}/#/case/${accepted.id}`);
    await eventually(async () => assert.equal(await detail.getByTestId('case-description').innerText(), accepted.description));
    assert.equal(await detail.getByTestId('case-state').innerText(), '已接单');
    assert.equal(await detail.locator('[data-testid^="case-action-"]').count(), 0, 'accepted: the resident has nothing to press');
  });

  const c = (await as.resident.get(`/api/v1/cases/${accepted.id}`)).json;
  assert.deepEqual(c.actions, []);
  const r = await as.resident.post(`/api/v1/cases/${accepted.id}/events`, { event: 'cancel', note: '不想等了' });
  assert.equal(r.status, 409, JSON.stringify(r.json));
  assert.equal((await as.resident.get(`/api/v1/cases/${accepted.id}`)).json.state, 'accepted');
});
