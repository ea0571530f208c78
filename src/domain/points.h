/* points.h — 积分制, earning side (issue 4, docs/POINTS.md; MISSION practice 1, 突泉县): a
 * village's settings and budget, its indicator catalogue (and the county's template), door-to-door
 * awards (入户打分) with 微网格互检, corrections, automatic awards from other modules' events,
 * expiry, and what households and the village board see. Every posting goes through ledger_post.
 * Writes run inside the caller's transaction (a store job); reads take the caller's scope. */
#ifndef JICENG_DOMAIN_POINTS_H
#define JICENG_DOMAIN_POINTS_H

#include <jansson.h>
#include <stdint.h>
#include "domain/account.h"
#include "lib/err.h"
#include "store/db.h"

#define POINTS_MAX_STARS 5

/* ---------- pure helpers (thread-safe, no store) ---------- */

/* The star level (0..n) of a household with `honour`, given the thresholds of levels 1..n in
 * min_honour[0..n) (双轨: the highest level whose threshold the honour reaches). */
int points_star_level(const int64_t *min_honour, int n, int64_t honour);
/* What expires at a year end, oldest points first: of the points earned up to the end of the
 * year before (`earned`), whatever has not left since (`left`: redemptions, expiries, deductions
 * and reversals, less refunds), but never more than the balance. */
int64_t points_expiring(int64_t earned, int64_t left, int64_t balance);
/* "YYYY-MM-DD" of an instant in China time into out[11]. */
void points_day_of(int64_t at, char out[11]);
/* Start of the calendar month (China time) that holds `at`, and of the next one. */
void points_month_bounds(int64_t at, int64_t *from, int64_t *to);
/* Parse "YYYY-MM" into month bounds; 0 or ERR_INVALID. */
int points_month_parse(const char *ym, int64_t *from, int64_t *to);

/* ---------- settings (village admin: community_admin of the village, or county admin) ---------- */

/* The village's settings with live figures (issued this year, budget in points, remaining,
 * totals, liability in fen) and this month's flagged pairs; {enabled:false,...defaults} when the
 * village has not turned the points system on. ERR_NOTFOUND: not a village in who's reach;
 * ERR_FORBIDDEN: not its admin. */
json_t *points_settings_get(db_t *db, const account_user_t *who, const char *village, int64_t now,
                            int *rc);
/* Create or change the settings from a request body {fen_per_point, mutual_check, expiry,
 * pair_threshold, stars:[{level,min_honour}], budgets:[{year,budget_fen}]} (all optional;
 * stars replace the village's stars; budgets set the years given). Creating turns the points
 * system on (the ledger chain's head row). Audited. ERR_INVALID with the field. */
int points_settings_put(db_t *db, const account_user_t *who, const char *village, json_t *body,
                        const char *ip, int64_t now, err_t *e);
/* Confirmation pairs above the village's pair_threshold in the month [from, to):
 * {month_from, threshold, items:[{a:{id,name}, b:{id,name}, confirmations}]}. */
json_t *points_flags(db_t *db, const account_user_t *who, const char *village, int64_t from,
                     int64_t to, int *rc);

/* ---------- catalogue ---------- */

/* Indicators of a village (staff whose scope covers or lies in it) or of a county template
 * (code of 6 digits); all: retired and out-of-date ones too. {items:[indicator]} */
json_t *points_indicators(db_t *db, const account_user_t *who, const char *code, int all,
                          int64_t now, int *rc);
/* One indicator (valid_now as of now); ERR_NOTFOUND. The caller checks reach. */
json_t *points_indicator_get(db_t *db, int64_t id, int64_t now, int *rc);
/* Add an indicator to a village (its admin) or to a county's template (county admin) from a
 * body {group, name, points, evidence_required, awarders, limit_count, limit_period, valid_from,
 * valid_to, active}. *id gets the new id. Audited. */
int points_indicator_create(db_t *db, const account_user_t *who, const char *code, json_t *body,
                            const char *ip, int64_t now, int64_t *id, err_t *e);
/* Change or retire (active:false) an indicator: the same fields, each optional. Audited. */
int points_indicator_update(db_t *db, const account_user_t *who, int64_t id, json_t *body,
                            const char *ip, int64_t now, err_t *e);
/* Copy the county template into the village: every active template indicator whose (group,
 * name) the village does not have yet. *copied counts them. Audited. */
int points_copy_template(db_t *db, const account_user_t *who, const char *village,
                         const char *ip, int64_t now, int *copied, err_t *e);

/* ---------- awards and 互检 ---------- */

typedef struct {
    int64_t household_id, indicator_id;
    const char *note;
    json_t *photos;          /* array of photo ids uploaded by who, or NULL */
    const char *idem_key, *body_hash;
    int64_t now;
    /* out */
    int pending;             /* 1: waiting for 互检 (id is a pending award), 0: posted entry */
    int64_t id;
    int replayed;            /* the key was seen before with the same body */
} points_award_t;
/* 入户打分 as who. 404 household outside who's scope; 400 points off / indicator not of the
 * village, retired or out of date / evidence missing; 403 role not among the indicator's
 * awarders; 409 over the per-period limit, over budget, idempotency key with another body.
 * In a village with mutual_check the award waits (pending) instead of posting. */
