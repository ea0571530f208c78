/* points_store.c — goods and redemption orders of the 积分超市 (docs/POINTS.md "Store").
 *
 * An order's life (every transition in one transaction with its ledger entry and stock move):
 *
 *   state        event       who                       effect
 *   (none)       create      the household             redemption −price×qty, stock −qty, code
 *   issued       handover    a keeper, with the code   none (points and stock already moved)
 *   issued       cancel      the household, village    refund +price×qty, stock +qty
 *                            admin
 *   issued       expire      the scheduler (7 days)    refund, stock back
 *   other        anything    —                         409
 *
 * The code is 10 random digits (8 for orders issued before migration 016), unique among the
 * village's issued orders. It is stored twice: as a keyed hash (hash.key) for the keeper's
 * lookup — an unkeyed hash of 10^10 values would be reversed in minutes — and encrypted
 * (field.key) so the household can show its QR again until handover; nobody else ever gets it
 * back. The handover, and the guard against keepers guessing codes, are in handover.c. */
#include <inttypes.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/accounts/accounts.h"
#include "domain/common/photos.h"
#include "domain/points/points.h"
#include "domain/points/points_int.h"
#include "domain/registry/registry.h"
#include "lib/buf.h"
#include "lib/crypto.h"
#include "lib/idgen.h"
#include "lib/utf8.h"

/* ---------- who ---------- */

static int is_village_admin(const actor_t *w, const char *village)
{
    return (w->role == ROLE_COMMUNITY_ADMIN && strcmp(w->scope, village) == 0) ||
           (w->role == ROLE_COUNTY_ADMIN && region_in_scope(w->scope, village));
}

static int is_keeper(const actor_t *w, const char *village)
{
    return is_village_admin(w, village) ||
           (w->role == ROLE_GRID_WORKER && region_in_scope(village, w->scope));
}

static int of_village(const actor_t *w, const char *village)
{
    return region_in_scope(w->scope, village) || region_in_scope(village, w->scope);
}

static int is_staff(const actor_t *w) { return (w->role & (ROLE_PERSONS)) == 0; }

static const char SQL_HOUSEHOLD_OF[] =
    "SELECT h.id, h.region_code FROM people p JOIN households h ON h.county = p.county"
    " AND h.id = p.household_id WHERE p.county = ? AND p.id = ?";

/* The caller's household and its village (12 digits); 0 or ERR_NOTFOUND. */
static int household_of(db_t *db, const actor_t *w, int64_t *hh, char village[16])
{
    *hh = 0;
    village[0] = 0;
    if (!w->person_id)
        return ERR_NOTFOUND;
    db_stmt_t *st = db_query(db, SQL_HOUSEHOLD_OF, S(w->county), I(w->person_id));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW) {
        *hh = db_col_i64(st, 0);
        snprintf(village, 16, "%.12s", db_col_text(st, 1));
    }
    db_reset(st);
    if (s < 0)
        return s;
    return s == DB_ROW && strlen(village) == 12 ? 0 : ERR_NOTFOUND;
}

static const char SQL_VILLAGE[] = "SELECT county FROM regions WHERE code = ? AND level = 5";

static int village_county(db_t *db, const char *village, char county[8])
{
    county[0] = 0;
    if (!village || strlen(village) != 12 || !region_code_valid(village))
        return ERR_NOTFOUND;
    db_stmt_t *st = db_query(db, SQL_VILLAGE, S(village));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW)
        snprintf(county, 8, "%s", db_col_text(st, 0));
    db_reset(st);
    return s < 0 ? s : s == DB_ROW ? 0 : ERR_NOTFOUND;
}

/* Run a write and report how many rows it changed. */
static int run_count(db_stmt_t *st, int64_t *changed)
{
    int s = st ? db_step(st) : ERR_IO;
    *changed = s >= 0 ? db_changes(st) : 0;
    db_reset(st);
    return s < 0 ? s : 0;
}

static void audit(db_t *db, const actor_t *who, const char *action, int64_t id, const char *detail,
                  int64_t now, int *rc)
{
    if (*rc)
        return;
    char object[40];
    snprintf(object, sizeof object, "%s:%" PRId64, strncmp(action, "goods", 5) ? "order" : "goods",
             id);
    audit_entry_t a = {.who = who,
                       .action = action,
                       .object = object,
                       .outcome = "ok",
                       .detail = detail,
                       .now = now};
    *rc = audit_write(db, &a);
}

