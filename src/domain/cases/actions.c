/* actions.c — what the caller may do to a case now: the one source of truth the phone and the
 * console draw their buttons from (issue 10 part 1). Each event of caseflow.c's table is tried
 * for who's relation to the case (transition.c's cases_relation, the very check a step makes),
 * then the step's own conditions (waiting or not, a part reported or not); what is left is a
 * list of {event, label, note, photos, …} with what each needs. A step the list names is one
 * the server takes; a step it does not name is refused. */
#include <string.h>
#include "domain/cases/cases_int.h"
#include "domain/registry/registry.h"

/* The order buttons appear in: the usual next step first. */
static const case_event_t ORDER[] = {
    CEV_ACCEPT, CEV_RESOLVE, CEV_NOTE, CEV_DISPATCH, CEV_WHISTLE, CEV_ESCALATE, CEV_RETURN,
    CEV_WAIT,   CEV_RESUME,  CEV_RATE, CEV_REOPEN,   CEV_CLOSE,   CEV_MERGE,    CEV_CANCEL,
};

/* Events whose form offers photos: the work in the field. */
static int takes_photos(case_event_t ev)
{
    return ev == CEV_NOTE || ev == CEV_RESOLVE || ev == CEV_RETURN || ev == CEV_ESCALATE ||
           ev == CEV_WAIT;
}

static const char *label_of(case_event_t ev, const case_now_t *c)
{
    switch (ev) {
    case CEV_DISPATCH: return c->assignee[0] ? "改派" : "派单";
    case CEV_ESCALATE: return "上报（蓝单）";
    case CEV_WAIT: return "等待群众";
    default: return caseflow_event_label(ev);
    }
}

/* A target as {code, name}: a region's name from the tree, a department's from the county's
 * list. */
static json_t *target_json(db_t *db, const char *county, const char *code)
{
    char name[128] = "";
    if (strncmp(code, "dept:", 5) == 0)
        cases_dept_name(db, county, code + 5, name, sizeof name);
    else
        region_name_of(db, code, name, sizeof name);
    return json_pack("{s:s,s:s}", "code", code, "name", name[0] ? name : code);
}

/* The step's own conditions beyond the state machine, and what the action carries besides. 0:
 * offered; 1: not now; <0: a store error. */
static int extend(db_t *db, const actor_t *who, const char *county, const case_now_t *c,
                  case_event_t ev, json_t *a)
{
    if (ev == CEV_WAIT && c->paused)
        return 1;
    if (ev == CEV_RESUME && !c->paused)
        return 1;
    if (ev == CEV_DISPATCH)
        json_object_set_new(a, "to",
                            who->role &
                                    (ROLE_STREET_ADMIN | ROLE_CENTER_OPERATOR | ROLE_COUNTY_ADMIN)
                                ? json_pack("[s,s]", "region", "department")
                                : json_pack("[s]", "region"));
    if (ev == CEV_ESCALATE) {
        char up[24], dept[24];
        int rc = cases_escalation_targets(db, county, c, up, sizeof up, dept, sizeof dept);
        if (rc)
            return rc;
        json_t *t = json_array();
        json_array_append_new(t, target_json(db, county, up));
        if (dept[0])
            json_array_append_new(t, target_json(db, county, dept));
        json_object_set_new(a, "targets", t);
    }
    return 0;
}

static const char SQL_MY_PART[] =
    "SELECT p.reported_at, p.done_at, d.name FROM case_parts p LEFT JOIN departments d"
    " ON d.county = p.county AND d.code = p.dept_code"
    " WHERE p.county = ? AND p.case_id = ? AND p.dept_code = ?";

/* A summoned department's own step on its part: 报到, then 办结 (parts.c). */
static int add_part_action(db_t *db, const actor_t *who, const char *county, int64_t id,
                           const case_now_t *c, json_t *out)
{
    if (who->role != ROLE_DEPARTMENT_STAFF || !who->department[0] || strcmp(c->state, "whistle"))
        return 0;
    db_stmt_t *st = db_query(db, SQL_MY_PART, S(county), I(id), S(who->department));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW && db_col_isnull(st, 1)) { /* not done yet */
        int reported = !db_col_isnull(st, 0);
        const char *name = db_col_text(st, 2);
        json_array_append_new(out, json_pack("{s:s,s:s,s:s,s:b,s:s,s:s}", "event",
                                             reported ? "part_done" : "part_report", "label",
                                             reported ? "本部门办结" : "报到", "note",
                                             reported ? "required" : "optional", "photos", 0,
                                             "department", who->department, "department_name",
                                             name ? name : who->department));
    }
    db_reset(st);
    return s < 0 ? s : 0;
}

json_t *cases_actions(db_t *db, const actor_t *who, const char *county, int64_t id, int *rc)
{
    case_now_t c;
    caseflow_actor_t rel;
    err_t e = {0};
    *rc = cases_load_now(db, county, id, &c, &e);
    if (*rc == 0)
        *rc = cases_relation(db, who, county, id, &c, &rel, &e);
    if (*rc)
        return NULL;
    json_t *out = json_array();
    case_state_t from = (case_state_t)caseflow_state_parse(c.state), to;
    for (size_t i = 0; *rc == 0 && i < sizeof ORDER / sizeof ORDER[0]; i++) {
        case_event_t ev = ORDER[i];
        if (cases_step_allowed(who, &c, ev, &e) || caseflow_apply(from, ev, &rel, &to, &e))
            continue;
        json_t *a = json_pack(
            "{s:s,s:s,s:s,s:b}", "event", caseflow_event_name(ev), "label", label_of(ev, &c),
            "note", cases_reason_prompt(ev) ? "required" : "optional", "photos", takes_photos(ev));
        int x = extend(db, who, county, &c, ev, a);
        if (x == 0)
            json_array_append(out, a);
        else if (x < 0)
            *rc = x;
        json_decref(a);
    }
    if (*rc == 0)
        *rc = add_part_action(db, who, county, id, &c, out);
    if (*rc) {
        json_decref(out);
        return NULL;
    }
    return out;
}
