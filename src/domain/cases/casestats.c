/* casestats.c — KPIs of the 民生诉求 loop from counters kept with every case event.
 *
 * Definitions (cases created in the period, merged and cancelled ones left out):
 *   response_rate     responded / cases                      (接单 = responded)
 *   on_time_response  responded by respond_due / cases whose respond_due has passed or that
 *                     were responded
 *   on_time_completion resolved by complete_due / cases whose complete_due has passed or that
 *                     were resolved
 *   avg_response_min  mean minutes from report to 接单
 *   avg_completion_h  mean hours from report to 办结
 *   satisfaction      mean rating (1–5) and the share rated 4 or 5
 *   reopen_rate       cases reopened at least once / cases resolved
 *   outcomes          closed as fixed / partly_fixed / not_our_duty / duplicate
 *   overdue_open      open (not resolved, rated or closed), not paused, complete_due passed
 *
 * How (migration 011): each case has a tally — what it adds to the counters — and the counters
 * sum the tallies per (node, day of creation, category) at the county, town, village and grid
 * level of the case's place. casestats_case_event() runs inside every case event's transaction:
 * it recomputes the case's tally from the row and moves the difference into the counters. A KPI
 * query then reads the counter rows of its nodes for the whole days of the period and the
 * tallies of the cases created in the two partial days at its ends.
 *
 * Two kinds of figure cannot be fixed at event time, and are corrected live:
 *  - "deadline passed": counters hold the cases not yet responded (resolved; open and not
 *    paused) whose deadline is set — "pending" — and the query subtracts the ones whose deadline
 *    is still ahead (a partial index per deadline: only cases with a deadline in the future are
 *    read, a few days' worth, however many cases are open);
 *  - escalated cases: the scheduler moves their deadlines after the escalate event
 *    (cases_tick), so their on-time figures are counted as "responded/resolved at all" and the
 *    query subtracts those late against their current deadlines (state = 'escalated' only).
 * A deadline left NULL (never so in cases made by the application) is handled the same way.
 * `jiceng check` recounts tallies from the cases and counters from the tallies. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/cases/cases.h"
#include "domain/registry/registry.h"
#include "lib/log.h"

#define DAY_MS 86400000LL
#define TZ_MS 28800000LL /* Asia/Shanghai, UTC+8, no daylight saving */

/* ---------- tallies ---------- */

/* The counter columns, in table order. */
enum {
    T_CASES,
    T_RESPONDED,
    T_RESP_OK,
    T_RESP_PEND,
    T_RESP_MS,
    T_RESOLVED,
    T_DONE_OK,
    T_DONE_PEND,
    T_DONE_MS,
    T_RATED,
    T_RATING_SUM,
    T_HAPPY,
    T_REOPENED,
    T_FIXED,
    T_PARTLY,
    T_NOT_OURS,
    T_DUP,
    T_OVERDUE_PEND,
    NT
};
#define T_COLS                                                                                     \
    "cases, responded, resp_ok, resp_pend, resp_ms, resolved, done_ok, done_pend, done_ms, rated," \
    " rating_sum, happy, reopened, fixed, partly_fixed, not_our_duty, duplicate, overdue_pend"
#define T_SUMS(p)                                                                                  \
    " SUM(" p "cases), SUM(" p "responded), SUM(" p "resp_ok), SUM(" p "resp_pend),"               \
    " SUM(" p "resp_ms), SUM(" p "resolved), SUM(" p "done_ok), SUM(" p "done_pend),"              \
    " SUM(" p "done_ms), SUM(" p "rated), SUM(" p "rating_sum), SUM(" p "happy),"                  \
    " SUM(" p "reopened), SUM(" p "fixed), SUM(" p "partly_fixed), SUM(" p "not_our_duty),"        \
    " SUM(" p "duplicate), SUM(" p "overdue_pend)"
#define OPEN_STATES                                                                                \
    "('submitted', 'dispatched', 'accepted', 'returned', 'escalated', 'whistle', 'reopened')"

typedef struct {
    char node[32], category[16];
    int64_t day, created_at, reopen_seen;
    int64_t v[NT];
} tally_t;

static int64_t day_of(int64_t ms) { return (ms + TZ_MS) / DAY_MS; }

static const char SQL_CASE_ROW[] =
    "SELECT region_code, category_code, created_at, state, responded_at, resolved_at,"
    " respond_due, complete_due, paused_at, rating, outcome FROM cases WHERE county = ? AND id = ?";
static const char SQL_TALLY_GET[] = "SELECT node, category, day, created_at, reopen_seen, " T_COLS
                                    " FROM case_tallies WHERE county = ? AND case_id = ?";
static const char SQL_REOPENED[] = "SELECT COUNT(*) FROM case_events WHERE county = ?"
                                   " AND case_id = ? AND event = 'reopen'";
static const char SQL_TALLY_PUT[] =
    "INSERT INTO case_tallies (county, case_id, node, category, day, created_at, reopen_seen,"
    " " T_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (county, case_id) DO UPDATE SET node = excluded.node,"
    " category = excluded.category, day = excluded.day, created_at = excluded.created_at,"
    " reopen_seen = excluded.reopen_seen, cases = excluded.cases,"
    " responded = excluded.responded, resp_ok = excluded.resp_ok,"
    " resp_pend = excluded.resp_pend, resp_ms = excluded.resp_ms, resolved = excluded.resolved,"
    " done_ok = excluded.done_ok, done_pend = excluded.done_pend, done_ms = excluded.done_ms,"
    " rated = excluded.rated, rating_sum = excluded.rating_sum, happy = excluded.happy,"
    " reopened = excluded.reopened, fixed = excluded.fixed,"
    " partly_fixed = excluded.partly_fixed, not_our_duty = excluded.not_our_duty,"
    " duplicate = excluded.duplicate, overdue_pend = excluded.overdue_pend";