static json_t *id_json(int64_t id)
{
    char b[24];
    snprintf(b, sizeof b, "%" PRId64, id);
    return json_string(b);
}

/* ---------- goods ---------- */

#define GOODS_COLS                                                                                 \
    "id, village_code, name, photo_id, price_points, stock, cost_fen, active, created_at,"         \
    " updated_at, county"

static json_t *goods_row(db_stmt_t *st, int with_cost)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", id_json(db_col_i64(st, 0)));
    json_object_set_new(o, "village_code", json_string(db_col_text(st, 1)));
    json_object_set_new(o, "name", json_string(db_col_text(st, 2)));
    const char *photo = db_col_text(st, 3);
    json_object_set_new(o, "photo_id", photo ? json_string(photo) : json_null());
    if (photo) {
        char url[96];
        snprintf(url, sizeof url, "/api/v1/photos/%s", photo);
        json_object_set_new(o, "photo_url", json_string(url));
        snprintf(url, sizeof url, "/api/v1/photos/%s/thumb", photo);
        json_object_set_new(o, "thumb_url", json_string(url));
    }
    json_object_set_new(o, "price_points", json_integer(db_col_i64(st, 4)));
    json_object_set_new(o, "stock", json_integer(db_col_i64(st, 5)));
    if (with_cost)
        json_object_set_new(o, "cost_fen", json_integer(db_col_i64(st, 6)));
    json_object_set_new(o, "active", json_boolean(db_col_i64(st, 7)));
    json_object_set_new(o, "created_at", json_integer(db_col_i64(st, 8)));
    json_object_set_new(o, "updated_at", json_integer(db_col_i64(st, 9)));
    return o;
}

static const char SQL_GOODS_LIST[] =
    "SELECT " GOODS_COLS " FROM points_goods WHERE county = ? AND village_code = ?"
    " AND (? = 1 OR active = 1) ORDER BY active DESC, id LIMIT 500";

json_t *points_goods_list(db_t *db, const actor_t *who, const char *village, int *rc)
{
    char county[8];
    if ((*rc = village_county(db, village, county)) != 0)
        return NULL;
    if (!of_village(who, village)) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    int admin = is_village_admin(who, village);
    json_t *items = json_array();
    db_stmt_t *st = db_query(db, SQL_GOODS_LIST, S(county), S(village), I((int64_t)admin));
    int s;
    while (st && (s = db_step(st)) == DB_ROW)
        json_array_append_new(items, goods_row(st, is_staff(who)));
    db_reset(st);
    if (!st || s < 0) {
        json_decref(items);
        *rc = st ? s : ERR_IO;
        return NULL;
    }
    *rc = 0;
    return json_pack("{s:o}", "items", items);
}

static const char SQL_GOODS_ONE[] = "SELECT " GOODS_COLS " FROM points_goods WHERE id = ?";

json_t *points_goods_get(db_t *db, const actor_t *who, int64_t id, int *rc)
{
    db_stmt_t *st = db_query(db, SQL_GOODS_ONE, I(id));
    int s = st ? db_step(st) : ERR_IO;
    json_t *o = NULL;
    if (s == DB_ROW) {
        const char *village = db_col_text(st, 1);
        int admin = is_village_admin(who, village);
        if (of_village(who, village) && (admin || db_col_i64(st, 7)))
            o = goods_row(st, is_staff(who));
    }
    db_reset(st);
    *rc = o ? 0 : s < 0 ? s : ERR_NOTFOUND;
    return o;
}

static int goods_check(db_t *db, const actor_t *who, const points_goods_t *g, err_t *e)
{
    if (g->has & GOODS_NAME) {
        size_t n = g->name ? utf8_count(g->name, strlen(g->name)) : 0;
        int blank = 1;
        for (const char *p = g->name; p && *p; p++)
            if (*p != ' ' && *p != '\t')
                blank = 0;
        if (!g->name || blank || n > 50)
            return err_set(e, ERR_INVALID, "invalid", "商品名称应为 1 到 50 个字", "name");
    }
    if ((g->has & GOODS_PRICE) && (g->price_points < 1 || g->price_points > 1000000))
        return err_set(e, ERR_INVALID, "invalid", "积分价格应为 1 到 1000000 之间的整数",
                       "price_points");
    if ((g->has & GOODS_STOCK) && (g->stock < 0 || g->stock > 1000000))
        return err_set(e, ERR_INVALID, "invalid", "库存应为 0 到 1000000 之间的整数", "stock");
    if ((g->has & GOODS_COST) && (g->cost_fen < 0 || g->cost_fen > 100000000))
        return err_set(e, ERR_INVALID, "invalid", "成本应为 0 到 1000000 元之间（以分计）",
                       "cost_fen");
    if ((g->has & GOODS_PHOTO) && g->photo_id) {
        json_t *ids = json_pack("[s]", g->photo_id);
        err_t pe = {0};
        int rc = photos_check(db, who, ids, &pe);
        json_decref(ids);
        if (rc)
            return err_set(e, ERR_INVALID, "invalid",
                           "照片编号无效：请先通过 /api/v1/photos 上传商品照片", "photo_id");
    }
    return 0;
}

