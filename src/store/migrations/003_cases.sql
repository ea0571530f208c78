-- 003_cases: 民生诉求 cases (issue 3). Categories as data per county; cases with their current
-- state; an append-only event per transition (the state always agrees with the last event);
-- idempotency keys so a phone retrying on a bad network makes one case.

-- Two levels: a group (parent_code NULL) and its categories. handling: grid | community |
-- street | department (the level that takes it first). Deadlines: respond within respond_hours
-- natural hours (red slip: 24); complete within complete_value of complete_unit (hours |
-- workdays).
CREATE TABLE IF NOT EXISTS categories (
    county TEXT/*C*/ NOT NULL,
    code TEXT/*C*/ NOT NULL,
    parent_code TEXT/*C*/,
    name TEXT NOT NULL,
    handling TEXT NOT NULL DEFAULT 'grid',
    department TEXT,
    respond_hours INTEGER NOT NULL DEFAULT 24,
    complete_value INTEGER NOT NULL DEFAULT 48,
    complete_unit TEXT NOT NULL DEFAULT 'hours',
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (county, code)
);

CREATE TABLE IF NOT EXISTS cases (
    county TEXT/*C*/ NOT NULL,
    id BIGINT NOT NULL,
    region_code TEXT/*C*/ NOT NULL,     -- where it is: grid (14) or village/community (12)
    assignee_code TEXT/*C*/,            -- who holds it: a region code, or 'dept:<name>'
    category_code TEXT/*C*/ NOT NULL,
    source TEXT NOT NULL,               -- resident | informant | building_head | staff | open311
    reporter_id BIGINT,                 -- the account that reported (NULL for Open311)
    household_id BIGINT,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    address TEXT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    state TEXT NOT NULL,
    slip TEXT,                          -- red | blue (practice 4)
    outcome TEXT,                       -- fixed | partly_fixed | not_our_duty | duplicate
    rating INTEGER,
    rating_comment TEXT,
    respond_due BIGINT,
    complete_due BIGINT,
    responded_at BIGINT,
    resolved_at BIGINT,
    closed_at BIGINT,
    paused_at BIGINT,                   -- waiting on the resident: deadlines pause
    merged_into BIGINT,
    events INTEGER NOT NULL DEFAULT 0,  -- number of events, for optimistic concurrency
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX IF NOT EXISTS cases_region ON cases (region_code, id);
CREATE INDEX IF NOT EXISTS cases_assignee ON cases (assignee_code, state, id);
CREATE INDEX IF NOT EXISTS cases_reporter ON cases (county, reporter_id, id);
-- The scheduler's scan: open cases by deadline.
CREATE INDEX IF NOT EXISTS cases_due ON cases (state, complete_due);

CREATE TABLE IF NOT EXISTS case_events (
    county TEXT/*C*/ NOT NULL,
    case_id BIGINT NOT NULL,
    seq INTEGER NOT NULL,               -- 1, 2, 3… per case: two writers cannot both add seq N
    at BIGINT NOT NULL,
    actor_id BIGINT,                    -- NULL: the system
    actor_name TEXT,
    actor_role TEXT,
    event TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT,
    detail TEXT,                        -- JSON: assignee, rating, outcome, photos…
    PRIMARY KEY (county, case_id, seq)
);

CREATE TABLE IF NOT EXISTS idempotency (
    user_id BIGINT NOT NULL,
    idem_key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    result_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
