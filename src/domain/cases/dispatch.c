/* dispatch.c — where a case goes and by when: the category's handling level and deadlines on
 * the official calendar, departments, and 负载均衡 inside a grid. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "domain/cases/cases_int.h"
#include "lib/workday.h"

static const workday_cal_t *calendar;

void cases_set_calendar(const workday_cal_t *cal) { calendar = cal; }

int cases_due_after(int64_t start, int value, const char *unit, int64_t *due, err_t *e)
{
    if (strcmp(unit, "workdays") == 0) {
        if (!calendar)
            return err_set(e, ERR_IO, "calendar_gap", "工作日历未加载", NULL);
        return workday_add_workdays(calendar, start, value, due, e);
    }
    *due = start + (int64_t)value * 3600 * 1000;
    return 0;
}

static const char SQL_CAT[] = "SELECT code, handling, respond_hours, complete_value, "
                              "complete_unit, department FROM categories"
                              " WHERE county = ? AND code = ? AND active = 1";

int cases_load_category(db_t *db, const char *county, const char *code, case_category_t *c)
{
    db_stmt_t *st = db_query(db, SQL_CAT, S(county), S(code));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW) {
        snprintf(c->code, sizeof c->code, "%s", db_col_text(st, 0));
        snprintf(c->handling, sizeof c->handling, "%s", db_col_text(st, 1));
        c->respond_hours = (int)db_col_i64(st, 2);
        c->complete_value = (int)db_col_i64(st, 3);
        snprintf(c->unit, sizeof c->unit, "%s", db_col_text(st, 4));
        snprintf(c->department, sizeof c->department, "%s",
                 db_col_text(st, 5) ? db_col_text(st, 5) : "");
    }
    db_reset(st);
    return s == DB_ROW ? 0 : s < 0 ? s : ERR_NOTFOUND;
}

static const char SQL_DEPT_NAME[] = "SELECT name FROM departments WHERE county = ? AND code = ?";

int cases_dept_name(db_t *db, const char *county, const char *code, char *out, size_t cap)
{
    db_stmt_t *st = db_query(db, SQL_DEPT_NAME, S(county), S(code));
    int found = st && db_step(st) == DB_ROW;
    if (found && out)
        snprintf(out, cap, "%s", db_col_text(st, 0));
    db_reset(st);
    return found;
}

/* One level up the tree: grid → community → town → county (小事不出网格、大事不出城区). */
void cases_level_up(const char *code, char *out, size_t cap)
{
    size_t n = strlen(code);
    size_t up = n > 12 ? 12 : n > 9 ? 9 : 6;
    snprintf(out, cap, "%.*s", (int)up, code);
}

int cases_escalation_targets(db_t *db, const char *county, const case_now_t *c, char *up,
                             size_t upcap, char *dept, size_t dcap)
{
    if (strncmp(c->assignee, "dept:", 5) == 0)
        snprintf(up, upcap, "%s", county);
    else
        cases_level_up(c->assignee[0] ? c->assignee : c->region, up, upcap);
    dept[0] = 0;
    case_category_t cat;
    int rc = cases_load_category(db, county, c->category, &cat);
    if (rc == ERR_NOTFOUND)
        return 0; /* a retired category: up the tree only */
    if (rc)
        return rc;
    if (cat.department[0])
        snprintf(dept, dcap, "dept:%s", cat.department);
    if (strcmp(dept, c->assignee) == 0)
        dept[0] = 0;
    return 0;
}

/* 负载均衡: a case dispatched to a grid goes to the grid's active worker holding the fewest open
 * cases (ties: the lower account id); NULL when the grid has no worker account. A grid usually
 * has one worker: then nothing is counted. Counts stop at 1,000, so a worker buried under
 * thousands of open cases costs no more than one with a thousand. */
#define PICK_WORKERS_MAX 32 /* = the LIMIT below */
static const char SQL_GRID_WORKERS[] =
    "SELECT id FROM users WHERE scope_code = ? AND role = 'grid_worker' AND disabled = 0"
    " ORDER BY id LIMIT 32";
static const char SQL_OPEN_OF[] =
    "SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE handler_id = ?"
    " AND state IN ('dispatched', 'accepted', 'reopened') LIMIT 1000) t";
static const char SQL_SET_HANDLER[] = "UPDATE cases SET handler_id = ? WHERE county = ? AND id = ?";
static const char SQL_NO_HANDLER[] =
    "UPDATE cases SET handler_id = NULL WHERE county = ? AND id = ?";

int cases_give_to_worker(db_t *db, const char *county, int64_t id, const char *grid)
{
    int64_t ids[PICK_WORKERS_MAX];
    int n = 0;
    if (strlen(grid) == 14) {
        db_stmt_t *st = db_query(db, SQL_GRID_WORKERS, S(grid));
        int s;
        while (st && n < PICK_WORKERS_MAX && (s = db_step(st)) == DB_ROW)
            ids[n++] = db_col_i64(st, 0);
        db_reset(st);
        if (!st)
            return ERR_IO;
    }
    if (n == 0)
        return db_run(db, SQL_NO_HANDLER, S(county), I(id));
    int64_t best = ids[0], least = INT64_MAX;
    for (int i = 0; n > 1 && i < n; i++) {
        int64_t open = 0;
        int found = 0;
        int rc = db_one_i64(db, SQL_OPEN_OF, &open, &found, I(ids[i]));
        if (rc)
            return rc;
        if (open < least) {
            least = open;
            best = ids[i];
        }
    }
    return db_run(db, SQL_SET_HANDLER, I(best), S(county), I(id));
}