static const char SQL_GOODS_NEW[] =
    "INSERT INTO points_goods (id, county, village_code, name, photo_id, price_points, stock,"
    " cost_fen, active, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)";

int points_goods_create(db_t *db, const actor_t *who, const char *village, points_goods_t *g,
                        err_t *e)
{
    char county[8];
    int rc = village_county(db, village, county);
    if (rc == ERR_NOTFOUND || (rc == 0 && !of_village(who, village)))
        return err_set(e, ERR_NOTFOUND, "not_found", "村（社区）不存在或不在您的管辖范围内", NULL);
    if (rc)
        return rc;
    if (!is_village_admin(who, village))
        return err_set(e, ERR_FORBIDDEN, "forbidden",
                       "只有本村（社区）管理员或县级管理员可以管理积分超市", NULL);
    if (!(g->has & GOODS_NAME))
        return err_set(e, ERR_INVALID, "invalid", "缺少必填字段", "name");
    if (!(g->has & GOODS_PRICE))
        return err_set(e, ERR_INVALID, "invalid", "缺少必填字段", "price_points");
    if (!(g->has & GOODS_STOCK))
        return err_set(e, ERR_INVALID, "invalid", "缺少必填字段", "stock");
    if ((rc = goods_check(db, who, g, e)) != 0)
        return rc;
    g->id = idgen_next();
    rc = db_run(db, SQL_GOODS_NEW, I(g->id), S(county), S(village), S(g->name),
                S((g->has & GOODS_PHOTO) ? g->photo_id : NULL), I(g->price_points), I(g->stock),
                I((g->has & GOODS_COST) ? g->cost_fen : (int64_t)0),
                I((int64_t)((g->has & GOODS_ACTIVE) ? g->active != 0 : 1)), I(g->now), I(g->now));
    audit(db, who, "goods_create", g->id, g->name, g->now, &rc);
    return rc;
}

static const char SQL_GOODS_SET[] =
    "UPDATE points_goods SET name = COALESCE(?, name),"
    " photo_id = CASE WHEN ? = 1 THEN ? ELSE photo_id END,"
    " price_points = COALESCE(?, price_points), stock = COALESCE(?, stock),"
    " cost_fen = COALESCE(?, cost_fen), active = COALESCE(?, active), updated_at = ?"
    " WHERE id = ? AND county = ? AND village_code = ?";
static const char SQL_GOODS_WHERE[] = "SELECT county, village_code FROM points_goods WHERE id = ?";

int points_goods_update(db_t *db, const actor_t *who, int64_t id, points_goods_t *g, err_t *e)
{
    char county[8] = "", village[16] = "";
    db_stmt_t *st = db_query(db, SQL_GOODS_WHERE, I(id));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW) {
        snprintf(county, sizeof county, "%s", db_col_text(st, 0));
        snprintf(village, sizeof village, "%s", db_col_text(st, 1));
    }
    db_reset(st);
    if (s < 0)
        return s;
    if (s != DB_ROW || !of_village(who, village))
        return err_set(e, ERR_NOTFOUND, "not_found", "商品不存在或不在您的管辖范围内", NULL);
    if (!is_village_admin(who, village))
        return err_set(e, ERR_FORBIDDEN, "forbidden",
                       "只有本村（社区）管理员或县级管理员可以管理积分超市", NULL);
    if (!g->has)
        return err_set(e, ERR_INVALID, "invalid", "没有要修改的字段", NULL);
    int rc = goods_check(db, who, g, e);
    if (rc)
        return rc;
    st = db_prepare(db, SQL_GOODS_SET);
    if (!st)
        return ERR_IO;
    db_bind_text(st, 1, (g->has & GOODS_NAME) ? g->name : NULL, -1);
    db_bind_i64(st, 2, (g->has & GOODS_PHOTO) ? 1 : 0);
    db_bind_text(st, 3, (g->has & GOODS_PHOTO) ? g->photo_id : NULL, -1);
    if (g->has & GOODS_PRICE)
        db_bind_i64(st, 4, g->price_points);
    else
        db_bind_null(st, 4);
    if (g->has & GOODS_STOCK)
        db_bind_i64(st, 5, g->stock);
    else
        db_bind_null(st, 5);
    if (g->has & GOODS_COST)
        db_bind_i64(st, 6, g->cost_fen);
    else
        db_bind_null(st, 6);
    if (g->has & GOODS_ACTIVE)
        db_bind_i64(st, 7, g->active != 0);
    else
        db_bind_null(st, 7);
    db_bind_i64(st, 8, g->now);
    db_bind_i64(st, 9, id);
    db_bind_text(st, 10, county, -1);
    db_bind_text(st, 11, village, -1);
    int64_t changed;
    rc = run_count(st, &changed);
    if (rc == 0 && changed != 1)
        rc = ERR_NOTFOUND;
    g->id = id;
    audit(db, who, "goods_update", id, NULL, g->now, &rc);
    return rc;
}

