/* seed_cases.h — a demo year of 民生诉求 in the six places (issue 10): reports of the 365 days
 * before the seed's `now`, handled step by step through the cases domain (cases_create,
 * cases_transition, cases_part, and cases_tick every simulated hour for the deadlines that pass),
 * by the accounts whose work it is: the grid's worker, the village/community committee, the
 * street office, the governance center and the summoned departments. Volume follows each
 * place's population, the day of the week, the hour and the season (heating in winter, drains
 * after summer storms, pasture and fire-season matters in spring and autumn); outcomes are the
 * loop's: most cases closed after a rating, red slips answered within 24 h, blue slips sent up to
 * the street and the county, whistles with several departments (临河区 most), returns,
 * duplicates merged, reports withdrawn, and the newest still open — some overdue.
 * Deterministic: a fixed PRNG seed; times relative to `now`. */
#ifndef JICENG_DEMO_SEED_CASES_H
#define JICENG_DEMO_SEED_CASES_H

#include <stdint.h>
#include "demo/seed.h"
#include "store/db.h"

/* How much of the year one transaction writes. Commits in between keep PostgreSQL fast: inside
 * one transaction every superseded row version stays in the indexes, and the scheduler's pass
 * and each step wade through more of them as the year goes on. */
#define SEED_CASES_STRETCH_DAYS 14

typedef struct seed_cases seed_cases_t;

/* Get ready, in a write transaction, once the places, their accounts, categories and
 * departments exist (seed_demo): load the places, add the grid workers', committees', street
 * offices' and departments' accounts that the handling needs and the places lack (not printed;
 * the demo password, like the others), and plan the year's reports. *out is the caller's
 * (seed_cases_end), also on error. Counts accounts into *st. */
int seed_cases_begin(db_t *db, int64_t now, seed_stats_t *st, seed_progress_fn progress,
                     seed_cases_t **out, err_t *e);
/* Run the next SEED_CASES_STRETCH_DAYS of the year in the caller's transaction; *done = 1 after
 * the last. Counts cases and events into the *st given to seed_cases_begin. A stretch that
 * failed cannot be run again (ERR_CONFLICT): start over on an empty database. */
int seed_cases_next(db_t *db, seed_cases_t *s, int *done, err_t *e);
void seed_cases_end(seed_cases_t *s);

#endif
