/* points_store.c — the 积分超市 over HTTP (goods, orders, codes and QR) and the county's points
 * overview with its Excel export. Rules and scope live in domain/points_store and
 * domain/points_report; this file validates bodies and queues the writes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "api/api.h"
#include "domain/points/points.h"

/* An integer member: absent → *has = 0; wrong type or out of range → 400 (returns non-zero). */
static int int_field(http_ctx_t *c, json_t *body, const char *key, int64_t min, int64_t max,
                     const char *msg, int64_t *out, int *has)
{
    json_t *v = json_object_get(body, key);
    *has = 0;
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        http_reply_fail(c, ERR_INVALID, "invalid", msg, key);
        return ERR_INVALID;
    }
    *out = json_integer_value(v);
    *has = 1;
    return 0;
}

/* ---------- goods ---------- */

typedef struct {
    http_ctx_t *c;
    const char *village;
    int64_t id;
    points_goods_t g;
} goods_arg_t;

static int goods_body(http_ctx_t *c, goods_arg_t *a)
{
    static const char *const fields[] = {"name",   "photo_id", "price_points", "stock", "cost_fen",
                                         "active", NULL};
    json_t *body;
    if (http_body(c, &body) || http_only_fields(c, body, fields))
        return ERR_INVALID;
    points_goods_t *g = &a->g;
    int has;
    json_t *name = json_object_get(body, "name");
    if (name) {
        if (!json_is_string(name)) {
            http_reply_fail(c, ERR_INVALID, "invalid", "商品名称应为字符串", "name");
            return ERR_INVALID;
        }
        g->name = json_string_value(name);
        g->has |= GOODS_NAME;
    }
    json_t *photo = json_object_get(body, "photo_id");
    if (photo) {
        if (!json_is_string(photo) && !json_is_null(photo)) {
            http_reply_fail(c, ERR_INVALID, "invalid", "照片编号应为字符串或 null", "photo_id");
            return ERR_INVALID;
        }
        g->photo_id = json_string_value(photo); /* NULL: remove the photo */
        g->has |= GOODS_PHOTO;
    }
    if (int_field(c, body, "price_points", 1, 1000000, "积分价格应为 1 到 1000000 之间的整数",
                  &g->price_points, &has))
        return ERR_INVALID;
    g->has |= has ? GOODS_PRICE : 0;
    if (int_field(c, body, "stock", 0, 1000000, "库存应为 0 到 1000000 之间的整数", &g->stock,
                  &has))
        return ERR_INVALID;
    g->has |= has ? GOODS_STOCK : 0;
    if (int_field(c, body, "cost_fen", 0, 100000000, "成本应为 0 到 1000000 元之间（以分计）",
                  &g->cost_fen, &has))
        return ERR_INVALID;
    g->has |= has ? GOODS_COST : 0;
    json_t *active = json_object_get(body, "active");
    if (active) {
        if (!json_is_boolean(active)) {
            http_reply_fail(c, ERR_INVALID, "invalid", "active 应为 true 或 false", "active");
            return ERR_INVALID;
        }
        g->active = json_is_true(active);
        g->has |= GOODS_ACTIVE;
    }
    g->now = http_now(c);
    return 0;
}

static int goods_create_write(db_t *db, void *arg, err_t *e)
{
    goods_arg_t *a = arg;
    return points_goods_create(db, http_user(a->c), a->village, &a->g, e);
}

static int goods_update_write(db_t *db, void *arg, err_t *e)
{
    goods_arg_t *a = arg;
    return points_goods_update(db, http_user(a->c), a->id, &a->g, e);
}

static void goods_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    goods_arg_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *o = points_goods_get(http_db(c), http_user(c), a->g.id, &r);
    if (!o) {
        api_reply(c, NULL, r, "商品不存在");
        return;
    }
    http_reply_json(c, a->village ? 201 : 200, o);
}

int api_goods_list(http_ctx_t *c)
{
    int rc;
    json_t *o = points_goods_list(http_db(c), http_user(c), http_param(c, 0), &rc);
    return api_reply(c, o, rc, "村（社区）不存在或不在您的管辖范围内");
}

int api_goods_create(http_ctx_t *c)
{
    goods_arg_t *a = http_alloc(c, sizeof *a);
    memset(a, 0, sizeof *a);
    a->c = c;
    a->village = http_param(c, 0);
    if (goods_body(c, a))
        return 0;
    http_write(c, goods_create_write, a, goods_done);
    return 0;
}

int api_goods_update(http_ctx_t *c)
{
    int64_t id = api_path_id(c, 0);
    if (!id)
        return 0;
    goods_arg_t *a = http_alloc(c, sizeof *a);
    memset(a, 0, sizeof *a);
    a->c = c;
    a->id = id;
    if (goods_body(c, a))
        return 0;
    http_write(c, goods_update_write, a, goods_done);
    return 0;
}

