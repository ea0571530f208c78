/* cases.h — 民生诉求 cases (issue 3): categories as data, creation with automatic dispatch to the
 * reporter's grid, transitions through caseflow (each an append-only event), reads within scope.
 * A resident sees the cases they reported; staff see cases located or assigned in their scope. */
#ifndef JICENG_DOMAIN_CASES_H
#define JICENG_DOMAIN_CASES_H

#include <jansson.h>
#include <stdint.h>
#include "domain/account.h"
#include "lib/buf.h"
#include "lib/workday.h"
#include "store/db.h"

/* The official calendar for working-day deadlines; set once at startup (NULL: categories counted
 * in working days are refused with calendar_gap). */
void cases_set_calendar(const workday_cal_t *cal);

/* Load the default category table (STANDARDS.md §4 and the article's community categories) for a
 * county, unless it has categories already. Runs in the caller's transaction. */
int cases_seed_categories(db_t *db, const char *county, int64_t now);
/* The county's active categories (all: retired ones too), as
 * {items:[{code,name,parent_code,handling,department,department_name,...,active}]}. */
json_t *cases_categories(db_t *db, const char *county, int all, int *rc);

typedef struct {
    const char *category, *title, *description, *address;
    int has_location;
    double lat, lon;
    const char *source;    /* NULL: from the reporter's role; "open311" for outside systems */
    const char *idem_key;  /* Idempotency-Key header or NULL */
    const char *body_hash; /* hash of the request body, for replays with a different body */
    json_t *photos;        /* array of photo ids uploaded by who (photos.h), or NULL */
    int64_t for_person;    /* 代报: a building head or grid worker reports for this person of
                              their scope; 0 = for themselves */
    int64_t now;
    int64_t id;            /* out */
    int replayed;          /* out: 1 when the key was seen before with the same body */
} cases_new_t;
/* Report a case as `who` (resident, informant, building head or staff). Placed in the reporter's
 * household grid (or their scope), dispatched to that grid when the category is handled there.
 * An outside system reports as a who with id 0, role 0, its name, and its county as scope: the
 * case then waits at county level for manual triage (submitted), never lost.
 * ERR_INVALID (unknown category, text too long...), ERR_CONFLICT (same key, different body). */
int cases_create(db_t *db, const account_user_t *who, cases_new_t *n, err_t *e);

/* May who see case (county, id)? The rule of cases_get, for things attached to cases (photos). */
int cases_visible(db_t *db, const account_user_t *who, const char *county, int64_t id);

/* One case with its timeline, or NULL with *rc (ERR_NOTFOUND also outside scope). */
json_t *cases_get(db_t *db, const account_user_t *who, int64_t id, int *rc);
/* Cases visible to who, newest first, filtered by f; queue=1: the ones assigned to who's scope
 * that are still open, soonest deadline first (a grid worker's 接单 queue; f ignored). Department
 * staff list the cases dispatched to their department and the whistles they were summoned to.
 * Appends the page {"items":[…],"next_cursor":…} to out as JSON text (rows written straight
 * from the store, no tree: the hottest read). Returns 0, a store error, or ERR_TOOLARGE past
 * out's cap; on error out holds a partial document the caller discards. */
typedef struct {
    const char *state;    /* a state name, or NULL */
    const char *category; /* a group (2 digits) or a category (4), or NULL */
    const char *region;   /* a region inside who's scope (staff), or NULL */
    const char *source;   /* resident | informant | building_head | staff | open311, or NULL */
    int overdue;          /* 1: open, not waiting on the resident, completion deadline passed */
    int64_t from, to;     /* created in [from, to); 0 = open-ended */
    int64_t now;          /* for overdue */
} cases_filter_t;
/* f may be NULL (no filter). A region outside who's scope: ERR_NOTFOUND. */
int cases_list(db_t *db, const account_user_t *who, const cases_filter_t *f, int queue,
               const char *cursor, int limit, buf_t *out);

/* 地图: the located cases of who's scope (staff whose scope is a region range), filtered as in
 * cases_list, newest first, at most max: {items:[{id,title,state,state_label,category_name,lat,
 * lon,overdue,created_at,region_code}], truncated}. A region outside the scope: ERR_NOTFOUND. */
json_t *cases_map(db_t *db, const account_user_t *who, const cases_filter_t *f, int max, int *rc);


typedef struct {
    const char *event;   /* caseflow event name */
    const char *note;
    int rating;          /* rate: 1..5 */
    const char *outcome; /* close: fixed | partly_fixed | not_our_duty | duplicate */
    const char *assignee;/* dispatch: a region code in scope */
    const char **departments; /* whistle: department codes of the county */
    int ndepartments;
    json_t *photos;      /* array of photo ids uploaded by who, shown with this event, or NULL */
    int64_t into;        /* merge: the open case of the same county this one is folded into */
    int64_t now;
    char state[24];      /* out: the new state */
} cases_step_t;
/* Apply an event as `who`. 404 outside scope; 409 invalid_transition or a concurrent change;
 * 403 not allowed for who; 400 bad arguments. */
int cases_transition(db_t *db, const account_user_t *who, int64_t id, cases_step_t *s, err_t *e);

/* Open cases that look like duplicates of case id (疑似重复): the same category, reported within
 * 72 hours of it, in the same community and within 500 m when both have a location (else in the
 * same grid), inside who's scope; nearest first, at most 10. {items:[case + distance_m]}.
 * ERR_NOTFOUND when who cannot see the case. */
json_t *cases_similar(db_t *db, const account_user_t *who, int64_t id, int *rc);

/* The county's departments (临河区: 21 plus lawyers), unless it has some already. */
int cases_seed_departments(db_t *db, const char *county, int64_t now);
/* {items:[{code,name}]} */
json_t *cases_departments(db_t *db, const char *county, int *rc);

/* A summoned department's part of a whistle: action "report" (报到) then "done". Only staff of
 * that department. When the last part is done the case resolves (a system event). 404 when the
 * case or part is not theirs; 409 when reported twice, done before reporting, or done twice. */
int cases_part(db_t *db, const account_user_t *who, int64_t id, const char *dept,
               const char *action, const char *note, int64_t now, err_t *e);

/* The scheduler's pass at time now (红单 24 h, 办结时限; practices 3, 4, 6): every open case whose
 * response or completion deadline has passed, and that is not waiting on the resident, escalates
 * one level up the tree (grid → community → street → county) as a system event with its reason,
 * and gets new deadlines for the new level (respond in 24 h, complete in 48 h). At most `max`
 * cases per pass. On PostgreSQL only the instance holding the scheduler lock works; *skipped is
 * set when another one does. Then the holders of open cases due within 2 hours are reminded in
 * their inbox, once per deadline (*reminded counts them; may be NULL). */
int cases_tick(db_t *db, int64_t now, int max, int *escalated, int *reminded, int *skipped,
               err_t *e);

#endif
