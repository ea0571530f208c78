-- 016_handover_guard: a store keeper may no longer try redemption codes without limit (issue 9
-- part 6; docs/POINTS.md "Guessing codes"). One row per keeper account that has tried a code:
-- the codes it typed that matched no order of its villages (misses) in the window that began
-- with the first of them, and until when handover is refused after POINTS_HANDOVER_MAX_MISSES
-- of them. Codes themselves need no change: new orders get 10 digits, those issued before keep
-- their 8 (code_hash is the keyed hash of whichever digits were issued).
CREATE TABLE IF NOT EXISTS points_handover_guard (
    user_id BIGINT NOT NULL PRIMARY KEY,
    misses INTEGER NOT NULL,     -- misses in the current window (0 after a lock)
    window_from BIGINT NOT NULL, -- the window's first miss, epoch ms (0: none)
    locked_until BIGINT NOT NULL -- handover refused before this instant, epoch ms (0: never)
);
