// console-cases.test.js — each desk of the console handles its part of a case (issue 10 parts
// 2–4), on a desktop screen, with the buttons the server offers:
//  - a village/community admin answers a red slip by 接单 (its 24 h countdown shown until then),
//    writes a 进展 with a photo and closes it with 办结 and a result photo; sends another up to
//    the street (上报, 蓝单) with a reason;
//  - the street admin finds that one in 待办 and dispatches it to a department;
//  - 中心吹哨、部门报到 (临河区): the center blows the whistle on an escalated case with three
//    departments, each its own 报到 deadline and task; three department staff, each in their
//    own session, find it on their home, 报到 and finish their part; the center's open drawer
//    follows every part live without a reload, and the case resolves after the last part.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, walk, eventually, apiAs, BASE, DESKTOP, DEMO_PW } from './lib/browser.js';
import { png } from '../api/lib/images.js';

const TAG = Date.now().toString(36);
const NO_ANIMATION = '*, *::before, *::after { transition: none !important; animation: none !important; }';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

/** Sign in to the console and open 诉求管理's 待办. */
async function openQueue(w, username, password = DEMO_PW) {
  const { page } = w;
  await w.login('admin', username, password);
  await page.getByTestId('admin-home').waitFor();
  await page.addStyleTag({ content: NO_ANIMATION });
  await page.getByTestId('menu-cases').click();
  await page.getByTestId('cases-tab-queue').click();
  await page.getByTestId('case-queue').waitFor();
}

const queueRow = (page, id) => page.locator('.el-table__row').filter({ has: page.locator(`[data-testid="queue-row"][data-case-id="${id}"]`) });

/** Take the step `event` from the open drawer: its button, its form filled by fill(dialog), 确定. */
async function step(page, event, fill = async () => {}) {
  const drawer = page.getByTestId('case-detail');
  await drawer.getByTestId(`case-action-${event}`).click();
  const dialog = page.locator(`[data-testid="case-action-dialog"][data-event="${event}"]`);
  await dialog.waitFor();
  await fill(dialog);
  await dialog.getByTestId('case-action-submit').click();
  await dialog.waitFor({ state: 'hidden' });
}

async function addPhoto(dialog, seed) {
  await dialog.getByTestId('photo-input').setInputFiles({ name: `p${seed}.png`, mimeType: 'image/png', buffer: png(320, 240, { seed }) });
  await eventually(async () => assert.equal(await dialog.locator('.tile.done').count(), 1), { timeout: 10000 });
}

const stateOf = (page) => page.getByTestId('case-detail').getByTestId('case-state').innerText();

