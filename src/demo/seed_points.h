/* seed_points.h — the 积分制 part of the demo data (issue 4, MISSION practice 1): 突泉县's 46
 * villages on points with their budgets (1,600,000 元 a year in all), the county template and
 * each village's catalogue of 40+ indicators, 明星村's store "明星·家" and the small stores of the
 * others, and a year of scoring, 互检 (利民村), redemptions, reversals and adjustments, every
 * entry posted through ledger_post. Called by seed_demo after the six places exist; deterministic
 * (fixed PRNG seed, dates relative to `now`). */
#ifndef JICENG_DOMAIN_SEED_POINTS_H
#define JICENG_DOMAIN_SEED_POINTS_H

#include <stdint.h>
#include "demo/seed.h"
#include "store/db.h"

/* Named demo accounts this part adds (for the printed list); the 42 other villages' 村两委
 * accounts (tuquan.v<village code>) are not listed. */
#define SEED_POINTS_NAMED_ACCOUNTS 11

/* Load it all in the caller's transaction. pw_hash: the shared demo password hash. Adds what it
 * creates (villages populated, grids, households, people, roles, accounts) to *st. */
int seed_points_demo(db_t *db, int64_t now, const char *pw_hash, seed_stats_t *st, err_t *e);

/* Fill out[0..SEED_POINTS_NAMED_ACCOUNTS) with the named accounts; returns the count. */
int seed_points_accounts(seed_account_t *out);

#endif
