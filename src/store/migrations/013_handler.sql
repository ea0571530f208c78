-- 013_handler: who a case is given to and who filed it (issue 3, parts 3 and "what users do").
-- handler_id: load balancing inside a grid — a case dispatched to a grid with several workers is
-- given to the one holding the fewest open cases; the others still see it in the grid's queue
-- and may take it. NULL: nobody in particular (not a grid, or no worker).
-- filed_by: a building head (or grid worker) who reported on a resident's behalf (代报); the
-- resident, when they have an account, is the reporter who follows and rates it.
ALTER TABLE cases ADD COLUMN handler_id BIGINT;
ALTER TABLE cases ADD COLUMN filed_by BIGINT;
CREATE INDEX IF NOT EXISTS cases_handler ON cases (handler_id, state);
CREATE INDEX IF NOT EXISTS cases_filed ON cases (county, filed_by, id);