#define ADD(col) " " col " = case_counters." col " + excluded." col
static const char SQL_COUNTER_ADD[] =
    "INSERT INTO case_counters (county, depth, node, day, category, " T_COLS ")"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (county, depth, node, day, category) DO UPDATE SET" ADD("cases") "," ADD(
        "respond"
        "ed") "," ADD("resp_ok") "," ADD("resp_pend") "," ADD("resp_ms") "," ADD("resolved") "," ADD("done_ok") "," ADD("done_pend") "," ADD("done_ms") "," ADD("rated") "," ADD("rating_sum") "," ADD("happy") "," ADD("reopened") "," ADD("fixed") "," ADD("partly_fixed") "," ADD("not_our_duty") "," ADD("duplicate") "," ADD("overdue_pend");

static int is_state(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* The tally of the case row in st (SQL_CASE_ROW): the same expressions as the backfill of
 * migration 011 and the recount of casestats_check. */
static void tally_of(db_stmt_t *st, int64_t reopen_seen, tally_t *t)
{
    static const char *const uncounted[] = {"merged", "cancelled", NULL};
    static const char *const open[] = {"submitted", "dispatched", "accepted", "returned",
                                       "escalated", "whistle",    "reopened", NULL};
    memset(t, 0, sizeof *t);
    snprintf(t->node, sizeof t->node, "%s", db_col_text(st, 0));
    snprintf(t->category, sizeof t->category, "%s", db_col_text(st, 1));
    t->created_at = db_col_i64(st, 2);
    t->day = day_of(t->created_at);
    t->reopen_seen = reopen_seen;
    const char *state = db_col_text(st, 3);
    int esc = strcmp(state, "escalated") == 0;
    int paused = !db_col_isnull(st, 8);
    int r = !db_col_isnull(st, 4), d = !db_col_isnull(st, 5);
    int rdue = !db_col_isnull(st, 6), cdue = !db_col_isnull(st, 7);
    int64_t responded = db_col_i64(st, 4), resolved = db_col_i64(st, 5);
    int64_t *v = t->v;
    v[T_OVERDUE_PEND] = !paused && is_state(state, open) && (esc || cdue);
    if (is_state(state, uncounted))
        return;
    v[T_CASES] = 1;
    v[T_RESPONDED] = r;
    v[T_RESP_OK] = r && (esc || (rdue && responded <= db_col_i64(st, 6)));
    v[T_RESP_PEND] = !r && (esc || rdue);
    v[T_RESP_MS] = r ? responded - t->created_at : 0;
    v[T_RESOLVED] = d;
    v[T_DONE_OK] = d && (esc || (cdue && resolved <= db_col_i64(st, 7)));
    v[T_DONE_PEND] = !d && (esc || cdue);
    v[T_DONE_MS] = d ? resolved - t->created_at : 0;
    int rated = !db_col_isnull(st, 9);
    int64_t rating = db_col_i64(st, 9);
    v[T_RATED] = rated;
    v[T_RATING_SUM] = rated ? rating : 0;
    v[T_HAPPY] = rated && rating >= 4;
    v[T_REOPENED] = reopen_seen != 0;
    const char *outcome = db_col_text(st, 10);
    if (outcome) {
        v[T_FIXED] = strcmp(outcome, "fixed") == 0;
        v[T_PARTLY] = strcmp(outcome, "partly_fixed") == 0;
        v[T_NOT_OURS] = strcmp(outcome, "not_our_duty") == 0;
        v[T_DUP] = strcmp(outcome, "duplicate") == 0;
    }
}

/* Add sign × v to the counters of node's four levels (county, town, village, grid). */
static int counters_add(db_t *db, const char *county, const char *node, int64_t day,
                        const char *category, const int64_t *v, int sign)
{
    static const int depths[] = {6, 9, 12, 14};
    int rc = 0;
    for (int i = 0; rc == 0 && i < 4; i++) {
        db_stmt_t *st = db_prepare(db, SQL_COUNTER_ADD);
        if (!st)
            return ERR_IO;
        db_bind_text(st, 1, county, -1);
        db_bind_i64(st, 2, depths[i]);
        size_t n = strlen(node);
        db_bind_text(st, 3, node, (ssize_t)(n < (size_t)depths[i] ? n : (size_t)depths[i]));
        db_bind_i64(st, 4, day);
        db_bind_text(st, 5, category, -1);
        for (int k = 0; k < NT; k++)
            db_bind_i64(st, 6 + k, sign * v[k]);
        int s = db_step(st);
        db_reset(st);
        rc = s < 0 ? s : 0;
    }
    return rc;
}

int casestats_case_event(db_t *db, const char *county, int64_t case_id, const char *event)
{
    tally_t old = {0}, now;
    int had = 0, rc = 0;
    if (strcmp(event, "create") != 0) {
        db_stmt_t *st = db_query(db, SQL_TALLY_GET, S(county), I(case_id));
        int s = st ? db_step(st) : ERR_IO;
        if (s == DB_ROW) {
            had = 1;
            snprintf(old.node, sizeof old.node, "%s", db_col_text(st, 0));
            snprintf(old.category, sizeof old.category, "%s", db_col_text(st, 1));
            old.day = db_col_i64(st, 2);
            old.created_at = db_col_i64(st, 3);
            old.reopen_seen = db_col_i64(st, 4);
            for (int k = 0; k < NT; k++)
                old.v[k] = db_col_i64(st, 5 + k);
        }
        db_reset(st);
        if (s < 0)
            return s;
    }
    int64_t seen = 0;
    if (strcmp(event, "reopen") == 0)
        seen = 1;
    else if (had)
        seen = old.reopen_seen;
    else if (strcmp(event, "create") != 0) {
        /* A case written without a tally (loaded outside the application): look it up. */
        int found = 0;
        if ((rc = db_one_i64(db, SQL_REOPENED, &seen, &found, S(county), I(case_id))) != 0)
            return rc;
        seen = seen > 0;
    }
    db_stmt_t *st = db_query(db, SQL_CASE_ROW, S(county), I(case_id));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW)
        tally_of(st, seen, &now);
    db_reset(st);
    if (s != DB_ROW)
        return s < 0 ? s : ERR_NOTFOUND;
    if (had && strcmp(old.node, now.node) == 0 && strcmp(old.category, now.category) == 0 &&
        old.day == now.day && old.created_at == now.created_at &&
        old.reopen_seen == now.reopen_seen && memcmp(old.v, now.v, sizeof now.v) == 0)
        return 0; /* a note, a dispatch…: nothing counted changed */
    if (had && strcmp(old.node, now.node) == 0 && strcmp(old.category, now.category) == 0 &&
        old.day == now.day) {
        int64_t delta[NT];
        int any = 0;
        for (int k = 0; k < NT; k++)
            any |= (delta[k] = now.v[k] - old.v[k]) != 0;
        if (any)
            rc = counters_add(db, county, now.node, now.day, now.category, delta, 1);
    } else {
        if (had)
            rc = counters_add(db, county, old.node, old.day, old.category, old.v, -1);
        if (rc == 0)
            rc = counters_add(db, county, now.node, now.day, now.category, now.v, 1);
    }
    if (rc)
        return rc;
    st = db_prepare(db, SQL_TALLY_PUT);
    if (!st)
        return ERR_IO;
    db_bind_text(st, 1, county, -1);
    db_bind_i64(st, 2, case_id);
    db_bind_text(st, 3, now.node, -1);
    db_bind_text(st, 4, now.category, -1);
    db_bind_i64(st, 5, now.day);
    db_bind_i64(st, 6, now.created_at);
    db_bind_i64(st, 7, now.reopen_seen);
    for (int k = 0; k < NT; k++)
        db_bind_i64(st, 8 + k, now.v[k]);
    s = db_step(st);
    db_reset(st);
    return s < 0 ? s : 0;
}

