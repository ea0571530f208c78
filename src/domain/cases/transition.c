/* transition.c — one step of a case through the state machine (caseflow.c's table): load the
 * case, check who may (scope, role, holder), take the step's arguments (the table below, beside
 * caseflow's), write the case and its event, and announce the act. Two clicks on the same case:
 * the second finds the event counter moved and gets 409. */
#include <stdio.h>
#include <string.h>
#include "domain/cases/cases_int.h"
#include "domain/common/change.h"
#include "domain/common/photos.h"
#include "domain/registry/registry.h"
#include "lib/utf8.h"

static const char SQL_STATE[] =
    "SELECT state, events, region_code, assignee_code, reporter_id, paused_at, filed_by,"
    " household_id, category_code FROM cases WHERE county = ? AND id = ?";
static const char SQL_UPDATE[] =
    "UPDATE cases SET state = ?, events = events + 1, updated_at = ?,"
    " assignee_code = COALESCE(?, assignee_code), responded_at = COALESCE(responded_at, ?),"
    " resolved_at = COALESCE(?, resolved_at), closed_at = COALESCE(?, closed_at),"
    " rating = COALESCE(?, rating), rating_comment = COALESCE(?, rating_comment),"
    " outcome = COALESCE(?, outcome), slip = COALESCE(?, slip)"
    " WHERE county = ? AND id = ? AND events = ?";
static const char SQL_PAUSE[] = "UPDATE cases SET paused_at = ? WHERE county = ? AND id = ?";
/* Deadlines move by the time spent waiting on the resident. */
static const char SQL_UNPAUSE[] =
    "UPDATE cases SET respond_due = respond_due + (? - paused_at),"
    " complete_due = complete_due + (? - paused_at), paused_at = NULL, reminded_at = NULL"
    " WHERE county = ? AND id = ? AND paused_at IS NOT NULL";

static void nullable_i64(db_stmt_t *st, int idx, int64_t v)
{
    if (v)
        db_bind_i64(st, idx, v);
    else
        db_bind_null(st, idx);
}

static const char SQL_PART_INSERT[] =
    "INSERT INTO case_parts (county, case_id, dept_code, summoned_at, report_due, task)"
    " VALUES (?,?,?,?,?,?)";
#define WHISTLE_REPORT_H 2 /* 报到 within 2 hours unless the whistle says otherwise */

/* 合并: the target must be another open case of the county that who can see. */
static const char SQL_TARGET[] = "SELECT state FROM cases WHERE county = ? AND id = ?";

static int merge_target_ok(db_t *db, const actor_t *who, const char *county, int64_t id,
                           int64_t into, err_t *e)
{
    if (!into)
        return err_set(e, ERR_INVALID, "invalid", "请选择要合并到的诉求", "into");
    if (into == id)
        return err_set(e, ERR_INVALID, "invalid", "不能合并到自身", "into");
    db_stmt_t *st = db_query(db, SQL_TARGET, S(county), I(into));
    int r = st ? db_step(st) : ERR_IO;
    char state[24] = "";
    if (r == DB_ROW)
        snprintf(state, sizeof state, "%s", db_col_text(st, 0));
    db_reset(st);
    if (r < 0)
        return r;
    if (r != DB_ROW || (who && !cases_visible(db, who, county, into)))
        return err_set(e, ERR_INVALID, "invalid", "要合并到的诉求不存在或不在您的管辖范围内",
                       "into");
    if (!strcmp(state, "merged") || !strcmp(state, "cancelled") || !strcmp(state, "closed") ||
        !strcmp(state, "resolved") || !strcmp(state, "rated"))
        return err_set(e, ERR_CONFLICT, "invalid_transition", "只能合并到仍在办理中的诉求", "into");
    return 0;
}

static const char SQL_MERGED[] = "UPDATE cases SET merged_into = ? WHERE county = ? AND id = ?";
static const char SQL_TARGET_BUMP[] = "UPDATE cases SET events = events + 1, updated_at = ? WHERE "
                                      "county = ? AND id = ? AND events = ?";
static const char SQL_EVENTS_OF[] = "SELECT events, state FROM cases WHERE county = ? AND id = ?";

/* Record the merge on both cases: the merged one points at its target, and the target's
 * timeline says what was folded into it (its reporter is told, in the same transaction). */
