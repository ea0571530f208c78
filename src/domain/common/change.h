/* change.h — changes announced, not called (after Redis' notifyKeyspaceEvent). A practice that
 * changes a record describes the change once in a change_t and announces it; whoever needs to
 * follow (KPI counters, the inbox, the webhook outbox, points' automatic awards, later the big
 * screen) registers a listener for that kind at start-up, in app/. The practice includes none of
 * its listeners' headers.
 *
 * Listeners run in the announcing thread, inside the same transaction as the change, in the
 * order they were registered. The first listener that fails stops the announcement and its
 * error is the write's: the whole write rolls back, as if the practice had failed itself. */
#ifndef JICENG_DOMAIN_COMMON_CHANGE_H
#define JICENG_DOMAIN_COMMON_CHANGE_H

#include <stdint.h>
#include "store/db.h"

/* What changed. A practice adds its kinds here; each kind says which fields it fills. */
typedef enum {
    /* A row appended to a case's history (case_events): county, id, seq, at, event, from, to. */
    CHANGE_CASE_EVENT,
    /* One act on a case finished (a report, a step, a merge): county, id, at, event (the act's
     * event name), label (the state reached, Chinese), actor_id; outcome and household when the
     * act closed the case (the reporter's household, 0 if none). */
    CHANGE_CASE_ACT,
    /* A case is near its deadline (the reminder pass): county, id, at, event "remind", label. */
    CHANGE_CASE_REMIND,
    /* A summoned department did not report in on time: county, id, at, dept, dept_name. */
    CHANGE_CASE_PART_LATE,
    /* 积分超市: the keeper handed an order's goods over: county, id (the order), at, label (what
     * was handed over, "大米 5kg ×2"), actor_id (the keeper), household (the order's). */
    CHANGE_ORDER_HANDOVER,
    CHANGE_KINDS
} change_kind_t;

typedef struct {
    change_kind_t kind;
    const char *county;
    int64_t id; /* the record's id */
    int seq;    /* its event number, when it has a history */
    int64_t at;
    const char *event;
    const char *from, *to; /* state names; NULL when none */
    const char *label;
    int64_t actor_id; /* 0: the system */
    const char *outcome;
    int64_t household;
    const char *dept, *dept_name;
} change_t;

/* A listener: 0, or a store error (negative) that rolls the write back. */
typedef int (*change_fn)(db_t *db, const change_t *c);

/* Register fn for kind (start-up only, before any thread announces). At most CHANGE_MAX_LISTENERS
 * per kind (fatal otherwise). */
#define CHANGE_MAX_LISTENERS 8
void change_listen(change_kind_t kind, change_fn fn);
/* Forget every listener (tests). */
void change_reset(void);

/* Hand c to every listener of its kind in turn; the first non-zero return ends it and is
 * returned. 0 when there is no listener. */
int change_announce(db_t *db, const change_t *c);

/* How many changes this process has announced (thread-safe): the live streams poll at once when
 * it moved since the last commit (http/sse.c), not only at their 2 s tick. */
long change_count(void);

#endif
