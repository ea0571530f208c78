/* points.c — 积分制, earning side (issue 4; docs/POINTS.md): settings, catalogue and template,
 * awards with 互检, corrections, automatic-award rules, and the household and village reads.
 * Bodies are checked for unknown fields here; the domain checks values and scope. */
#include "domain/points/points.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"

/* A {code} path parameter that must name a village (12 digits) or a county (6). */
static const char *code_param(http_ctx_t *c, size_t len)
{
    const char *code = http_param(c, 0);
    if (!code || strlen(code) != len) {
        http_reply_fail(c, ERR_NOTFOUND, "not_found",
                        len == 12 ? "村/社区不存在或不在您的管辖范围内"
                                  : "县（区）不存在或不在您的管辖范围内",
                        NULL);
        return NULL;
    }
    return code;
}

/* Every write here: the request, its target, the body, and what the write made. */
typedef struct {
    http_ctx_t *c;
    const char *code;
    int64_t id, out;
    json_t *body;
    int confirm, count;
    const char *reason;
    int64_t household, points;
    points_award_t award;
} w_t;

static w_t *new_w(http_ctx_t *c)
{
    w_t *a = http_alloc(c, sizeof *a);
    memset(a, 0, sizeof *a);
    a->c = c;
    return a;
}

static int body_of(http_ctx_t *c, const char *const *fields, json_t **body)
{
    return http_body(c, body) || http_only_fields(c, *body, fields);
}

/* ---------- settings ---------- */

int api_points_settings_get(http_ctx_t *c)
{
    const char *code = code_param(c, 12);
    if (!code)
        return 0;
    int rc;
    json_t *o = points_settings_get(http_db(c), http_user(c), code, http_now(c), &rc);
    if (!o && rc == ERR_FORBIDDEN) {
        http_reply_fail(c, rc, "forbidden", "只有本村（社区）管理员或县级管理员可以管理积分制",
                        NULL);
        return 0;
    }
    return api_reply(c, o, rc, "村/社区不存在或不在您的管辖范围内");
}

static int settings_write(db_t *db, void *arg, err_t *e)
{
    w_t *a = arg;
    return points_settings_put(db, http_user(a->c), a->code, a->body, http_ip(a->c), http_now(a->c),
                               e);
}

static void settings_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    w_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *o = points_settings_get(http_db(c), http_user(c), a->code, http_now(c), &r);
    api_reply(c, o, r, NULL);
}

int api_points_settings_put(http_ctx_t *c)
{
    static const char *const fields[] = {
        "fen_per_point", "mutual_check", "expiry", "pair_threshold", "stars", "budgets", NULL};
    const char *code = code_param(c, 12);
    w_t *a = new_w(c);
    if (!code || body_of(c, fields, &a->body))
        return 0;
    a->code = code;
    http_write(c, settings_write, a, settings_done);
    return 0;
}

/* ?month=YYYY-MM (China time), default this month: [from, to) in ms. Replies 400 itself. */
static int month_param(http_ctx_t *c, int64_t *from, int64_t *to)
{
    const char *m = http_query(c, "month");
    if (!m || !*m) {
        points_month_bounds(http_now(c), from, to);
        return 0;
    }
    if (points_month_parse(m, from, to) == 0)
        return 0;
    http_reply_fail(c, ERR_INVALID, "invalid", "月份应为 YYYY-MM", "month");
    return ERR_INVALID;
}

int api_points_flags(http_ctx_t *c)
{
    const char *code = code_param(c, 12);
    if (!code)
        return 0;
    int64_t from, to;
    if (month_param(c, &from, &to))
        return 0;
    int rc;
    json_t *o = points_flags(http_db(c), http_user(c), code, from, to, &rc);
    if (!o && rc == ERR_FORBIDDEN) {
        http_reply_fail(c, rc, "forbidden", "只有本村（社区）管理员或县级管理员可以查看互检预警",
                        NULL);
        return 0;
    }
    return api_reply(c, o, rc, "村/社区不存在或不在您的管辖范围内");
}

/* ---------- catalogue ---------- */