/* ---------- KPI queries ---------- */

/* The figures of one group, in the order row_kpi reads them. */
enum {
    K_CASES,
    K_RESPONDED,
    K_RESP_OK,
    K_RESP_DUE,
    K_RESOLVED,
    K_DONE_OK,
    K_DONE_DUE,
    K_RESP_MS,
    K_DONE_MS,
    K_RATED,
    K_RATING_SUM,
    K_HAPPY,
    K_REOPENED,
    K_FIXED,
    K_PARTLY,
    K_NOT_OURS,
    K_DUP,
    K_OVERDUE,
    NK
};

typedef struct {
    char key[32];
    int64_t k[NK];
} group_t;

typedef struct {
    group_t *g;
    size_t n, cap;
} groups_t;

static group_t *group_at(groups_t *gs, const char *key)
{
    if (!key)
        key = "";
    for (size_t i = 0; i < gs->n; i++)
        if (strcmp(gs->g[i].key, key) == 0)
            return &gs->g[i];
    if (gs->n == gs->cap) {
        gs->cap = gs->cap ? gs->cap * 2 : 16;
        gs->g = log_check_alloc(realloc(gs->g, gs->cap * sizeof *gs->g));
    }
    group_t *g = &gs->g[gs->n++];
    memset(g, 0, sizeof *g);
    snprintf(g->key, sizeof g->key, "%s", key);
    return g;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const group_t *)a)->key, ((const group_t *)b)->key);
}

/* Group key of a query: mode 1 the region code cut to a length, 2 the category group. */
#define KEY(region, category)                                                                      \
    " CASE CAST(? AS INTEGER) WHEN 1 THEN substr(" region ", 1, ?)"                                \
    " WHEN 2 THEN substr(" category ", 1, 2)"                                                      \
    " ELSE '' END"

/* Scopes below a county's levels, or not at one (province, city, building): every figure from
 * the cases themselves. */
#define AGG                                                                                        \
    " COUNT(*),"                                                                                   \
    " SUM(CASE WHEN c.responded_at IS NOT NULL THEN 1 ELSE 0 END),"                                \
    " SUM(CASE WHEN c.responded_at IS NOT NULL AND c.responded_at <= c.respond_due"                \
    "   THEN 1 ELSE 0 END),"                                                                       \
    " SUM(CASE WHEN c.responded_at IS NOT NULL OR c.respond_due < ? THEN 1 ELSE 0 END),"           \
    " SUM(CASE WHEN c.resolved_at IS NOT NULL THEN 1 ELSE 0 END),"                                 \
    " SUM(CASE WHEN c.resolved_at IS NOT NULL AND c.resolved_at <= c.complete_due"                 \
    "   THEN 1 ELSE 0 END),"                                                                       \
    " SUM(CASE WHEN c.resolved_at IS NOT NULL OR c.complete_due < ? THEN 1 ELSE 0 END),"           \
    " SUM(CASE WHEN c.responded_at IS NOT NULL THEN c.responded_at - c.created_at ELSE 0 END),"    \
    " SUM(CASE WHEN c.resolved_at IS NOT NULL THEN c.resolved_at - c.created_at ELSE 0 END),"      \
    " SUM(CASE WHEN c.rating IS NOT NULL THEN 1 ELSE 0 END),"                                      \
    " SUM(COALESCE(c.rating, 0)),"                                                                 \
    " SUM(CASE WHEN c.rating >= 4 THEN 1 ELSE 0 END),"                                             \
    " SUM(CASE WHEN EXISTS (SELECT 1 FROM case_events v WHERE v.county = c.county"                 \
    "   AND v.case_id = c.id AND v.event = 'reopen') THEN 1 ELSE 0 END),"                          \
    " SUM(CASE WHEN c.outcome = 'fixed' THEN 1 ELSE 0 END),"                                       \
    " SUM(CASE WHEN c.outcome = 'partly_fixed' THEN 1 ELSE 0 END),"                                \
    " SUM(CASE WHEN c.outcome = 'not_our_duty' THEN 1 ELSE 0 END),"                                \
    " SUM(CASE WHEN c.outcome = 'duplicate' THEN 1 ELSE 0 END),"                                   \
    " SUM(CASE WHEN c.state NOT IN ('resolved', 'rated', 'closed') AND c.complete_due < ?"         \
    "   AND c.paused_at IS NULL THEN 1 ELSE 0 END)"
