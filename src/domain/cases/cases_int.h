/* cases_int.h — what the files of domain/cases/ share; not part of the public surface (cases.h).
 *
 *   report.c      a new report: validate, place, choose the holder, insert, announce
 *   transition.c  one step of the state machine on a case (caseflow.c's table) and its arguments
 *   parts.c       the whistle's parts: a summoned department reports in and finishes
 *   tick.c        the scheduler's pass: escalation, reminders, late departments
 *   read.c        one case, lists, queues, the map, similar cases — always within the caller's
 * scope dispatch.c    where a case goes and by when: categories' deadlines, departments, 负载均衡
 *   events.c      a case's history: append an event and announce it
 *   photos.c      which event shows which photo; who may read a photo because of a case
 *   categories.c  the county's categories and departments (data, editable)
 *   reach.c       the people a department's cases link it to; the county's setting to widen it
 *   casestats.c   KPI counters; caseflow.c the state machine; open311.c, feed.c their faces */
#ifndef JICENG_DOMAIN_CASES_INT_H
#define JICENG_DOMAIN_CASES_INT_H

#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include "domain/cases/cases.h"

/* Text that is empty or only whitespace (ASCII or the ideographic space U+3000). */
static inline int cases_blank(const char *t)
{
    for (const unsigned char *p = (const unsigned char *)t; t && *p;) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
            p += 3;
        else
            return 0;
    }
    return 1;
}

/* The county (6 digits) of a region code or scope. */
static inline void cases_county_of(const char *code, char county[8])
{
    snprintf(county, 8, "%.6s", code);
}

/* A 64-bit id as a JSON string (JavaScript numbers lose digits). */
static inline json_t *cases_id_json(int64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%" PRId64, v);
    return json_string(b);
}

/* ---- dispatch.c ---- */

/* An active category as dispatch needs it. */
typedef struct {
    char code[16], handling[16], unit[16], department[16];
    int respond_hours, complete_value;
} case_category_t;

/* The active category code of county: 0, ERR_NOTFOUND, or a store error. */
int cases_load_category(db_t *db, const char *county, const char *code, case_category_t *c);
/* The due time of `value unit` after start: natural hours, or working days on the official
 * calendar (cases_set_calendar). A year the calendar does not cover is an error, never a guess. */
int cases_due_after(int64_t start, int value, const char *unit, int64_t *due, err_t *e);
/* Does county have department code? Its name into out (if out) when it does. */
int cases_dept_name(db_t *db, const char *county, const char *code, char *out, size_t cap);
struct case_now_s;
/* 上报 (蓝单): where case c may go. *up: one level up the tree from its holder (a department's
 * case: the county, its governance center); *dept: "dept:<code>" when its category names a
 * department that does not hold it already (the blue slip may go straight there), else "". */
int cases_escalation_targets(db_t *db, const char *county, const struct case_now_s *c, char *up,
                             size_t upcap, char *dept, size_t dcap);
/* 负载均衡: give the case to the grid's active worker holding the fewest open cases (or to
 * nobody when holder is not a grid or the grid has no worker account). */
int cases_give_to_worker(db_t *db, const char *county, int64_t id, const char *holder);
/* One level up the tree: grid → community → town → county (小事不出网格、大事不出城区). */
void cases_level_up(const char *code, char *out, size_t cap);

/* ---- events.c ---- */

/* Append event seq to a case's history (who NULL: the system) and announce it
 * (CHANGE_CASE_EVENT: KPI counters, webhook outbox), in the caller's transaction. */
int cases_event_add(db_t *db, const char *county, int64_t case_id, int seq, int64_t at,
                    const actor_t *who, const char *event, const char *from, const char *to,
                    const char *note, const char *detail);

/* ---- read.c: who sees a case ---- */

/* Is who's department summoned onto this case? */
int cases_has_part(db_t *db, const actor_t *who, const char *county, int64_t id);
/* Is the case assigned to who's department ("dept:<code>")? */
int cases_dept_holds(const actor_t *who, const char *assignee);
/* May who see a case located at region, held by assignee, reported or filed by these accounts?
 * (Department staff: also the whistles they are summoned to — cases_has_part.) */
int cases_visible_to(const actor_t *who, const char *region, const char *assignee, int64_t reporter,
                     int64_t filed_by);

/* ---- transition.c ---- */

/* The case as a step finds it. */
typedef struct case_now_s {
    char state[24], region[32], assignee[48], category[16];
    int64_t events, reporter, filer, household;
    int paused;
} case_now_t;

/* Beyond the state machine, the holder: a manager re-dispatches or blows the whistle only on a
 * case held inside their own scope (or by a department), never one held above them, and sends up
 * (上报) only what their own level holds. 0 or ERR_FORBIDDEN. */
int cases_step_allowed(const actor_t *who, const case_now_t *c, case_event_t ev, err_t *e);
/* The steps who may take on the case now, for its buttons (actions.c): [{event, label, note:
 * "required"|"optional", photos, to?, targets?, department?, department_name?}], or NULL with
 * *rc (ERR_NOTFOUND when who cannot see it). */
json_t *cases_actions(db_t *db, const actor_t *who, const char *county, int64_t id, int *rc);
/* The message asking for a reason when a person takes ev without one (退回, 上报, 撤销, 重新办理,
 * 等待, and a 进展 is nothing but its text), or NULL when the note is optional. */
const char *cases_reason_prompt(case_event_t ev);
/* Read the case; ERR_NOTFOUND (with e) when it does not exist in the county. */
int cases_load_now(db_t *db, const char *county, int64_t id, case_now_t *c, err_t *e);
/* How who stands to the case (reporter, holder, summoned department) for the state machine;
 * ERR_NOTFOUND (with e) when who cannot see it. who NULL: the system (role 0). */
int cases_relation(db_t *db, const actor_t *who, const char *county, int64_t id,
                   const case_now_t *c, caseflow_actor_t *actor, err_t *e);

/* Apply event ev to case id of county as who (NULL: the system), with the step's arguments;
 * checks scope and the state machine, writes the case, its event, photos, and announces the
 * act. 0, or an error with e set. */
int cases_apply(db_t *db, const actor_t *who, const char *county, int64_t id, case_event_t ev,
                cases_step_t *s, err_t *e);

/* ---- photos.c ---- */

/* Attach checked photo ids (photos_check) to event seq of a case, in the event's transaction. */
int cases_photos_attach(db_t *db, const char *county, int64_t case_id, int seq, json_t *ids);
/* The photos of a case by event seq: {"<seq>": [{id,url,thumb_url}], ...}; NULL with *rc on a
 * store error. */
json_t *cases_photos_of(db_t *db, const char *county, int64_t case_id, int *rc);

#endif