static int list_indicators(http_ctx_t *c, size_t len)
{
    const char *code = code_param(c, len);
    if (!code)
        return 0;
    const char *all = http_query(c, "all");
    int rc;
    json_t *o = points_indicators(http_db(c), http_user(c), code, all && strcmp(all, "1") == 0,
                                  http_now(c), &rc);
    return api_reply(c, o, rc,
                     len == 12 ? "村/社区不存在或不在您的管辖范围内"
                               : "县（区）不存在或不在您的管辖范围内");
}

int api_indicators_list(http_ctx_t *c) { return list_indicators(c, 12); }
int api_indicator_template_list(http_ctx_t *c) { return list_indicators(c, 6); }

static int indicator_create_write(db_t *db, void *arg, err_t *e)
{
    w_t *a = arg;
    return points_indicator_create(db, http_user(a->c), a->code, a->body, http_ip(a->c),
                                   http_now(a->c), &a->out, e);
}

static void indicator_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    w_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *o = points_indicator_get(http_db(c), a->out, http_now(c), &r);
    if (!o) {
        api_reply(c, NULL, r, NULL);
        return;
    }
    http_reply_json(c, a->id ? 200 : 201, o);
}

static const char *const INDICATOR_FIELDS[] = {
    "group",       "name",         "points",     "evidence_required", "awarders",
    "limit_count", "limit_period", "valid_from", "valid_to",          "active",
    NULL};

static int create_indicator(http_ctx_t *c, size_t len)
{
    const char *code = code_param(c, len);
    w_t *a = new_w(c);
    if (!code || body_of(c, INDICATOR_FIELDS, &a->body))
        return 0;
    a->code = code;
    http_write(c, indicator_create_write, a, indicator_done);
    return 0;
}

int api_indicators_create(http_ctx_t *c) { return create_indicator(c, 12); }
int api_indicator_template_create(http_ctx_t *c) { return create_indicator(c, 6); }

static int indicator_update_write(db_t *db, void *arg, err_t *e)
{
    w_t *a = arg;
    a->out = a->id;
    return points_indicator_update(db, http_user(a->c), a->id, a->body, http_ip(a->c),
                                   http_now(a->c), e);
}

int api_indicator_update(http_ctx_t *c)
{
    int64_t id = api_path_id(c, 0);
    w_t *a = new_w(c);
    if (!id || body_of(c, INDICATOR_FIELDS, &a->body))
        return 0;
    a->id = id;
    http_write(c, indicator_update_write, a, indicator_done);
    return 0;
}

static int copy_write(db_t *db, void *arg, err_t *e)
{
    w_t *a = arg;
    return points_copy_template(db, http_user(a->c), a->code, http_ip(a->c), http_now(a->c),
                                &a->count, e);
}

static void copy_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    w_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *o = points_indicators(http_db(c), http_user(c), a->code, 1, http_now(c), &r);
    if (!o) {
        api_reply(c, NULL, r, NULL);
        return;
    }
    json_object_set_new(o, "copied", json_integer(a->count));
    http_reply_json(c, 200, o);
}

int api_indicators_copy_template(http_ctx_t *c)
{
    const char *code = code_param(c, 12);
    if (!code)
        return 0;
    w_t *a = new_w(c);
    a->code = code;
    http_write(c, copy_write, a, copy_done);
    return 0;
}

/* ---------- awards and 互检 ---------- */

static int award_write(db_t *db, void *arg, err_t *e)
{
    w_t *a = arg;
    return points_award(db, http_user(a->c), &a->award, e);
}

static void award_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    w_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *o = a->award.pending ? points_pending_get(http_db(c), http_user(c), a->award.id, &r)
                                 : points_entry_get(http_db(c), http_user(c), a->award.id, &r);
    if (!o) {
        api_reply(c, NULL, r, NULL);
        return;
    }
    /* 201 posted, 202 waiting for 互检; a replay of the same request answers 200. */
    json_t *reply = json_pack("{s:o}", a->award.pending ? "pending" : "entry", o);
    http_reply_json(c, a->award.replayed ? 200 : a->award.pending ? 202 : 201, reply);
}

/* An id member of a body: a string of digits (64-bit ids do not fit a JSON number safely). */
static int id_field(http_ctx_t *c, json_t *body, const char *key, int64_t *out)
{
    const char *v = json_string_value(json_object_get(body, key));
    char *end = NULL;
    long long n = v && *v && strlen(v) <= 19 ? strtoll(v, &end, 10) : 0;
    *out = end && !*end && n > 0 ? n : 0;
    if (!*out) {
        http_reply_fail(c, ERR_INVALID, "invalid", "编号应为数字字符串", key);
        return ERR_INVALID;
    }
    return 0;
}

