/* points.h — the public surface of domain/points/ (one header per practice; see
 * docs/ARCHITECTURE.md). Its sections follow the files of the folder. */
#ifndef JICENG_DOMAIN_POINTS_H
#define JICENG_DOMAIN_POINTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "domain/common/actor.h"
#include "domain/common/check.h"
#include "lib/err.h"
#include "store/db.h"

/* ==== points.h ====
points.h — 积分制, earning side (issue 4, docs/POINTS.md; MISSION practice 1, 突泉县): a
 * village's settings and budget, its indicator catalogue (and the county's template), door-to-door
 * awards (入户打分) with 微网格互检, corrections, automatic awards from other modules' events,
 * expiry, and what households and the village board see. Every posting goes through ledger_post.
 * Writes run inside the caller's transaction (a store job); reads take the caller's scope. */

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

/* ---------- settings (village admin: community_admin of the village, or county admin) ----------
 */

/* Whether the points system runs where `scope` works, for menus: *county = some village of the
 * scope's county has turned it on; *here = some village under the scope (or, below the village
 * level, the scope's own village) has. Errors of the store only. */
int points_scope_runs(db_t *db, const char *scope, int *county, int *here);

/* The village's settings with live figures (issued this year, budget in points, remaining,
 * totals, liability in fen) and this month's flagged pairs; {enabled:false,...defaults} when the
 * village has not turned the points system on. ERR_NOTFOUND: not a village in who's reach;
 * ERR_FORBIDDEN: not its admin. */
json_t *points_settings_get(db_t *db, const actor_t *who, const char *village, int64_t now,
                            int *rc);
/* Create or change the settings from a request body {fen_per_point, mutual_check, expiry,
 * pair_threshold, stars:[{level,min_honour}], budgets:[{year,budget_fen}]} (all optional;
 * stars replace the village's stars; budgets set the years given). Creating turns the points
 * system on (the ledger chain's head row). Audited. ERR_INVALID with the field. */
int points_settings_put(db_t *db, const actor_t *who, const char *village, json_t *body,
                        const char *ip, int64_t now, err_t *e);
/* Confirmation pairs above the village's pair_threshold in the month [from, to):
 * {month_from, threshold, items:[{a:{id,name}, b:{id,name}, confirmations}]}. */
json_t *points_flags(db_t *db, const actor_t *who, const char *village, int64_t from, int64_t to,
                     int *rc);

/* ---------- catalogue ---------- */

/* Indicators of a village (staff whose scope covers or lies in it) or of a county template
 * (code of 6 digits); all: retired and out-of-date ones too. {items:[indicator]} */
json_t *points_indicators(db_t *db, const actor_t *who, const char *code, int all, int64_t now,
                          int *rc);
/* One indicator (valid_now as of now); ERR_NOTFOUND. The caller checks reach. */
json_t *points_indicator_get(db_t *db, int64_t id, int64_t now, int *rc);
/* Add an indicator to a village (its admin) or to a county's template (county admin) from a
 * body {group, name, points, evidence_required, awarders, limit_count, limit_period, valid_from,
 * valid_to, active}. *id gets the new id. Audited. */
int points_indicator_create(db_t *db, const actor_t *who, const char *code, json_t *body,
                            const char *ip, int64_t now, int64_t *id, err_t *e);
/* Change or retire (active:false) an indicator: the same fields, each optional. Audited. */
int points_indicator_update(db_t *db, const actor_t *who, int64_t id, json_t *body, const char *ip,
                            int64_t now, err_t *e);
/* Copy the county template into the village: every active template indicator whose (group,
 * name) the village does not have yet. *copied counts them. Audited. */
int points_copy_template(db_t *db, const actor_t *who, const char *village, const char *ip,
                         int64_t now, int *copied, err_t *e);

/* ---------- awards and 互检 ---------- */

typedef struct {
    int64_t household_id, indicator_id;
    const char *note;
    json_t *photos; /* array of photo ids uploaded by who, or NULL */
    const char *idem_key, *body_hash;
    int64_t now;
    /* out */
    int pending; /* 1: waiting for 互检 (id is a pending award), 0: posted entry */
    int64_t id;
    int replayed; /* the key was seen before with the same body */
} points_award_t;
/* 入户打分 as who. 404 household outside who's scope; 400 points off / indicator not of the
 * village, retired or out of date / evidence missing; 403 role not among the indicator's
 * awarders; 409 over the per-period limit, over budget, idempotency key with another body.
 * In a village with mutual_check the award waits (pending) instead of posting. */
