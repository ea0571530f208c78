-- 002_previous_login: keep the login before the current one, so a person sees when their account
-- was last used before this session (等保: show the last login; a stranger's login shows up).
ALTER TABLE users ADD COLUMN previous_login_at BIGINT;
