-- 014_points: 积分制 (issue 4, docs/POINTS.md). Per village: settings with the ledger chain's
-- head, budgets per year, star thresholds, an indicator catalogue (a county's template rows have
-- the county code as village_code), the household accounts, the append-only ledger, awards
-- waiting for 互检, automatic-award rules, goods and orders.
CREATE TABLE IF NOT EXISTS points_settings (
    village_code TEXT/*C*/ NOT NULL PRIMARY KEY,
    county TEXT/*C*/ NOT NULL,
    fen_per_point INTEGER NOT NULL DEFAULT 100,
    mutual_check INTEGER NOT NULL DEFAULT 0,
    expiry TEXT NOT NULL DEFAULT 'none',          -- none | end_of_next_year
    pair_threshold INTEGER NOT NULL DEFAULT 20,   -- confirmations per month between two people
    last_seq BIGINT NOT NULL DEFAULT 0,           -- the ledger chain's head
    last_hash TEXT NOT NULL DEFAULT '',
    expired_year INTEGER NOT NULL DEFAULT 0,      -- expiry: the last year-end the scheduler did
    updated_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS points_budgets (
    village_code TEXT/*C*/ NOT NULL,
    year INTEGER NOT NULL,
    budget_fen BIGINT NOT NULL,
    PRIMARY KEY (village_code, year)
);

CREATE TABLE IF NOT EXISTS points_stars (
    village_code TEXT/*C*/ NOT NULL,
    level INTEGER NOT NULL,                       -- 1..5
    min_honour BIGINT NOT NULL,
    PRIMARY KEY (village_code, level)
);

CREATE TABLE IF NOT EXISTS points_indicators (
    id BIGINT NOT NULL PRIMARY KEY,
    county TEXT/*C*/ NOT NULL,
    village_code TEXT/*C*/ NOT NULL,              -- a village, or the county: its template
    group_name TEXT NOT NULL,
    name TEXT NOT NULL,
    points INTEGER NOT NULL,
    evidence_required INTEGER NOT NULL DEFAULT 0,
    awarders TEXT NOT NULL DEFAULT 'community_admin,grid_worker,party_leader,building_head',
    limit_count INTEGER NOT NULL DEFAULT 0,        -- 0: no limit
    limit_period TEXT NOT NULL DEFAULT 'month',    -- day | month | year | once
    valid_from TEXT,                               -- YYYY-MM-DD, inclusive
    valid_to TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS points_indicators_village ON points_indicators (village_code, active);

CREATE TABLE IF NOT EXISTS points_accounts (
    household_id BIGINT NOT NULL PRIMARY KEY,
    county TEXT/*C*/ NOT NULL,
    village_code TEXT/*C*/ NOT NULL,
    balance BIGINT NOT NULL DEFAULT 0,
    honour BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS points_accounts_honour ON points_accounts (village_code, honour);

CREATE TABLE IF NOT EXISTS points_entries (
    village_code TEXT/*C*/ NOT NULL,
    seq BIGINT NOT NULL,
    id BIGINT NOT NULL,
    county TEXT/*C*/ NOT NULL,
    household_id BIGINT NOT NULL,
    kind TEXT NOT NULL,             -- award | reversal | redemption | refund | expiry | adjustment
    points BIGINT NOT NULL,
    honour BIGINT NOT NULL,
    indicator_id BIGINT,
    reverses BIGINT,                -- the entry id a reversal undoes
    order_id BIGINT,
    source TEXT,                    -- automatic awards: event and its reference, once each
    source_ref TEXT,
    reason TEXT,
    photos TEXT,                    -- JSON array of photo ids
    actor_id BIGINT,
    actor_name TEXT,
    at BIGINT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (village_code, seq)
);
CREATE UNIQUE INDEX IF NOT EXISTS points_entries_id ON points_entries (id);
CREATE INDEX IF NOT EXISTS points_entries_household ON points_entries (household_id, seq);
CREATE UNIQUE INDEX IF NOT EXISTS points_entries_reversed ON points_entries (reverses)
    WHERE reverses IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS points_entries_source ON points_entries (village_code, source, source_ref)
    WHERE source IS NOT NULL;
CREATE INDEX IF NOT EXISTS points_entries_indicator ON points_entries (indicator_id, household_id, at);
-- The budget check sums a village's year of entries on every award: an index-only range scan.
CREATE INDEX IF NOT EXISTS points_entries_year ON points_entries (village_code, at, kind, points);

CREATE TABLE IF NOT EXISTS points_pending (
    id BIGINT NOT NULL PRIMARY KEY,
    county TEXT/*C*/ NOT NULL,
    village_code TEXT/*C*/ NOT NULL,
    household_id BIGINT NOT NULL,
    indicator_id BIGINT NOT NULL,
    points BIGINT NOT NULL,
    note TEXT,
    photos TEXT,
    awarder_id BIGINT NOT NULL,
    awarder_name TEXT NOT NULL,
    awarder_grid TEXT/*C*/,         -- the awarder's micro-grid
    household_grid TEXT/*C*/ NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',   -- pending | confirmed | rejected
    decided_by BIGINT,
    decided_at BIGINT,
    decided_grid TEXT/*C*/,
    decided_name TEXT,
    reason TEXT,
    entry_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS points_pending_village ON points_pending (village_code, state, id);
CREATE INDEX IF NOT EXISTS points_pending_household ON points_pending (household_id, indicator_id, state);

CREATE TABLE IF NOT EXISTS points_idempotency (
    user_id BIGINT NOT NULL,
    idem_key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    result_kind TEXT NOT NULL,      -- entry | pending
    result_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);

CREATE TABLE IF NOT EXISTS points_rules (
    id BIGINT NOT NULL PRIMARY KEY,
    county TEXT/*C*/ NOT NULL,
    scope_code TEXT/*C*/ NOT NULL,  -- a village, or the county for all its villages
    event TEXT NOT NULL,            -- case.fixed, …
    indicator_id BIGINT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS points_rules_event ON points_rules (county, event, active);

CREATE TABLE IF NOT EXISTS points_goods (
    id BIGINT NOT NULL PRIMARY KEY,
    county TEXT/*C*/ NOT NULL,
    village_code TEXT/*C*/ NOT NULL,
    name TEXT NOT NULL,
    photo_id TEXT,
    price_points BIGINT NOT NULL,
    stock BIGINT NOT NULL,
    cost_fen BIGINT NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS points_goods_village ON points_goods (village_code, active);

CREATE TABLE IF NOT EXISTS points_orders (
    id BIGINT NOT NULL PRIMARY KEY,
    county TEXT/*C*/ NOT NULL,
    village_code TEXT/*C*/ NOT NULL,
    household_id BIGINT NOT NULL,
    goods_id BIGINT NOT NULL,
    qty INTEGER NOT NULL,
    points BIGINT NOT NULL,
    state TEXT NOT NULL,            -- issued | handed_over | cancelled | expired
    code_hash TEXT NOT NULL,        -- the one-time code, keyed hash (BLAKE2b, hash.key)
    code_enc TEXT,                  -- the code encrypted (field.key) for the household's QR
    requested_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    closed_at BIGINT,
    closed_by BIGINT
);
CREATE UNIQUE INDEX IF NOT EXISTS points_orders_code ON points_orders (village_code, code_hash)
    WHERE state = 'issued';
CREATE INDEX IF NOT EXISTS points_orders_household ON points_orders (household_id, id);
CREATE INDEX IF NOT EXISTS points_orders_village ON points_orders (village_code, id);
CREATE INDEX IF NOT EXISTS points_orders_code_any ON points_orders (village_code, code_hash, id);
CREATE INDEX IF NOT EXISTS points_orders_due ON points_orders (state, expires_at);

-- Award photos: which household's entries show a photo, so the household and the village's
-- cadres (inspectors of 互检 included) may open it (photos.c asks points_photo_readable).
CREATE TABLE IF NOT EXISTS points_photos (
    photo_id TEXT/*C*/ NOT NULL,
    household_id BIGINT NOT NULL,
    village_code TEXT/*C*/ NOT NULL,
    PRIMARY KEY (photo_id, household_id)
);
