/* settings.c — a county's settings, kept by its county admin: today what department staff read
 * of the registry (domain/cases/reach.c). Audited. */
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "domain/cases/cases.h"

/* The county of the path: the caller's own county, else 404 (no existence leak). */
static const char *own_county(http_ctx_t *c)
{
    const char *code = http_param(c, 0);
    if (strlen(code) != 6 || strncmp(code, http_user(c)->scope, 6) != 0) {
        http_reply_fail(c, ERR_NOTFOUND, "not_found", "县（区）不存在或不在您的管辖范围内", NULL);
        return NULL;
    }
    return code;
}

int api_county_settings_get(http_ctx_t *c)
{
    const char *county = own_county(c);
    if (!county)
        return 0;
    int rc;
    json_t *o = cases_county_settings(http_db(c), county, &rc);
    return api_reply(c, o, rc, NULL);
}

typedef struct {
    http_ctx_t *c;
    const char *county, *department_registry;
} put_arg_t;

static int put_write(db_t *db, void *arg, err_t *e)
{
    put_arg_t *a = arg;
    return cases_county_settings_put(db, http_user(a->c), a->county, a->department_registry,
                                     http_ip(a->c), http_now(a->c), e);
}

static void put_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    put_arg_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *o = cases_county_settings(http_db(c), a->county, &r);
    api_reply(c, o, r, NULL);
}

int api_county_settings_put(http_ctx_t *c)
{
    static const char *const fields[] = {"department_registry", NULL};
    put_arg_t *a = http_alloc(c, sizeof *a);
    json_t *body;
    a->c = c;
    if (!(a->county = own_county(c)) || http_body(c, &body) || http_only_fields(c, body, fields) ||
        api_str(c, body, "department_registry", 1, &a->department_registry))
        return 0;
    http_write(c, put_write, a, put_done);
    return 0;
}