/* ---------- orders ---------- */

typedef struct {
    http_ctx_t *c;
    points_order_new_t n;
} order_arg_t;

static int order_write(db_t *db, void *arg, err_t *e)
{
    order_arg_t *a = arg;
    return points_order_create(db, http_user(a->c), &a->n, e);
}

static void order_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    order_arg_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *o = points_order_get(http_db(c), http_user(c), a->n.id, &r);
    if (!o) {
        api_reply(c, NULL, r, "订单不存在");
        return;
    }
    char url[96];
    snprintf(url, sizeof url, "/api/v1/points/orders/%" PRId64 "/qr.svg", a->n.id);
    /* The code is shown here, to the household; the store keeps it only hashed and encrypted. */
    http_reply_json(c, a->n.replayed ? 200 : 201,
                    json_pack("{s:o,s:s,s:s}", "order", o, "code", a->n.code, "qr_url", url));
}

int api_points_order_create(http_ctx_t *c)
{
    static const char *const fields[] = {"goods_id", "qty", NULL};
    json_t *body;
    order_arg_t *a = http_alloc(c, sizeof *a);
    memset(a, 0, sizeof *a);
    const char *gid;
    if (http_body(c, &body) || http_only_fields(c, body, fields) ||
        api_str(c, body, "goods_id", 1, &gid))
        return 0;
    char *end;
    long long g = strtoll(gid, &end, 10);
    if (!*gid || *end || g <= 0) {
        http_reply_fail(c, ERR_INVALID, "invalid", "goods_id 应为商品编号（字符串）", "goods_id");
        return 0;
    }
    int64_t qty = 1;
    int has;
    if (int_field(c, body, "qty", 1, POINTS_ORDER_MAX_QTY, "数量应为 1 到 99 的整数", &qty, &has))
        return 0;
    if (api_idempotency(c, body, &a->n.idem_key, &a->n.body_hash))
        return 0;
    a->c = c;
    a->n.goods_id = g;
    a->n.qty = (int)qty;
    a->n.now = http_now(c);
    http_write(c, order_write, a, order_done);
    return 0;
}

int api_points_orders_list(http_ctx_t *c)
{
    int limit;
    const char *cursor;
    if (http_limit(c, &limit) || api_cursor(c, &cursor))
        return 0;
    const char *mine = http_query(c, "mine");
    const char *state = http_query(c, "state");
    int rc;
    json_t *o = points_orders_list(http_db(c), http_user(c), mine && strcmp(mine, "1") == 0,
                                   state && *state ? state : NULL, http_query(c, "village"), cursor,
                                   limit, &rc);
    if (!o && rc == ERR_INVALID) {
        http_reply_fail(c, ERR_INVALID, "invalid",
                        "状态应为 issued、handed_over、cancelled 或 expired", "state");
        return 0;
    }
    return api_reply(c, o, rc, "村（社区）不在您的管辖范围内");
}

int api_points_order_qr(http_ctx_t *c)
{
    int64_t id = api_path_id(c, 0);
    if (!id)
        return 0;
    char *svg;
    size_t len;
    int rc = points_order_qr(http_db(c), http_user(c), id, &svg, &len);
    if (rc == ERR_CONFLICT) {
        http_reply_fail(c, rc, "order_closed", "该订单已领取、取消或过期，兑换码不再有效", NULL);
        return 0;
    }
    if (rc)
        return api_reply(c, NULL, rc, "订单不存在或不属于您的家庭");
    http_reply_raw(c, 200, "image/svg+xml; charset=utf-8", svg, len);
    free(svg);
    return 0;
}

typedef struct {
    http_ctx_t *c;
    int64_t id, now;
} close_arg_t;

static int cancel_write(db_t *db, void *arg, err_t *e)
{
    close_arg_t *a = arg;
    return points_order_cancel(db, http_user(a->c), a->id, a->now, e);
}

static void order_reply(http_ctx_t *c, int64_t id)
{
    int r;
    json_t *o = points_order_get(http_db(c), http_user(c), id, &r);
    if (!o) {
        api_reply(c, NULL, r, "订单不存在");
        return;
    }
    http_reply_json(c, 200, json_pack("{s:o}", "order", o));
}

static void close_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    close_arg_t *a = arg;
    if (rc)
        http_reply_error(c, e);
    else
        order_reply(c, a->id);
}

typedef struct {
    http_ctx_t *c;
    points_handover_t h;
} handover_arg_t;

static int handover_write(db_t *db, void *arg, err_t *e)
{
    handover_arg_t *a = arg;
    return points_order_handover(db, http_user(a->c), &a->h, e);
}