static int merge_into(db_t *db, const actor_t *who, const char *county, int64_t id, int64_t into,
                      int64_t now)
{
    int rc = db_run(db, SQL_MERGED, I(into), S(county), I(id));
    if (rc)
        return rc;
    db_stmt_t *st = db_query(db, SQL_EVENTS_OF, S(county), I(into));
    int r = st ? db_step(st) : ERR_IO;
    int64_t events = r == DB_ROW ? db_col_i64(st, 0) : 0;
    char state[24] = "";
    if (r == DB_ROW)
        snprintf(state, sizeof state, "%s", db_col_text(st, 1));
    db_reset(st);
    if (r != DB_ROW)
        return r < 0 ? r : ERR_CONFLICT;
    st = db_query(db, SQL_TARGET_BUMP, I(now), S(county), I(into), I(events));
    r = st ? db_step(st) : ERR_IO;
    int64_t changed = r >= 0 ? db_changes(st) : 0;
    db_reset(st);
    if (r < 0)
        return r;
    if (changed != 1)
        return ERR_CONFLICT;
    char detail[48];
    snprintf(detail, sizeof detail, "{\"from\":\"%lld\"}", (long long)id);
    return cases_event_add(db, county, into, (int)events + 1, now, who, "merged_in", state, state,
                           "合并了一条重复诉求", detail);
}

/* What a step sets on the case, filled by its event's argument function. */
typedef struct {
    const char *new_assignee, *outcome, *slip;
    int64_t responded, resolved, closed;
    char up[24], detail[160];
} step_set_t;

/* A step's arguments: check what the request brings for this event and say what it sets. */
typedef int (*step_args_fn)(db_t *db, const actor_t *who, const char *county, int64_t id,
                            const case_now_t *c, cases_step_t *s, step_set_t *a, err_t *e);

/* 派单: to a department ("dept:<code>", street/center/county only) or to a region inside the
 * caller's scope, from a town down to a grid. */
static int args_dispatch(db_t *db, const actor_t *who, const char *county, int64_t id,
                         const case_now_t *c, cases_step_t *s, step_set_t *a, err_t *e)
{
    (void)id, (void)c;
    if (s->assignee && strncmp(s->assignee, "dept:", 5) == 0) {
        if (who && !(who->role & (ROLE_STREET_ADMIN | ROLE_CENTER_OPERATOR | ROLE_COUNTY_ADMIN)))
            return err_set(e, ERR_FORBIDDEN, "forbidden", "只有街道、指挥中心或县级可派单到部门",
                           "assignee");
        if (strlen(s->assignee) > 20 || !cases_dept_name(db, county, s->assignee + 5, NULL, 0))
            return err_set(e, ERR_INVALID, "invalid", "部门不存在", "assignee");
    } else if (!s->assignee || !region_code_valid(s->assignee) ||
               region_level_of(s->assignee) < REGION_TOWN ||
               region_level_of(s->assignee) > REGION_GRID ||
               (who && !region_in_scope(who->scope, s->assignee)) ||
               !region_in_scope(county, s->assignee)) {
        return err_set(e, ERR_INVALID, "invalid", "请选择您辖区内的网格、村/社区或街道派单",
                       "assignee");
    }
    a->new_assignee = s->assignee;
    snprintf(a->detail, sizeof a->detail, "{\"assignee\":\"%s\"}", s->assignee);
    return 0;
}

/* 吹哨: 1 to 21 distinct departments of the county, each with its 报到 deadline (1 to 72 hours)
 * and what it is summoned to do (up to 200 characters). */
