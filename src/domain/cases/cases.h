/* cases.h — the public surface of domain/cases/ (one header per practice; see
 * docs/ARCHITECTURE.md). Its sections follow the files of the folder. */
#ifndef JICENG_DOMAIN_CASES_H
#define JICENG_DOMAIN_CASES_H

#include <jansson.h>
#include <stdint.h>
#include "domain/accounts/accounts.h"
#include "domain/common/actor.h"
#include "domain/common/check.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/workday.h"
#include "store/db.h"

/* ==== cases.h ====
cases.h — 民生诉求 cases (issue 3): categories as data, creation with automatic dispatch to the
 * reporter's grid, transitions through caseflow (each an append-only event), reads within scope.
 * A resident sees the cases they reported; staff see cases located or assigned in their scope. */

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
    int64_t id;   /* out */
    int replayed; /* out: 1 when the key was seen before with the same body */
} cases_new_t;
/* Report a case as `who` (resident, informant, building head or staff). Placed in the reporter's
 * household grid (or their scope), dispatched to that grid when the category is handled there.
 * An outside system reports as a who with id 0, role 0, its name, and its county as scope: the
 * case then waits at county level for manual triage (submitted), never lost.
 * ERR_INVALID (unknown category, text too long...), ERR_CONFLICT (same key, different body). */
int cases_create(db_t *db, const actor_t *who, cases_new_t *n, err_t *e);

/* May who see case (county, id)? The rule of cases_get, for things attached to cases (photos). */
int cases_visible(db_t *db, const actor_t *who, const char *county, int64_t id);
/* A photo reader (photos.h): may who read photo id because of a case it is attached to? */
int cases_photo_readable(db_t *db, const actor_t *who, const char *id);

/* One case with its timeline, or NULL with *rc (ERR_NOTFOUND also outside scope). */
json_t *cases_get(db_t *db, const actor_t *who, int64_t id, int *rc);
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
int cases_list(db_t *db, const actor_t *who, const cases_filter_t *f, int queue, const char *cursor,
               int limit, buf_t *out);

/* 地图: the located cases of who's scope (staff whose scope is a region range), filtered as in
 * cases_list, newest first, at most max: {items:[{id,title,state,state_label,category_name,lat,
 * lon,overdue,created_at,region_code}], truncated}. A region outside the scope: ERR_NOTFOUND. */
json_t *cases_map(db_t *db, const actor_t *who, const cases_filter_t *f, int max, int *rc);

typedef struct {
    const char *event; /* caseflow event name */
    const char *note;
    int rating;               /* rate: 1..5 */
    const char *outcome;      /* close: fixed | partly_fixed | not_our_duty | duplicate */
    const char *assignee;     /* dispatch: a region code in scope or "dept:<code>"; escalate:
                                 one of the targets its action names (NULL: one level up) */
    const char **departments; /* whistle: department codes of the county */
    int ndepartments;
    const int *report_hours; /* whistle: each department's 报到 deadline in hours (1..72), or
                                NULL (2 hours each); 0 in an entry: 2 hours */
    const char **tasks;      /* whistle: what each department is summoned to do, or NULL */
    json_t *photos; /* array of photo ids uploaded by who, shown with this event, or NULL */
    int64_t into;   /* merge: the open case of the same county this one is folded into */
    int64_t now;
    char state[24]; /* out: the new state */
} cases_step_t;
/* Apply an event as `who`. 404 outside scope; 409 invalid_transition or a concurrent change;
 * 403 not allowed for who; 400 bad arguments. */
int cases_transition(db_t *db, const actor_t *who, int64_t id, cases_step_t *s, err_t *e);

/* Open cases that look like duplicates of case id (疑似重复): the same category, reported within
 * 72 hours of it, in the same community and within 500 m when both have a location (else in the
 * same grid), inside who's scope; nearest first, at most 10. {items:[case + distance_m]}.
 * ERR_NOTFOUND when who cannot see the case. */
json_t *cases_similar(db_t *db, const actor_t *who, int64_t id, int *rc);

/* The county's departments (临河区: 21 plus lawyers), unless it has some already. */
int cases_seed_departments(db_t *db, const char *county, int64_t now);
/* {items:[{code,name}]} */
json_t *cases_departments(db_t *db, const char *county, int *rc);

