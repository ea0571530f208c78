/* points_store.h — the 积分超市 (MISSION practice 1: 明星村's store "明星·家", docs/POINTS.md
 * "Store"): goods per village priced in points, and redemption orders. An order takes the points
 * (a `redemption` entry through ledger_post) and the stock in one transaction and issues a
 * one-time 8-digit code; the keeper hands over against the code, once. Cancelled or expired
 * orders post a `refund` and return the stock.
 *
 * Who may do what (checked here, inside every call; a caller outside scope sees 404):
 *   village admin  community_admin whose scope is the village, or the county's county_admin
 *   keeper         a village admin, or a grid_worker of one of the village's grids
 *   household      an account whose person belongs to the household (resident, informant,
 *                  building head, grid worker or party leader living there)
 *   of the village anyone whose scope lies inside the village or above it
 * Lock order on PostgreSQL, to keep clear of deadlocks: the village's chain head (ledger), then
 * the order, then the goods. */
#ifndef JICENG_DOMAIN_POINTS_STORE_H
#define JICENG_DOMAIN_POINTS_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "domain/account.h"
#include "lib/err.h"
#include "store/db.h"

#define POINTS_ORDER_TTL_MS (7LL * 24 * 3600 * 1000) /* an unclaimed order expires in 7 days */
#define POINTS_ORDER_MAX_QTY 99

/* Goods fields; `has` says which were given (for a change). */
enum {
    GOODS_NAME = 1, GOODS_PHOTO = 2, GOODS_PRICE = 4, GOODS_STOCK = 8, GOODS_COST = 16,
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
json_t *points_goods_list(db_t *db, const account_user_t *who, const char *village, int *rc);
/* One article as the list shows it, or NULL with *rc. */
json_t *points_goods_get(db_t *db, const account_user_t *who, int64_t id, int *rc);
/* Add goods to a village (village admin; write transaction). name, price and stock required;
 * the photo must be one the caller uploaded. ERR_INVALID (field in e), ERR_NOTFOUND. */
int points_goods_create(db_t *db, const account_user_t *who, const char *village,
                        points_goods_t *g, err_t *e);
/* Change the given fields of goods id (village admin). Same errors. */
int points_goods_update(db_t *db, const account_user_t *who, int64_t id, points_goods_t *g,
                        err_t *e);

typedef struct {
    int64_t goods_id;
    int qty;
    const char *idem_key;  /* Idempotency-Key or NULL */
    const char *body_hash; /* hash of the request body, with idem_key */
    int64_t now;
    int64_t id;            /* out: the order */
    char code[9];          /* out: the one-time code (also on a replay) */
    int replayed;          /* out: the key was seen with the same body */
} points_order_new_t;
/* Redeem (write transaction): the caller's household orders qty of goods of its own village.
 * 403 no_household; 404 goods not found (or of another village); 409 goods_inactive,
 * out_of_stock, insufficient_points (ledger_post), points_off (400: village not on points);
 * 409 conflict for a reused Idempotency-Key with another body. Nothing is written on failure. */
int points_order_create(db_t *db, const account_user_t *who, points_order_new_t *n, err_t *e);

/* The keeper's handover against a code (write transaction). village may be NULL unless the
 * keeper is a county admin whose county has the same open code in two villages. *id gets the
 * order. 400 bad code; 404 no such code in the keeper's villages; 409 already_used (handed over
 * before), order_closed (cancelled or expired), order_expired (past its time, not yet swept). */
int points_order_handover(db_t *db, const account_user_t *who, const char *code,
                          const char *village, int64_t now, int64_t *id, err_t *e);
/* Cancel an issued order (the household or a village admin; write transaction): refund entry,
 * stock back. 404 outside scope; 409 order_closed. */
int points_order_cancel(db_t *db, const account_user_t *who, int64_t id, int64_t now, err_t *e);

/* One order as its household, the village's keepers and admins see it, or NULL with *rc. */
json_t *points_order_get(db_t *db, const account_user_t *who, int64_t id, int *rc);
/* Orders newest first, {items, next_cursor}: mine != 0 (or a caller who is only a resident):
 * the caller's household's; else the orders of the villages the caller keeps or administers,
 * narrowed to `village` when given. state may be NULL. ERR_INVALID for a bad state. */
json_t *points_orders_list(db_t *db, const account_user_t *who, int mine, const char *state,
                           const char *village, const char *cursor, int limit, int *rc);

/* The QR code of an issued order's code, as an SVG document (caller frees *svg), only for the
 * order's household. 0, ERR_NOTFOUND, ERR_CONFLICT (no longer issued), ERR_IO. */
int points_order_qr(db_t *db, const account_user_t *who, int64_t id, char **svg, size_t *len);
/* SVG of a QR code of text (8-bit mode, level M, quiet zone 4). Caller frees. NULL on failure. */
char *points_qr_svg(const char *text, size_t *len);

/* The scheduler: orders still issued at their expiry become `expired` with a refund and their
 * stock back, at most max per pass (write transaction). *expired counts them. */
int points_store_tick(db_t *db, int64_t now, int max, int *expired, err_t *e);

/* May who see photo id because it shows goods of a village who belongs to? (for photos.c) */
int points_store_photo_readable(db_t *db, const account_user_t *who, const char *id);

#endif