static int args_whistle(db_t *db, const actor_t *who, const char *county, int64_t id,
                        const case_now_t *c, cases_step_t *s, step_set_t *a, err_t *e)
{
    (void)who, (void)id, (void)c;
    if (!s->departments || s->ndepartments < 1 || s->ndepartments > 21)
        return err_set(e, ERR_INVALID, "invalid", "请选择 1 到 21 个要报到的部门", "departments");
    size_t o = (size_t)snprintf(a->detail, sizeof a->detail, "{\"departments\":[");
    for (int i = 0; i < s->ndepartments; i++) {
        char nm[8];
        if (!s->departments[i] || !cases_dept_name(db, county, s->departments[i], nm, sizeof nm))
            return err_set(e, ERR_INVALID, "invalid", "部门不存在", "departments");
        for (int k = 0; k < i; k++)
            if (strcmp(s->departments[k], s->departments[i]) == 0)
                return err_set(e, ERR_INVALID, "invalid", "部门重复", "departments");
        int h = s->report_hours ? s->report_hours[i] : 0;
        if (h < 0 || h > 72)
            return err_set(e, ERR_INVALID, "invalid", "报到时限应为 1 到 72 小时", "departments");
        const char *t = s->tasks ? s->tasks[i] : NULL;
        if (t && utf8_count(t, strlen(t)) > 200)
            return err_set(e, ERR_INVALID, "invalid", "部门任务说明不能超过 200 字", "departments");
        if (o < sizeof a->detail)
            o += (size_t)snprintf(a->detail + o, sizeof a->detail - o, "%s\"%s\"", i ? "," : "",
                                  s->departments[i]);
    }
    if (o < sizeof a->detail)
        snprintf(a->detail + o, sizeof a->detail - o, "]}");
    return 0;
}

static int args_accept(db_t *db, const actor_t *who, const char *county, int64_t id,
                       const case_now_t *c, cases_step_t *s, step_set_t *a, err_t *e)
{
    (void)db, (void)who, (void)county, (void)id, (void)c, (void)e;
    a->responded = s->now;
    return 0;
}

static int args_resolve(db_t *db, const actor_t *who, const char *county, int64_t id,
                        const case_now_t *c, cases_step_t *s, step_set_t *a, err_t *e)
{
    (void)db, (void)who, (void)county, (void)id, (void)c, (void)e;
    a->resolved = s->now;
    return 0;
}

/* 上报 (blue slip): one level up (a department's case to the county, its governance center), or
 * straight to the department the category names (assignee "dept:<code>"). */
static int args_escalate(db_t *db, const actor_t *who, const char *county, int64_t id,
                         const case_now_t *c, cases_step_t *s, step_set_t *a, err_t *e)
{
    (void)who, (void)id;
    char dept[24];
    int rc = cases_escalation_targets(db, county, c, a->up, sizeof a->up, dept, sizeof dept);
    if (rc)
        return rc;
    if (s->assignee && strcmp(s->assignee, a->up) != 0) {
        if (!dept[0] || strcmp(s->assignee, dept) != 0)
            return err_set(e, ERR_INVALID, "invalid", "只能上报到上一级或该类事项的主管部门",
                           "assignee");
        snprintf(a->up, sizeof a->up, "%s", dept);
    }
    a->new_assignee = a->up;
    a->slip = "blue";
    snprintf(a->detail, sizeof a->detail, "{\"assignee\":\"%s\"}", a->up);
    return 0;
}

static int args_close(db_t *db, const actor_t *who, const char *county, int64_t id,
                      const case_now_t *c, cases_step_t *s, step_set_t *a, err_t *e)
{
    (void)db, (void)who, (void)county, (void)id, (void)c;
    a->outcome = s->outcome ? s->outcome : "fixed";
    if (strcmp(a->outcome, "fixed") && strcmp(a->outcome, "partly_fixed") &&
        strcmp(a->outcome, "not_our_duty") && strcmp(a->outcome, "duplicate"))
        return err_set(e, ERR_INVALID, "invalid", "办结结果不正确", "outcome");
    a->closed = s->now;
    snprintf(a->detail, sizeof a->detail, "{\"outcome\":\"%s\"}", a->outcome);
    return 0;
}

static int args_merge(db_t *db, const actor_t *who, const char *county, int64_t id,
                      const case_now_t *c, cases_step_t *s, step_set_t *a, err_t *e)
{
    (void)c;
    int rc = merge_target_ok(db, who, county, id, s->into, e);
    if (rc == 0)
        snprintf(a->detail, sizeof a->detail, "{\"into\":\"%lld\"}", (long long)s->into);
    return rc;
}

static int args_rate(db_t *db, const actor_t *who, const char *county, int64_t id,
                     const case_now_t *c, cases_step_t *s, step_set_t *a, err_t *e)
{
    (void)db, (void)who, (void)county, (void)id, (void)c;
    if (s->rating < 1 || s->rating > 5)
        return err_set(e, ERR_INVALID, "invalid", "评价应为 1 到 5 星", "rating");
    snprintf(a->detail, sizeof a->detail, "{\"rating\":%d}", s->rating);
    return 0;
}