int points_award(db_t *db, const actor_t *who, points_award_t *a, err_t *e);

/* Awards waiting for 互检 in who's village; can_confirm says whether who may decide each (only
 * grid workers, party leaders and building heads of another micro-grid, never the awarder or the
 * household's own members). {items:[pending]} */
json_t *points_pending_list(db_t *db, const actor_t *who, int *rc);
json_t *points_pending_get(db_t *db, const actor_t *who, int64_t id, int *rc);
/* Confirm (posts the award through ledger_post, budget checked then) or reject (reason
 * required). 404 not of who's village; 403 not allowed for who; 409 already decided (one of two
 * racing inspectors wins). */
int points_pending_decide(db_t *db, const actor_t *who, int64_t id, int confirm, const char *reason,
                          int64_t now, int64_t *entry_id, err_t *e);

/* ---------- corrections (village admin) ---------- */

/* Reverse an award or adjustment, once, with a reason. 404 outside scope; 409 not reversible
 * (a reversal, redemption...) or already reversed; 409 insufficient_points when already spent. */
int points_reverse(db_t *db, const actor_t *who, int64_t entry_id, const char *reason,
                   const char *ip, int64_t now, int64_t *new_id, err_t *e);
/* An adjustment of a household's points (+ or −) with a mandatory reason. Audited. */
int points_adjust(db_t *db, const actor_t *who, int64_t household_id, int64_t points,
                  const char *reason, const char *ip, int64_t now, int64_t *new_id, err_t *e);

/* ---------- reads ---------- */

/* One entry as JSON (who must reach its village, or be of its household). */
json_t *points_entry_get(db_t *db, const actor_t *who, int64_t id, int *rc);
/* A household's points: {household_id, village_code, address, head_name, balance, honour,
 * star, rank, expiring:[{at, points, due}], entries (newest first, keyset by seq: cursor),
 * next_cursor}. Staff whose scope holds the household, or a member of it; points_me: the
 * caller's own household (ERR_NOTFOUND when the account has none). */
json_t *points_household(db_t *db, const actor_t *who, int64_t household_id, int64_t now,
                         const char *cursor, int limit, int *rc);
json_t *points_me(db_t *db, const actor_t *who, int64_t now, const char *cursor, int limit,
                  int *rc);
/* The village board for the month [from, to): ranking by honour, star households, the month's
 * top; a caller with a household of the village gets `mine` with its rank. Anyone of the
 * village (scope inside it) or above it. */
json_t *points_board(db_t *db, const actor_t *who, const char *village, int64_t from, int64_t to,
                     int limit, int *rc);

/* ---------- automatic awards ---------- */

/* Rules of a village (its own and its county's) or of a county: {items:[rule]}. */
json_t *points_rules_list(db_t *db, const actor_t *who, const char *code, int *rc);
/* Add a rule {event, indicator_id} for a village (its admin) or a whole county (county admin);
 * the indicator must be the village's, or for a county rule one of its template. Audited. */
int points_rule_create(db_t *db, const actor_t *who, const char *code, json_t *body, const char *ip,
                       int64_t now, int64_t *id, err_t *e);
/* One rule; ERR_NOTFOUND. */
json_t *points_rule_get(db_t *db, int64_t id, int *rc);
/* Retire or re-activate a rule {active}. Audited. */
int points_rule_update(db_t *db, const actor_t *who, int64_t id, json_t *body, const char *ip,
                       int64_t now, err_t *e);
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
int points_photo_readable(db_t *db, const actor_t *who, const char *id);

/* ==== ledger.h ====
ledger.h — the points ledger of a village (issue 4, docs/POINTS.md): append-only entries in a
 * hash chain, household balances and honour totals kept in the same transaction, the yearly
 * budget, and the check that recomputes it all. Every posting goes through ledger_post. */

