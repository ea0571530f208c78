-- 006_whistle: 中心吹哨、部门报到 (MISSION practice 6, 临河区). Departments per county; a
-- department account belongs to one; a whistle summons several departments onto one case, each
-- a part that must report in (报到) before its deadline and then be done. The case resolves only
-- when every part is done.
CREATE TABLE IF NOT EXISTS departments (
    county TEXT/*C*/ NOT NULL,
    code TEXT/*C*/ NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (county, code)
);
ALTER TABLE users ADD COLUMN department TEXT;
CREATE TABLE IF NOT EXISTS case_parts (
    county TEXT/*C*/ NOT NULL,
    case_id BIGINT NOT NULL,
    dept_code TEXT/*C*/ NOT NULL,
    summoned_at BIGINT NOT NULL,
    report_due BIGINT NOT NULL,
    reported_at BIGINT,
    done_at BIGINT,
    note TEXT,
    PRIMARY KEY (county, case_id, dept_code)
);
CREATE INDEX IF NOT EXISTS case_parts_dept ON case_parts (county, dept_code, done_at);
