-- 004_api_keys: keys for systems that talk to jiceng (Open311 clients, a 12345 hotline). Only
-- the BLAKE2b hash of a key is kept; the key is shown once when made.
CREATE TABLE IF NOT EXISTS api_keys (
    id BIGINT PRIMARY KEY,
    county TEXT/*C*/ NOT NULL,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_hash ON api_keys (key_hash);
