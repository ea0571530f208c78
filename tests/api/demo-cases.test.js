// demo-cases.test.js — what the demo's year of 民生诉求 promises (src/demo/seed_cases.c, issue 10):
// every one of the six places has a year of cases handled through the loop by the accounts whose
// work it is; most are closed, the newest still open and some overdue; red slips answered within
// 24 h, blue slips sent up to the street office and the county; whistles with several
// departments in 临河区; merged duplicates, withdrawn reports, returns; the console's default KPIs
// are not empty for any county's admin; and 多伦县's map has located cases inside its grids, and
// the grids inside the county's real outline. Read-only. The seed's cases are the ones created
// more than a day before this file runs (other test files add their own, all of today).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { api, demo } from './lib/client.js';
import { sql, sqlSkip } from './lib/db.js';

const DAY = 86400e3;
const NOW = Date.now();
const SEEDED = NOW - DAY; // cases created before this are the seed's
const PLACES = [
  { slug: 'duolun', county: '152531', name: '多伦县', min: 4000 },
  { slug: 'tuquan', county: '152224', name: '突泉县', min: 300 },
  { slug: 'huade', county: '150922', name: '化德县', min: 80 },
  { slug: 'guyang', county: '150222', name: '固阳县', min: 80 },
  { slug: 'huimin', county: '150103', name: '回民区', min: 250 },
  { slug: 'linhe', county: '150802', name: '临河区', min: 400 },
];

/** Every case the token sees that the seed made (GET /cases, all pages). */
async function seededCases(token, query = '') {
  const out = [];
  let cursor = '';
  for (;;) {
    const r = await api('GET', `/api/v1/cases?limit=200&to=${SEEDED}${query}${cursor ? `&cursor=${cursor}` : ''}`, { token });
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.items);
    if (!r.json.next_cursor) return out;
    cursor = r.json.next_cursor;
  }
}