int points_award(db_t *db, const account_user_t *who, points_award_t *a, err_t *e);

/* Awards waiting for 互检 in who's village; can_confirm says whether who may decide each (only
 * grid workers, party leaders and building heads of another micro-grid, never the awarder or the
 * household's own members). {items:[pending]} */
json_t *points_pending_list(db_t *db, const account_user_t *who, int *rc);
json_t *points_pending_get(db_t *db, const account_user_t *who, int64_t id, int *rc);
/* Confirm (posts the award through ledger_post, budget checked then) or reject (reason
 * required). 404 not of who's village; 403 not allowed for who; 409 already decided (one of two
 * racing inspectors wins). */
int points_pending_decide(db_t *db, const account_user_t *who, int64_t id, int confirm,
                          const char *reason, int64_t now, int64_t *entry_id, err_t *e);

/* ---------- corrections (village admin) ---------- */

/* Reverse an award or adjustment, once, with a reason. 404 outside scope; 409 not reversible
 * (a reversal, redemption...) or already reversed; 409 insufficient_points when already spent. */
int points_reverse(db_t *db, const account_user_t *who, int64_t entry_id, const char *reason,
                   const char *ip, int64_t now, int64_t *new_id, err_t *e);
/* An adjustment of a household's points (+ or −) with a mandatory reason. Audited. */
int points_adjust(db_t *db, const account_user_t *who, int64_t household_id, int64_t points,
                  const char *reason, const char *ip, int64_t now, int64_t *new_id, err_t *e);

/* ---------- reads ---------- */

/* One entry as JSON (who must reach its village, or be of its household). */
json_t *points_entry_get(db_t *db, const account_user_t *who, int64_t id, int *rc);
/* A household's points: {household_id, village_code, address, head_name, balance, honour,
 * star, rank, expiring:[{at, points, due}], entries (newest first, keyset by seq: cursor),
 * next_cursor}. Staff whose scope holds the household, or a member of it; points_me: the
 * caller's own household (ERR_NOTFOUND when the account has none). */
json_t *points_household(db_t *db, const account_user_t *who, int64_t household_id, int64_t now,
                         const char *cursor, int limit, int *rc);
json_t *points_me(db_t *db, const account_user_t *who, int64_t now, const char *cursor, int limit,
                  int *rc);
/* The village board for the month [from, to): ranking by honour, star households, the month's
 * top; a caller with a household of the village gets `mine` with its rank. Anyone of the
 * village (scope inside it) or above it. */
json_t *points_board(db_t *db, const account_user_t *who, const char *village, int64_t from,
                     int64_t to, int limit, int *rc);

/* ---------- automatic awards ---------- */

/* Rules of a village (its own and its county's) or of a county: {items:[rule]}. */
json_t *points_rules_list(db_t *db, const account_user_t *who, const char *code, int *rc);
/* Add a rule {event, indicator_id} for a village (its admin) or a whole county (county admin);
 * the indicator must be the village's, or for a county rule one of its template. Audited. */
int points_rule_create(db_t *db, const account_user_t *who, const char *code, json_t *body,
                       const char *ip, int64_t now, int64_t *id, err_t *e);
/* One rule; ERR_NOTFOUND. */
json_t *points_rule_get(db_t *db, int64_t id, int *rc);
/* Retire or re-activate a rule {active}. Audited. */
int points_rule_update(db_t *db, const account_user_t *who, int64_t id, json_t *body,
                       const char *ip, int64_t now, err_t *e);
/* An event of another module for a household (e.g. "case.fixed": a case it reported was closed
 * as fixed, source_ref the case id): posts the award of the rule that applies (the village's
 * own rule first, else its county's), once per (village, event, source_ref). No rule, points
 * off, budget spent, or already done: nothing happens and 0 is returned, so the event itself
 * never fails on points; only store errors come back. */
int points_on_event(db_t *db, const char *event, const char *county, int64_t household_id,
                    const char *source_ref, int64_t now);

/* ---------- scheduler ---------- */

/* Expiry (POINTS.md): in villages with expiry end_of_next_year whose last year end has not been
 * done, post an `expiry` entry for each household with points that have run out, oldest first,
 * once per household per year end. At most `max` postings a pass (the rest next pass).
 * *expired counts the entries posted. */
int points_tick(db_t *db, int64_t now, int max, int *expired, err_t *e);

/* May who open photo id because it is evidence on points of a household? The household's own
 * residents, and staff whose scope reaches the household's village (cadres and inspectors). */
int points_photo_readable(db_t *db, const account_user_t *who, const char *id);

#endif
