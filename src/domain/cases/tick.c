/* tick.c — the scheduler's pass (`jiceng tick`, and the server every minute): a case past its
 * deadline escalates one level up with a blue slip, holders are reminded 2 h before, and a
 * summoned department that did not report in on time is marked and told. One pass at a time
 * across instances (an advisory lock on PostgreSQL). */
#include <stdlib.h>
#include <string.h>
#include "domain/cases/cases_int.h"
#include "domain/common/change.h"

static const char SQL_OVERDUE[] =
    "SELECT county, id, state, respond_due, complete_due FROM cases"
    " WHERE state IN ('dispatched', 'accepted', 'reopened') AND paused_at IS NULL"
    " AND (complete_due < ? OR (state = 'dispatched' AND respond_due < ?))"
    " ORDER BY complete_due LIMIT ?";
static const char SQL_NEW_DUES[] = "UPDATE cases SET respond_due = ?, complete_due = ?,"
                                   " reminded_at = NULL WHERE county = ? AND id = ?";
/* Open cases whose completion deadline falls within the reminder window, not yet reminded. */
static const char SQL_DUE_SOON[] =
    "SELECT county, id FROM cases WHERE state IN ('dispatched', 'accepted', 'reopened')"
    " AND paused_at IS NULL AND reminded_at IS NULL AND complete_due >= ? AND complete_due < ?"
    " ORDER BY complete_due LIMIT ?";
static const char SQL_REMINDED[] = "UPDATE cases SET reminded_at = ? WHERE county = ? AND id = ?";
#define REMIND_BEFORE_MS (2LL * 3600 * 1000) /* remind the holders 2 h before the deadline */
/* One scheduler at a time across instances sharing a PostgreSQL (held until commit). */
static const char SQL_PG_LOCK[] =
    "SELECT CASE WHEN pg_try_advisory_xact_lock(7424001) THEN 1 ELSE 0 END";

#define ESCALATE_RESPOND_MS (24LL * 3600 * 1000)
#define ESCALATE_COMPLETE_MS (48LL * 3600 * 1000)

/* 部门报到超时: each summoned department that has not reported in by its deadline is marked
 * overdue once, shown on the case's timeline, and its staff and the whistle's holder are told. */
static const char SQL_PARTS_LATE[] =
    "SELECT p.county, p.case_id, p.dept_code, COALESCE(d.name, p.dept_code) FROM case_parts p"
    " LEFT JOIN departments d ON d.county = p.county AND d.code = p.dept_code"
    " WHERE p.reported_at IS NULL AND p.overdue_at IS NULL AND p.report_due < ?"
    " ORDER BY p.report_due LIMIT ?";
static const char SQL_PART_LATE_MARK[] =
    "UPDATE case_parts SET overdue_at = ? WHERE county = ? AND case_id = ? AND dept_code = ?"
    " AND overdue_at IS NULL";
static const char SQL_CASE_SEQ[] = "SELECT events, state FROM cases WHERE county = ? AND id = ?";
static const char SQL_CASE_SEQ_BUMP[] = "UPDATE cases SET events = events + 1, updated_at = ?"
                                        " WHERE county = ? AND id = ? AND events = ?";

static int parts_overdue(db_t *db, int64_t now, int max)
{
    typedef struct {
        char county[8], dept[16], name[96];
        int64_t id;
    } late_t;
    late_t *late = calloc((size_t)max, sizeof *late);
    if (!late)
        return ERR_NOMEM;
    int n = 0, rc = 0, s;
    db_stmt_t *st = db_query(db, SQL_PARTS_LATE, I(now), I((int64_t)max));
    while (st && (s = db_step(st)) == DB_ROW && n < max) {
        snprintf(late[n].county, sizeof late[n].county, "%s", db_col_text(st, 0));
        late[n].id = db_col_i64(st, 1);
        snprintf(late[n].dept, sizeof late[n].dept, "%s", db_col_text(st, 2));
        snprintf(late[n].name, sizeof late[n].name, "%s", db_col_text(st, 3));
        n++;
    }
    db_reset(st);
    for (int i = 0; i < n && rc == 0; i++) {
        late_t *l = &late[i];
        st = db_query(db, SQL_CASE_SEQ, S(l->county), I(l->id));
        s = st ? db_step(st) : ERR_IO;
        int64_t events = s == DB_ROW ? db_col_i64(st, 0) : 0;
        char state[24] = "";
        if (s == DB_ROW)
            snprintf(state, sizeof state, "%s", db_col_text(st, 1));
        db_reset(st);
        if (s != DB_ROW) {
            rc = s < 0 ? s : 0;
            continue;
        }
        rc = db_run(db, SQL_PART_LATE_MARK, I(now), S(l->county), I(l->id), S(l->dept));
        if (rc == 0)
            rc = db_run(db, SQL_CASE_SEQ_BUMP, I(now), S(l->county), I(l->id), I(events));
        char note[200], detail[48];
        snprintf(note, sizeof note, "%s未在时限内报到", l->name);
        snprintf(detail, sizeof detail, "{\"department\":\"%s\"}", l->dept);
        if (rc == 0)
            rc = cases_event_add(db, l->county, l->id, (int)events + 1, now, NULL, "part_overdue",
                                 state, state, note, detail);
        if (rc == 0) {
            change_t c = {.kind = CHANGE_CASE_PART_LATE,
                          .county = l->county,
                          .id = l->id,
                          .at = now,
                          .dept = l->dept,
                          .dept_name = l->name};
            rc = change_announce(db, &c);
        }
    }
    free(late);
    return rc;
}