/* A department's figures at time now (deptstats.c): {department, name, as_of, since,
 * open_held, parts_waiting, parts_working, overdue, parts_done, cases_resolved, reported,
 * avg_report_ms, overdue_items:[{id, title, summoned_at, report_due, task}]} (30 days back from
 * now; at most 20 overdue items, oldest deadline first). Its own staff read their department;
 * the county's admin, center and leaders any department of the county. NULL with *rc:
 * ERR_NOTFOUND for a department the caller may not read or the county does not have. */
json_t *cases_dept_stats(db_t *db, const actor_t *who, const char *dept, int64_t now, int *rc);

/* A summoned department's part of a whistle: action "report" (报到) then "done". Only staff of
 * that department. When the last part is done the case resolves (a system event). 404 when the
 * case or part is not theirs; 409 when reported twice, done before reporting, or done twice. */
int cases_part(db_t *db, const actor_t *who, int64_t id, const char *dept, const char *action,
               const char *note, int64_t now, err_t *e);

/* The scheduler's pass at time now (红单 24 h, 办结时限; practices 3, 4, 6): every open case whose
 * response or completion deadline has passed, and that is not waiting on the resident, escalates
 * one level up the tree (grid → community → street → county) as a system event with its reason,
 * and gets new deadlines for the new level (respond in 24 h, complete in 48 h). At most `max`
 * cases per pass. On PostgreSQL only the instance holding the scheduler lock works; *skipped is
 * set when another one does. Then the holders of open cases due within 2 hours are reminded in
 * their inbox, once per deadline (*reminded counts them; may be NULL). */
int cases_tick(db_t *db, int64_t now, int max, int *escalated, int *reminded, int *skipped,
               err_t *e);

/* ==== caseflow.h ====
caseflow.h — the state machine of a 民生诉求 case (MISSION practices 3, 4, 6): the loop
 * 居民下单 → 平台派单 → 网格员接单 → 群众评价, red/blue slips, the whistle to departments.
 * Pure: a table of (event, from-states, to-state, who may do it). No SQL, no time; the cases
 * module records each applied transition as an append-only event. docs/CASES.md shows the table. */

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

/* ==== casestats.h ====
casestats.h — live KPIs of the 民生诉求 loop for a scope (MISSION practice 3: 100% response,
 * completion within 48 h; practice 4: the red slip's 24 h). Every figure is defined on the cases
 * themselves, so a leader can trace it to the records behind it; counters kept in the same
 * transaction as each case event make a county's figures a read of a few thousand rows.
 * "Closed" is kept apart from "fixed": the outcome counts say how cases ended. */

/* KPIs of cases created in [from_ms, to_ms) under scope, as of now_ms, grouped by
 * "region" (the next level down), "category" (category groups) or NULL (totals only).
 * Returns {scope, from, to, totals:{…}, groups:[{key,name,…}], overdue:[up to 20 cases]}
 * (caller owns it), or NULL with *rc set (a store error). */
json_t *casestats_kpi(db_t *db, const char *scope, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                      const char *by, int *rc);

/* Bring the counters up to date with case (county, case_id) after one of its events was written
 * (event: the event's name; its changes to the case row already made). Call inside the event's
 * transaction, once per event. Returns 0 or a store error (the transaction must then fail). */
int casestats_case_event(db_t *db, const char *county, int64_t case_id, const char *event);

/* jiceng check: every case's tally against a recount from the case and its events, and every
 * counter row against the sum of its tallies. Prints each difference (up to 20 of each kind) to
 * stdout; adds rows looked at to *checked and differences to *problems. Returns 0 or a store
 * error. */
int casestats_check(db_t *db, long *checked, long *problems);
/* The same as one of `jiceng check`'s checks: a store error counts as a problem. 0 or 1. */
int cases_check(db_t *db, check_report_t *r);

/* ==== categories.h ====
categories.h — a county keeps its own case categories (issue 3, part 2: "counties can edit
 * them"): add a group or a category under a group, change its name, handling level, department,
 * deadlines and calendar, or retire it (active = false: no new reports; old cases keep theirs).
 * Deadlines of cases already reported never change. Every change is audited. */