static const char SQL_SCAN[] =
    "SELECT" KEY("c.region_code", "c.category_code") "," AGG
                                                     " FROM cases c WHERE c.region_code >= ? AND "
                                                     "c.region_code < ? AND c.created_at >= ?"
                                                     " AND c.created_at < ? AND c.state NOT IN "
                                                     "('merged', 'cancelled') GROUP BY 1";

/* Counter rows of the period's whole days, for the nodes at `depth` within the scope. The
 * recursive part walks the distinct nodes (a few dozen) so each is read for its days only;
 * CROSS JOIN keeps SQLite from scanning every node of the depth instead (PostgreSQL plans it
 * the same either way). */
#define COUNTERS(cols, tail)                                                                       \
    "WITH RECURSIVE kids(node) AS ("                                                               \
    " SELECT MIN(node) FROM case_counters WHERE county = ? AND depth = ?"                          \
    " AND node >= ? AND node < ?"                                                                  \
    " UNION ALL SELECT (SELECT MIN(k.node) FROM case_counters k WHERE k.county = ?"                \
    " AND k.depth = ? AND k.node > kids.node AND k.node < ?)"                                      \
    " FROM kids WHERE kids.node IS NOT NULL)"                                                      \
    " SELECT CASE CAST(? AS INTEGER) WHEN 1 THEN n.node WHEN 2 THEN substr(n.category, 1, 2)"      \
    " ELSE '' END," cols " FROM kids CROSS JOIN case_counters n"                                   \
    " WHERE n.county = ? AND n.depth = ?"                                                          \
    " AND n.node = kids.node AND n.day >= ? AND n.day < ?" tail
/* Tallies of the cases created in a partial day at either end of the period. */
#define TALLIES(cols, tail)                                                                        \
    "SELECT" KEY("t.node", "t.category") "," cols " FROM case_tallies t WHERE t.county = ? AND "   \
                                         "t.created_at >= ? AND t.created_at < ?"                  \
                                         " AND t.node >= ? AND t.node < ? AND t.cases = 1" tail
/* SQLite hands rows over as cheaply as it sums them, and summing 18 columns costs its VDBE more
 * than C: there the rows are added up here (a year of a county's towns: 12 ms → 4 ms). A
 * PostgreSQL server sums them before they cross the network. */
#define T_ROWS(p)                                                                                  \
    " " p "cases, " p "responded, " p "resp_ok, " p "resp_pend, " p "resp_ms, " p "resolved, " p   \
    "done_ok, " p "done_pend, " p "done_ms, " p "rated, " p "rating_sum, " p "happy, " p           \
    "reopened, " p "fixed, " p "partly_fixed, " p "not_our_duty, " p "duplicate, " p               \
    "overdue_pend"
static const char SQL_COUNTERS_SUM[] = COUNTERS(T_SUMS("n."), " GROUP BY 1");
static const char SQL_COUNTERS_ROWS[] = COUNTERS(T_ROWS("n."), "");
static const char SQL_TALLIES_SUM[] = TALLIES(T_SUMS("t."), " GROUP BY 1");
static const char SQL_TALLIES_ROWS[] = TALLIES(T_ROWS("t."), "");
/* Live corrections: cases whose deadline is still ahead (partial indexes of migration 011). */
#define LIVE_WHERE                                                                                 \
    " AND c.created_at >= ? AND c.created_at < ? AND c.region_code >= ? AND c.region_code < ?"     \
    " AND c.state NOT IN ('merged', 'cancelled')"
#define LIVE_RESPOND(count, tail)                                                                  \
    "SELECT" KEY("c.region_code", "c.category_code") "," count " FROM cases c"                     \
                                                     " WHERE c.county = ? AND c.responded_at IS "  \
                                                     "NULL AND c.respond_due >= ?" LIVE_WHERE tail
#define LIVE_COMPLETE(count, tail)                                                                 \
    "SELECT" KEY("c.region_code",                                                                  \
                 "c.category_code") "," count " FROM cases c"                                      \
                                    " WHERE c.county = ? AND c.resolved_at IS NULL AND "           \
                                    "c.complete_due >= ?" LIVE_WHERE tail
#define LIVE_OPEN(count, tail)                                                                     \
    "SELECT" KEY("c.region_code", "c.category_code") "," count " FROM cases c"                     \
                                                     " WHERE c.county = ? AND c.paused_at IS "     \
                                                     "NULL AND c.state IN " OPEN_STATES            \
                                                     " AND c.complete_due >= ?" LIVE_WHERE tail
/* As with the counters: SQLite hands over one row per case (counted here, no sorter for the
 * GROUP BY), PostgreSQL counts them itself. */
