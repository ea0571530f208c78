-- 011_case_counters: KPI counters for the 民生诉求 loop (issue 3: county KPIs in < 20 ms over
-- 1,000,000 cases). src/domain/casestats.c keeps both tables right in the same transaction as each
-- case event and documents what every column means; `jiceng check` recounts them from the cases.
--
-- case_tallies: what one case contributes to the counters right now (one row per case), so an
-- event can take back the old contribution and add the new one. day is the case's day of creation
-- in Asia/Shanghai (UTC+8), as (created_at + 8 h) / 1 day.
-- case_counters: the sums of the tallies per (node, day, category), one row set for each ancestor
-- level of the case's place: depth 6 (county), 9 (street/town), 12 (village/community) and 14
-- (grid), node = the first `depth` characters of region_code, so a KPI at any level reads only
-- rows of its own nodes. The WITHOUT ROWID marker becomes WITHOUT ROWID on SQLite, nothing on
-- PostgreSQL (store/migrate.c).
--
-- Figures that depend on the time of asking (deadline passed and not yet met) are counted here as
-- "pending" and corrected by small live queries over the cases whose deadlines are still ahead,
-- through the partial indexes below.
CREATE TABLE IF NOT EXISTS case_tallies (
    county TEXT/*C*/ NOT NULL,
    case_id BIGINT NOT NULL,
    node TEXT/*C*/ NOT NULL,            -- the case's region_code
    category TEXT/*C*/ NOT NULL,
    day BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    reopen_seen INTEGER NOT NULL,       -- ever reopened (kept even when not counted)
    cases INTEGER NOT NULL,             -- 1 unless merged or cancelled; all below are 0 then
    responded INTEGER NOT NULL,
    resp_ok INTEGER NOT NULL,           -- responded by respond_due (escalated: responded at all)
    resp_pend INTEGER NOT NULL,         -- not responded, respond_due set (or escalated)
    resp_ms BIGINT NOT NULL,
    resolved INTEGER NOT NULL,
    done_ok INTEGER NOT NULL,           -- resolved by complete_due (escalated: resolved at all)
    done_pend INTEGER NOT NULL,         -- not resolved, complete_due set (or escalated)
    done_ms BIGINT NOT NULL,
    rated INTEGER NOT NULL,
    rating_sum INTEGER NOT NULL,
    happy INTEGER NOT NULL,
    reopened INTEGER NOT NULL,
    fixed INTEGER NOT NULL,
    partly_fixed INTEGER NOT NULL,
    not_our_duty INTEGER NOT NULL,
    duplicate INTEGER NOT NULL,
    overdue_pend INTEGER NOT NULL,      -- open, not paused, complete_due set (or escalated)
    PRIMARY KEY (county, created_at, case_id) -- a period's partial days are one range
)/*WITHOUT ROWID*/;
CREATE UNIQUE INDEX IF NOT EXISTS case_tallies_case ON case_tallies (county, case_id);

CREATE TABLE IF NOT EXISTS case_counters (
    county TEXT/*C*/ NOT NULL,
    depth INTEGER NOT NULL,
    node TEXT/*C*/ NOT NULL,
    day BIGINT NOT NULL,
    category TEXT/*C*/ NOT NULL,
    cases BIGINT NOT NULL,
    responded BIGINT NOT NULL,
    resp_ok BIGINT NOT NULL,
    resp_pend BIGINT NOT NULL,
    resp_ms BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    done_ok BIGINT NOT NULL,
    done_pend BIGINT NOT NULL,
    done_ms BIGINT NOT NULL,
    rated BIGINT NOT NULL,
    rating_sum BIGINT NOT NULL,
    happy BIGINT NOT NULL,
    reopened BIGINT NOT NULL,
    fixed BIGINT NOT NULL,
    partly_fixed BIGINT NOT NULL,
    not_our_duty BIGINT NOT NULL,
    duplicate BIGINT NOT NULL,
    overdue_pend BIGINT NOT NULL,
    PRIMARY KEY (county, depth, node, day, category)
)/*WITHOUT ROWID*/; -- SQLite: rows stored in key order, read without a lookup each

