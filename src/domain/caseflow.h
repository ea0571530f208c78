/* caseflow.h — the state machine of a 民生诉求 case (MISSION practices 3, 4, 6): the loop
 * 居民下单 → 平台派单 → 网格员接单 → 群众评价, red/blue slips, the whistle to departments.
 * Pure: a table of (event, from-states, to-state, who may do it). No SQL, no time; the cases
 * module records each applied transition as an append-only event. docs/CASES.md shows the table. */
#ifndef JICENG_DOMAIN_CASEFLOW_H
#define JICENG_DOMAIN_CASEFLOW_H

#include "domain/account.h"
#include "lib/err.h"

typedef enum {
    CASE_SUBMITTED,  /* 已提交: reported, not yet dispatched (also manual triage) */
    CASE_DISPATCHED, /* 已派单: assigned to a grid, community, street or department */
    CASE_ACCEPTED,   /* 已接单: the assignee took it (接单) */
    CASE_RETURNED,   /* 已退回: the assignee sent it back as not theirs */
    CASE_ESCALATED,  /* 已上报: blue slip, or a missed deadline, one level up the tree */
    CASE_WHISTLE,    /* 吹哨处置: departments summoned, each reports in and does its part */
    CASE_RESOLVED,   /* 已办结: handled, waiting for the reporter's rating */
    CASE_RATED,      /* 已评价 */
    CASE_REOPENED,   /* 重新办理: a poor rating or a complaint sends it back (回访) */
    CASE_CLOSED,     /* 已关闭: with an outcome (fixed, partly fixed, not our duty, duplicate) */
    CASE_MERGED,     /* 已合并: a duplicate folded into another case */
    CASE_CANCELLED,  /* 已撤销: withdrawn before handling */
    CASE_NSTATES
} case_state_t;

typedef enum {
    CEV_DISPATCH,   /* 派单 / 改派 */
    CEV_ACCEPT,     /* 接单 */
    CEV_RETURN,     /* 退回 */
    CEV_NOTE,       /* 进展: a note or photos; no change of state */
    CEV_WAIT,       /* 等待群众: deadlines pause */
    CEV_RESUME,     /* 继续办理: deadlines run again */
    CEV_RESOLVE,    /* 办结 */
    CEV_ESCALATE,   /* 上报 (蓝单) */
    CEV_WHISTLE,    /* 吹哨 */
    CEV_PARTS_DONE, /* every summoned department has done its part */
    CEV_RATE,       /* 评价 */
    CEV_REOPEN,     /* 重新办理 */
    CEV_CLOSE,      /* 关闭 */
    CEV_MERGE,      /* 合并 */
    CEV_CANCEL,     /* 撤销 */
    CEV_NEVENTS
} case_event_t;

/* Who acts, and how they stand to this case. */
typedef struct {
    role_t role;     /* 0 for the system (scheduler, automatic dispatch) */
    int is_reporter; /* the account that reported the case */
    int is_assignee; /* the case is assigned inside the actor's scope (grid, community, dept) */
} caseflow_actor_t;

const char *caseflow_state_name(case_state_t s);  /* "accepted"; "" when out of range */
const char *caseflow_state_label(case_state_t s); /* "已接单" */
int caseflow_state_parse(const char *name);       /* state, or -1 */
const char *caseflow_event_name(case_event_t ev);
const char *caseflow_event_label(case_event_t ev);
int caseflow_event_parse(const char *name); /* event, or -1 */
/* Final states accept no event. */
int caseflow_is_final(case_state_t s);

/* Apply ev to a case in state `from` by `who`. 0 with *to set; ERR_CONFLICT (409, "invalid_
 * transition") when the state does not allow the event; ERR_FORBIDDEN when the state allows it but
 * not for this actor. Messages in Chinese. Pure and thread-safe. */
int caseflow_apply(case_state_t from, case_event_t ev, const caseflow_actor_t *who,
                   case_state_t *to, err_t *e);

#endif
