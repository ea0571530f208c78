/* casestats.h — live KPIs of the 民生诉求 loop for a scope (MISSION practice 3: 100% response,
 * completion within 48 h; practice 4: the red slip's 24 h). Every figure is defined on the cases
 * themselves, so a leader can trace it to the records behind it; counters kept in the same
 * transaction as each case event make a county's figures a read of a few thousand rows.
 * "Closed" is kept apart from "fixed": the outcome counts say how cases ended. */
#ifndef JICENG_DOMAIN_CASESTATS_H
#define JICENG_DOMAIN_CASESTATS_H

#include <jansson.h>
#include <stdint.h>
#include "store/db.h"

/* KPIs of cases created in [from_ms, to_ms) under scope, as of now_ms, grouped by
 * "region" (the next level down), "category" (category groups) or NULL (totals only).
 * Returns {scope, from, to, totals:{…}, groups:[{key,name,…}], overdue:[up to 20 cases]}
 * (caller owns it), or NULL with *rc set (a store error). */
json_t *casestats_kpi(db_t *db, const char *scope, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                      const char *by, int *rc);

/* Bring the counters up to date with case (county, case_id) after one of its events was written
 * (event: the event's name; its changes to the case row already made). Call inside the event's
 * transaction, once per event. Returns 0 or a store error (the transaction must then fail). */
int casestats_case_event(db_t *db, const char *county, int64_t case_id, const char *event);

/* jiceng check: every case's tally against a recount from the case and its events, and every
 * counter row against the sum of its tallies. Prints each difference (up to 20 of each kind) to
 * stdout; adds rows looked at to *checked and differences to *problems. Returns 0 or a store
 * error. */
int casestats_check(db_t *db, long *checked, long *problems);

#endif
