/* inbox.c — messages per account. */
#include "domain/common/inbox.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "domain/common/listing.h"
#include "lib/idgen.h"

static const char SQL_CASE[] =
    "SELECT title, reporter_id, assignee_code, state, handler_id FROM cases"
    " WHERE county = ? AND id = ?";
static const char SQL_TO_REPORTER[] =
    "INSERT INTO inbox (user_id, id, county, at, kind, case_id, title, body)"
    " VALUES (?,?,?,?,'case_update',?,?,?)";
/* Everyone who now holds the case: accounts bound exactly to the assignee's region in a handling
 * role (of a grid's workers only the one it was given to, when it was given to one), staff of
 * the department it is dispatched to, or staff of a department summoned onto it. */
static const char SQL_TO_HOLDERS[] =
    "INSERT INTO inbox (user_id, id, county, at, kind, case_id, title, body)"
    " SELECT u.id, ? + ROW_NUMBER() OVER (ORDER BY u.id), ?, ?, 'case_assigned', ?, ?, ?"
    " FROM users u WHERE u.disabled = 0 AND u.id <> ? AND ("
    "  (u.scope_code = ? AND u.role IN ('grid_worker', 'community_admin', 'street_admin',"
    "   'center_operator') AND (u.role <> 'grid_worker' OR CAST(? AS BIGINT) = 0 OR u.id = ?))"
    "  OR (u.role = 'department_staff' AND u.county = ? AND 'dept:' || u.department = ?)"
    "  OR (u.role = 'department_staff' AND u.county = ? AND u.department IN"
    "   (SELECT dept_code FROM case_parts p WHERE p.county = ? AND p.case_id = ?"
    "    AND p.done_at IS NULL AND ? = 'whistle')))";

/* Run an INSERT … SELECT whose rows take the ids base+1..base+n (base: an idgen_next() bound
 * into it), then use those n ids up, so that no message made later in the same millisecond — to
 * one of the same accounts, maybe — can be given one of them again. */
static int insert_many(db_stmt_t *st)
{
    int s = st ? db_step(st) : ERR_IO;
    int64_t n = s >= 0 ? db_changes(st) : 0;
    db_reset(st);
    for (int64_t i = 0; i < n; i++)
        (void)idgen_next();
    return s < 0 ? s : 0;
}

int inbox_case_event(db_t *db, const char *county, int64_t case_id, const char *event,
                     const char *state_label, int64_t actor_id, int64_t now)
{
    db_stmt_t *st = db_query(db, SQL_CASE, S(county), I(case_id));
    int s = st ? db_step(st) : -1;
    char title[200] = "", assignee[48] = "", state[24] = "";
    int64_t reporter = 0, handler = 0;
    if (s == DB_ROW) {
        snprintf(title, sizeof title, "%s", db_col_text(st, 0));
        reporter = db_col_i64(st, 1);
        handler = db_col_isnull(st, 4) ? 0 : db_col_i64(st, 4);
        if (db_col_text(st, 2))
            snprintf(assignee, sizeof assignee, "%s", db_col_text(st, 2));
        snprintf(state, sizeof state, "%s", db_col_text(st, 3));
    }
    db_reset(st);
    if (s != DB_ROW)
        return s < 0 ? s : 0;
    char head[160], body[320];
    int rc = 0;
    int remind = strcmp(event, "remind") == 0;
    if (reporter && reporter != actor_id && strcmp(event, "create") != 0 &&
        strcmp(event, "note") != 0 && !remind) {
        snprintf(head, sizeof head, "您的诉求%s", state_label);
        snprintf(body, sizeof body, "「%s」当前状态：%s", title, state_label);
        rc = db_run(db, SQL_TO_REPORTER, I(reporter), I(idgen_next()), S(county), I(now),
                    I(case_id), S(head), S(body));
    }
    int assigned = remind || strcmp(event, "dispatch") == 0 || strcmp(event, "escalate") == 0 ||
                   strcmp(event, "whistle") == 0 || strcmp(event, "reopen") == 0 ||
                   (strcmp(event, "create") == 0 && strcmp(state, "dispatched") == 0);
    if (rc == 0 && assigned) {
        snprintf(head, sizeof head, "%s",
                 remind                          ? "诉求即将超时，请尽快办理"
                 : strcmp(event, "whistle") == 0 ? "吹哨：请部门报到"
                 : strcmp(event, "reopen") == 0  ? "诉求需重新办理"
                                                 : "新诉求待接单");
        snprintf(body, sizeof body, "「%s」", title);
        /* IDs: a fresh base, one apart per recipient (they are per account anyway). */
        rc = insert_many(db_query(
            db, SQL_TO_HOLDERS, I(idgen_next()), S(county), I(now), I(case_id), S(head), S(body),
            I(actor_id), S(assignee[0] ? assignee : "-"), I(handler), I(handler), S(county),
            S(assignee[0] ? assignee : "-"), S(county), S(county), I(case_id), S(state)));
    }
    return rc;
}

/* The household's accounts: people of the household bound to an account that is not disabled. */
static const char SQL_TO_HOUSEHOLD[] =
    "INSERT INTO inbox (user_id, id, county, at, kind, case_id, title, body)"
    " SELECT u.id, ? + ROW_NUMBER() OVER (ORDER BY u.id), ?, ?, 'order_update', NULL, ?, ?"
    " FROM users u JOIN people p ON p.id = u.person_id"
    " WHERE p.county = ? AND p.household_id = ? AND u.disabled = 0 AND u.id <> ?";

