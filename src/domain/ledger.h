/* ledger.h — the points ledger of a village (issue 4, docs/POINTS.md): append-only entries in a
 * hash chain, household balances and honour totals kept in the same transaction, the yearly
 * budget, and the check that recomputes it all. Every posting goes through ledger_post. */
#ifndef JICENG_DOMAIN_LEDGER_H
#define JICENG_DOMAIN_LEDGER_H

#include <stdint.h>
#include "domain/check.h"
#include "lib/err.h"
#include "store/db.h"

typedef struct {
    const char *village;     /* 12-digit village/community code */
    int64_t household_id;
    const char *kind;        /* award | reversal | redemption | refund | expiry | adjustment */
    int64_t points;          /* signed */
    int64_t honour;          /* signed; 0 for redemption, refund, expiry */
    int64_t indicator_id;    /* 0: none */
    int64_t reverses;        /* reversal: the entry id it undoes */
    int64_t order_id;        /* redemption, refund */
    const char *source, *source_ref; /* automatic awards, once per (village, source, ref) */
    const char *reason;      /* adjustment, reversal: required by their callers */
    const char *photos;      /* JSON array text or NULL */
    int64_t actor_id;        /* 0: the system */
    const char *actor_name;
    int64_t at;
    int64_t id, seq;         /* out */
} ledger_post_t;

/* Post one entry in the caller's transaction: takes the village's chain head (which serialises
 * postings of a village across PostgreSQL instances), refuses a posting that would make the
 * balance negative (409 insufficient_points) or, for a positive award or adjustment, cross the
 * year's budget (409 budget_exceeded, no budget set: 409 no_budget), then writes the entry, the
 * account and the new chain head. ERR_INVALID when the village has no points settings. A second
 * automatic award with the same (source, source_ref) in the village: ERR_CONFLICT "duplicate". */
int ledger_post(db_t *db, ledger_post_t *p, err_t *e);

/* The entry hash: SHA-256 over the canonical text of the fields (see ledger.c), 64 hex + NUL. */
void ledger_hash(const char *prev, const char *village, int64_t seq, int64_t id,
                 int64_t household, const char *kind, int64_t points, int64_t honour,
                 int64_t indicator, int64_t reverses, int64_t order, const char *source,
                 const char *source_ref, const char *reason, const char *photos, int64_t actor,
                 int64_t at, char out[65]);

/* Points issued by the village in the calendar year (China time) that holds `at`: positive
 * awards and adjustments less reversals of positive ones. */
int ledger_issued_in_year(db_t *db, const char *village, int64_t at, int64_t *issued);
/* The year's budget in points (budget_fen / fen_per_point); *set = 0 when there is none. */
int ledger_budget_points(db_t *db, const char *village, int64_t at, int64_t *points, int *set);

/* Recompute every village's chain (seq, prev_hash, hash) and every account's balance and honour
 * from the entries; print each problem to stdout. 0 when all agree, else ERR_INVALID. */
int ledger_check(db_t *db, check_report_t *r);

/* The year (China time, UTC+8) of an epoch-ms instant, and the first instant of a year. */
int ledger_year_of(int64_t at);
int64_t ledger_year_start(int year);

#endif