int cases_tick(db_t *db, int64_t now, int max, int *escalated, int *reminded, int *skipped,
               err_t *e)
{
    *escalated = 0;
    if (reminded)
        *reminded = 0;
    *skipped = 0;
    if (db_engine(db) == DB_PG) {
        int64_t got = 0;
        int found = 0;
        int rc = db_one_i64(db, SQL_PG_LOCK, &got, &found);
        if (rc)
            return rc;
        if (!got) {
            *skipped = 1;
            return 0;
        }
    }
    typedef struct {
        char county[8];
        int64_t id;
        int response;
    } due_t;
    due_t *list = calloc((size_t)max, sizeof *list);
    if (!list)
        return ERR_NOMEM;
    int n = 0, rc = 0, s;
    db_stmt_t *st = db_query(db, SQL_OVERDUE, I(now), I(now), I((int64_t)max));
    while (st && (s = db_step(st)) == DB_ROW && n < max) {
        snprintf(list[n].county, sizeof list[n].county, "%s", db_col_text(st, 0));
        list[n].id = db_col_i64(st, 1);
        list[n].response = strcmp(db_col_text(st, 2), "dispatched") == 0 &&
                           db_col_i64(st, 3) < now && db_col_i64(st, 4) >= now;
        n++;
    }
    db_reset(st);
    for (int i = 0; i < n && rc == 0; i++) {
        cases_step_t step = {.now = now,
                             .note = list[i].response ? "超过响应时限未接单，自动上报上一级"
                                                      : "超过办结时限，自动上报上一级"};
        err_t ie = {0};
        rc = cases_apply(db, NULL, list[i].county, list[i].id, CEV_ESCALATE, &step, &ie);
        if (rc == ERR_CONFLICT || rc == ERR_FORBIDDEN) {
            rc = 0; /* changed meanwhile: the next pass looks again */
            continue;
        }
        if (rc == 0)
            rc = db_run(db, SQL_NEW_DUES, I(now + ESCALATE_RESPOND_MS),
                        I(now + ESCALATE_COMPLETE_MS), S(list[i].county), I(list[i].id));
        if (rc == 0)
            (*escalated)++;
        else
            err_copy(e, &ie);
    }
    /* Reminders: once per deadline, to whoever holds the case. */
    n = 0;
    st = rc == 0 ? db_query(db, SQL_DUE_SOON, I(now), I(now + REMIND_BEFORE_MS), I((int64_t)max))
                 : NULL;
    while (st && (s = db_step(st)) == DB_ROW && n < max) {
        snprintf(list[n].county, sizeof list[n].county, "%s", db_col_text(st, 0));
        list[n].id = db_col_i64(st, 1);
        n++;
    }
    db_reset(st);
    for (int i = 0; i < n && rc == 0; i++) {
        change_t c = {.kind = CHANGE_CASE_REMIND,
                      .county = list[i].county,
                      .id = list[i].id,
                      .at = now,
                      .event = "remind",
                      .label = "即将超时"};
        rc = change_announce(db, &c);
        if (rc == 0)
            rc = db_run(db, SQL_REMINDED, I(now), S(list[i].county), I(list[i].id));
        if (rc == 0 && reminded)
            (*reminded)++;
    }
    free(list);
    if (rc == 0)
        rc = parts_overdue(db, now, max);
    return rc;
}
