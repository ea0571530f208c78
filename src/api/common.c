/* common.c — small helpers every API file uses. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "lib/crypto.h"

int api_reply(http_ctx_t *c, json_t *obj, int rc, const char *notfound)
{
    if (obj) {
        http_reply_json(c, 200, obj);
        return 0;
    }
    if (rc == ERR_NOTFOUND)
        http_reply_fail(c, rc, "not_found", notfound ? notfound : "对象不存在", NULL);
    else
        http_reply_fail(c, rc ? rc : ERR_IO, NULL, NULL, NULL);
    return 0;
}

int64_t api_path_id(http_ctx_t *c, int i)
{
    const char *s = http_param(c, i);
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v <= 0) {
        http_reply_fail(c, ERR_NOTFOUND, "not_found", "对象不存在", NULL);
        return 0;
    }
    return v;
}

int api_str(http_ctx_t *c, json_t *obj, const char *key, int required, const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required) {
            http_reply_fail(c, ERR_INVALID, "invalid", "缺少必填字段", key);
            return ERR_INVALID;
        }
        return 0;
    }
    if (!json_is_string(v)) {
        http_reply_fail(c, ERR_INVALID, "invalid", "字段类型应为字符串", key);
        return ERR_INVALID;
    }
    *out = json_string_value(v);
    return 0;
}

json_t *api_id_json(int64_t id)
{
    char b[24];
    snprintf(b, sizeof b, "%" PRId64, id);
    return json_string(b);
}

int api_cursor(http_ctx_t *c, const char **out)
{
    const char *s = http_query(c, "cursor");
    *out = s && *s ? s : NULL;
    for (const char *p = *out; p && *p; p++) {
        if (*p < '0' || *p > '9' || p - *out > 19) {
            http_reply_fail(c, ERR_INVALID, "invalid", "分页游标 cursor 无效", "cursor");
            return ERR_INVALID;
        }
    }
    return 0;
}

int api_idempotency(http_ctx_t *c, json_t *body, const char **key, const char **body_hash)
{
    const char *k = http_header(c, "idempotency-key");
    *key = NULL;
    *body_hash = NULL;
    if (!k)
        return 0;
    size_t n = strlen(k);
    if (n == 0 || n > 100) {
        http_reply_fail(c, ERR_INVALID, "invalid", "Idempotency-Key 应为 1 到 100 个字符",
                        "Idempotency-Key");
        return ERR_INVALID;
    }
    /* The same key must come with the same request: hash a canonical form of the body. */
    char *canon = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    char *h = http_alloc(c, 65);
    crypto_token_hash(canon ? canon : "", h);
    free(canon);
    *key = k;
    *body_hash = h;
    return 0;
}
