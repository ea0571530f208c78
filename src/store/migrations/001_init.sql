-- 001_init: regions and the grid hierarchy, people, households, accounts, sessions, audit.
-- One schema for SQLite and PostgreSQL. `/*C*/` becomes COLLATE "C" on PostgreSQL so that
-- region-code prefix ranges compare bytewise, as they do in SQLite.
-- Every large table carries `county` (6-digit code) first in its keys (DESIGN.md: distribution).

CREATE TABLE IF NOT EXISTS instances (
    id BIGINT PRIMARY KEY,
    started_at BIGINT NOT NULL
);

-- The region tree: province(1) city(2) county(3) town(4) village/community(5) grid(6) building(7).
-- Codes: 6/6/6/9/12/14/17 significant digits; higher levels are stored as their short code.
CREATE TABLE IF NOT EXISTS regions (
    county TEXT/*C*/ NOT NULL,
    code TEXT/*C*/ NOT NULL,
    parent_code TEXT/*C*/,
    name TEXT NOT NULL,
    level INTEGER NOT NULL,
    kind TEXT,                 -- village: 'village' | 'community'; grid: 'urban' | 'rural'
    units INTEGER,             -- building: number of units
    geojson TEXT,              -- grid boundary (later: dispatch by point in polygon)
    created_at BIGINT NOT NULL,
    PRIMARY KEY (county, code)
);
CREATE UNIQUE INDEX IF NOT EXISTS regions_code ON regions (code);
CREATE INDEX IF NOT EXISTS regions_parent ON regions (parent_code, code);

CREATE TABLE IF NOT EXISTS households (
    county TEXT/*C*/ NOT NULL,
    id BIGINT NOT NULL,
    region_code TEXT/*C*/ NOT NULL,   -- building code (17) or grid code (14)
    unit INTEGER,
    room TEXT,
    address TEXT NOT NULL,
    head_person_id BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX IF NOT EXISTS households_region ON households (region_code, id);

CREATE TABLE IF NOT EXISTS people (
    county TEXT/*C*/ NOT NULL,
    id BIGINT NOT NULL,
    region_code TEXT/*C*/ NOT NULL,
    household_id BIGINT,
    name TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    relation TEXT,                  -- to the household head: 户主, 配偶, 子女, 父母, 其他
    id_enc TEXT NOT NULL,           -- XChaCha20-Poly1305, key in data/keys/
    id_hash TEXT NOT NULL,          -- keyed BLAKE2b for exact lookup
    id_masked TEXT NOT NULL,
    phone_enc TEXT,
    phone_hash TEXT,
    phone_masked TEXT,
    tags TEXT NOT NULL DEFAULT '',  -- comma-separated: 独居老人,残疾人,留守儿童,重点关注...
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS people_id_hash ON people (county, id_hash);
CREATE INDEX IF NOT EXISTS people_household ON people (county, household_id);
CREATE INDEX IF NOT EXISTS people_region ON people (region_code, id);

-- Grid roles (铁三角): party_leader, grid_worker, building_head, unit_head, household_head.
CREATE TABLE IF NOT EXISTS memberships (
    county TEXT/*C*/ NOT NULL,
    id BIGINT NOT NULL,
    region_code TEXT/*C*/ NOT NULL,  -- the grid (14) or building (17) the role covers
    role TEXT NOT NULL,
    person_id BIGINT NOT NULL,
    unit INTEGER,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (county, id)
);
CREATE INDEX IF NOT EXISTS memberships_region ON memberships (region_code, role);

-- Accounts are looked up by username at login, so username is unique across the installation.
CREATE TABLE IF NOT EXISTS users (
    id BIGINT PRIMARY KEY,
    county TEXT/*C*/ NOT NULL,
    username TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    scope_code TEXT/*C*/ NOT NULL,
    person_id BIGINT,
    phone_enc TEXT,
    phone_masked TEXT,
    pw_hash TEXT NOT NULL,
    pw_changed_at BIGINT NOT NULL,
    must_change INTEGER NOT NULL DEFAULT 1,
    failed_count INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0,
    last_login_at BIGINT,
    created_at BIGINT NOT NULL,
    created_by BIGINT
);
CREATE UNIQUE INDEX IF NOT EXISTS users_username ON users (username);
CREATE INDEX IF NOT EXISTS users_scope ON users (scope_code, id);

-- Sessions: only the BLAKE2b hash of the token is stored, so any instance can validate it and a
-- database leak yields no usable token.
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);

-- Audit log (等保: who, what, when, from where, outcome). Append-only.
CREATE TABLE IF NOT EXISTS audit (
    county TEXT/*C*/ NOT NULL,
    id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    user_id BIGINT,
    username TEXT,
    role TEXT,
    scope_code TEXT/*C*/,
    action TEXT NOT NULL,      -- login, login_failed, logout, user_create, sensitive_read...
    object TEXT,
    outcome TEXT NOT NULL,     -- ok | denied | failed
    ip TEXT,
    detail TEXT,
    PRIMARY KEY (county, id)
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (county, at);