typedef struct {
    const char *village; /* 12-digit village/community code */
    int64_t household_id;
    const char *kind;     /* award | reversal | redemption | refund | expiry | adjustment */
    int64_t points;       /* signed */
    int64_t honour;       /* signed; 0 for redemption, refund, expiry */
    int64_t indicator_id; /* 0: none */
    int64_t reverses;     /* reversal: the entry id it undoes */
    int64_t order_id;     /* redemption, refund */
    const char *source, *source_ref; /* automatic awards, once per (village, source, ref) */
    const char *reason;              /* adjustment, reversal: required by their callers */
    const char *photos;              /* JSON array text or NULL */
    int64_t actor_id;                /* 0: the system */
    const char *actor_name;
    int64_t at;
    int64_t id, seq; /* out */
} ledger_post_t;

/* Post one entry in the caller's transaction: takes the village's chain head (which serialises
 * postings of a village across PostgreSQL instances), refuses a posting that would make the
 * balance negative (409 insufficient_points) or, for a positive award or adjustment, cross the
 * year's budget (409 budget_exceeded, no budget set: 409 no_budget), then writes the entry, the
 * account and the new chain head. ERR_INVALID when the village has no points settings. A second
 * automatic award with the same (source, source_ref) in the village: ERR_CONFLICT "duplicate". */
int ledger_post(db_t *db, ledger_post_t *p, err_t *e);

/* The entry hash: SHA-256 over the canonical text of the fields (see ledger.c), 64 hex + NUL. */
void ledger_hash(const char *prev, const char *village, int64_t seq, int64_t id, int64_t household,
                 const char *kind, int64_t points, int64_t honour, int64_t indicator,
                 int64_t reverses, int64_t order, const char *source, const char *source_ref,
                 const char *reason, const char *photos, int64_t actor, int64_t at, char out[65]);

/* Points issued by the village in the calendar year (China time) that holds `at`: positive
 * awards and adjustments less reversals of positive ones. */
int ledger_issued_in_year(db_t *db, const char *village, int64_t at, int64_t *issued);
/* The year's budget in points (budget_fen / fen_per_point); *set = 0 when there is none. */
int ledger_budget_points(db_t *db, const char *village, int64_t at, int64_t *points, int *set);

/* Recompute every village's chain (seq, prev_hash, hash) and every account's balance and honour
 * from the entries; print each problem to stdout. 0 when all agree, ERR_INVALID when they do
 * not. It fails closed (check.h): a table it cannot read, or more rows than it can hold, is
 * printed and counted as a problem and its error (ERR_IO, ERR_TOOLARGE, ERR_NOMEM) returned. */
int ledger_check(db_t *db, check_report_t *r);

/* The year (China time, UTC+8) of an epoch-ms instant, and the first instant of a year. */
int ledger_year_of(int64_t at);
int64_t ledger_year_start(int year);

/* ==== points_store.h ====
points_store.h — the 积分超市 (MISSION practice 1: 明星村's store "明星·家", docs/POINTS.md
 * "Store"): goods per village priced in points, and redemption orders. An order takes the points
 * (a `redemption` entry through ledger_post) and the stock in one transaction and issues a
 * one-time 10-digit code; the keeper hands over against the code, once, and a keeper account
 * that keeps typing codes that match nothing is locked out of handover for a while
 * (handover.c). Cancelled or expired orders post a `refund` and return the stock.
 *
 * Who may do what (checked here, inside every call; a caller outside scope sees 404):
 *   village admin  community_admin whose scope is the village, or the county's county_admin
 *   keeper         a village admin, or a grid_worker of one of the village's grids
 *   household      an account whose person belongs to the household (resident, informant,
 *                  building head, grid worker or party leader living there)
 *   of the village anyone whose scope lies inside the village or above it
 * Lock order on PostgreSQL, to keep clear of deadlocks: the village's chain head (ledger), then
 * the order, then the goods. */

#define POINTS_ORDER_TTL_MS (7LL * 24 * 3600 * 1000) /* an unclaimed order expires in 7 days */
#define POINTS_ORDER_MAX_QTY 99
/* The one-time code: 10 random digits; orders issued before migration 016 have 8, and their
 * codes are still accepted until those orders close (at most 7 days). */