static int args_wait(db_t *db, const actor_t *who, const char *county, int64_t id,
                     const case_now_t *c, cases_step_t *s, step_set_t *a, err_t *e)
{
    (void)db, (void)who, (void)county, (void)id, (void)s, (void)a;
    if (c->paused)
        return err_set(e, ERR_CONFLICT, "invalid_transition", "已在等待群众回复", NULL);
    return 0;
}

static int args_resume(db_t *db, const actor_t *who, const char *county, int64_t id,
                       const case_now_t *c, cases_step_t *s, step_set_t *a, err_t *e)
{
    (void)db, (void)who, (void)county, (void)id, (void)s, (void)a;
    if (!c->paused)
        return err_set(e, ERR_CONFLICT, "invalid_transition", "该诉求未处于等待状态", NULL);
    return 0;
}

const char *cases_reason_prompt(case_event_t ev)
{
    switch (ev) {
    case CEV_NOTE: return "请填写进展说明";
    case CEV_RETURN: return "请填写退回原因";
    case CEV_ESCALATE: return "请填写上报原因";
    case CEV_CANCEL: return "请填写撤销原因";
    case CEV_REOPEN: return "请填写重新办理的原因";
    case CEV_WAIT: return "请说明在等待群众什么";
    default: return NULL;
    }
}

/* Per-event arguments, beside caseflow's table: an event not named here needs nothing but an
 * optional note and photos. */
static const step_args_fn step_args[CEV_NEVENTS] = {
    [CEV_DISPATCH] = args_dispatch, [CEV_WHISTLE] = args_whistle,   [CEV_ACCEPT] = args_accept,
    [CEV_RESOLVE] = args_resolve,   [CEV_ESCALATE] = args_escalate, [CEV_CLOSE] = args_close,
    [CEV_MERGE] = args_merge,       [CEV_RATE] = args_rate,         [CEV_WAIT] = args_wait,
    [CEV_RESUME] = args_resume,
};

int cases_load_now(db_t *db, const char *county, int64_t id, case_now_t *c, err_t *e)
{
    db_stmt_t *st = db_query(db, SQL_STATE, S(county), I(id));
    int r = st ? db_step(st) : ERR_IO;
    if (r == DB_ROW) {
        snprintf(c->state, sizeof c->state, "%s", db_col_text(st, 0));
        c->events = db_col_i64(st, 1);
        snprintf(c->region, sizeof c->region, "%s", db_col_text(st, 2));
        snprintf(c->assignee, sizeof c->assignee, "%s",
                 db_col_text(st, 3) ? db_col_text(st, 3) : "");
        c->reporter = db_col_i64(st, 4);
        c->paused = !db_col_isnull(st, 5);
        c->filer = db_col_isnull(st, 6) ? 0 : db_col_i64(st, 6);
        c->household = db_col_isnull(st, 7) ? 0 : db_col_i64(st, 7);
        snprintf(c->category, sizeof c->category, "%s", db_col_text(st, 8));
    }
    db_reset(st);
    if (r == DB_ROW)
        return 0;
    return r < 0 ? r
                 : err_set(e, ERR_NOTFOUND, "not_found", "诉求不存在或不在您的管辖范围内", NULL);
}

int cases_relation(db_t *db, const actor_t *who, const char *county, int64_t id,
                   const case_now_t *c, caseflow_actor_t *actor, err_t *e)
{
    *actor = (caseflow_actor_t){0};
    if (!who)
        return 0;
    int part = cases_has_part(db, who, county, id);
    const char *assignee = c->assignee[0] ? c->assignee : NULL;
    if (!part && !cases_visible_to(who, c->region, assignee, c->reporter, c->filer))
        return err_set(e, ERR_NOTFOUND, "not_found", "诉求不存在或不在您的管辖范围内", NULL);
    actor->role = who->role;
    actor->is_reporter = c->reporter == who->id;
    actor->is_assignee =
        part ||
        (assignee && (region_in_scope(who->scope, assignee) || cases_dept_holds(who, assignee)));
    return 0;
}