int api_points_award(http_ctx_t *c)
{
    static const char *const fields[] = {"household_id", "indicator_id", "note", "photos", NULL};
    w_t *a = new_w(c);
    json_t *body;
    if (body_of(c, fields, &body) || id_field(c, body, "household_id", &a->award.household_id) ||
        id_field(c, body, "indicator_id", &a->award.indicator_id) ||
        api_str(c, body, "note", 0, &a->award.note) ||
        api_idempotency(c, body, &a->award.idem_key, &a->award.body_hash))
        return 0;
    a->award.photos = json_object_get(body, "photos"); /* checked with the write: photos_check */
    a->award.now = http_now(c);
    http_write(c, award_write, a, award_done);
    return 0;
}

int api_points_pending_list(http_ctx_t *c)
{
    int rc;
    json_t *o = points_pending_list(http_db(c), http_user(c), &rc);
    return api_reply(c, o, rc, NULL);
}

static int decide_write(db_t *db, void *arg, err_t *e)
{
    w_t *a = arg;
    return points_pending_decide(db, http_user(a->c), a->id, a->confirm, a->reason, http_now(a->c),
                                 &a->out, e);
}

static void decide_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    w_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *o = points_pending_get(http_db(c), http_user(c), a->id, &r);
    if (!o) {
        api_reply(c, NULL, r, NULL);
        return;
    }
    json_t *reply = json_pack("{s:o}", "pending", o);
    if (a->confirm) {
        json_t *entry = points_entry_get(http_db(c), http_user(c), a->out, &r);
        json_object_set_new(reply, "entry", entry ? entry : json_null());
    }
    http_reply_json(c, 200, reply);
}

static int decide(http_ctx_t *c, int confirm)
{
    static const char *const fields[] = {"reason", NULL};
    int64_t id = api_path_id(c, 0);
    if (!id)
        return 0;
    w_t *a = new_w(c);
    a->id = id;
    a->confirm = confirm;
    /* A confirmation needs no body; a rejection needs its reason. */
    const char *raw;
    size_t len = 0;
    if (http_raw_body(c, &raw, &len))
        return 0;
    if (!confirm || len > 0) {
        json_t *body;
        if (body_of(c, fields, &body) || api_str(c, body, "reason", !confirm, &a->reason))
            return 0;
    }
    http_write(c, decide_write, a, decide_done);
    return 0;
}

int api_points_pending_confirm(http_ctx_t *c) { return decide(c, 1); }
int api_points_pending_reject(http_ctx_t *c) { return decide(c, 0); }

/* ---------- corrections ---------- */

static void entry_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    w_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *o = points_entry_get(http_db(c), http_user(c), a->out, &r);
    if (!o) {
        api_reply(c, NULL, r, NULL);
        return;
    }
    http_reply_json(c, 201, json_pack("{s:o}", "entry", o));
}

static int reverse_write(db_t *db, void *arg, err_t *e)
{
    w_t *a = arg;
    return points_reverse(db, http_user(a->c), a->id, a->reason, http_ip(a->c), http_now(a->c),
                          &a->out, e);
}

int api_points_reverse(http_ctx_t *c)
{
    static const char *const fields[] = {"reason", NULL};
    int64_t id = api_path_id(c, 0);
    w_t *a = new_w(c);
    json_t *body;
    if (!id || body_of(c, fields, &body) || api_str(c, body, "reason", 1, &a->reason))
        return 0;
    a->id = id;
    http_write(c, reverse_write, a, entry_done);
    return 0;
}

static int adjust_write(db_t *db, void *arg, err_t *e)
{
    w_t *a = arg;
    return points_adjust(db, http_user(a->c), a->household, a->points, a->reason, http_ip(a->c),
                         http_now(a->c), &a->out, e);
}

