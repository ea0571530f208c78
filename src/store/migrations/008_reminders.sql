-- 008_reminders: when the holders of a case were last reminded that its deadline is near, so the
-- scheduler reminds once per deadline.
ALTER TABLE cases ADD COLUMN reminded_at BIGINT;