#define POINTS_CODE_DIGITS 10
#define POINTS_CODE_DIGITS_OLD 8
/* The guard against guessing codes (docs/POINTS.md "Guessing codes"): a keeper account whose
 * codes match no order of its villages POINTS_HANDOVER_MAX_MISSES times within
 * POINTS_HANDOVER_WINDOW_MS is refused every handover for POINTS_HANDOVER_LOCK_MS. */
#define POINTS_HANDOVER_MAX_MISSES 5
#define POINTS_HANDOVER_WINDOW_MS (10LL * 60 * 1000)
#define POINTS_HANDOVER_LOCK_MS (15LL * 60 * 1000)

/* Goods fields; `has` says which were given (for a change). */
enum {
    GOODS_NAME = 1,
    GOODS_PHOTO = 2,
    GOODS_PRICE = 4,
    GOODS_STOCK = 8,
    GOODS_COST = 16,
    GOODS_ACTIVE = 32,
};
typedef struct {
    unsigned has;
    const char *name;
    const char *photo_id; /* NULL with GOODS_PHOTO: remove the photo */
    int64_t price_points, stock, cost_fen;
    int active;
    int64_t now;
    int64_t id; /* out of create */
} points_goods_t;

/* The village's goods, {items:[…]}: active ones, or all of them for its admins. Costs (fen) are
 * shown to staff only. NULL with *rc: ERR_NOTFOUND (no such village, or not the caller's). */
json_t *points_goods_list(db_t *db, const actor_t *who, const char *village, int *rc);
/* One article as the list shows it, or NULL with *rc. */
json_t *points_goods_get(db_t *db, const actor_t *who, int64_t id, int *rc);
/* Add goods to a village (village admin; write transaction). name, price and stock required;
 * the photo must be one the caller uploaded. ERR_INVALID (field in e), ERR_NOTFOUND. */
int points_goods_create(db_t *db, const actor_t *who, const char *village, points_goods_t *g,
                        err_t *e);
/* Change the given fields of goods id (village admin). Same errors. */
int points_goods_update(db_t *db, const actor_t *who, int64_t id, points_goods_t *g, err_t *e);

typedef struct {
    int64_t goods_id;
    int qty;
    const char *idem_key;  /* Idempotency-Key or NULL */
    const char *body_hash; /* hash of the request body, with idem_key */
    int64_t now;
    int64_t id;                        /* out: the order */
    char code[POINTS_CODE_DIGITS + 1]; /* out: the one-time code (also on a replay) */
    int replayed;                      /* out: the key was seen with the same body */
} points_order_new_t;
/* Redeem (write transaction): the caller's household orders qty of goods of its own village.
 * 403 no_household; 404 goods not found (or of another village); 409 goods_inactive,
 * out_of_stock, insufficient_points (ledger_post), points_off (400: village not on points);
 * 409 conflict for a reused Idempotency-Key with another body. Nothing is written on failure. */
int points_order_create(db_t *db, const actor_t *who, points_order_new_t *n, err_t *e);

/* A code as typed, read aloud or scanned, into out: its digits, with the spaces and dashes of
 * a grouping ("123 456 7890", "123-456-7890") dropped. 0 when that leaves POINTS_CODE_DIGITS
 * digits, or POINTS_CODE_DIGITS_OLD (an order issued before the longer codes); ERR_INVALID for
 * any other character or length. Pure, thread-safe. */
int points_code_normalize(const char *typed, char out[POINTS_CODE_DIGITS + 1]);

typedef struct {
    const char *code;    /* as typed: normalised here */
    const char *village; /* NULL unless a county admin must say which village */
    const char *ip;      /* for the audit */
    int64_t now;
    int64_t id;           /* out: the order handed over */
    err_t refusal;        /* out: refusal.rc != 0 — refused, but the job must commit (below) */
    int64_t locked_until; /* out, with a refusal of ERR_LOCKED: when handover opens again */
} points_handover_t;
/* The keeper's handover against a code (write transaction). village may be NULL unless the
 * keeper is a county admin whose county has the same open code in two villages. h->id gets the
 * order. Returned: 400 bad code; 403 not a keeper; 404 village outside the keeper's; 409
 * already_used (handed over before), order_closed (cancelled or expired), order_expired (past
 * its time, not yet swept), ambiguous.
 * Refusals that must be remembered come back with 0 — the job commits — and h->refusal set:
 * ERR_NOTFOUND "兑换码无效" when the code matches no order of the keeper's villages (a miss,
 * counted and audited), ERR_LOCKED "too_many_attempts" when the miss is the
 * POINTS_HANDOVER_MAX_MISSES-th within the window (the lock is audited), and ERR_LOCKED for
 * every try while the account is locked, right codes included (the code is not looked up). */
