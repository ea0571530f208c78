/* deptstats.c — a department's desk in figures (issue 10 part 4, 中心吹哨、部门报到): the open
 * cases it holds, the whistle parts waiting for its 报到 and those past their deadline, what it
 * finished in the last 30 days and how long it took to report in. Its own staff read their
 * department; the county's admin, governance center and leaders read any department of the
 * county. Each figure is one indexed count (case_parts by (county, dept_code, done_at) and
 * (county, dept_code, reported_at); cases by (assignee_code, state) and (assignee_code,
 * resolved_at), migration 021): a department's whistles are few, its cases a queue's worth.
 *
 * Figures (now = the request's time, since = now − 30 days):
 *   open_held       cases assigned to the department in an open state
 *   parts_waiting   whistle parts not yet reported in (报到)
 *   parts_working   parts reported in, not yet done
 *   overdue         parts not reported in whose deadline has passed (marked or not yet marked
 *                   by the scheduler)
 *   parts_done      parts done since `since`
 *   cases_resolved  cases held by the department resolved since `since`
 *   reported        parts reported in since `since`; avg_report_ms their mean time from the
 *                   whistle to 报到 (null when none) */
#include <string.h>
#include "domain/cases/cases_int.h"

#define DAYS_30_MS (30LL * 24 * 3600 * 1000)
#define OVERDUE_ITEMS 20

static const char SQL_OPEN_HELD[] =
    "SELECT COUNT(*) FROM cases WHERE assignee_code = ? AND state IN ('submitted', 'dispatched',"
    " 'accepted', 'returned', 'escalated', 'whistle', 'reopened') AND county = ?";
static const char SQL_PARTS_OPEN[] =
    "SELECT COALESCE(SUM(CASE WHEN reported_at IS NULL THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN reported_at IS NOT NULL THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN reported_at IS NULL AND (overdue_at IS NOT NULL OR report_due < ?)"
    " THEN 1 ELSE 0 END), 0)"
    " FROM case_parts WHERE county = ? AND dept_code = ? AND done_at IS NULL";
static const char SQL_PARTS_DONE[] =
    "SELECT COUNT(*) FROM case_parts WHERE county = ? AND dept_code = ? AND done_at >= ?";
static const char SQL_REPORTED[] =
    "SELECT COUNT(*), CAST(COALESCE(SUM(reported_at - summoned_at), 0) AS BIGINT)"
    " FROM case_parts WHERE county = ? AND dept_code = ? AND reported_at >= ?";
static const char SQL_RESOLVED[] =
    "SELECT COUNT(*) FROM cases WHERE assignee_code = ? AND resolved_at >= ? AND county = ?";
static const char SQL_OVERDUE[] =
    "SELECT c.id, c.title, p.summoned_at, p.report_due, p.task FROM case_parts p"
    " JOIN cases c ON c.county = p.county AND c.id = p.case_id"
    " WHERE p.county = ? AND p.dept_code = ? AND p.done_at IS NULL AND p.reported_at IS NULL"
    " AND (p.overdue_at IS NOT NULL OR p.report_due < ?) ORDER BY p.report_due, c.id LIMIT ?";

/* May who read department dept's figures? Its own staff; the county's admin, center, leaders. */
static int may_read(const actor_t *who, const char *dept)
{
    if (who->role == ROLE_DEPARTMENT_STAFF)
        return strcmp(who->department, dept) == 0;
    return (who->role & (ROLE_COUNTY_ADMIN | ROLE_CENTER_OPERATOR | ROLE_LEADER)) &&
           strlen(who->scope) == 6;
}

/* The parts past their 报到 deadline, oldest deadline first. */
static json_t *overdue_items(db_t *db, const char *county, const char *dept, int64_t now, int *rc)
{
    db_stmt_t *st = db_query(db, SQL_OVERDUE, S(county), S(dept), I(now), I(OVERDUE_ITEMS));
    json_t *out = json_array();
    int s = st ? DB_ROW : ERR_IO;
    while (st && (s = db_step(st)) == DB_ROW)
        json_array_append_new(out, json_pack("{s:o,s:s,s:I,s:I,s:s?}", "id",
                                             cases_id_json(db_col_i64(st, 0)), "title",
                                             db_col_text(st, 1), "summoned_at",
                                             (json_int_t)db_col_i64(st, 2), "report_due",
                                             (json_int_t)db_col_i64(st, 3), "task",
                                             db_col_isnull(st, 4) ? NULL : db_col_text(st, 4)));
    db_reset(st);
    *rc = s < 0 ? s : 0;
    if (*rc) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* The three open-part counts in one pass over the department's open parts. */
static int open_parts(db_t *db, const char *county, const char *dept, int64_t now, int64_t out[3])
{
    db_stmt_t *st = db_query(db, SQL_PARTS_OPEN, I(now), S(county), S(dept));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW)
        for (int i = 0; i < 3; i++)
            out[i] = db_col_i64(st, i);
    db_reset(st);
    return s == DB_ROW ? 0 : s < 0 ? s : ERR_IO;
}

/* How many parts reported in since `since`, and their summed time to 报到. */
static int reported_since(db_t *db, const char *county, const char *dept, int64_t since, int64_t *n,
                          int64_t *sum)
{
    db_stmt_t *st = db_query(db, SQL_REPORTED, S(county), S(dept), I(since));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW) {
        *n = db_col_i64(st, 0);
        *sum = db_col_i64(st, 1);
    }
    db_reset(st);
    return s == DB_ROW ? 0 : s < 0 ? s : ERR_IO;
}

json_t *cases_dept_stats(db_t *db, const actor_t *who, const char *dept, int64_t now, int *rc)
{
    char county[8], name[128] = "", holder[32];
    cases_county_of(who->scope, county);
    *rc = 0;
    if (!dept || strlen(dept) > 15 || !may_read(who, dept) ||
        !cases_dept_name(db, county, dept, name, sizeof name)) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    snprintf(holder, sizeof holder, "dept:%s", dept);
    int64_t since = now - DAYS_30_MS, held = 0, parts[3] = {0}, done = 0, resolved = 0,
            reported = 0, took = 0;
    int found = 0;
    *rc = db_one_i64(db, SQL_OPEN_HELD, &held, &found, S(holder), S(county));
    if (*rc == 0)
        *rc = open_parts(db, county, dept, now, parts);
    if (*rc == 0)
        *rc = db_one_i64(db, SQL_PARTS_DONE, &done, &found, S(county), S(dept), I(since));
    if (*rc == 0)
        *rc = db_one_i64(db, SQL_RESOLVED, &resolved, &found, S(holder), I(since), S(county));
    if (*rc == 0)
        *rc = reported_since(db, county, dept, since, &reported, &took);
    json_t *items = *rc == 0 ? overdue_items(db, county, dept, now, rc) : NULL;
    if (*rc)
        return NULL;
    return json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o}", "department", dept,
                     "name", name, "as_of", (json_int_t)now, "since", (json_int_t)since,
                     "open_held", (json_int_t)held, "parts_waiting", (json_int_t)parts[0],
                     "parts_working", (json_int_t)parts[1], "overdue", (json_int_t)parts[2],
                     "parts_done", (json_int_t)done, "cases_resolved", (json_int_t)resolved,
                     "reported", (json_int_t)reported, "avg_report_ms",
                     reported ? json_integer((json_int_t)(took / reported)) : json_null(),
                     "overdue_items", items);
}
