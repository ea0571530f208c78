/* categories.c — a county admin adds and changes the county's case categories. */
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "domain/cases/cases.h"

typedef struct {
    http_ctx_t *c;
    const char *code;
    json_t *spec;
    int create;
} save_arg_t;

static int save_write(db_t *db, void *arg, err_t *e)
{
    save_arg_t *a = arg;
    return categories_save(db, http_user(a->c), a->code, a->spec, a->create, http_ip(a->c),
                           http_now(a->c), e);
}

static void save_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    save_arg_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    char county[8];
    snprintf(county, sizeof county, "%.6s", http_user(c)->scope);
    int r;
    json_t *o = categories_get(http_db(c), county, a->code, &r);
    if (!o) {
        api_reply(c, NULL, r, "分类不存在");
        return;
    }
    http_reply_json(c, a->create ? 201 : 200, o);
}

/* JSON types first (the domain checks values): strings, integers, a boolean. */
static int types_ok(http_ctx_t *c, json_t *body)
{
    static const char *const strs[] = {"code", "parent_code", "name", "handling", "complete_unit"};
    static const char *const ints[] = {"respond_hours", "complete_value"};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++) {
        json_t *v = json_object_get(body, strs[i]);
        if (v && !json_is_string(v)) {
            http_reply_fail(c, ERR_INVALID, "invalid", "应为字符串", strs[i]);
            return 0;
        }
    }
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        json_t *v = json_object_get(body, ints[i]);
        if (v && !json_is_integer(v)) {
            http_reply_fail(c, ERR_INVALID, "invalid", "应为整数", ints[i]);
            return 0;
        }
    }
    json_t *d = json_object_get(body, "department");
    if (d && !json_is_string(d) && !json_is_null(d)) {
        http_reply_fail(c, ERR_INVALID, "invalid", "应为部门代码或 null", "department");
        return 0;
    }
    json_t *act = json_object_get(body, "active");
    if (act && !json_is_boolean(act)) {
        http_reply_fail(c, ERR_INVALID, "invalid", "应为 true 或 false", "active");
        return 0;
    }
    return 1;
}

int api_category_create(http_ctx_t *c)
{
    static const char *const fields[] = {"code",           "parent_code",   "name",
                                         "handling",       "department",    "respond_hours",
                                         "complete_value", "complete_unit", NULL};
    json_t *body;
    if (http_body(c, &body) || http_only_fields(c, body, fields) || !types_ok(c, body))
        return 0;
    save_arg_t *a = http_alloc(c, sizeof *a);
    a->c = c;
    a->code = json_string_value(json_object_get(body, "code"));
    if (!a->code) {
        http_reply_fail(c, ERR_INVALID, "invalid", "缺少必填项", "code");
        return 0;
    }
    a->spec = body;
    a->create = 1;
    http_write(c, save_write, a, save_done);
    return 0;
}

int api_category_update(http_ctx_t *c)
{
    static const char *const fields[] = {
        "name",           "handling",      "department", "respond_hours",
        "complete_value", "complete_unit", "active",     NULL};
    json_t *body;
    if (http_body(c, &body) || http_only_fields(c, body, fields) || !types_ok(c, body))
        return 0;
    if (json_object_size(body) == 0) {
        http_reply_fail(c, ERR_INVALID, "invalid", "没有要修改的内容", NULL);
        return 0;
    }
    save_arg_t *a = http_alloc(c, sizeof *a);
    a->c = c;
    a->code = http_param(c, 0);
    a->spec = body;
    http_write(c, save_write, a, save_done);
    return 0;
}
