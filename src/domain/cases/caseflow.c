/* caseflow.c — the transition table (docs/CASES.md shows it with the holder rules).
 *
 *  event      from                                        to          who
 *  ---------  ------------------------------------------  ----------  ---------------------------
 *  dispatch   submitted, returned, escalated              dispatched  system; community, street,
 *                                                                     center, county admins
 *  accept     dispatched, reopened, escalated             accepted    holder: grid worker, dept
 *                                                                     staff, community/street admin
 *  return     dispatched                                  returned    holder: the same handlers
 *  note       dispatched, accepted, escalated, whistle,   (same)      holder staff; managers;
 *             reopened                                                center operator
 *  wait       accepted, reopened                          (same)      holder staff
 *  resume     accepted, reopened                          (same)      holder staff; system
 *  resolve    accepted, reopened                          resolved    holder staff
 *  escalate   submitted, dispatched, accepted, reopened,  escalated   system (missed deadline);
 *             escalated                                               community/street admin;
 *                                                                     holder grid worker (蓝单)
 *  whistle    escalated, accepted                         whistle     center operator, street admin
 *  parts_done whistle                                     resolved    system only
 *  rate       resolved                                    rated       the reporter
 *  reopen     rated, resolved                             reopened    system (poor rating);
 *                                                                     community/street admin,
 * center close      resolved, rated                             closed      system;
 * community/street admin, center, county admin merge      submitted, dispatched merged
 * community/street admin, center cancel     submitted, dispatched                       cancelled
 * the reporter; community admin
 *
 * 小事不出网格、大事不出城区 (practice 6): escalation goes one level at a time; the cases module
 * decides the next level. Red slip 24 h / completion 48 h (practices 3, 4) are deadlines, kept by
 * the scheduler, not states. */
#include <string.h>
#include "domain/cases/cases.h"

static const struct {
    const char *name, *label;
} states[CASE_NSTATES] = {
    [CASE_SUBMITTED] = {"submitted", "已提交"}, [CASE_DISPATCHED] = {"dispatched", "已派单"},
    [CASE_ACCEPTED] = {"accepted", "已接单"},   [CASE_RETURNED] = {"returned", "已退回"},
    [CASE_ESCALATED] = {"escalated", "已上报"}, [CASE_WHISTLE] = {"whistle", "吹哨处置中"},
    [CASE_RESOLVED] = {"resolved", "已办结"},   [CASE_RATED] = {"rated", "已评价"},
    [CASE_REOPENED] = {"reopened", "重新办理"}, [CASE_CLOSED] = {"closed", "已关闭"},
    [CASE_MERGED] = {"merged", "已合并"},       [CASE_CANCELLED] = {"cancelled", "已撤销"},
};

static const struct {
    const char *name, *label;
} events[CEV_NEVENTS] = {
    [CEV_DISPATCH] = {"dispatch", "派单"}, [CEV_ACCEPT] = {"accept", "接单"},
    [CEV_RETURN] = {"return", "退回"},     [CEV_NOTE] = {"note", "进展"},
    [CEV_WAIT] = {"wait", "等待群众"},     [CEV_RESUME] = {"resume", "继续办理"},
    [CEV_RESOLVE] = {"resolve", "办结"},   [CEV_ESCALATE] = {"escalate", "上报"},
    [CEV_WHISTLE] = {"whistle", "吹哨"},   [CEV_PARTS_DONE] = {"parts_done", "各部门办结"},
    [CEV_RATE] = {"rate", "评价"},         [CEV_REOPEN] = {"reopen", "重新办理"},
    [CEV_CLOSE] = {"close", "关闭"},       [CEV_MERGE] = {"merge", "合并"},
    [CEV_CANCEL] = {"cancel", "撤销"},
};

#define ST(x) (1u << (x)) /* a set of states */
#define SAME (-1)
#define MANAGERS (ROLE_COMMUNITY_ADMIN | ROLE_STREET_ADMIN)
#define HANDLERS (ROLE_GRID_WORKER | ROLE_DEPARTMENT_STAFF | MANAGERS)

/* who: system allowed; roles allowed regardless of relation; roles allowed when assignee;
 * reporter allowed. */