static const char *const SQL_LIVE[3][2] = {
    {LIVE_RESPOND(" 1", ""), LIVE_RESPOND(" COUNT(*)", " GROUP BY 1")},
    {LIVE_COMPLETE(" 1", ""), LIVE_COMPLETE(" COUNT(*)", " GROUP BY 1")},
    {LIVE_OPEN(" 1", ""), LIVE_OPEN(" COUNT(*)", " GROUP BY 1")},
};
/* Escalated cases: late against their current deadlines, or without one. */
static const char SQL_LIVE_ESCALATED[] = "SELECT" KEY(
    "c.region_code",
    "c.category_code") ","
                       " SUM(CASE WHEN c.responded_at IS NOT NULL AND (c.respond_due IS NULL"
                       "   OR c.responded_at > c.respond_due) THEN 1 ELSE 0 END),"
                       " SUM(CASE WHEN c.resolved_at IS NOT NULL AND (c.complete_due IS NULL"
                       "   OR c.resolved_at > c.complete_due) THEN 1 ELSE 0 END),"
                       " SUM(CASE WHEN c.responded_at IS NULL AND c.respond_due IS NULL THEN 1 "
                       "ELSE 0 END),"
                       " SUM(CASE WHEN c.resolved_at IS NULL AND c.complete_due IS NULL THEN 1 "
                       "ELSE 0 END),"
                       " SUM(CASE WHEN c.paused_at IS NULL AND c.complete_due IS NULL THEN 1 ELSE "
                       "0 END)"
                       " FROM cases c WHERE c.state = 'escalated' AND c.county = ?" LIVE_WHERE
                       " GROUP BY 1";

static const char SQL_OVERDUE[] =
    "SELECT c.id, c.title, c.state, c.region_code, c.complete_due FROM cases c"
    " WHERE c.county = ? AND c.paused_at IS NULL AND c.state IN " OPEN_STATES
    " AND c.complete_due < ? AND c.region_code >= ? AND c.region_code < ?"
    " ORDER BY c.complete_due LIMIT 20";
static const char SQL_OVERDUE_ANY[] =
    "SELECT c.id, c.title, c.state, c.region_code, c.complete_due FROM cases c"
    " WHERE c.region_code >= ? AND c.region_code < ? AND c.paused_at IS NULL"
    " AND c.state IN " OPEN_STATES " AND c.complete_due < ? ORDER BY c.complete_due LIMIT 20";
static const char SQL_REGION_NAME[] = "SELECT name FROM regions WHERE code = ?";
static const char SQL_CATEGORY_NAME[] = "SELECT name FROM categories WHERE county = ? AND code = ?";

/* What one query of the KPI needs to know. */
typedef struct {
    int mode, keylen; /* KEY(): 0 totals, 1 region cut to keylen, 2 category group */
    const char *scope, *hi, *county;
    int64_t now;
} query_t;

/* Add sign × the counter sums of a row (key, then NT sums) to its group, as figures. */
static void counted(group_t *g, db_stmt_t *st, int64_t sign)
{
    int64_t t[NT];
    for (int i = 0; i < NT; i++)
        t[i] = sign * db_col_i64(st, 1 + i);
    g->k[K_CASES] += t[T_CASES];
    g->k[K_RESPONDED] += t[T_RESPONDED];
    g->k[K_RESP_OK] += t[T_RESP_OK];
    g->k[K_RESP_DUE] += t[T_RESPONDED] + t[T_RESP_PEND];
    g->k[K_RESOLVED] += t[T_RESOLVED];
    g->k[K_DONE_OK] += t[T_DONE_OK];
    g->k[K_DONE_DUE] += t[T_RESOLVED] + t[T_DONE_PEND];
    g->k[K_RESP_MS] += t[T_RESP_MS];
    g->k[K_DONE_MS] += t[T_DONE_MS];
    g->k[K_RATED] += t[T_RATED];
    g->k[K_RATING_SUM] += t[T_RATING_SUM];
    g->k[K_HAPPY] += t[T_HAPPY];
    g->k[K_REOPENED] += t[T_REOPENED];
    g->k[K_FIXED] += t[T_FIXED];
    g->k[K_PARTLY] += t[T_PARTLY];
    g->k[K_NOT_OURS] += t[T_NOT_OURS];
    g->k[K_DUP] += t[T_DUP];
    g->k[K_OVERDUE] += t[T_OVERDUE_PEND];
}
static void add_counted(group_t *g, db_stmt_t *st) { counted(g, st, 1); }
static void sub_counted(group_t *g, db_stmt_t *st) { counted(g, st, -1); }

static int drain(db_stmt_t *st, groups_t *gs, void (*add)(group_t *, db_stmt_t *))
{
    int s = st ? DB_ROW : ERR_IO;
    size_t last = SIZE_MAX; /* rows come in runs of one key: look it up once per run */
    while (st && (s = db_step(st)) == DB_ROW) {
        const char *key = db_col_text(st, 0);
        if (last == SIZE_MAX || strcmp(gs->g[last].key, key ? key : "") != 0) {
            group_t *g = group_at(gs, key); /* may move gs->g */
            last = (size_t)(g - gs->g);
        }
        add(&gs->g[last], st);
    }
    db_reset(st);
    return s < 0 ? s : 0;
}

