-- 018_whistle_tasks: 中心吹哨 with each department's own part (issue 10 part 3): what the
-- department is summoned to do, written by whoever blew the whistle. Its 报到 deadline, chosen
-- per department, is report_due (already there).
ALTER TABLE case_parts ADD COLUMN task TEXT;