static const struct {
    case_event_t ev;
    unsigned from;
    int to;
    int system;
    unsigned roles;          /* any case in scope */
    unsigned assignee_roles; /* only when the case is assigned to them */
    int reporter;
} table[] = {
    {CEV_DISPATCH, ST(CASE_SUBMITTED) | ST(CASE_RETURNED) | ST(CASE_ESCALATED), CASE_DISPATCHED, 1,
     MANAGERS | ROLE_CENTER_OPERATOR | ROLE_COUNTY_ADMIN, 0, 0},
    {CEV_ACCEPT, ST(CASE_DISPATCHED) | ST(CASE_REOPENED) | ST(CASE_ESCALATED), CASE_ACCEPTED, 0, 0,
     HANDLERS, 0},
    {CEV_RETURN, ST(CASE_DISPATCHED), CASE_RETURNED, 0, 0, HANDLERS, 0},
    {CEV_NOTE,
     ST(CASE_DISPATCHED) | ST(CASE_ACCEPTED) | ST(CASE_ESCALATED) | ST(CASE_WHISTLE) |
         ST(CASE_REOPENED),
     SAME, 0, MANAGERS | ROLE_CENTER_OPERATOR, HANDLERS, 0},
    {CEV_WAIT, ST(CASE_ACCEPTED) | ST(CASE_REOPENED), SAME, 0, 0, HANDLERS, 0},
    {CEV_RESUME, ST(CASE_ACCEPTED) | ST(CASE_REOPENED), SAME, 1, 0, HANDLERS, 0},
    {CEV_RESOLVE, ST(CASE_ACCEPTED) | ST(CASE_REOPENED), CASE_RESOLVED, 0, 0, HANDLERS, 0},
    {CEV_ESCALATE,
     ST(CASE_SUBMITTED) | ST(CASE_DISPATCHED) | ST(CASE_ACCEPTED) | ST(CASE_REOPENED) |
         ST(CASE_ESCALATED),
     CASE_ESCALATED, 1, MANAGERS, ROLE_GRID_WORKER, 0},
    {CEV_WHISTLE, ST(CASE_ESCALATED) | ST(CASE_ACCEPTED), CASE_WHISTLE, 0,
     ROLE_CENTER_OPERATOR | ROLE_STREET_ADMIN, 0, 0},
    {CEV_PARTS_DONE, ST(CASE_WHISTLE), CASE_RESOLVED, 1, 0, 0, 0},
    {CEV_RATE, ST(CASE_RESOLVED), CASE_RATED, 0, 0, 0, 1},
    {CEV_REOPEN, ST(CASE_RATED) | ST(CASE_RESOLVED), CASE_REOPENED, 1,
     MANAGERS | ROLE_CENTER_OPERATOR, 0, 0},
    {CEV_CLOSE, ST(CASE_RESOLVED) | ST(CASE_RATED), CASE_CLOSED, 1,
     MANAGERS | ROLE_CENTER_OPERATOR | ROLE_COUNTY_ADMIN, 0, 0},
    {CEV_MERGE, ST(CASE_SUBMITTED) | ST(CASE_DISPATCHED), CASE_MERGED, 0,
     MANAGERS | ROLE_CENTER_OPERATOR, 0, 0},
    {CEV_CANCEL, ST(CASE_SUBMITTED) | ST(CASE_DISPATCHED), CASE_CANCELLED, 0, ROLE_COMMUNITY_ADMIN,
     0, 1},
};

const char *caseflow_state_name(case_state_t s)
{
    return (unsigned)s < CASE_NSTATES ? states[s].name : "";
}
const char *caseflow_state_label(case_state_t s)
{
    return (unsigned)s < CASE_NSTATES ? states[s].label : "";
}
const char *caseflow_event_name(case_event_t ev)
{
    return (unsigned)ev < CEV_NEVENTS ? events[ev].name : "";
}
const char *caseflow_event_label(case_event_t ev)
{
    return (unsigned)ev < CEV_NEVENTS ? events[ev].label : "";
}

int caseflow_state_parse(const char *name)
{
    for (int i = 0; name && i < CASE_NSTATES; i++)
        if (strcmp(states[i].name, name) == 0)
            return i;
    return -1;
}

int caseflow_event_parse(const char *name)
{
    for (int i = 0; name && i < CEV_NEVENTS; i++)
        if (strcmp(events[i].name, name) == 0)
            return i;
    return -1;
}

int caseflow_is_final(case_state_t s)
{
    return s == CASE_CLOSED || s == CASE_MERGED || s == CASE_CANCELLED;
}

int caseflow_apply(case_state_t from, case_event_t ev, const caseflow_actor_t *who,
                   case_state_t *to, err_t *e)
{
    if ((unsigned)from >= CASE_NSTATES || (unsigned)ev >= CEV_NEVENTS)
        return err_set(e, ERR_INVALID, "invalid", "未知的状态或操作", NULL);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].ev != ev)
            continue;
        if (!(table[i].from & ST(from)))
            return err_set(e, ERR_CONFLICT, "invalid_transition",
                           caseflow_is_final(from) ? "该诉求已结束，不能再操作"
                                                   : "当前状态下不能进行此操作",
                           NULL);
        int ok = who->role == 0 ? table[i].system
                                : (table[i].roles & who->role) ||
                                      (who->is_assignee && (table[i].assignee_roles & who->role)) ||
                                      (who->is_reporter && table[i].reporter);
        if (!ok)
            return err_set(e, ERR_FORBIDDEN, "forbidden", "您无权对该诉求进行此操作", NULL);
        *to = table[i].to == SAME ? from : (case_state_t)table[i].to;
        return 0;
    }
    return err_set(e, ERR_INVALID, "invalid", "未知的操作", NULL);
}