static void add_scanned(group_t *g, db_stmt_t *st)
{
    for (int i = 0; i < NK; i++)
        g->k[i] += db_col_i64(st, 1 + i);
}
static void sub_respond(group_t *g, db_stmt_t *st) { g->k[K_RESP_DUE] -= db_col_i64(st, 1); }
static void sub_complete(group_t *g, db_stmt_t *st) { g->k[K_DONE_DUE] -= db_col_i64(st, 1); }
static void sub_open(group_t *g, db_stmt_t *st) { g->k[K_OVERDUE] -= db_col_i64(st, 1); }
static void sub_escalated(group_t *g, db_stmt_t *st)
{
    g->k[K_RESP_OK] -= db_col_i64(st, 1);
    g->k[K_DONE_OK] -= db_col_i64(st, 2);
    g->k[K_RESP_DUE] -= db_col_i64(st, 3);
    g->k[K_DONE_DUE] -= db_col_i64(st, 4);
    g->k[K_OVERDUE] -= db_col_i64(st, 5);
}

/* Floor division for the day of a time (times before 1970 are not expected, but stay right). */
static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

static int kpi_counted(db_t *db, const query_t *q, int64_t from, int64_t to, groups_t *gs)
{
    int depth = q->mode == 1 ? q->keylen : (int)strlen(q->scope);
    int64_t m = q->mode, kl = q->keylen;
    int pg = db_engine(db) == DB_PG;
    /* Whole days from the counters; the partial day at each end from the tallies of the cases
     * created in it — or, when that part is the larger half of its day (the usual "up to now"
     * end), the whole day's counters less the tallies of the rest of the day. */
    int64_t d0 = floor_div(from + TZ_MS + DAY_MS - 1, DAY_MS), d1 = floor_div(to + TZ_MS, DAY_MS);
    int rc = 0;
    struct {
        int64_t a, b;
        void (*fn)(group_t *, db_stmt_t *);
    } parts[2] = {{0, 0, NULL}, {0, 0, NULL}};
    if (d0 > d1) { /* within one day */
        parts[0].a = from, parts[0].b = to, parts[0].fn = add_counted;
    } else {
        int64_t s0 = d0 * DAY_MS - TZ_MS, s1 = d1 * DAY_MS - TZ_MS;
        if (from < s0 && from - (s0 - DAY_MS) < s0 - from)
            parts[0].a = s0 - DAY_MS, parts[0].b = from, parts[0].fn = sub_counted, d0--;
        else
            parts[0].a = from, parts[0].b = s0, parts[0].fn = add_counted;
        if (s1 < to && s1 + DAY_MS - to < to - s1)
            parts[1].a = to, parts[1].b = s1 + DAY_MS, parts[1].fn = sub_counted, d1++;
        else
            parts[1].a = s1, parts[1].b = to, parts[1].fn = add_counted;
        if (d0 < d1)
            rc = drain(db_query(db, pg ? SQL_COUNTERS_SUM : SQL_COUNTERS_ROWS, S(q->county),
                                I((int64_t)depth), S(q->scope), S(q->hi), S(q->county),
                                I((int64_t)depth), S(q->hi), I(m), S(q->county), I((int64_t)depth),
                                I(d0), I(d1)),
                       gs, add_counted);
    }
    for (int i = 0; rc == 0 && i < 2; i++)
        if (parts[i].a < parts[i].b)
            rc = drain(db_query(db, pg ? SQL_TALLIES_SUM : SQL_TALLIES_ROWS, I(m), I(kl),
                                S(q->county), I(parts[i].a), I(parts[i].b), S(q->scope), S(q->hi)),
                       gs, parts[i].fn);
    static void (*const sub[3])(group_t *, db_stmt_t *) = {sub_respond, sub_complete, sub_open};
    for (int i = 0; rc == 0 && i < 3; i++)
        rc = drain(db_query(db, SQL_LIVE[i][pg], I(m), I(kl), S(q->county), I(q->now), I(from),
                            I(to), S(q->scope), S(q->hi)),
                   gs, sub[i]);
    if (rc == 0)
        rc = drain(db_query(db, SQL_LIVE_ESCALATED, I(m), I(kl), S(q->county), I(from), I(to),
                            S(q->scope), S(q->hi)),
                   gs, sub_escalated);
    return rc;
}

static double ratio(int64_t a, int64_t b) { return b > 0 ? (double)a / (double)b : 0.0; }

static json_t *kpi_json(const int64_t *v)
{
    int64_t cases = v[K_CASES], responded = v[K_RESPONDED], resolved = v[K_RESOLVED],
            rated = v[K_RATED];
    return json_pack(
        "{s:I,s:I,s:I,s:f,s:f,s:f,s:f,s:f,s:I,s:f,s:f,s:f,s:{s:I,s:I,s:I,s:I},s:I}", "cases",
        (json_int_t)cases, "responded", (json_int_t)responded, "resolved", (json_int_t)resolved,
        "response_rate", ratio(responded, cases), "on_time_response_rate",
        ratio(v[K_RESP_OK], v[K_RESP_DUE]), "on_time_completion_rate",
        ratio(v[K_DONE_OK], v[K_DONE_DUE]), "avg_response_minutes",
        responded ? (double)v[K_RESP_MS] / (double)responded / 60000.0 : 0.0,
        "avg_completion_hours",
        resolved ? (double)v[K_DONE_MS] / (double)resolved / 3600000.0 : 0.0, "rated",
        (json_int_t)rated, "avg_rating", ratio(v[K_RATING_SUM], rated), "satisfaction_rate",
        ratio(v[K_HAPPY], rated), "reopen_rate", ratio(v[K_REOPENED], resolved), "outcomes",
        "fixed", (json_int_t)v[K_FIXED], "partly_fixed", (json_int_t)v[K_PARTLY], "not_our_duty",
        (json_int_t)v[K_NOT_OURS], "duplicate", (json_int_t)v[K_DUP], "overdue_open",
        (json_int_t)v[K_OVERDUE]);
}