test('community admin: red slip answered by 接单, 进展 with a photo, 办结 with a result photo; a blue slip to the street, which dispatches it to a department', { timeout: 90000 }, async () => {
  const resident = await apiAs('duolun.resident');
  const community = await apiAs('duolun.community');
  const report = async (description) => {
    const r = await resident.post('/api/v1/cases', { category: '0202', description: `${description}（${TAG}）` });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json.id;
  };
  const lamp = await report('村口路灯不亮');
  const pole = await report('路灯杆倾斜，需要街道协调');
  const streetName = (await community.get(`/api/v1/cases/${pole}`)).json.actions.find((a) => a.event === 'escalate').targets[0].name;

  await walk(browser, 'console-community', DESKTOP, async (w) => {
    const { page } = w;
    await openQueue(w, 'duolun.community');
    const row = queueRow(page, lamp);
    await row.waitFor();
    assert.equal(await row.getByTestId('queue-reason').innerText(), '本级承办');
    await row.click();
    const drawer = page.getByTestId('case-detail');
    await eventually(async () => assert.equal(await drawer.getAttribute('data-case-id'), lamp));

    // 红单: the response countdown is up front until the community answers it by 接单.
    const red = drawer.getByTestId('case-red-slip');
    await red.waitFor();
    assert.match(await red.innerText(), /红单.*响应剩余 2[34] 小时/s);
    await w.screenshot('console-community-red-slip');
    await step(page, 'accept');
    await eventually(async () => assert.equal(await stateOf(page), '已接单'));
    assert.equal(await red.count(), 0, 'answered: the red slip countdown is gone');

    await step(page, 'note', async (d) => {
      await addPhoto(d, 41);
      await d.getByTestId('case-action-note').locator('textarea').fill('已联系电工，明天上午更换');
    });
    await drawer.locator('[data-testid="timeline-item"][data-event="note"] [data-testid="timeline-photo"]').waitFor();

    // 办结 with a result photo.
    await step(page, 'resolve', async (d) => {
      assert.ok(await d.getByTestId('photo-picker').isVisible());
      await addPhoto(d, 42);
      await d.getByTestId('case-action-note').locator('textarea').fill('已更换灯泡，恢复照明');
    });
    await eventually(async () => assert.equal(await stateOf(page), '已办结'));
    await drawer.locator('[data-testid="timeline-item"][data-event="resolve"] [data-testid="timeline-photo"]').waitFor();
    const done = (await community.get(`/api/v1/cases/${lamp}`)).json;
    assert.equal(done.state, 'resolved');
    assert.equal(done.timeline.find((e) => e.event === 'resolve').photos.length, 1);
    assert.ok(done.responded_at > 0);
    await w.screenshot('console-community-resolved');

    // 蓝单: sent up to the street with a reason (required: refused without one).
    await page.evaluate((id) => {
      location.hash = `#/cases?view=queue&case=${id}`;
    }, pole);
    await eventually(async () => assert.equal(await drawer.getAttribute('data-case-id'), pole));
    await drawer.getByTestId('case-action-escalate').click();
    const dialog = page.locator('[data-testid="case-action-dialog"][data-event="escalate"]');
    await dialog.waitFor();
    const target = dialog.getByTestId('escalate-target');
    assert.equal((await target.innerText()).trim(), streetName);
    assert.equal(await target.locator('.el-radio.is-checked').count(), 1, 'the level above is chosen');
    await dialog.getByTestId('case-action-submit').click();
    await eventually(async () => assert.match(await dialog.getByTestId('case-dialog-error').innerText(), /请填写上报原因/));
    await dialog.getByTestId('case-action-note').locator('textarea').fill('路灯杆属道路设施，需街道协调城管处理');
    await dialog.getByTestId('case-action-submit').click();
    await dialog.waitFor({ state: 'hidden' });
    await eventually(async () => assert.equal(await stateOf(page), '已上报'));
    assert.equal(await drawer.getByTestId('case-assignee').innerText(), streetName);
    // No longer the community's to handle: a 进展 is all that is left to it.
    await eventually(async () =>
      assert.deepEqual(await drawer.locator('[data-testid="case-actions"] [data-testid^="case-action-"]').evaluateAll((els) => els.map((e) => e.dataset.testid)), ['case-action-note']),
    );
  });

  await walk(browser, 'console-street', DESKTOP, async (w) => {
    const { page } = w;
    await openQueue(w, 'duolun.street');
    const row = queueRow(page, pole);
    await row.waitFor();
    assert.equal(await row.getByTestId('queue-reason').innerText(), '上报（蓝单）');
    await w.screenshot('console-street-queue');
    await row.click();
    const drawer = page.getByTestId('case-detail');
    await eventually(async () => assert.equal(await drawer.getAttribute('data-case-id'), pole));
    await step(page, 'dispatch', async (d) => {
      await d.getByTestId('dispatch-kind').getByText('职能部门').click();
      await d.getByTestId('dispatch-department').click();
      await page.locator('.dispatch-department-popper .el-select-dropdown__item:visible', { hasText: '城市管理局' }).click();
      await d.getByTestId('case-action-note').locator('textarea').fill('路灯杆归城管维护');
    });
    await eventually(async () => assert.equal(await stateOf(page), '已派单'));
    assert.equal(await drawer.getByTestId('case-assignee').innerText(), '城市管理局');
    assert.match(await drawer.getByTestId('timeline-item').last().innerText(), /派至 城市管理局/);
    const c = (await apiAs('duolun.street')).get(`/api/v1/cases/${pole}`);
    assert.equal((await c).json.assignee_code, 'dept:d06');
  });
});