-- The live corrections: cases whose respond/complete deadline is still ahead, the open cases by
-- deadline (also the KPI page's overdue list, soonest first) and the escalated cases, each
-- index holding what its query reads so that no case row is visited.
CREATE INDEX IF NOT EXISTS cases_unresponded ON cases (county, respond_due, created_at,
    region_code, category_code, state) WHERE responded_at IS NULL;
CREATE INDEX IF NOT EXISTS cases_unresolved ON cases (county, complete_due, created_at,
    region_code, category_code, state) WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS cases_open_due ON cases (county, complete_due, region_code,
    created_at, category_code, state)
    WHERE paused_at IS NULL AND state IN ('submitted', 'dispatched', 'accepted', 'returned',
    'escalated', 'whistle', 'reopened');
CREATE INDEX IF NOT EXISTS cases_escalated ON cases (county, created_at, region_code,
    category_code, responded_at, respond_due, resolved_at, complete_due, paused_at)
    WHERE state = 'escalated';
-- Not a counter, but the same issue's list targets: a worker's queue (open cases by deadline)
-- is picked from this index alone, without reading each of a grid's open cases.
CREATE INDEX IF NOT EXISTS cases_queue ON cases (assignee_code, state, complete_due, id);

-- backfill:begin (scripts/bench runs this part again after generating its cases)
DELETE FROM case_counters;
DELETE FROM case_tallies;
INSERT INTO case_tallies (county, case_id, node, category, day, created_at, reopen_seen, cases,
    responded, resp_ok, resp_pend, resp_ms, resolved, done_ok, done_pend, done_ms, rated,
    rating_sum, happy, reopened, fixed, partly_fixed, not_our_duty, duplicate, overdue_pend)
SELECT c.county, c.id, c.region_code, c.category_code, (c.created_at + 28800000) / 86400000,
    c.created_at, c.seen, c.k,
    c.k * (CASE WHEN c.responded_at IS NOT NULL THEN 1 ELSE 0 END),
    c.k * (CASE WHEN c.responded_at IS NOT NULL AND (c.state = 'escalated'
        OR c.responded_at <= c.respond_due) THEN 1 ELSE 0 END),
    c.k * (CASE WHEN c.responded_at IS NULL AND (c.state = 'escalated'
        OR c.respond_due IS NOT NULL) THEN 1 ELSE 0 END),
    c.k * (CASE WHEN c.responded_at IS NOT NULL THEN c.responded_at - c.created_at ELSE 0 END),
    c.k * (CASE WHEN c.resolved_at IS NOT NULL THEN 1 ELSE 0 END),
    c.k * (CASE WHEN c.resolved_at IS NOT NULL AND (c.state = 'escalated'
        OR c.resolved_at <= c.complete_due) THEN 1 ELSE 0 END),
    c.k * (CASE WHEN c.resolved_at IS NULL AND (c.state = 'escalated'
        OR c.complete_due IS NOT NULL) THEN 1 ELSE 0 END),
    c.k * (CASE WHEN c.resolved_at IS NOT NULL THEN c.resolved_at - c.created_at ELSE 0 END),
    c.k * (CASE WHEN c.rating IS NOT NULL THEN 1 ELSE 0 END),
    c.k * COALESCE(c.rating, 0),
    c.k * (CASE WHEN c.rating >= 4 THEN 1 ELSE 0 END),
    c.k * c.seen,
    c.k * (CASE WHEN c.outcome = 'fixed' THEN 1 ELSE 0 END),
    c.k * (CASE WHEN c.outcome = 'partly_fixed' THEN 1 ELSE 0 END),
    c.k * (CASE WHEN c.outcome = 'not_our_duty' THEN 1 ELSE 0 END),
    c.k * (CASE WHEN c.outcome = 'duplicate' THEN 1 ELSE 0 END),
    CASE WHEN c.paused_at IS NULL AND c.state IN ('submitted', 'dispatched', 'accepted',
        'returned', 'escalated', 'whistle', 'reopened') AND (c.state = 'escalated'
        OR c.complete_due IS NOT NULL) THEN 1 ELSE 0 END
FROM (SELECT s.*, CASE WHEN s.state IN ('merged', 'cancelled') THEN 0 ELSE 1 END AS k,
        CASE WHEN EXISTS (SELECT 1 FROM case_events v WHERE v.county = s.county
            AND v.case_id = s.id AND v.event = 'reopen') THEN 1 ELSE 0 END AS seen
      FROM cases s) c;
INSERT INTO case_counters (county, depth, node, day, category, cases, responded, resp_ok,
    resp_pend, resp_ms, resolved, done_ok, done_pend, done_ms, rated, rating_sum, happy,
    reopened, fixed, partly_fixed, not_our_duty, duplicate, overdue_pend)
SELECT t.county, d.depth, substr(t.node, 1, d.depth), t.day, t.category, SUM(t.cases),
    SUM(t.responded), SUM(t.resp_ok), SUM(t.resp_pend), SUM(t.resp_ms), SUM(t.resolved),
    SUM(t.done_ok), SUM(t.done_pend), SUM(t.done_ms), SUM(t.rated), SUM(t.rating_sum),
    SUM(t.happy), SUM(t.reopened), SUM(t.fixed), SUM(t.partly_fixed), SUM(t.not_our_duty),
    SUM(t.duplicate), SUM(t.overdue_pend)
FROM case_tallies t
CROSS JOIN (SELECT 6 AS depth UNION ALL SELECT 9 UNION ALL SELECT 12 UNION ALL SELECT 14) d
WHERE t.cases = 1
GROUP BY t.county, d.depth, substr(t.node, 1, d.depth), t.day, t.category;
-- backfill:end