static const char *name_of(db_t *db, const char *sql, const char *a, const char *b, char *out,
                           size_t cap)
{
    db_stmt_t *st = b ? db_query(db, sql, S(a), S(b)) : db_query(db, sql, S(a));
    out[0] = 0;
    if (st && db_step(st) == DB_ROW)
        snprintf(out, cap, "%s", db_col_text(st, 0));
    db_reset(st);
    return out[0] ? out : NULL;
}

/* The code length one level below a scope: county → town → village → grid → building. */
static int child_len(const char *scope)
{
    switch (strlen(scope)) {
    case 6: return 9;
    case 9: return 12;
    case 12: return 14;
    default: return 14;
    }
}

/* Counters exist for these levels of place. */
static int counted_level(const char *scope)
{
    size_t n = strlen(scope);
    return n == 6 || n == 9 || n == 12 || n == 14;
}

json_t *casestats_kpi(db_t *db, const char *scope, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                      const char *by, int *rc)
{
    char hi[32], county[8];
    region_scope_hi(scope, hi, sizeof hi);
    snprintf(county, sizeof county, "%.6s", scope);
    int region = by && strcmp(by, "region") == 0;
    query_t q = {.mode = !by      ? 0
                         : region ? 1
                                  : 2,
                 .keylen = child_len(scope),
                 .scope = scope,
                 .hi = hi,
                 .county = county,
                 .now = now_ms};
    groups_t gs = {0};
    int s = counted_level(scope)
                ? kpi_counted(db, &q, from_ms, to_ms, &gs)
                : drain(db_query(db, SQL_SCAN, I((int64_t)q.mode), I((int64_t)q.keylen), I(now_ms),
                                 I(now_ms), I(now_ms), S(scope), S(hi), I(from_ms), I(to_ms)),
                        &gs, add_scanned);
    if (s) {
        free(gs.g);
        *rc = s;
        return NULL;
    }
    /* Groups are the keys with cases in them (counter rows of merged cases sum to nothing). */
    size_t n = 0;
    int64_t total[NK] = {0};
    for (size_t i = 0; i < gs.n; i++) {
        if (gs.g[i].k[K_CASES] <= 0)
            continue;
        for (int k = 0; k < NK; k++)
            total[k] += gs.g[i].k[k];
        gs.g[n++] = gs.g[i];
    }
    if (n > 1)
        qsort(gs.g, n, sizeof *gs.g, by_key);
    json_t *groups = json_array();
    char name[128];
    for (size_t i = 0; by && i < n; i++) {
        json_t *g = kpi_json(gs.g[i].k);
        const char *key = gs.g[i].key;
        const char *nm = region ? name_of(db, SQL_REGION_NAME, key, NULL, name, sizeof name)
                                : name_of(db, SQL_CATEGORY_NAME, county, key, name, sizeof name);
        json_object_set_new(g, "key", json_string(key));
        json_object_set_new(g, "name", nm ? json_string(nm) : json_null());
        json_array_append_new(groups, g);
    }
    free(gs.g);
    json_t *overdue = json_array();
    db_stmt_t *st = strlen(scope) >= 6
                        ? db_query(db, SQL_OVERDUE, S(county), I(now_ms), S(scope), S(hi))
                        : db_query(db, SQL_OVERDUE_ANY, S(scope), S(hi), I(now_ms));
    while (st && (s = db_step(st)) == DB_ROW) {
        char id[24];
        snprintf(id, sizeof id, "%" PRId64, db_col_i64(st, 0));
        json_array_append_new(overdue, json_pack("{s:s,s:s,s:s,s:s,s:I,s:f}", "id", id, "title",
                                                 db_col_text(st, 1), "state", db_col_text(st, 2),
                                                 "region_code", db_col_text(st, 3), "complete_due",
                                                 (json_int_t)db_col_i64(st, 4), "hours_over",
                                                 (double)(now_ms - db_col_i64(st, 4)) / 3600000.0));
    }
    db_reset(st);
    *rc = 0;
    return json_pack("{s:s,s:I,s:I,s:I,s:o,s:o,s:o}", "scope", scope, "from", (json_int_t)from_ms,
                     "to", (json_int_t)to_ms, "as_of", (json_int_t)now_ms, "totals",
                     kpi_json(total), "groups", groups, "overdue", overdue);
}

/* ---------- recount (jiceng check) ---------- */