static const char SQL_PHOTO_GOODS[] =
    "SELECT village_code FROM points_goods WHERE photo_id = ? LIMIT 50";

int points_store_photo_readable(db_t *db, const actor_t *who, const char *id)
{
    if (!photos_id_valid(id))
        return 0;
    int ok = 0;
    db_stmt_t *st = db_query(db, SQL_PHOTO_GOODS, S(id));
    while (!ok && st && db_step(st) == DB_ROW)
        ok = of_village(who, db_col_text(st, 0));
    db_reset(st);
    return ok;
}

/* ---------- orders ---------- */

#define ORDER_SELECT                                                                               \
    "SELECT o.id, o.village_code, o.household_id, o.goods_id, g.name, o.qty, o.points, o.state,"   \
    " o.created_at, o.expires_at, o.closed_at, o.closed_by, h.address, o.county, g.photo_id"       \
    " FROM points_orders o JOIN points_goods g ON g.id = o.goods_id"                               \
    " LEFT JOIN households h ON h.county = o.county AND h.id = o.household_id"

static json_t *order_row(db_stmt_t *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", id_json(db_col_i64(st, 0)));
    json_object_set_new(o, "village_code", json_string(db_col_text(st, 1)));
    json_object_set_new(o, "household_id", id_json(db_col_i64(st, 2)));
    json_object_set_new(o, "household_address",
                        db_col_text(st, 12) ? json_string(db_col_text(st, 12)) : json_null());
    json_object_set_new(o, "goods_id", id_json(db_col_i64(st, 3)));
    json_object_set_new(o, "goods_name", json_string(db_col_text(st, 4)));
    const char *photo = db_col_text(st, 14);
    if (photo) {
        char url[96];
        snprintf(url, sizeof url, "/api/v1/photos/%s/thumb", photo);
        json_object_set_new(o, "thumb_url", json_string(url));
    }
    json_object_set_new(o, "qty", json_integer(db_col_i64(st, 5)));
    json_object_set_new(o, "points", json_integer(db_col_i64(st, 6)));
    json_object_set_new(o, "state", json_string(db_col_text(st, 7)));
    json_object_set_new(o, "created_at", json_integer(db_col_i64(st, 8)));
    json_object_set_new(o, "expires_at", json_integer(db_col_i64(st, 9)));
    json_object_set_new(o, "closed_at",
                        db_col_isnull(st, 10) ? json_null() : json_integer(db_col_i64(st, 10)));
    /* closed_by 0: the scheduler */
    json_object_set_new(o, "closed_by",
                        db_col_i64(st, 11) ? id_json(db_col_i64(st, 11)) : json_null());
    return o;
}

static const char SQL_ORDER_ONE[] = ORDER_SELECT " WHERE o.id = ?";

json_t *points_order_get(db_t *db, const actor_t *who, int64_t id, int *rc)
{
    int64_t hh = 0;
    char home[16];
    int r = household_of(db, who, &hh, home);
    if (r && r != ERR_NOTFOUND) {
        *rc = r;
        return NULL;
    }
    db_stmt_t *st = db_query(db, SQL_ORDER_ONE, I(id));
    int s = st ? db_step(st) : ERR_IO;
    json_t *o = NULL;
    if (s == DB_ROW && ((hh && db_col_i64(st, 2) == hh) || is_keeper(who, db_col_text(st, 1)) ||
                        is_village_admin(who, db_col_text(st, 1))))
        o = order_row(st);
    db_reset(st);
    *rc = o ? 0 : s < 0 ? s : ERR_NOTFOUND;
    return o;
}