int inbox_order_handed(db_t *db, const char *county, int64_t order_id, int64_t household,
                       const char *what, int64_t keeper, int64_t now)
{
    (void)order_id;
    char body[320];
    snprintf(body, sizeof body, "您兑换的「%s」已领取，欢迎继续参与积分活动。", what);
    return db_run(db, SQL_TO_HOUSEHOLD, I(idgen_next()), S(county), I(now), S("兑换商品已领取"),
                  S(body), S(county), I(household), I(keeper));
}

static const char SQL_TO_LATE[] =
    "INSERT INTO inbox (user_id, id, county, at, kind, case_id, title, body)"
    " SELECT u.id, ? + ROW_NUMBER() OVER (ORDER BY u.id), ?, ?, 'case_assigned', ?, ?, ?"
    " FROM users u WHERE u.disabled = 0 AND ("
    "  (u.scope_code = ? AND u.role IN ('community_admin', 'street_admin', 'center_operator'))"
    "  OR u.id = (SELECT e.actor_id FROM case_events e WHERE e.county = ? AND e.case_id = ?"
    "   AND e.event = 'whistle' ORDER BY e.seq DESC LIMIT 1)"
    "  OR (u.role = 'department_staff' AND u.county = ? AND u.department = ?))";

int inbox_part_overdue(db_t *db, const char *county, int64_t case_id, const char *dept,
                       const char *dept_name, int64_t now)
{
    db_stmt_t *st = db_query(db, SQL_CASE, S(county), I(case_id));
    int s = st ? db_step(st) : -1;
    char title[200] = "", assignee[48] = "-";
    if (s == DB_ROW) {
        snprintf(title, sizeof title, "%s", db_col_text(st, 0));
        if (db_col_text(st, 2))
            snprintf(assignee, sizeof assignee, "%s", db_col_text(st, 2));
    }
    db_reset(st);
    if (s != DB_ROW)
        return s < 0 ? s : 0;
    char head[160], body[400];
    snprintf(head, sizeof head, "部门报到超时：%s", dept_name && *dept_name ? dept_name : dept);
    snprintf(body, sizeof body, "「%s」吹哨后%s未在时限内报到，请立即报到并办理", title,
             dept_name && *dept_name ? dept_name : dept);
    return insert_many(db_query(db, SQL_TO_LATE, I(idgen_next()), S(county), I(now), I(case_id),
                                S(head), S(body), S(assignee), S(county), I(case_id), S(county),
                                S(dept)));
}

json_t *inbox_message_json(db_stmt_t *st)
{
    char id[24], cid[24];
    snprintf(id, sizeof id, "%" PRId64, db_col_i64(st, 0));
    json_t *o =
        json_pack("{s:s,s:I,s:s,s:s,s:s}", "id", id, "at", (json_int_t)db_col_i64(st, 1), "kind",
                  db_col_text(st, 2), "title", db_col_text(st, 4), "body", db_col_text(st, 5));
    if (!db_col_isnull(st, 3)) {
        snprintf(cid, sizeof cid, "%" PRId64, db_col_i64(st, 3));
        json_object_set_new(o, "case_id", json_string(cid));
    }
    json_object_set_new(o, "read_at",
                        db_col_isnull(st, 6) ? json_null() : json_integer(db_col_i64(st, 6)));
    return o;
}

static const char SQL_LIST[] =
    "SELECT id, at, kind, case_id, title, body, read_at FROM inbox WHERE user_id = ? AND id < ?"
    " AND (? = 0 OR read_at IS NULL) ORDER BY id DESC LIMIT ?";
static const char SQL_UNREAD[] = "SELECT COUNT(*) FROM inbox WHERE user_id = ? AND read_at IS NULL";

json_t *inbox_list(db_t *db, const actor_t *who, int unread_only, const char *cursor, int limit,
                   int *rc)
{
    db_stmt_t *st = db_query(db, SQL_LIST, I(who->id), I(listing_cursor(cursor, INT64_MAX)),
                             I((int64_t)(unread_only ? 1 : 0)), I((int64_t)limit + 1));
    json_t *page = listing_page(st, limit, inbox_message_json, rc);
    if (!page)
        return NULL;
    int64_t unread = 0;
    int found = 0;
    *rc = db_one_i64(db, SQL_UNREAD, &unread, &found, I(who->id));
    json_object_set_new(page, "unread", json_integer(unread));
    if (*rc) {
        json_decref(page);
        return NULL;
    }
    return page;
}

static const char SQL_READ[] =
    "UPDATE inbox SET read_at = COALESCE(read_at, ?) WHERE user_id = ? AND id = ?";

int inbox_mark_read(db_t *db, const actor_t *who, int64_t id, int64_t now, err_t *e)
{
    db_stmt_t *st = db_query(db, SQL_READ, I(now), I(who->id), I(id));
    int rc = st ? db_step(st) : ERR_IO;
    int64_t n = rc >= 0 ? db_changes(st) : 0;
    db_reset(st);
    if (rc < 0)
        return rc;
    return n == 1 ? 0 : err_set(e, ERR_NOTFOUND, "not_found", "消息不存在", NULL);
}