async function detail(token, id) {
  const r = await api('GET', `/api/v1/cases/${id}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

/** Point in polygon (a GeoJSON Polygon's outer ring, or any polygon of a MultiPolygon). */
function inside(geometry, lon, lat) {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return polys.some((rings) => {
    const ring = rings[0];
    let c = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) c = !c;
    }
    return c;
  });
}

describe('a year of cases in each of the six places', () => {
  for (const p of PLACES)
    test(`${p.name}: a year of cases, most closed after a rating, some still open`, async () => {
      const admin = await demo(`${p.slug}.admin`);
      const r = await api('GET', `/api/v1/case-stats?from=${NOW - 365 * DAY}&to=${SEEDED}`, { token: admin });
      assert.equal(r.status, 200, r.text);
      const t = r.json.totals;
      assert.ok(t.cases >= p.min, `${t.cases} cases`);
      const closed = t.outcomes.fixed + t.outcomes.partly_fixed + t.outcomes.not_our_duty + t.outcomes.duplicate;
      assert.ok(closed / t.cases > 0.7 && closed / t.cases < 0.95, `${closed} of ${t.cases} closed`);
      assert.ok(t.response_rate > 0.9, `response rate ${t.response_rate}`);
      assert.ok(t.rated > 0 && t.avg_rating >= 3.5 && t.avg_rating <= 5, `rating ${t.avg_rating}`);
      assert.ok(t.satisfaction_rate > 0.7, `satisfaction ${t.satisfaction_rate}`);
      assert.ok(t.on_time_response_rate > 0.8 && t.on_time_response_rate <= 1);
      // Every month of the year had reports.
      const list = await seededCases(admin, `&from=${NOW - 365 * DAY}`);
      const months = new Set(list.map((c) => new Date(c.created_at + 8 * 3600e3).getUTCMonth()));
      assert.equal(months.size, 12, `months with reports: ${[...months]}`);
      // The newest are still being handled; nothing of the seed lies in the future.
      assert.ok(list.some((c) => !['closed', 'merged', 'cancelled', 'rated'].includes(c.state)), 'some open');
      assert.ok(list.every((c) => c.created_at < SEEDED));
    });

  test("the console's default (last 30 days) KPIs are not empty for any county's admin", async () => {
    for (const p of PLACES) {
      const r = await api('GET', '/api/v1/case-stats?by=region', { token: await demo(`${p.slug}.admin`) });
      assert.equal(r.status, 200, r.text);
      const t = r.json.totals;
      assert.ok(t.cases > 0 && t.responded > 0 && t.resolved > 0, `${p.name}: ${JSON.stringify(t)}`);
      assert.ok(t.response_rate > 0, p.name);
      assert.ok(r.json.groups.length >= 1 && r.json.groups.some((g) => g.cases > 0), p.name);
    }
  });

  test('多伦县 has many more than a small place: volume follows the population', async () => {
    const count = async (slug) =>
      (await api('GET', `/api/v1/case-stats?from=${NOW - 365 * DAY}&to=${SEEDED}`, { token: await demo(`${slug}.admin`) })).json.totals.cases;
    const duolun = await count('duolun');
    const huade = await count('huade');
    assert.ok(duolun > 15 * huade, `多伦县 ${duolun}, 化德县 ${huade}`);
    assert.ok(duolun / 365 >= 12 && duolun / 365 <= 60, `${(duolun / 365).toFixed(1)} a day in 多伦县`);
    assert.ok(huade / 52 >= 1 && huade / 52 <= 10, `${(huade / 52).toFixed(1)} a week in 化德县`);
  });
});

describe('the loop as the article tells it', () => {
  test('overdue cases: open, past their deadline, listed for the county', async () => {
    const admin = await demo('duolun.admin');
    const r = await api('GET', `/api/v1/cases?overdue=1&limit=50&to=${SEEDED}`, { token: admin });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.length >= 3, `${r.json.items.length} overdue`);
    for (const c of r.json.items) {
      assert.ok(c.complete_due < NOW, c.id);
      assert.ok(!['resolved', 'rated', 'closed', 'merged', 'cancelled'].includes(c.state), c.state);
    }
    const k = await api('GET', `/api/v1/case-stats?from=${NOW - 365 * DAY}&to=${SEEDED}`, { token: admin });
    assert.ok(k.json.totals.overdue_open >= 3);
  });

  test('回民区 三顺店社区: red slips answered within 24 h, blue slips sent up to the street office', async () => {
    const community = await demo('huimin.community');
    const list = await seededCases(community);
    const red = list.filter((c) => c.slip === 'red');
    const blue = list.filter((c) => c.slip === 'blue');
    assert.ok(red.length > blue.length && blue.length > 0, `${red.length} red, ${blue.length} blue`);
    const answered = red.filter((c) => c.responded_at !== null);
    const inDay = answered.filter((c) => c.responded_at - c.created_at <= DAY);
    assert.ok(inDay.length / answered.length > 0.9, `${inDay.length} of ${answered.length} red slips answered within 24 h`);
    // A blue slip's timeline: the grid or the community sent it up, with its reason, and the
    // street office (9 digits) took it.
    let found = null;
    for (const c of blue.slice(0, 40)) {
      const d = await detail(community, c.id);
      const up = d.timeline.find((e) => e.event === 'escalate' && e.actor_role && e.detail && /^\d{9}$/.test(e.detail.assignee));
      if (up) {
        found = { d, up };
        break;
      }
    }
    assert.ok(found, 'a blue slip that went up to the street office');
    assert.ok(found.up.note && found.up.note.length > 4, 'with its reason');
    assert.ok(['grid_worker', 'community_admin'].includes(found.up.actor_role), found.up.actor_role);
  });

  test('临河区: the center blows the whistle, several departments report in and finish their parts', async () => {
    const center = await demo('linhe.center');
    const list = (await seededCases(center)).filter((c) => c.slip === 'blue');
    const whistles = [];
    for (const c of list) {
      const d = await detail(center, c.id);
      if (d.timeline.some((e) => e.event === 'whistle')) whistles.push(d);
      if (whistles.length >= 12) break;
    }
    assert.ok(whistles.length >= 12, `${whistles.length} whistles`);
    assert.ok(whistles.some((d) => d.parts.length >= 3), 'some with three departments or more');
    for (const d of whistles) {
      assert.ok(d.parts.length >= 2, `${d.id}: ${d.parts.length} departments`);
      const w = d.timeline.find((e) => e.event === 'whistle');
      assert.ok(['center_operator', 'street_admin'].includes(w.actor_role), w.actor_role);
      if (d.state === 'whistle') continue;
      for (const part of d.parts) assert.ok(part.reported_at && part.done_at, `${d.id} ${part.department}`);
      const reports = d.timeline.filter((e) => e.event === 'part_report');
      assert.equal(reports.length, d.parts.length);
      assert.ok(reports.every((e) => e.actor_role === 'department_staff'));
      assert.ok(d.timeline.some((e) => e.event === 'parts_done'));
    }
  });

  test('handlers are the accounts whose work it is', async () => {
    const admin = await demo('duolun.admin');
    const list = (await seededCases(admin, '&state=closed')).slice(0, 30);
    assert.ok(list.length >= 30);
    for (const c of list) {
      const d = await detail(admin, c.id);
      for (const e of d.timeline) {
        if (e.event === 'accept' && e.actor_role) {
          const before = d.timeline.filter((x) => x.seq < e.seq && x.detail && x.detail.assignee).pop();
          const held = before ? before.detail.assignee : '';
          const want = held.startsWith('dept:') ? 'department_staff' : held.length === 14 ? 'grid_worker'
            : held.length === 12 ? 'community_admin' : 'street_admin';
          assert.equal(e.actor_role, want, `${d.id}: accepted while held by ${held}`);
        }
        // The reporter rates: a resident, an informant, or the worker who reported for someone.
        if (e.event === 'rate')
          assert.ok(['resident', 'informant', 'building_head', 'grid_worker'].includes(e.actor_role), `${d.id}: ${e.actor_role}`);
      }
    }
  });

  test('every step of the loop happened somewhere in the year', { skip: sqlSkip() }, () => {
    const counties = PLACES.map((p) => `'${p.county}'`).join(',');
    const events = sql(`SELECT DISTINCT event FROM case_events WHERE county IN (${counties}) AND at < ${SEEDED}`).split('\n');
    for (const e of ['create', 'dispatch', 'accept', 'return', 'note', 'wait', 'resume', 'resolve', 'escalate',
      'whistle', 'part_report', 'part_overdue', 'part_done', 'parts_done', 'rate', 'reopen', 'close', 'merge',
      'merged_in', 'cancel'])
      assert.ok(events.includes(e), `no ${e} event`);
    // Every step is dated inside the year, none after the seed.
    const [min, max] = sql(`SELECT MIN(at), MAX(at) FROM case_events WHERE county IN (${counties}) AND at < ${SEEDED}`)
      .split('|').map(Number);
    assert.ok(min >= NOW - 367 * DAY && max < NOW);
    // The handling accounts exist: a worker account in every grid of 多伦县.
    const grids = Number(sql("SELECT COUNT(*) FROM regions WHERE county = '152531' AND level = 6"));
    const workers = Number(sql("SELECT COUNT(DISTINCT scope_code) FROM users WHERE county = '152531' AND role = 'grid_worker'"));
    assert.equal(workers, grids);
  });

  test('duplicates merged, reports withdrawn', async () => {
    const admin = await demo('duolun.admin');
    const merged = await seededCases(admin, '&state=merged');
    const cancelled = await seededCases(admin, '&state=cancelled');
    assert.ok(merged.length >= 20, `${merged.length} merged`);
    assert.ok(cancelled.length >= 20, `${cancelled.length} cancelled`);
    const d = await detail(admin, merged[0].id);
    assert.ok(d.merged_into, 'points at the case it joined');
    const into = await detail(admin, d.merged_into);
    assert.ok(into.timeline.some((e) => e.event === 'merged_in'));
  });
});

describe('多伦县 on the map, where it really is', () => {
  test('located cases lie inside the grids, the grids inside the county outline', async () => {
    const admin = await demo('duolun.admin');
    const r = await api('GET', `/api/v1/case-map?to=${SEEDED}`, { token: admin });
    assert.equal(r.status, 200, r.text);
    const m = r.json;
    assert.ok(m.county, 'the county outline');
    assert.equal(m.county.code, '152531');
    assert.equal(m.county.boundary.type, 'Polygon');
    assert.equal(m.grids.length, 555);
    // 多伦县 lies about 115.9–116.9°E, 41.8–42.6°N.
    for (const g of m.grids)
      for (const [lon, lat] of g.boundary.coordinates[0]) {
        assert.ok(lon > 115.9 && lon < 117 && lat > 41.75 && lat < 42.65, `${g.code}: ${lon},${lat}`);
        assert.ok(inside(m.county.boundary, lon, lat), `${g.code} inside the county`);
      }
    assert.ok(m.items.length >= 500, `${m.items.length} located cases`);
    const byCode = new Map(m.grids.map((g) => [g.code, g]));
    for (const c of m.items) {
      const g = byCode.get(c.region_code);
      assert.ok(g, `${c.id} in a grid of the county`);
      assert.ok(inside(g.boundary, c.lon, c.lat), `${c.id} inside its grid ${c.region_code}`);
    }
    assert.ok(m.items.some((c) => c.overdue), 'overdue ones stand out');
  });

  test('every place has its outline; another county\'s outline is not in the reply', async () => {
    for (const p of PLACES) {
      const r = await api('GET', '/api/v1/case-map', { token: await demo(`${p.slug}.community`) });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.county.code, p.county, p.name);
      assert.ok(r.json.grids.length >= 1, p.name);
      for (const g of r.json.grids)
        assert.ok(inside(r.json.county.boundary, ...g.boundary.coordinates[0][0]), `${p.name} ${g.code}`);
    }
  });
});