static const char SQL_LIST_MINE[] =
    ORDER_SELECT " WHERE o.county = ? AND o.household_id = ? AND (? = '' OR o.state = ?)"
                 " AND o.id < ? ORDER BY o.id DESC LIMIT ?";
static const char SQL_LIST_VILLAGES[] =
    ORDER_SELECT " WHERE o.village_code >= ? AND o.village_code < ? AND (? = '' OR o.state = ?)"
                 " AND o.id < ? ORDER BY o.id DESC LIMIT ?";

static int state_valid(const char *s)
{
    return !strcmp(s, "issued") || !strcmp(s, "handed_over") || !strcmp(s, "cancelled") ||
           !strcmp(s, "expired");
}

json_t *points_orders_list(db_t *db, const actor_t *who, int mine, const char *state,
                           const char *village, const char *cursor, int limit, int *rc)
{
    const char *stv = state ? state : "";
    if (*stv && !state_valid(stv)) {
        *rc = ERR_INVALID;
        return NULL;
    }
    int64_t before = cursor ? strtoll(cursor, NULL, 10) : INT64_MAX;
    db_stmt_t *st;
    if (mine || (who->role & ROLE_PERSONS)) {
        int64_t hh;
        char home[16];
        int r = household_of(db, who, &hh, home);
        if (r == ERR_NOTFOUND)
            return *rc = 0, json_pack("{s:[],s:n}", "items", "next_cursor");
        if (r)
            return *rc = r, NULL;
        st = db_query(db, SQL_LIST_MINE, S(who->county), I(hh), S(stv), S(stv), I(before),
                      I((int64_t)limit + 1));
    } else {
        /* The villages the caller keeps or administers: a village admin's or grid worker's
         * village, or every village of a county admin's county. */
        char lo[16], hi[24];
        if (who->role == ROLE_COUNTY_ADMIN)
            snprintf(lo, sizeof lo, "%.6s", who->scope);
        else if ((who->role == ROLE_COMMUNITY_ADMIN || who->role == ROLE_GRID_WORKER) &&
                 strlen(who->scope) >= 12)
            snprintf(lo, sizeof lo, "%.12s", who->scope);
        else
            return *rc = 0, json_pack("{s:[],s:n}", "items", "next_cursor");
        if (village && *village) {
            if (strlen(village) != 12 || !region_in_scope(lo, village))
                return *rc = ERR_NOTFOUND, NULL;
            snprintf(lo, sizeof lo, "%s", village);
        }
        region_scope_hi(lo, hi, sizeof hi);
        st = db_query(db, SQL_LIST_VILLAGES, S(lo), S(hi), S(stv), S(stv), I(before),
                      I((int64_t)limit + 1));
    }
    json_t *items = json_array();
    int s = 0, n = 0;
    int64_t last = 0;
    while (st && (s = db_step(st)) == DB_ROW) {
        if (n == limit) {
            n++;
            break;
        }
        last = db_col_i64(st, 0);
        json_array_append_new(items, order_row(st));
        n++;
    }
    db_reset(st);
    if (!st || s < 0) {
        json_decref(items);
        *rc = st ? s : ERR_IO;
        return NULL;
    }
    *rc = 0;
    return json_pack("{s:o,s:o}", "items", items, "next_cursor",
                     n > limit ? id_json(last) : json_null());
}

/* Taking the village's chain head first (the same row ledger_post locks) keeps every writer of a
 * village's orders in one lock order: village, order, goods. */
static const char SQL_VILLAGE_LOCK[] =
    "UPDATE points_settings SET last_seq = last_seq WHERE village_code = ?";
static const char SQL_GOODS_FOR_ORDER[] =
    "SELECT county, village_code, name, price_points, stock, active FROM points_goods WHERE id = ?";
static const char SQL_STOCK_TAKE[] =
    "UPDATE points_goods SET stock = stock - ?, updated_at = ? WHERE id = ? AND stock >= ?"
    " AND active = 1";
static const char SQL_STOCK_BACK[] =
    "UPDATE points_goods SET stock = stock + ?, updated_at = ? WHERE id = ?";