/* A miss or a lock committed (the job returned 0) and is answered as the error it is. */
static void handover_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    handover_arg_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
    } else if (a->h.refusal.rc) {
        if (a->h.refusal.rc == ERR_LOCKED) {
            char secs[24];
            int64_t left = (a->h.locked_until - a->h.now + 999) / 1000;
            snprintf(secs, sizeof secs, "%" PRId64, left > 0 ? left : 1);
            http_set_header(c, "retry-after", secs);
        }
        http_reply_error(c, &a->h.refusal);
    } else {
        order_reply(c, a->h.id);
    }
}

int api_points_order_handover(http_ctx_t *c)
{
    static const char *const fields[] = {"code", "village", NULL};
    json_t *body;
    handover_arg_t *a = http_alloc(c, sizeof *a);
    memset(a, 0, sizeof *a);
    if (http_body(c, &body) || http_only_fields(c, body, fields) ||
        api_str(c, body, "code", 1, &a->h.code) || api_str(c, body, "village", 0, &a->h.village))
        return 0;
    a->c = c;
    a->h.ip = http_ip(c);
    a->h.now = http_now(c);
    http_write(c, handover_write, a, handover_done);
    return 0;
}

int api_points_order_cancel(http_ctx_t *c)
{
    int64_t id = api_path_id(c, 0);
    if (!id)
        return 0;
    close_arg_t *a = http_alloc(c, sizeof *a);
    memset(a, 0, sizeof *a);
    a->c = c;
    a->id = id;
    a->now = http_now(c);
    http_write(c, cancel_write, a, close_done);
    return 0;
}

/* ---------- county overview ---------- */

static int year_param(http_ctx_t *c, int *year)
{
    const char *y = http_query(c, "year");
    *year = ledger_year_of(http_now(c));
    if (!y || !*y)
        return 0;
    char *end;
    long v = strtol(y, &end, 10);
    if (*end || v < 2000 || v > 2100) {
        http_reply_fail(c, ERR_INVALID, "invalid", "年份应为 2000 到 2100 之间的四位数", "year");
        return ERR_INVALID;
    }
    *year = (int)v;
    return 0;
}

static json_t *overview(http_ctx_t *c)
{
    int year, rc;
    if (year_param(c, &year))
        return NULL;
    json_t *o = points_overview(http_db(c), http_user(c), year, &rc);
    if (!o) {
        if (rc == ERR_FORBIDDEN)
            http_reply_fail(c, rc, "forbidden", "全县积分概览只对县级账号开放", NULL);
        else
            api_reply(c, NULL, rc, NULL);
    }
    return o;
}

int api_points_overview(http_ctx_t *c)
{
    json_t *o = overview(c);
    if (o)
        http_reply_json(c, 200, o);
    return 0;
}

typedef struct {
    json_t *ov;
    char *data;
    size_t len;
} xlsx_arg_t;

/* Worker thread: write the workbook to a private temporary file and read it back. */
static int xlsx_make(db_t *db, void *arg, err_t *e)
{
    (void)db;
    xlsx_arg_t *a = arg;
    char path[] = "/tmp/jiceng-overview-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return err_set(e, ERR_IO, "io", "无法生成 Excel 文件", NULL);
    close(fd);
    int rc = points_overview_xlsx(a->ov, path, e);
    FILE *f = rc ? NULL : fopen(path, "rb");
    if (f) {
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        a->data = n > 0 ? malloc((size_t)n) : NULL;
        if (a->data && fread(a->data, 1, (size_t)n, f) == (size_t)n)
            a->len = (size_t)n;
        else
            rc = err_set(e, ERR_IO, "io", "无法生成 Excel 文件", NULL);
        fclose(f);
    } else if (!rc) {
        rc = err_set(e, ERR_IO, "io", "无法生成 Excel 文件", NULL);
    }
    unlink(path);
    return rc;
}

static void xlsx_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    xlsx_arg_t *a = arg;
    if (rc)
        http_reply_error(c, e);
    else {
        char cd[128];
        snprintf(cd, sizeof cd, "attachment; filename=\"points-%s-%" JSON_INTEGER_FORMAT ".xlsx\"",
                 json_string_value(json_object_get(a->ov, "county")),
                 json_integer_value(json_object_get(a->ov, "year")));
        http_set_header(c, "content-disposition", cd);
        http_reply_raw(c, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       a->data, a->len);
    }
    free(a->data);
    a->data = NULL;
}

int api_points_overview_xlsx(http_ctx_t *c)
{
    json_t *o = overview(c);
    if (!o)
        return 0;
    xlsx_arg_t *a = http_alloc(c, sizeof *a);
    memset(a, 0, sizeof *a);
    a->ov = o;
    http_keep_json(c, o);
    http_defer(c, xlsx_make, a, xlsx_done);
    return 0;
}