int cases_step_allowed(const actor_t *who, const case_now_t *c, case_event_t ev, err_t *e)
{
    if (!who || !c->assignee[0] || region_in_scope(who->scope, c->assignee))
        return 0;
    int dept = strncmp(c->assignee, "dept:", 5) == 0;
    /* Re-dispatching or summoning departments: a case held by a department is anyone's above it
     * to move; one held by a level above is not. */
    if ((ev == CEV_DISPATCH || ev == CEV_WHISTLE) && !dept)
        return err_set(e, ERR_FORBIDDEN, "forbidden", "该诉求已由上级承办，您无权派单或吹哨", NULL);
    /* A blue slip is sent up by whoever holds the case (the grid worker's is checked as holder by
     * the state machine); a manager does not send up what another level or a department holds. */
    if (ev == CEV_ESCALATE && (who->role & (ROLE_COMMUNITY_ADMIN | ROLE_STREET_ADMIN)))
        return err_set(e, ERR_FORBIDDEN, "forbidden", "该诉求不由您承办，不能上报", NULL);
    return 0;
}

/* May who take ev now? Scope (404 outside it), then the state machine with who's relation to the
 * case (reporter, holder, summoned department). The state reached goes to *to. */
static int may_step(db_t *db, const actor_t *who, const char *county, int64_t id,
                    const case_now_t *c, case_event_t ev, case_state_t *to, err_t *e)
{
    caseflow_actor_t actor;
    int rc = cases_relation(db, who, county, id, c, &actor, e);
    if (rc == 0)
        rc = caseflow_apply((case_state_t)caseflow_state_parse(c->state), ev, &actor, to, e);
    return rc ? rc : cases_step_allowed(who, c, ev, e);
}

/* The case's own row, if nobody changed it since load_now (else 409: one of two clicks wins). */
static int write_case(db_t *db, const char *county, int64_t id, const case_now_t *c,
                      case_event_t ev, case_state_t to, const cases_step_t *s, const step_set_t *a,
                      err_t *e)
{
    db_stmt_t *st = db_prepare(db, SQL_UPDATE);
    if (!st)
        return ERR_IO;
    db_bind_text(st, 1, caseflow_state_name(to), -1);
    db_bind_i64(st, 2, s->now);
    db_bind_text(st, 3, a->new_assignee, -1);
    nullable_i64(st, 4, a->responded);
    nullable_i64(st, 5, a->resolved);
    nullable_i64(st, 6, a->closed);
    nullable_i64(st, 7, ev == CEV_RATE ? s->rating : 0);
    db_bind_text(st, 8, ev == CEV_RATE ? s->note : NULL, -1);
    db_bind_text(st, 9, a->outcome, -1);
    db_bind_text(st, 10, a->slip, -1);
    db_bind_text(st, 11, county, -1);
    db_bind_i64(st, 12, id);
    db_bind_i64(st, 13, c->events);
    int rc = db_step(st);
    int64_t changed = rc >= 0 ? db_changes(st) : 0;
    db_reset(st);
    if (rc < 0)
        return rc;
    if (changed != 1)
        return err_set(e, ERR_CONFLICT, "conflict", "该诉求刚被他人处理，请刷新后重试", NULL);
    return 0;
}

/* What follows the write, in its transaction: the new holder's worker, the pause clock, the
 * event and its photos, the merge, the whistle's parts, and the announcement of the act. */