static const char SQL_CODE_TAKEN[] =
    "SELECT 1 FROM points_orders WHERE village_code = ? AND code_hash = ? AND state = 'issued'";
static const char SQL_ORDER_NEW[] =
    "INSERT INTO points_orders (id, county, village_code, household_id, goods_id, qty, points,"
    " state, code_hash, code_enc, requested_by, created_at, expires_at)"
    " VALUES (?,?,?,?,?,?,?,'issued',?,?,?,?,?)";
static const char SQL_IDEM_GET[] =
    "SELECT body_hash, result_kind, result_id FROM points_idempotency WHERE user_id = ?"
    " AND idem_key = ?";
static const char SQL_IDEM_PUT[] =
    "INSERT INTO points_idempotency (user_id, idem_key, body_hash, result_kind, result_id,"
    " created_at) VALUES (?,?,?,'order',?,?)";
static const char SQL_ORDER_CODE[] = "SELECT code_enc, household_id, state FROM points_orders"
                                     " WHERE id = ?";

static int replay(db_t *db, const actor_t *who, points_order_new_t *n, err_t *e, int *seen)
{
    *seen = 0;
    db_stmt_t *st = db_query(db, SQL_IDEM_GET, I(who->id), S(n->idem_key));
    int s = st ? db_step(st) : ERR_IO;
    int same = 0;
    int64_t id = 0;
    if (s == DB_ROW) {
        same = strcmp(db_col_text(st, 0), n->body_hash) == 0 &&
               strcmp(db_col_text(st, 1), "order") == 0;
        id = db_col_i64(st, 2);
    }
    db_reset(st);
    if (s < 0)
        return s;
    if (s != DB_ROW)
        return 0;
    *seen = 1;
    if (!same)
        return err_set(e, ERR_CONFLICT, "conflict", "该 Idempotency-Key 已用于另一个请求",
                       "Idempotency-Key");
    st = db_query(db, SQL_ORDER_CODE, I(id));
    s = st ? db_step(st) : ERR_IO;
    char *code = s == DB_ROW && !db_col_isnull(st, 0)
                     ? crypto_field_decrypt(registry_keys(), db_col_text(st, 0))
                     : NULL;
    db_reset(st);
    if (!code)
        return s < 0 ? s : ERR_IO;
    snprintf(n->code, sizeof n->code, "%s", code);
    free(code);
    n->id = id;
    n->replayed = 1;
    return 0;
}

int points_order_create(db_t *db, const actor_t *who, points_order_new_t *n, err_t *e)
{
    int64_t hh;
    char village[16];
    int rc = household_of(db, who, &hh, village);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_FORBIDDEN, "no_household", "您的账号未关联住户，不能兑换积分商品",
                       NULL);
    if (rc)
        return rc;
    if (n->qty < 1 || n->qty > POINTS_ORDER_MAX_QTY)
        return err_set(e, ERR_INVALID, "invalid", "数量应为 1 到 99", "qty");
    if (n->idem_key) {
        int seen;
        if ((rc = replay(db, who, n, e, &seen)) != 0 || seen)
            return rc;
    }

    char county[8] = "", gvillage[16] = "";
    int64_t price = 0, stock = 0, active = 0;
    db_stmt_t *st = db_query(db, SQL_GOODS_FOR_ORDER, I(n->goods_id));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW) {
        snprintf(county, sizeof county, "%s", db_col_text(st, 0));
        snprintf(gvillage, sizeof gvillage, "%s", db_col_text(st, 1));
        price = db_col_i64(st, 3);
        stock = db_col_i64(st, 4);
        active = db_col_i64(st, 5);
    }
    db_reset(st);
    if (s < 0)
        return s;
    if (s != DB_ROW || strcmp(gvillage, village) != 0)
        return err_set(e, ERR_NOTFOUND, "not_found", "商品不存在或不属于您所在的村（社区）",
                       "goods_id");
    if (!active)
        return err_set(e, ERR_CONFLICT, "goods_inactive", "该商品已下架", "goods_id");
    if (stock < n->qty)
        return err_set(e, ERR_CONFLICT, "out_of_stock", "库存不足", "qty");

    /* Points first: ledger_post takes the village's chain head, which also serialises this
     * village's orders on PostgreSQL; the stock is then taken by a conditional UPDATE. */
    n->id = idgen_next();
    int64_t total = price * n->qty;
    ledger_post_t p = {.village = village,
                       .household_id = hh,
                       .kind = "redemption",
                       .points = -total,
                       .order_id = n->id,
                       .actor_id = who->id,
                       .actor_name = who->name,
                       .at = n->now};
    if ((rc = ledger_post(db, &p, e)) != 0)
        return rc;
    int64_t changed;
    if ((rc = run_count(db_query(db, SQL_STOCK_TAKE, I((int64_t)n->qty), I(n->now), I(n->goods_id),
                                 I((int64_t)n->qty)),
                        &changed)) != 0)
        return rc;
    if (changed != 1)
        return err_set(e, ERR_CONFLICT, "out_of_stock", "库存不足", "qty");

    /* A code not in use among the village's open orders (10^10 codes: a clash is rare). */
    char hash[65];
    int free_code = 0;
    for (int tries = 0; tries < 20 && !free_code; tries++) {
        pts_code_new(n->code);
        pts_code_hash(n->code, hash);
        int64_t one;
        int found = 0;
        if ((rc = db_one_i64(db, SQL_CODE_TAKEN, &one, &found, S(village), S(hash))) != 0)
            return rc;
        free_code = !found;
    }
    if (!free_code)
        return err_set(e, ERR_BUSY, "busy", "兑换码生成失败，请重试", NULL);
    char *enc = crypto_field_encrypt(registry_keys(), n->code, strlen(n->code));
    if (!enc)
        return ERR_NOMEM;
    rc = db_run(db, SQL_ORDER_NEW, I(n->id), S(county), S(village), I(hh), I(n->goods_id),
                I((int64_t)n->qty), I(total), S(hash), S(enc), I(who->id), I(n->now),
                I(n->now + POINTS_ORDER_TTL_MS));
    free(enc);
    if (rc == 0 && n->idem_key)
        rc = db_run(db, SQL_IDEM_PUT, I(who->id), S(n->idem_key), S(n->body_hash), I(n->id),
                    I(n->now));
    return rc;
}