/* Create (create = 1: spec has code and all of name, handling, respond_hours, complete_value,
 * complete_unit; parent_code for a 4-digit code) or change (create = 0: code from the path, spec
 * any of name, handling, department, respond_hours, complete_value, complete_unit, active) one
 * category of who's county. spec is already checked for unknown fields and JSON types by the API.
 * ERR_INVALID with the field, ERR_CONFLICT (code taken), ERR_NOTFOUND (no such category). */
int categories_save(db_t *db, const actor_t *who, const char *code, json_t *spec, int create,
                    const char *ip, int64_t now, err_t *e);

/* One category as JSON (also retired ones), or NULL with *rc. */
json_t *categories_get(db_t *db, const char *county, const char *code, int *rc);

/* ==== reach.h ====
reach.h — what department staff read of the registry (issue 9 part 6; PIPL Art. 6, minimum
 * necessary). By default only the people their department's cases link it to: the household a
 * resident's case belongs to and its reporter, for the cases the department holds ("dept:<code>")
 * or was summoned to by a whistle, while open and for CASES_LINK_DAYS after they end (reach.c
 * says exactly). A county admin may widen it to the county's registry, masked as for every
 * county role (county_settings.department_registry = 'county'); every change is audited. */

/* How long the people of an ended case (closed, merged, cancelled) stay linked: a 回访 or a
 * complaint about the handling comes within weeks, and the Open311 window of recent requests
 * (STANDARDS.md §1) is 90 days too; after that the department's part is over. */
#define CASES_LINK_DAYS 90

/* *narrow = 1 when who reads only linked people: department staff while their county keeps the
 * default ('linked'); 0 for everyone else. 0, or a store error (then *narrow = 1: fails closed). */
int cases_registry_narrowed(db_t *db, const actor_t *who, int *narrow);
/* Is household (person) id linked to who's department at now? 0 with *linked set (0 also for an
 * account without a department, or an id of another county), or a store error. */
int cases_links_household(db_t *db, const actor_t *who, int64_t id, int64_t now, int *linked);
int cases_links_person(db_t *db, const actor_t *who, int64_t id, int64_t now, int *linked);
/* The linked people as registry_people lists them (masked, keyset by id), under region (inside
 * who's scope; NULL or "": the whole county) and with tag when given. NULL with *rc on a store
 * error, ERR_NOTFOUND for a region outside the scope. */
json_t *cases_linked_people(db_t *db, const actor_t *who, const char *region, const char *tag,
                            const char *cursor, int limit, int64_t now, int *rc);

/* The county's settings: {county, department_registry: "linked"|"county", updated_at,
 * updated_by: {id, name}} (the last two null while the county has never changed them). */
json_t *cases_county_settings(db_t *db, const char *county, int *rc);
/* Set department_registry ("linked" or "county") for county, as its county admin; audited
 * (county_settings_update, with the old and the new value). ERR_INVALID (message and field),
 * ERR_FORBIDDEN (not a county admin), ERR_NOTFOUND (another county). In a write transaction. */
int cases_county_settings_put(db_t *db, const actor_t *who, const char *county,
                              const char *department_registry, const char *ip, int64_t now,
                              err_t *e);

/* ==== open311.h ====
open311.h — cases as Open311 GeoReport v2 sees them (STANDARDS.md §1): a county's services are
 * its second-level case categories, its requests are its cases. Every call names the county an
 * API key is bound to (apikey.h); nothing here crosses it. Records come back as JSON in the
 * spec's field order, with JSON null for what is unknown; api/open311.c writes them as JSON or
 * XML. All functions take the caller's connection and are as thread-safe as it is. */

/* Most records GET /requests returns (the spec's default cap), and most IDs one call may list. */
#define OPEN311_MAX_RECORDS 1000
#define OPEN311_MAX_IDS 100

/* ms (UTC epoch) as ISO 8601 in China time, "2026-11-30T08:00:00+08:00". Pure. */
void open311_time(int64_t ms, char out[32]);

/* The county's services: [{service_code, service_name, description, metadata:false,
 * type:"realtime", keywords, group}] for its active second-level categories (the ones a case can
 * be filed under), ordered by code. New reference, or NULL with *rc set on a store error. */
json_t *open311_services(db_t *db, const char *county, int *rc);