static int after_write(db_t *db, const actor_t *who, const char *county, int64_t id,
                       const case_now_t *c, case_event_t ev, case_state_t to, cases_step_t *s,
                       const step_set_t *a)
{
    int rc = 0, seq = (int)c->events + 1;
    /* A new holder: a grid gets one of its workers (load balanced), anyone else none. */
    if (a->new_assignee)
        rc = cases_give_to_worker(db, county, id, a->new_assignee);
    if (rc == 0 && ev == CEV_WAIT)
        rc = db_run(db, SQL_PAUSE, I(s->now), S(county), I(id));
    else if (rc == 0 && ev == CEV_RESUME)
        rc = db_run(db, SQL_UNPAUSE, I(s->now), I(s->now), S(county), I(id));
    if (rc == 0)
        rc = cases_event_add(db, county, id, seq, s->now, who, caseflow_event_name(ev), c->state,
                             caseflow_state_name(to), s->note, a->detail[0] ? a->detail : NULL);
    if (rc == 0 && s->photos && who)
        rc = cases_photos_attach(db, county, id, seq, s->photos);
    if (rc == 0 && ev == CEV_MERGE)
        rc = merge_into(db, who, county, id, s->into, s->now);
    /* 中心吹哨: each summoned department must report in (报到) within its hours. */
    for (int i = 0; rc == 0 && ev == CEV_WHISTLE && i < s->ndepartments; i++) {
        int h = s->report_hours && s->report_hours[i] ? s->report_hours[i] : WHISTLE_REPORT_H;
        const char *task =
            s->tasks && s->tasks[i] && !cases_blank(s->tasks[i]) ? s->tasks[i] : NULL;
        rc = db_run(db, SQL_PART_INSERT, S(county), I(id), S(s->departments[i]), I(s->now),
                    I(s->now + (int64_t)h * 3600 * 1000), S(task));
    }
    /* The inbox tells the reporter and whoever now holds the case; a case closed as fixed may
     * earn its household points (积分制). */
    if (rc == 0) {
        change_t ch = {.kind = CHANGE_CASE_ACT,
                       .county = county,
                       .id = id,
                       .at = s->now,
                       .event = caseflow_event_name(ev),
                       .label = caseflow_state_label(to),
                       .actor_id = who ? who->id : 0,
                       .outcome = a->outcome,
                       .household = c->household};
        rc = change_announce(db, &ch);
    }
    return rc;
}

int cases_apply(db_t *db, const actor_t *who, const char *county, int64_t id, case_event_t ev,
                cases_step_t *s, err_t *e)
{
    case_now_t c;
    step_set_t a = {0};
    case_state_t to = CASE_SUBMITTED;
    int rc = cases_load_now(db, county, id, &c, e);
    if (rc == 0)
        rc = may_step(db, who, county, id, &c, ev, &to, e);
    if (rc == 0 && step_args[ev])
        rc = step_args[ev](db, who, county, id, &c, s, &a, e);
    const char *reason = who ? cases_reason_prompt(ev) : NULL;
    if (rc == 0 && reason && (!s->note || cases_blank(s->note)))
        rc = err_set(e, ERR_INVALID, "invalid", reason, "note");
    if (rc == 0 && s->note && utf8_count(s->note, strlen(s->note)) > 500)
        rc = err_set(e, ERR_INVALID, "invalid", "说明不能超过 500 字", "note");
    if (rc == 0 && s->photos && who)
        rc = photos_check(db, who, s->photos, e);
    if (rc == 0)
        rc = write_case(db, county, id, &c, ev, to, s, &a, e);
    if (rc == 0 && (rc = after_write(db, who, county, id, &c, ev, to, s, &a)) == ERR_CONFLICT)
        return err_set(e, ERR_CONFLICT, "conflict", "该诉求刚被他人处理，请刷新后重试", NULL);
    if (rc == 0)
        snprintf(s->state, sizeof s->state, "%s", caseflow_state_name(to));
    return rc;
}

int cases_transition(db_t *db, const actor_t *who, int64_t id, cases_step_t *s, err_t *e)
{
    int ev = caseflow_event_parse(s->event);
    /* parts_done is the system's alone: nobody sends it. */
    if (ev < 0 || ev == CEV_PARTS_DONE)
        return err_set(e, ERR_INVALID, "invalid", "未知的操作", "event");
    char county[8];
    cases_county_of(who->scope, county);
    int rc = cases_apply(db, who, county, id, (case_event_t)ev, s, e);
    /* A rating decides what follows (回访): 1–2 stars reopen the case, 3–5 close it as fixed. */
    if (rc == 0 && ev == CEV_RATE) {
        cases_step_t next = {.now = s->now, .outcome = "fixed"};
        next.note = s->rating <= 2 ? "评价不满意，重新办理并回访" : "群众评价满意，自动关闭";
        rc = cases_apply(db, NULL, county, id, s->rating <= 2 ? CEV_REOPEN : CEV_CLOSE, &next, e);
        if (rc == 0)
            snprintf(s->state, sizeof s->state, "%s", next.state);
    }
    return rc;
}
