/* parts.c — 中心吹哨、部门报到: each department a whistle summons reports in (报到) and then
 * finishes (办结) its part; the case leaves the whistle when every part is done. */
#include <string.h>
#include "domain/cases/cases_int.h"
#include "lib/utf8.h"

static const char SQL_STATE[] = "SELECT state, events FROM cases WHERE county = ? AND id = ?";

static const char SQL_PART[] = "SELECT reported_at, done_at FROM case_parts WHERE county = ? AND "
                               "case_id = ? AND dept_code = ?";
static const char SQL_PART_REPORT[] =
    "UPDATE case_parts SET reported_at = ?, note = COALESCE(?, note) WHERE county = ?"
    " AND case_id = ? AND dept_code = ? AND reported_at IS NULL";
static const char SQL_PART_DONE[] =
    "UPDATE case_parts SET done_at = ?, note = COALESCE(?, note) WHERE county = ?"
    " AND case_id = ? AND dept_code = ? AND reported_at IS NOT NULL AND done_at IS NULL";
static const char SQL_PARTS_OPEN[] =
    "SELECT COUNT(*) FROM case_parts WHERE county = ? AND case_id = ? AND done_at IS NULL";
static const char SQL_BUMP[] =
    "UPDATE cases SET events = events + 1, updated_at = ? WHERE county = ? AND id = ?"
    " AND events = ? AND state = 'whistle'";

int cases_part(db_t *db, const actor_t *who, int64_t id, const char *dept, const char *action,
               const char *note, int64_t now, err_t *e)
{
    char county[8];
    cases_county_of(who->scope, county);
    int report = action && strcmp(action, "report") == 0;
    if (!report && !(action && strcmp(action, "done") == 0))
        return err_set(e, ERR_INVALID, "invalid", "操作应为 report（报到）或 done（办结）",
                       "action");
    if (note && utf8_count(note, strlen(note)) > 500)
        return err_set(e, ERR_INVALID, "invalid", "说明不能超过 500 字", "note");
    /* Only the department's own staff act on its part. */
    if (who->role != ROLE_DEPARTMENT_STAFF || strcmp(who->department, dept) != 0)
        return err_set(e, ERR_NOTFOUND, "not_found", "该诉求没有召集您的部门", NULL);
    db_stmt_t *st = db_query(db, SQL_PART, S(county), I(id), S(dept));
    int s = st ? db_step(st) : ERR_IO;
    int reported = s == DB_ROW && !db_col_isnull(st, 0),
        done = s == DB_ROW && !db_col_isnull(st, 1);
    db_reset(st);
    if (s != DB_ROW)
        return s < 0 ? s : err_set(e, ERR_NOTFOUND, "not_found", "该诉求没有召集您的部门", NULL);
    if (report && reported)
        return err_set(e, ERR_CONFLICT, "invalid_transition", "已经报到", NULL);
    if (!report && !reported)
        return err_set(e, ERR_CONFLICT, "invalid_transition", "请先报到再办结", NULL);
    if (!report && done)
        return err_set(e, ERR_CONFLICT, "invalid_transition", "本部门已办结", NULL);
    /* Record it as an event of the case (seq keeps concurrent writers apart). */
    st = db_query(db, SQL_STATE, S(county), I(id));
    s = st ? db_step(st) : ERR_IO;
    int64_t events = s == DB_ROW ? db_col_i64(st, 1) : 0;
    char state[24] = "";
    if (s == DB_ROW)
        snprintf(state, sizeof state, "%s", db_col_text(st, 0));
    db_reset(st);
    if (strcmp(state, "whistle") != 0)
        return err_set(e, ERR_CONFLICT, "invalid_transition", "该诉求不在吹哨处置中", NULL);
    int rc = db_run(db, report ? SQL_PART_REPORT : SQL_PART_DONE, I(now), S(note), S(county), I(id),
                    S(dept));
    st = db_query(db, SQL_BUMP, I(now), S(county), I(id), I(events));
    s = st ? db_step(st) : ERR_IO;
    int64_t changed = s >= 0 ? db_changes(st) : 0;
    db_reset(st);
    if (rc == 0 && (s < 0 || changed != 1))
        return err_set(e, ERR_CONFLICT, "conflict", "该诉求刚被他人处理，请刷新后重试", NULL);
    char detail[64], name[96] = "";
    cases_dept_name(db, county, dept, name, sizeof name);
    snprintf(detail, sizeof detail, "{\"department\":\"%s\"}", dept);
    if (rc == 0)
        rc = cases_event_add(db, county, id, (int)events + 1, now, who,
                             report ? "part_report" : "part_done", state, state, note, detail);
    if (rc == 0 && !report) {
        /* The case closes its whistle only when every summoned part is done. */
        int64_t open = 0;
        int found = 0;
        rc = db_one_i64(db, SQL_PARTS_OPEN, &open, &found, S(county), I(id));
        if (rc == 0 && open == 0) {
            cases_step_t step = {.now = now, .note = "各召集部门均已办结"};
            rc = cases_apply(db, NULL, county, id, CEV_PARTS_DONE, &step, e);
        }
    }
    return rc;
}
