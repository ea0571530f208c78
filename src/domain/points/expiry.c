/* points_expiry.c — the scheduler's expiry pass (POINTS.md "Expiry"). In a village whose policy
 * is end_of_next_year, points earned in year Y expire when Y+1 ends, oldest points spent first.
 * At the year end that opened year y (the instant ledger_year_start(y)), each household loses
 *   max(0, min(balance, earned before the start of y-1 − all points that have left))
 * as one `expiry` entry with source "expiry" and source_ref "<y-1>:<household>", so the unique
 * (village, source, source_ref) index makes it once per household per year end whatever the
 * number of passes or instances. The village's expired_year records a year end done whole. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/points/points.h"
#include "domain/points/points_int.h"
#include "lib/vec.h"

#define MAX_DUE ((size_t)1 << 20) /* households of one village with points running out */
#define VILLAGES_A_PASS 100       /* SQL_DUE_VILLAGES' LIMIT */

static const char SQL_DUE_VILLAGES[] =
    "SELECT village_code FROM points_settings WHERE expiry = 'end_of_next_year'"
    " AND expired_year < ? ORDER BY village_code LIMIT 100"; /* VILLAGES_A_PASS */
static const char SQL_CANDIDATES[] =
    "SELECT a.household_id, a.balance,"
    " (SELECT COALESCE(SUM(e.points), 0) FROM points_entries e WHERE e.household_id = "
    "a.household_id"
    "  AND e.village_code = a.village_code AND e.points > 0 AND e.kind <> 'refund' AND e.at < ?),"
    " (SELECT COALESCE(SUM(CASE WHEN e.points < 0 THEN -e.points WHEN e.kind = 'refund'"
    "  THEN -e.points ELSE 0 END), 0) FROM points_entries e WHERE e.household_id = a.household_id"
    "  AND e.village_code = a.village_code)"
    " FROM points_accounts a WHERE a.village_code = ? AND a.balance > 0 ORDER BY a.household_id";
static const char SQL_DONE[] =
    "UPDATE points_settings SET expired_year = ? WHERE village_code = ? AND expired_year < ?";

typedef struct {
    int64_t household, points;
} due_t;

/* One village's year end: post what has run out. *posted counts entries; *complete = 0 when
 * `room` ran out before every household was done. */
static int village_pass(db_t *db, const char *village, int boundary, int64_t now, int room,
                        int *posted, int *complete, err_t *e)
{
    vec_t dues;
    vec_init(&dues, sizeof(due_t), MAX_DUE);
    db_stmt_t *st = db_query(db, SQL_CANDIDATES, I(ledger_year_start(boundary)), S(village));
    int r = st ? 0 : ERR_IO;
    while (st && (r = db_step(st)) == DB_ROW) {
        int64_t x = points_expiring(db_col_i64(st, 2), db_col_i64(st, 3), db_col_i64(st, 1));
        due_t d = {db_col_i64(st, 0), x};
        if (x > 0 && (r = vec_push(&dues, &d)) != 0)
            break;
    }
    db_reset(st);
    int rc = r < 0 ? r : 0;
    const due_t *due = dues.p;
    *complete = 1;
    for (size_t i = 0; rc == 0 && i < dues.len; i++) {
        if (*posted >= room) {
            *complete = 0;
            break;
        }
        char ref[48];
        snprintf(ref, sizeof ref, "%d:%" PRId64, boundary, due[i].household);
        ledger_post_t p = {.village = village,
                           .household_id = due[i].household,
                           .kind = "expiry",
                           .points = -due[i].points,
                           .honour = 0,
                           .source = "expiry",
                           .source_ref = ref,
                           .reason = "积分过期（次年年底清零，先到期先扣）",
                           .actor_name = "系统",
                           .at = now};
        err_t pe = {0};
        rc = ledger_post(db, &p, &pe);
        if (rc == 0)
            (*posted)++;
        else if (rc == ERR_CONFLICT && pe.code && strcmp(pe.code, "duplicate") == 0)
            rc = 0; /* done by an earlier pass */
        else if (pe.code)
            err_copy(e, &pe);
    }
    vec_free(&dues);
    return rc;
}

int points_tick(db_t *db, int64_t now, int max, int *expired, err_t *e)
{
    *expired = 0;
    int y = ledger_year_of(now);
    int boundary = y - 1; /* the year end just passed closes year y-1 */
    char villages[VILLAGES_A_PASS][16];
    int nv = 0;
    db_stmt_t *st = db_query(db, SQL_DUE_VILLAGES, I((int64_t)boundary));
    int r = st ? 0 : ERR_IO;
    while (st && nv < VILLAGES_A_PASS && (r = db_step(st)) == DB_ROW)
        snprintf(villages[nv++], 16, "%s", db_col_text(st, 0));
    db_reset(st);
    int rc = r < 0 ? r : 0;
    for (int i = 0; rc == 0 && i < nv && *expired < max; i++) {
        int complete = 0;
        rc = village_pass(db, villages[i], boundary, now, max, expired, &complete, e);
        if (rc == 0 && complete)
            rc = db_run(db, SQL_DONE, I((int64_t)boundary), S(villages[i]), I((int64_t)boundary));
    }
    return rc;
}
