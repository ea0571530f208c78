/* casestats.c — one aggregate query per grouping; rates are computed here from the counts.
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
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "domain/casestats.h"
#include "domain/region.h"

#define AGG                                                                                        \
    " COUNT(*),"                                                                                  \
    " SUM(CASE WHEN c.responded_at IS NOT NULL THEN 1 ELSE 0 END),"                               \
    " SUM(CASE WHEN c.responded_at IS NOT NULL AND c.responded_at <= c.respond_due THEN 1 ELSE 0 END)," \
    " SUM(CASE WHEN c.responded_at IS NOT NULL OR c.respond_due < ? THEN 1 ELSE 0 END),"          \
    " SUM(CASE WHEN c.resolved_at IS NOT NULL THEN 1 ELSE 0 END),"                                \
    " SUM(CASE WHEN c.resolved_at IS NOT NULL AND c.resolved_at <= c.complete_due THEN 1 ELSE 0 END)," \
    " SUM(CASE WHEN c.resolved_at IS NOT NULL OR c.complete_due < ? THEN 1 ELSE 0 END),"          \
    " SUM(CASE WHEN c.responded_at IS NOT NULL THEN c.responded_at - c.created_at ELSE 0 END),"   \
    " SUM(CASE WHEN c.resolved_at IS NOT NULL THEN c.resolved_at - c.created_at ELSE 0 END),"     \
    " SUM(CASE WHEN c.rating IS NOT NULL THEN 1 ELSE 0 END),"                                     \
    " SUM(COALESCE(c.rating, 0)),"                                                                \
    " SUM(CASE WHEN c.rating >= 4 THEN 1 ELSE 0 END),"                                            \
    " SUM(CASE WHEN EXISTS (SELECT 1 FROM case_events v WHERE v.county = c.county"                \
    "   AND v.case_id = c.id AND v.event = 'reopen') THEN 1 ELSE 0 END),"                         \
    " SUM(CASE WHEN c.outcome = 'fixed' THEN 1 ELSE 0 END),"                                      \
    " SUM(CASE WHEN c.outcome = 'partly_fixed' THEN 1 ELSE 0 END),"                               \
    " SUM(CASE WHEN c.outcome = 'not_our_duty' THEN 1 ELSE 0 END),"                               \
    " SUM(CASE WHEN c.outcome = 'duplicate' THEN 1 ELSE 0 END),"                                  \
    " SUM(CASE WHEN c.state NOT IN ('resolved', 'rated', 'closed') AND c.complete_due < ?"        \
    "   AND c.paused_at IS NULL THEN 1 ELSE 0 END)"
#define WHERE                                                                                      \
    " FROM cases c WHERE c.region_code >= ? AND c.region_code < ? AND c.created_at >= ?"          \
    " AND c.created_at < ? AND c.state NOT IN ('merged', 'cancelled')"

static const char SQL_TOTAL[] = "SELECT ''," AGG WHERE;
static const char SQL_BY_REGION[] =
    "SELECT substr(c.region_code, 1, ?)," AGG WHERE " GROUP BY 1 ORDER BY 1";
static const char SQL_BY_CATEGORY[] =
    "SELECT substr(c.category_code, 1, 2)," AGG WHERE " GROUP BY 1 ORDER BY 1";
static const char SQL_OVERDUE[] =
    "SELECT c.id, c.title, c.state, c.region_code, c.complete_due FROM cases c"
    " WHERE c.region_code >= ? AND c.region_code < ? AND c.paused_at IS NULL"
    " AND c.state IN ('submitted', 'dispatched', 'accepted', 'returned', 'escalated', 'whistle',"
    " 'reopened') AND c.complete_due < ? ORDER BY c.complete_due LIMIT 20";
static const char SQL_REGION_NAME[] = "SELECT name FROM regions WHERE code = ?";
static const char SQL_CATEGORY_NAME[] =
    "SELECT name FROM categories WHERE county = ? AND code = ?";

static double ratio(int64_t a, int64_t b) { return b > 0 ? (double)a / (double)b : 0.0; }

static json_t *row_kpi(db_stmt_t *st)
{
    int64_t v[18];
    for (int i = 0; i < 18; i++)
        v[i] = db_col_i64(st, 1 + i);
    int64_t cases = v[0], responded = v[1], resp_ok = v[2], resp_due = v[3], resolved = v[4],
            done_ok = v[5], done_due = v[6], resp_ms = v[7], done_ms = v[8], rated = v[9],
            rating_sum = v[10], happy = v[11], reopened = v[12];
    return json_pack(
        "{s:I,s:I,s:I,s:f,s:f,s:f,s:f,s:f,s:I,s:f,s:f,s:f,s:{s:I,s:I,s:I,s:I},s:I}", "cases",
        (json_int_t)cases, "responded", (json_int_t)responded, "resolved", (json_int_t)resolved,
        "response_rate", ratio(responded, cases), "on_time_response_rate",
        ratio(resp_ok, resp_due), "on_time_completion_rate", ratio(done_ok, done_due),
        "avg_response_minutes", responded ? (double)resp_ms / (double)responded / 60000.0 : 0.0,
        "avg_completion_hours", resolved ? (double)done_ms / (double)resolved / 3600000.0 : 0.0,
        "rated", (json_int_t)rated, "avg_rating", ratio(rating_sum, rated), "satisfaction_rate",
        ratio(happy, rated), "reopen_rate", ratio(reopened, resolved), "outcomes", "fixed",
        (json_int_t)v[13], "partly_fixed", (json_int_t)v[14], "not_our_duty", (json_int_t)v[15],
        "duplicate", (json_int_t)v[16], "overdue_open", (json_int_t)v[17]);
}

static const char *name_of(db_t *db, const char *sql, const char *a, const char *b, char *out,
                           size_t cap)
{
    db_stmt_t *st = b ? db_query(db, sql, "ss", a, b) : db_query(db, sql, "s", a);
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

json_t *casestats_kpi(db_t *db, const char *scope, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                      const char *by, int *rc)
{
    char hi[32], county[8];
    region_scope_hi(scope, hi, sizeof hi);
    snprintf(county, sizeof county, "%.6s", scope);
    db_stmt_t *st = db_query(db, SQL_TOTAL, "iiissii", now_ms, now_ms, now_ms, scope, hi, from_ms,
                             to_ms);
    int s = st ? db_step(st) : ERR_IO;
    json_t *totals = s == DB_ROW ? row_kpi(st) : NULL;
    db_reset(st);
    if (!totals) {
        *rc = s < 0 ? s : ERR_IO;
        return NULL;
    }
    json_t *groups = json_array();
    if (by) {
        int len = child_len(scope);
        int region = strcmp(by, "region") == 0;
        st = region ? db_query(db, SQL_BY_REGION, "iiiissii", (int64_t)len, now_ms, now_ms,
                               now_ms, scope, hi, from_ms, to_ms)
                    : db_query(db, SQL_BY_CATEGORY, "iiissii", now_ms, now_ms, now_ms, scope, hi,
                               from_ms, to_ms);
        /* Collect first: looking names up re-uses statements of this connection. */
        while (st && (s = db_step(st)) == DB_ROW) {
            json_t *g = row_kpi(st);
            json_object_set_new(g, "key", json_string(db_col_text(st, 0)));
            json_array_append_new(groups, g);
        }
        db_reset(st);
        size_t i;
        json_t *g;
        char name[128];
        json_array_foreach(groups, i, g)
        {
            const char *key = json_string_value(json_object_get(g, "key"));
            const char *nm = region ? name_of(db, SQL_REGION_NAME, key, NULL, name, sizeof name)
                                    : name_of(db, SQL_CATEGORY_NAME, county, key, name,
                                              sizeof name);
            json_object_set_new(g, "name", nm ? json_string(nm) : json_null());
        }
    }
    json_t *overdue = json_array();
    st = db_query(db, SQL_OVERDUE, "ssi", scope, hi, now_ms);
    while (st && (s = db_step(st)) == DB_ROW) {
        char id[24];
        snprintf(id, sizeof id, "%" PRId64, db_col_i64(st, 0));
        json_array_append_new(overdue,
                              json_pack("{s:s,s:s,s:s,s:s,s:I,s:f}", "id", id, "title",
                                        db_col_text(st, 1), "state", db_col_text(st, 2),
                                        "region_code", db_col_text(st, 3), "complete_due",
                                        (json_int_t)db_col_i64(st, 4), "hours_over",
                                        (double)(now_ms - db_col_i64(st, 4)) / 3600000.0));
    }
    db_reset(st);
    *rc = 0;
    return json_pack("{s:s,s:I,s:I,s:I,s:o,s:o,s:o}", "scope", scope, "from", (json_int_t)from_ms,
                     "to", (json_int_t)to_ms, "as_of", (json_int_t)now_ms, "totals", totals,
                     "groups", groups, "overdue", overdue);
}