int points_order_handover(db_t *db, const actor_t *who, points_handover_t *h, err_t *e);
/* Cancel an issued order (the household or a village admin; write transaction): refund entry,
 * stock back. 404 outside scope; 409 order_closed. */
int points_order_cancel(db_t *db, const actor_t *who, int64_t id, int64_t now, err_t *e);

/* One order as its household, the village's keepers and admins see it, or NULL with *rc. */
json_t *points_order_get(db_t *db, const actor_t *who, int64_t id, int *rc);
/* Orders newest first, {items, next_cursor}: mine != 0 (or a caller who is only a resident):
 * the caller's household's; else the orders of the villages the caller keeps or administers,
 * narrowed to `village` when given. state may be NULL. ERR_INVALID for a bad state. */
json_t *points_orders_list(db_t *db, const actor_t *who, int mine, const char *state,
                           const char *village, const char *cursor, int limit, int *rc);

/* The QR code of an issued order's code, as an SVG document (caller frees *svg), only for the
 * order's household. 0, ERR_NOTFOUND, ERR_CONFLICT (no longer issued), ERR_IO. */
int points_order_qr(db_t *db, const actor_t *who, int64_t id, char **svg, size_t *len);
/* SVG of a QR code of text (8-bit mode, level M, quiet zone 4). Caller frees. NULL on failure. */
char *points_qr_svg(const char *text, size_t *len);

/* The scheduler: orders still issued at their expiry become `expired` with a refund and their
 * stock back, at most max per pass (write transaction). *expired counts them. */
int points_store_tick(db_t *db, int64_t now, int max, int *expired, err_t *e);

/* May who see photo id because it shows goods of a village who belongs to? (for photos.c) */
int points_store_photo_readable(db_t *db, const actor_t *who, const char *id);

/* ==== points_report.h ====
points_report.h — the county's view of its villages' points (issue 4, docs/POINTS.md
 * "County view"): issued, redeemed and outstanding points, the liability in yuan against each
 * budget, households with accounts, the most used indicators and odd patterns, for one year;
 * and the same as an Excel workbook (libxlsxwriter) for the offices that work in Excel.
 *
 * Odd patterns (kept simple on purpose, so a village can see why it is flagged):
 *   awarder  one person's points issued in the year (positive awards and adjustments) exceed
 *            POINTS_ODD_RATIO times the median of what the village's other awarders issued
 *            (needs at least one other awarder);
 *   night    points issued between 22:00 and 06:00 China time (cadres score door to door by
 *            day): reported with their number whenever there are any. */

#define POINTS_ODD_RATIO 3
#define POINTS_NIGHT_FROM 22 /* hour, China time, inclusive */
#define POINTS_NIGHT_TO 6    /* hour, exclusive */

/* 1 if the instant (epoch ms) falls in the night window, China time. Pure. */
int points_report_is_night(int64_t at);

/* The overview of who's county (county admin, leader, auditor: scope = the county) for a
 * calendar year (China time). New reference, or NULL with *rc (ERR_FORBIDDEN for a scope that
 * is not a county, store errors). See docs/API.md for the shape. */
json_t *points_overview(db_t *db, const actor_t *who, int year, int *rc);

/* Write an overview (as points_overview made it) to path as an .xlsx workbook: sheet 1 各村对比
 * (one row per village and a total row), 2 常用指标, 3 异常提示; Chinese headers, yuan with two
 * decimals, shares as percentages. Slow-ish CPU and file work: run it off the loop threads.
 * 0 or ERR_IO (message in e). */
int points_overview_xlsx(json_t *overview, const char *path, err_t *e);

#endif
