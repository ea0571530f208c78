-- 007_inbox: a message box per account (issue 3, notifications): each step of a case tells the
-- reporter, and a dispatch tells the accounts that now hold the case. Keyed by the account, whose
-- own messages are all one reads.
CREATE TABLE IF NOT EXISTS inbox (
    user_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    county TEXT/*C*/ NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,            -- case_update | case_assigned
    case_id BIGINT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    read_at BIGINT,
    PRIMARY KEY (user_id, id)
);