/* {service_code, attributes:[]} (our categories ask nothing beyond the standard fields), or NULL
 * with *rc = ERR_NOTFOUND for a code that is not one of the county's services. */
json_t *open311_service_definition(db_t *db, const char *county, const char *code, int *rc);

/* When any county's categories last changed (discovery's changeset), ms; 0 if there are none. */
int open311_changeset(db_t *db, int64_t *ms);

enum { OPEN311_ANY = 0, OPEN311_OPEN = 1, OPEN311_CLOSED = 2 };

typedef struct {
    const int64_t *ids;        /* service_request_id list (overrides everything else) */
    int nids;                  /* 0..OPEN311_MAX_IDS */
    const char *service_codes; /* comma list of codes, or NULL for all */
    int64_t start, end;        /* requested_datetime within [start, end], ms */
    int status;                /* OPEN311_ANY, OPEN311_OPEN or OPEN311_CLOSED */
} open311_filter_t;

/* The county's requests matching f, newest first, at most OPEN311_MAX_RECORDS: an array of
 * {service_request_id, status, status_notes, service_name, service_code, description,
 * agency_responsible, service_notice, requested_datetime, updated_datetime, expected_datetime,
 * address, address_id, zipcode, lat, long, media_url}. status is "closed" for the final states
 * (closed, merged, cancelled) and "open" for every other. Listed IDs not in the county are left
 * out. New reference, or NULL with *rc set on a store error. */
json_t *open311_requests(db_t *db, const char *county, const open311_filter_t *f, int *rc);

/* One request as above, or NULL with *rc = ERR_NOTFOUND (also when it is another county's). */
json_t *open311_request(db_t *db, const char *county, int64_t id, int *rc);

typedef struct {
    const char *service_code;
    const char *description; /* NULL or "": the service's name stands in (cases need one) */
    const char *address;     /* address_string, may be NULL */
    const char *address_id;  /* may be NULL; kept in the case's address text */
    int has_location;
    double lat, lon;
    const char *ip; /* for the audit row */
    int64_t now;
    int64_t id; /* out: the new case */
} open311_new_t;

/* Report a case for key k through cases_create (source "open311", the key's name as reporter,
 * its county as scope: it waits at county level for triage unless its location places it), and
 * audit it. In a write transaction. ERR_NOTFOUND for a service_code that is not one of the
 * county's services; ERR_INVALID with a message for input the case rules refuse (a description
 * over 1000 characters, an address over 200...). The person's name, phone, e-mail, device and
 * account never reach this function: they are not stored. */
int open311_create(db_t *db, const apikey_t *k, open311_new_t *n, err_t *e);

/* ==== feed.h ====
feed.h — what a live-update stream (GET /api/v1/events) sends one account: its new inbox
 * messages, and the new events of the cases it may see (the rule of cases_get: a resident their
 * own reports, staff cases located or assigned in their scope, department staff the cases their
 * department is summoned onto). Each poll runs two scoped queries from the stream's position. */

typedef struct feed feed_t;

/* A stream's position at time now: items made from now on are new; with last_inbox_id > 0
 * (Last-Event-ID) also the inbox messages after that one. Caller frees with feed_free. Out of
 * memory aborts. */
feed_t *feed_new(int64_t now, int64_t last_inbox_id);
void feed_free(feed_t *f);

/* Receives one item: event "inbox" (id: the message id, data: the message as GET /api/v1/inbox
 * lists it) or "case" (id NULL, data {id,state,seq,event}). data is borrowed. Returns 0 when it
 * took the item, non-zero when there is no room now (the item is offered again next poll). */
typedef int (*feed_emit_fn)(void *ctx, const char *event, const char *id, json_t *data);

/* Offer who everything new since the last poll, in order, once each. 0: all offered; 1: emit
 * refused one (poll again when there is room); or a store error. Commits that land late (up to
 * 15 s, e.g. several PostgreSQL instances) are still found: each poll looks back that far and
 * skips what it sent already. Events dated ahead of now (a `jiceng tick --now` in the future)
 * wait until their time. */
int feed_poll(db_t *db, const actor_t *who, feed_t *f, int64_t now, feed_emit_fn emit, void *ctx);

#endif