static const char SQL_ORDER_FOR_CLOSE[] =
    "SELECT village_code, household_id, goods_id, qty, points, state FROM points_orders"
    " WHERE id = ?";
static const char SQL_CLOSE[] =
    "UPDATE points_orders SET state = ?, closed_at = ?, closed_by = ? WHERE id = ?"
    " AND state = 'issued'";

typedef struct {
    char village[16], state[16];
    int64_t household, goods, qty, points;
} order_t;

static int load_order(db_t *db, int64_t id, order_t *o)
{
    db_stmt_t *st = db_query(db, SQL_ORDER_FOR_CLOSE, I(id));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW) {
        snprintf(o->village, sizeof o->village, "%s", db_col_text(st, 0));
        o->household = db_col_i64(st, 1);
        o->goods = db_col_i64(st, 2);
        o->qty = db_col_i64(st, 3);
        o->points = db_col_i64(st, 4);
        snprintf(o->state, sizeof o->state, "%s", db_col_text(st, 5));
    }
    db_reset(st);
    return s < 0 ? s : s == DB_ROW ? 0 : ERR_NOTFOUND;
}

/* Close an issued order as cancelled or expired: refund and stock back, in the lock order. */
static int close_refund(db_t *db, int64_t id, const order_t *o, const char *state, int64_t actor,
                        const char *actor_name, int64_t now, err_t *e)
{
    int rc = db_run(db, SQL_VILLAGE_LOCK, S(o->village));
    int64_t changed = 0;
    if (rc == 0)
        rc = run_count(db_query(db, SQL_CLOSE, S(state), I(now), I(actor), I(id)), &changed);
    if (rc)
        return rc;
    if (changed != 1)
        return err_set(e, ERR_CONFLICT, "order_closed", "该订单已不能取消", NULL);
    ledger_post_t p = {.village = o->village,
                       .household_id = o->household,
                       .kind = "refund",
                       .points = o->points,
                       .order_id = id,
                       .actor_id = actor,
                       .actor_name = actor_name,
                       .at = now};
    if ((rc = ledger_post(db, &p, e)) != 0)
        return rc;
    return db_run(db, SQL_STOCK_BACK, I(o->qty), I(now), I(o->goods));
}

