-- 012_part_overdue: a summoned department that has not reported in (报到) by its deadline is
-- marked overdue once by the scheduler, which tells the department and whoever blew the whistle.
ALTER TABLE case_parts ADD COLUMN overdue_at BIGINT;
-- The scheduler's scan: parts still waiting for 报到, by deadline.
CREATE INDEX IF NOT EXISTS case_parts_report_due ON case_parts (report_due)
    WHERE reported_at IS NULL AND overdue_at IS NULL;
