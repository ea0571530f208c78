/* regions.c — the region tree, grids and their households, inside the caller's scope. */
#include "api/api.h"
#include "domain/registry/registry.h"

/* Browsing a place's households or a grid's iron triangle is not how a department finds its
 * people (its cases are): narrowed department staff get 403 here, while their people list holds
 * the people of their cases (api_people_list). 1 after replying, 0 to go on. */
static int browse_refused(http_ctx_t *c)
{
    int narrow = api_registry_narrowed(c);
    if (narrow > 0)
        http_reply_fail(c, ERR_FORBIDDEN, "forbidden",
                        "职能部门只能查看本部门诉求相关的人员，不能按区域浏览住户和网格", NULL);
    return narrow != 0;
}

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
    if (browse_refused(c))
        return 0;
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
    if (browse_refused(c))
        return 0;
    int rc;
    json_t *o = registry_grid(http_db(c), http_user(c)->scope, http_param(c, 0), &rc);
    return api_reply(c, o, rc, "网格不存在或不在您的管辖范围内");
}