/** A department_staff account of 临河区 made by its county admin, its first password changed. */
async function deptAccount(admin, department) {
  const username = `wh${department}${TAG}`.slice(0, 30);
  const r = await admin.post('/api/v1/users', { username, name: `吹哨测试${department}`, role: 'department_staff', scope_code: '150802', department }, { 'idempotency-key': `k-${username}` });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const login = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: r.json.initial_password }),
  });
  const { token } = await login.json();
  const password = `Wh9!${Math.random().toString(36).slice(2, 10)}Q`;
  const c = await fetch(`${BASE}/api/v1/auth/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ old_password: r.json.initial_password, new_password: password }),
  });
  assert.equal(c.status, 204);
  return { username, password };
}

test('中心吹哨、部门报到: three departments, each its deadline and task; the center watches every part live', { timeout: 120000 }, async () => {
  const resident = await apiAs('linhe.resident');
  const community = await apiAs('linhe.community');
  const admin = await apiAs('linhe.admin');
  const r = await resident.post('/api/v1/cases', { category: '0301', description: `楼道电动车充电起火隐患（${TAG}）` });
  assert.equal(r.status, 201);
  const id = r.json.id;
  assert.equal((await community.post(`/api/v1/cases/${id}/events`, { event: 'escalate', note: '需多部门联合处置' })).status, 200);
  const staff = [
    { code: 'd03', name: '公安分局', hours: 1, task: '现场排查充电隐患', login: { username: 'linhe.dept', password: DEMO_PW } },
    { code: 'd05', name: '住房和城乡建设局', hours: 3, task: '督促物业安装充电桩', login: await deptAccount(admin, 'd05') },
    { code: 'd06', name: '城市管理局', hours: 2, task: '清理楼道堆放', login: await deptAccount(admin, 'd06') },
  ];

  await walk(browser, 'console-whistle-center', DESKTOP, async (center) => {
    const { page } = center;
    await center.login('admin', 'linhe.center');
    await page.getByTestId('admin-home').waitFor();
    await page.addStyleTag({ content: NO_ANIMATION });
    await page.evaluate((cid) => {
      window.__sameDocument = true;
      location.hash = `#/cases?case=${cid}`;
    }, id);
    const drawer = page.getByTestId('case-detail');
    await eventually(async () => assert.equal(await drawer.getAttribute('data-case-id'), id), { timeout: 8000 });
    assert.equal(await stateOf(page), '已上报');

    await step(page, 'whistle', async (d) => {
      await d.getByTestId('whistle-departments').click();
      for (const s of staff) await page.locator('.whistle-popper .el-select-dropdown__item:visible', { hasText: s.name }).first().click();
      await d.locator('.el-dialog__title').click(); // close the list
      for (const s of staff) {
        const row = d.locator(`[data-testid="whistle-part"][data-code="${s.code}"]`);
        await row.getByTestId('whistle-hours').locator('input').fill(String(s.hours));
        await row.getByTestId('whistle-task').fill(s.task); // el-input puts the attribute on its <input>
      }
      await d.getByTestId('case-action-note').locator('textarea').fill('电动车楼道充电，多部门联合处置');
      await center.screenshot('console-whistle-form');
    });
    await eventually(async () => assert.equal(await stateOf(page), '吹哨处置中'));
    const partOf = (code) => drawer.locator(`[data-testid="case-part"][data-department="${code}"]`);
    for (const s of staff) {
      await eventually(async () => assert.equal(await partOf(s.code).getAttribute('data-status'), 'waiting'));
      const text = await partOf(s.code).innerText();
      assert.ok(text.includes(s.name) && text.includes(s.task), text);
      assert.match(text, new RegExp(`报到剩余 ${s.hours - 1} 小时`));
    }
    const parts = (await admin.get(`/api/v1/cases/${id}`)).json.parts;
    for (const s of staff) {
      const p = parts.find((x) => x.department === s.code);
      assert.equal(p.report_due - p.summoned_at, s.hours * 3600 * 1000);
      assert.equal(p.task, s.task);
    }
    await center.screenshot('console-whistle-parts');

    for (const [i, s] of staff.entries()) {
      await walk(browser, `console-whistle-${s.code}`, DESKTOP, async (w) => {
        const dp = w.page;
        await w.login('admin', s.login.username, s.login.password);
        await dp.getByTestId('dept-desk').waitFor();
        await dp.addStyleTag({ content: NO_ANIMATION });
        assert.equal(await dp.getByTestId('dept-desk-name').innerText(), `${s.name}工作台`);
        await eventually(async () => assert.ok(Number(await dp.getByTestId('dept-stat-parts_waiting').getAttribute('data-value')) >= 1));
        const row = queueRow(dp, id);
        await row.waitFor();
        assert.equal(await row.getByTestId('queue-reason').innerText(), '吹哨召集');
        if (i === 0) await w.screenshot('console-dept-home');
        await row.click();
        const mine = dp.getByTestId('case-detail');
        await eventually(async () => assert.equal(await mine.getAttribute('data-case-id'), id));
        assert.ok((await mine.getByTestId('case-parts').innerText()).includes(s.task), 'its task is shown');

        // 报到 in one click: the center sees it without reloading.
        await step(dp, 'part_report');
        await eventually(async () => assert.equal(await mine.getByTestId('case-action-part_done').count(), 1));
        await eventually(async () => assert.equal(await partOf(s.code).getAttribute('data-status'), 'reported'), { timeout: 8000 });

        // 本部门办结 needs a note.
        await mine.getByTestId('case-action-part_done').click();
        const dialog = dp.locator('[data-testid="case-action-dialog"][data-event="part_done"]');
        await dialog.waitFor();
        await dialog.getByTestId('case-action-submit').click();
        await eventually(async () => assert.match(await dialog.getByTestId('case-dialog-error').innerText(), /请填写办结情况/));
        await dialog.getByTestId('case-action-note').locator('textarea').fill(`${s.name}：${s.task}，已完成`);
        await dialog.getByTestId('case-action-submit').click();
        await dialog.waitFor({ state: 'hidden' });
        await eventually(async () => assert.equal(await mine.locator('[data-testid="case-action-part_done"], [data-testid="case-action-part_report"]').count(), 0));
        await eventually(async () => assert.equal(await partOf(s.code).getAttribute('data-status'), 'done'), { timeout: 8000 });
        if (i < staff.length - 1) assert.equal(await stateOf(page), '吹哨处置中', 'waits for the other departments');
      });
    }
    await eventually(async () => assert.equal(await stateOf(page), '已办结'), { timeout: 8000 });
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the center never reloaded');
    assert.match(await drawer.getByTestId('case-parts-summary').innerText(), /已办结 3\/3/);
    await center.screenshot('console-whistle-resolved');
  });
});
