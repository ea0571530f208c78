-- 021_dept_stats: a department's figures (GET /api/v1/departments/{code}/stats, issue 10 part 4)
-- read ranges, not histories: the cases a department resolved in the last 30 days, and the
-- parts it reported in over them.
CREATE INDEX IF NOT EXISTS cases_assignee_resolved ON cases (assignee_code, resolved_at)
    WHERE resolved_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS case_parts_reported ON case_parts (county, dept_code, reported_at);