int api_points_adjust(http_ctx_t *c)
{
    static const char *const fields[] = {"household_id", "points", "reason", NULL};
    w_t *a = new_w(c);
    json_t *body;
    if (body_of(c, fields, &body) || id_field(c, body, "household_id", &a->household) ||
        api_str(c, body, "reason", 1, &a->reason))
        return 0;
    json_t *p = json_object_get(body, "points");
    if (!json_is_integer(p)) {
        http_reply_fail(c, ERR_INVALID, "invalid", "调整分值应为整数（扣减为负数）", "points");
        return 0;
    }
    a->points = json_integer_value(p);
    http_write(c, adjust_write, a, entry_done);
    return 0;
}

/* ---------- reads ---------- */

int api_household_points(http_ctx_t *c)
{
    int64_t id = api_path_id(c, 0);
    int limit;
    const char *cursor;
    static const char notfound[] = "该户不存在或不在您的管辖范围内";
    if (!id || http_limit(c, &limit) || api_cursor(c, &cursor))
        return 0;
    /* Department staff: the households of their cases only, as for the household itself. */
    int narrow = api_registry_narrowed(c);
    if (narrow < 0 || (narrow && !api_registry_linked(c, 0, id, notfound)))
        return 0;
    int rc;
    json_t *o = points_household(http_db(c), http_user(c), id, http_now(c), cursor, limit, &rc);
    return api_reply(c, o, rc, notfound);
}

int api_me_points(http_ctx_t *c)
{
    int limit;
    const char *cursor;
    if (http_limit(c, &limit) || api_cursor(c, &cursor))
        return 0;
    int rc;
    json_t *o = points_me(http_db(c), http_user(c), http_now(c), cursor, limit, &rc);
    return api_reply(c, o, rc, "您的账号还没有关联住户，暂无积分");
}

int api_points_board(http_ctx_t *c)
{
    const char *code = code_param(c, 12);
    int limit;
    if (!code || http_limit(c, &limit))
        return 0;
    int64_t from, to;
    if (month_param(c, &from, &to))
        return 0;
    int rc;
    json_t *o = points_board(http_db(c), http_user(c), code, from, to, limit, &rc);
    return api_reply(c, o, rc, "村/社区不存在或不在您的管辖范围内");
}

/* ---------- automatic-award rules ---------- */

static int list_rules(http_ctx_t *c, size_t len)
{
    const char *code = code_param(c, len);
    if (!code)
        return 0;
    int rc;
    json_t *o = points_rules_list(http_db(c), http_user(c), code, &rc);
    return api_reply(c, o, rc, "地区不存在或不在您的管辖范围内");
}

int api_points_rules_list(http_ctx_t *c) { return list_rules(c, 12); }
int api_county_points_rules_list(http_ctx_t *c) { return list_rules(c, 6); }

static int rule_create_write(db_t *db, void *arg, err_t *e)
{
    w_t *a = arg;
    return points_rule_create(db, http_user(a->c), a->code, a->body, http_ip(a->c), http_now(a->c),
                              &a->out, e);
}

static int rule_update_write(db_t *db, void *arg, err_t *e)
{
    w_t *a = arg;
    a->out = a->id;
    return points_rule_update(db, http_user(a->c), a->id, a->body, http_ip(a->c), http_now(a->c),
                              e);
}

static void rule_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    w_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *o = points_rule_get(http_db(c), a->out, &r);
    if (!o) {
        api_reply(c, NULL, r, NULL);
        return;
    }
    http_reply_json(c, a->id ? 200 : 201, o);
}

static int create_rule(http_ctx_t *c, size_t len)
{
    static const char *const fields[] = {"event", "indicator_id", NULL};
    const char *code = code_param(c, len);
    w_t *a = new_w(c);
    if (!code || body_of(c, fields, &a->body))
        return 0;
    a->code = code;
    http_write(c, rule_create_write, a, rule_done);
    return 0;
}

int api_points_rules_create(http_ctx_t *c) { return create_rule(c, 12); }
int api_county_points_rules_create(http_ctx_t *c) { return create_rule(c, 6); }

int api_points_rule_update(http_ctx_t *c)
{
    static const char *const fields[] = {"active", NULL};
    int64_t id = api_path_id(c, 0);
    w_t *a = new_w(c);
    if (!id || body_of(c, fields, &a->body))
        return 0;
    a->id = id;
    http_write(c, rule_update_write, a, rule_done);
    return 0;
}
