-- 023_department_paths: a department's cases by two ordered index walks instead of a scan of the
-- county (issue 10 part 4; measured 0.7 s for its queue and 1.7 s for its list over 1,000,000
-- cases before): the cases it holds, newest first, and the whistles it was summoned to.
CREATE INDEX IF NOT EXISTS cases_holder ON cases (assignee_code, id);
CREATE INDEX IF NOT EXISTS case_parts_dept_case ON case_parts (county, dept_code, case_id);
