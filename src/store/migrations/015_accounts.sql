-- 015_accounts: 等保 level 3 for accounts (issue 9 part 6) — a second factor, no reuse of
-- recent passwords, and a lockout that treats unknown usernames like existing ones.

-- TOTP (RFC 6238): the secret encrypted with the field key, like ID numbers; a secret made by
-- setup waits in totp_pending_enc until a first code confirms it; totp_last_step is the last
-- time step accepted, so a code is good once. totp_exempt: the seeded demo accounts, whose
-- password is public anyway, are not made to enrol (every other county admin, 综治中心 operator
-- and leader is).
ALTER TABLE users ADD COLUMN totp_secret_enc TEXT;
ALTER TABLE users ADD COLUMN totp_pending_enc TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_exempt INTEGER NOT NULL DEFAULT 0;
-- When the latest failed sign-in was: failures older than a day are forgotten (as for unknown
-- names below, whose rows are then removed).
ALTER TABLE users ADD COLUMN failed_at BIGINT NOT NULL DEFAULT 0;
-- A data directory seeded before this migration: its demo accounts still share the demo
-- password's hash (no other account has that salt).
UPDATE users SET totp_exempt = 1
 WHERE created_by IS NULL AND pw_hash = (SELECT pw_hash FROM users WHERE username = 'duolun.admin');

-- Recovery codes: a keyed BLAKE2b hash of each (they are random, so no argon2 is needed); a code
-- is used once.
CREATE TABLE IF NOT EXISTS totp_recovery (
    user_id BIGINT NOT NULL,
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- Sign-in in two steps: the password opens a challenge (only its hash is kept), which a code
-- then turns into a session. Short-lived, deleted when used.
CREATE TABLE IF NOT EXISTS login_challenges (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS login_challenges_expiry ON login_challenges (expires_at);

-- Failed sign-ins of usernames that do not exist, keyed by a keyed hash of the name, counted and
-- locked exactly as users.failed_count/locked_until are, so that the answers do not tell which
-- names exist.
CREATE TABLE IF NOT EXISTS login_failures (
    name_hash TEXT PRIMARY KEY,
    failed_count INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    failed_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS login_failures_at ON login_failures (failed_at);

-- The hashes an account had before its current one (the newest 4: with the current one, a new
-- password must differ from the last 5).
CREATE TABLE IF NOT EXISTS password_history (
    user_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    pw_hash TEXT NOT NULL,
    retired_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, id)
);
