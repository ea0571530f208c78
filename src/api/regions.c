/* regions.c — the region tree, grids and their households, inside the caller's scope. */
#include "api/api.h"
#include "domain/registry/registry.h"

/* A code the caller may look at: valid and inside scope. Out of scope reads as not found, so
 * nobody learns what exists beyond their region. */
static const char *scoped_code(http_ctx_t *c)
{
    const char *code = http_param(c, 0);
    if (!region_code_valid(code) || !region_in_scope(http_user(c)->scope, code)) {
        http_reply_fail(c, ERR_NOTFOUND, "not_found", "区域不存在或不在您的管辖范围内", NULL);
        return NULL;
    }
    return code;
}

int api_region_get(http_ctx_t *c)
{
    const char *code = scoped_code(c);
    if (!code)
        return 0;
    int rc;
    json_t *o = region_get(http_db(c), code, &rc);
    return api_reply(c, o, rc, "区域不存在");
}

int api_region_children(http_ctx_t *c)
{
    const char *code = scoped_code(c);
    if (!code)
        return 0;
    int rc;
    json_t *o = region_children(http_db(c), code, &rc);
    return api_reply(c, o, rc, "区域不存在");
}

int api_region_households(http_ctx_t *c)
{
    const char *code = scoped_code(c);
    int limit;
    const char *cursor;
    if (!code || http_limit(c, &limit) || api_cursor(c, &cursor))
        return 0;
    int rc;
    json_t *o = registry_households(http_db(c), http_user(c)->scope, code, cursor, limit, &rc);
    return api_reply(c, o, rc, "区域不存在");
}

int api_grid_get(http_ctx_t *c)
{
    int rc;
    json_t *o = registry_grid(http_db(c), http_user(c)->scope, http_param(c, 0), &rc);
    return api_reply(c, o, rc, "网格不存在或不在您的管辖范围内");
}
