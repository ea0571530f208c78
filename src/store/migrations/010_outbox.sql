-- 010_outbox: case events for outside systems (issue 3, notifications). With a webhook URL
-- configured, each case event also becomes an outbox row in the same transaction as the event,
-- so a delivery is never announced for a step that rolled back and never lost for one that
-- committed. The delivery thread POSTs due rows and records the outcome; next_at drives the
-- backoff, so a restart resumes where the last run stopped.
CREATE TABLE IF NOT EXISTS outbox (
    county TEXT/*C*/ NOT NULL,
    id BIGINT NOT NULL,
    case_id BIGINT NOT NULL,
    seq INTEGER NOT NULL,              -- the case event (case_events.seq)
    event TEXT NOT NULL,               -- accept, resolve… (X-Jiceng-Event: case.<event>)
    at BIGINT NOT NULL,                -- when the event happened
    payload TEXT NOT NULL,             -- the JSON body, fixed when the event committed
    state TEXT NOT NULL DEFAULT 'pending', -- pending | delivered | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,           -- due time of the next attempt (also a claim's lease)
    last_status INTEGER,               -- HTTP status of the last attempt, 0: no answer
    last_error TEXT,
    delivered_at BIGINT,
    PRIMARY KEY (county, id)
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_at);

-- Live updates (GET /api/v1/events) read a county's recent case events by time.
CREATE INDEX IF NOT EXISTS case_events_at ON case_events (county, at);