int points_order_cancel(db_t *db, const actor_t *who, int64_t id, int64_t now, err_t *e)
{
    order_t o;
    int rc = load_order(db, id, &o);
    if (rc && rc != ERR_NOTFOUND)
        return rc;
    int64_t hh = 0;
    char home[16];
    int mine = 0;
    if (rc == 0) {
        int r = household_of(db, who, &hh, home);
        if (r && r != ERR_NOTFOUND)
            return r;
        mine = hh && hh == o.household;
    }
    if (rc || !(mine || is_village_admin(who, o.village) || is_keeper(who, o.village)))
        return err_set(e, ERR_NOTFOUND, "not_found", "订单不存在或不在您的管辖范围内", NULL);
    if (!mine && !is_village_admin(who, o.village))
        return err_set(e, ERR_FORBIDDEN, "forbidden",
                       "只有下单的住户或村（社区）管理员可以取消订单", NULL);
    if (strcmp(o.state, "issued") != 0)
        return pts_order_closed(o.state, e);
    rc = close_refund(db, id, &o, "cancelled", who->id, who->name, now, e);
    audit(db, who, "order_cancel", id, o.village, now, &rc);
    return rc;
}

static const char SQL_DUE[] =
    "SELECT id FROM points_orders WHERE state = 'issued' AND expires_at <= ? ORDER BY expires_at"
    " LIMIT ?";

int points_store_tick(db_t *db, int64_t now, int max, int *expired, err_t *e)
{
    *expired = 0;
    int64_t *ids = calloc((size_t)max, sizeof *ids);
    if (!ids)
        return ERR_NOMEM;
    int n = 0, rc = 0, s = DB_DONE;
    db_stmt_t *st = db_query(db, SQL_DUE, I(now), I((int64_t)max));
    while (st && (s = db_step(st)) == DB_ROW && n < max)
        ids[n++] = db_col_i64(st, 0);
    db_reset(st);
    if (!st || s < 0)
        rc = st ? s : ERR_IO;
    for (int i = 0; i < n && rc == 0; i++) {
        order_t o;
        rc = load_order(db, ids[i], &o);
        if (rc == 0 && strcmp(o.state, "issued") == 0) {
            err_t ie = {0};
            rc = close_refund(db, ids[i], &o, "expired", 0, "系统（订单过期）", now, &ie);
            if (rc == ERR_CONFLICT) /* closed meanwhile */
                rc = 0;
            else if (rc == 0)
                (*expired)++;
            else
                err_copy(e, &ie);
        } else if (rc == ERR_NOTFOUND) {
            rc = 0;
        }
    }
    free(ids);
    return rc;
}

/* ---------- QR ---------- */

char *points_qr_svg(const char *text, size_t *len)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return NULL;
    const int quiet = 4, w = q->width, size = w + 2 * quiet;
    buf_t b;
    buf_init(&b, 1u << 20);
    buf_printf(&b,
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\""
               " height=\"%d\" shape-rendering=\"crispEdges\"><title>兑换码</title>"
               "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
               size, size, size * 8, size * 8, size, size);
    /* One horizontal run of dark modules per "M x y h n v1 h-n z". */
    for (int y = 0; y < w; y++) {
        for (int x = 0; x < w;) {
            if (!(q->data[y * w + x] & 1)) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < w && (q->data[y * w + x + run] & 1))
                run++;
            buf_printf(&b, "M%d %dh%dv1h-%dz", x + quiet, y + quiet, run, run);
            x += run;
        }
    }
    buf_addstr(&b, "\"/></svg>\n");
    QRcode_free(q);
    *len = b.len;
    return buf_detach(&b);
}

int points_order_qr(db_t *db, const actor_t *who, int64_t id, char **svg, size_t *len)
{
    *svg = NULL;
    int64_t hh;
    char home[16];
    int rc = household_of(db, who, &hh, home);
    if (rc)
        return rc;
    db_stmt_t *st = db_query(db, SQL_ORDER_CODE, I(id));
    int s = st ? db_step(st) : ERR_IO;
    char *code = NULL;
    rc = s < 0 ? s : ERR_NOTFOUND;
    if (s == DB_ROW && db_col_i64(st, 1) == hh) {
        if (strcmp(db_col_text(st, 2), "issued") != 0)
            rc = ERR_CONFLICT;
        else if (db_col_isnull(st, 0)) /* an order loaded without its code (demo data) */
            rc = ERR_NOTFOUND;
        else if ((code = crypto_field_decrypt(registry_keys(), db_col_text(st, 0))) == NULL)
            rc = ERR_IO;
        else
            rc = 0;
    }
    db_reset(st);
    if (rc == 0) {
        *svg = points_qr_svg(code, len);
        if (!*svg)
            rc = ERR_IO;
    }
    free(code);
    return rc;
}