/* A case's tally from the row, exactly as migration 011's backfill computes it. */
#define RECOUNT                                                                                    \
    "SELECT c.county AS county, c.id AS case_id, c.region_code, c.category_code,"                  \
    " (c.created_at + 28800000) / 86400000,"                                                       \
    " c.created_at, c.seen, c.k,"                                                                  \
    " c.k * (CASE WHEN c.responded_at IS NOT NULL THEN 1 ELSE 0 END),"                             \
    " c.k * (CASE WHEN c.responded_at IS NOT NULL AND (c.state = 'escalated'"                      \
    "   OR c.responded_at <= c.respond_due) THEN 1 ELSE 0 END),"                                   \
    " c.k * (CASE WHEN c.responded_at IS NULL AND (c.state = 'escalated'"                          \
    "   OR c.respond_due IS NOT NULL) THEN 1 ELSE 0 END),"                                         \
    " c.k * (CASE WHEN c.responded_at IS NOT NULL THEN c.responded_at - c.created_at ELSE 0 END)," \
    " c.k * (CASE WHEN c.resolved_at IS NOT NULL THEN 1 ELSE 0 END),"                              \
    " c.k * (CASE WHEN c.resolved_at IS NOT NULL AND (c.state = 'escalated'"                       \
    "   OR c.resolved_at <= c.complete_due) THEN 1 ELSE 0 END),"                                   \
    " c.k * (CASE WHEN c.resolved_at IS NULL AND (c.state = 'escalated'"                           \
    "   OR c.complete_due IS NOT NULL) THEN 1 ELSE 0 END),"                                        \
    " c.k * (CASE WHEN c.resolved_at IS NOT NULL THEN c.resolved_at - c.created_at ELSE 0 END),"   \
    " c.k * (CASE WHEN c.rating IS NOT NULL THEN 1 ELSE 0 END),"                                   \
    " c.k * COALESCE(c.rating, 0),"                                                                \
    " c.k * (CASE WHEN c.rating >= 4 THEN 1 ELSE 0 END),"                                          \
    " c.k * c.seen,"                                                                               \
    " c.k * (CASE WHEN c.outcome = 'fixed' THEN 1 ELSE 0 END),"                                    \
    " c.k * (CASE WHEN c.outcome = 'partly_fixed' THEN 1 ELSE 0 END),"                             \
    " c.k * (CASE WHEN c.outcome = 'not_our_duty' THEN 1 ELSE 0 END),"                             \
    " c.k * (CASE WHEN c.outcome = 'duplicate' THEN 1 ELSE 0 END),"                                \
    " CASE WHEN c.paused_at IS NULL AND c.state IN " OPEN_STATES " AND (c.state = 'escalated'"     \
    "   OR c.complete_due IS NOT NULL) THEN 1 ELSE 0 END"                                          \
    " FROM (SELECT s.*, CASE WHEN s.state IN ('merged', 'cancelled') THEN 0 ELSE 1 END AS k,"      \
    "   CASE WHEN EXISTS (SELECT 1 FROM case_events v WHERE v.county = s.county"                   \
    "   AND v.case_id = s.id AND v.event = 'reopen') THEN 1 ELSE 0 END AS seen FROM cases s) c"
#define TALLY_ROW                                                                                  \
    "SELECT county, case_id, node, category, day, created_at, reopen_seen, " T_COLS                \
    " FROM case_tallies"
/* Counter rows as the tallies sum them, and as stored (rows that sum to nothing left out). */
#define SUMMED                                                                                     \
    "SELECT t.county AS county, d.depth AS depth, substr(t.node, 1, d.depth) AS node,"             \
    " t.day AS day,"                                                                               \
    " t.category AS category," T_SUMS(                                                             \
        "t.") " FROM case_tallies t CROSS JOIN (SELECT 6 AS depth UNION ALL SELECT 9 UNION ALL "   \
              "SELECT 12"                                                                          \
              " UNION ALL SELECT 14) d WHERE t.cases = 1"                                          \
              " GROUP BY t.county, d.depth, substr(t.node, 1, d.depth), t.day, t.category"
#define STORED                                                                                     \
    "SELECT county, depth, node, day, category, " T_COLS " FROM case_counters WHERE cases <> 0"    \
    " OR responded <> 0 OR resp_ok <> 0 OR resp_pend <> 0 OR resp_ms <> 0 OR resolved <> 0"        \
    " OR done_ok <> 0 OR done_pend <> 0 OR done_ms <> 0 OR rated <> 0 OR rating_sum <> 0"          \
    " OR happy <> 0 OR reopened <> 0 OR fixed <> 0 OR partly_fixed <> 0 OR not_our_duty <> 0"      \
    " OR duplicate <> 0 OR overdue_pend <> 0"

static const char SQL_CHECK_CASES[] = "SELECT COUNT(*) FROM cases";
static const char SQL_CHECK_ROWS[] = "SELECT COUNT(*) FROM case_counters";
static const char SQL_CHECK_TALLIES[] =
    "SELECT county, case_id, '', '' FROM (" RECOUNT " EXCEPT " TALLY_ROW ") x"
    " UNION SELECT county, case_id, '', '' FROM (" TALLY_ROW " EXCEPT " RECOUNT ") y"
    " ORDER BY 1, 2";
static const char SQL_CHECK_COUNTERS[] =
    "SELECT county, node, day, category FROM (" SUMMED " EXCEPT " STORED ") x UNION"
    " SELECT county, node, day, category FROM (" STORED " EXCEPT " SUMMED ") y ORDER BY 1, 2, 3, 4";

int casestats_check(db_t *db, long *checked, long *problems)
{
    int64_t n = 0, rows = 0;
    int found = 0, rc = db_one_i64(db, SQL_CHECK_CASES, &n, &found);
    if (rc == 0)
        rc = db_one_i64(db, SQL_CHECK_ROWS, &rows, &found);
    if (rc)
        return rc;
    *checked += (long)(n + rows);
    for (int i = 0; i < 2; i++) {
        db_stmt_t *st = db_prepare(db, i == 0 ? SQL_CHECK_TALLIES : SQL_CHECK_COUNTERS);
        int s = st ? DB_ROW : ERR_IO;
        long bad = 0;
        while (st && (s = db_step(st)) == DB_ROW) {
            if (bad++ >= 20)
                continue;
            if (i == 0)
                printf("case counters: the tally of case %s/%s differs from a recount of the"
                       " case\n",
                       db_col_text(st, 0), db_col_text(st, 1));
            else
                printf("case counters: %s node %s day %s category %s differ from the sum of their"
                       " cases\n",
                       db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2),
                       db_col_text(st, 3));
        }
        db_reset(st);
        if (s < 0)
            return s;
        if (bad > 20)
            printf("case counters: … and %ld more\n", bad - 20);
        *problems += bad;
    }
    return 0;
}

int cases_check(db_t *db, check_report_t *r)
{
    long problems = 0;
    if (casestats_check(db, &r->checked, &problems) != 0)
        return check_failed(db, r, "case counters");
    r->problems += problems;
    return problems ? 1 : 0;
}
