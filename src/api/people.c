/* people.c — people and households: masked views, the audited full view, create and change.
 * Department staff read only the people of their department's cases unless their county widened
 * it (domain/cases/reach.c): lists hold only those, anyone else answers 404 as outside scope. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "domain/accounts/accounts.h"
#include "domain/cases/cases.h"
#include "domain/registry/registry.h"
#include "lib/utf8.h"

int api_registry_narrowed(http_ctx_t *c)
{
    int narrow;
    int rc = cases_registry_narrowed(http_db(c), http_user(c), &narrow);
    if (rc) {
        api_reply(c, NULL, rc, NULL);
        return -1;
    }
    return narrow;
}

/* For narrowed department staff: may they open household (is_person = 0) or person id? 1 yes;
 * 0 after replying 404 as for anything outside scope, or the store error. */
int api_registry_linked(http_ctx_t *c, int is_person, int64_t id, const char *notfound)
{
    int linked = 0;
    int rc = is_person ? cases_links_person(http_db(c), http_user(c), id, http_now(c), &linked)
                       : cases_links_household(http_db(c), http_user(c), id, http_now(c), &linked);
    if (rc || !linked) {
        api_reply(c, NULL, rc ? rc : ERR_NOTFOUND, notfound);
        return 0;
    }
    return 1;
}

int api_household_get(http_ctx_t *c)
{
    static const char notfound[] = "户不存在或不在您的管辖范围内";
    int64_t id = api_path_id(c, 0);
    if (!id)
        return 0;
    const actor_t *u = http_user(c);
    int rc, narrow = api_registry_narrowed(c);
    if (narrow < 0 || (narrow && !api_registry_linked(c, 0, id, notfound)))
        return 0;
    json_t *o;
    if (u->role & ROLE_PERSONS && !(u->role & ROLE_BUILDING_HEAD)) {
        /* Residents and informants: their own household only. */
        o = registry_my_household(http_db(c), u, &rc);
        json_t *hid = o ? json_object_get(o, "id") : NULL;
        char want[24];
        snprintf(want, sizeof want, "%" PRId64, id);
        if (o && (!hid || strcmp(json_string_value(hid), want) != 0)) {
            json_decref(o);
            o = NULL;
            rc = ERR_NOTFOUND;
        }
    } else {
        o = registry_household(http_db(c), u->scope, id, &rc);
    }
    return api_reply(c, o, rc, notfound);
}

int api_people_list(http_ctx_t *c)
{
    int limit;
    const char *cursor;
    if (http_limit(c, &limit) || api_cursor(c, &cursor))
        return 0;
    const char *region = http_query(c, "region");
    if (region && *region && !region_code_valid(region)) {
        http_reply_fail(c, ERR_INVALID, "invalid", "区域代码格式不正确", "region");
        return 0;
    }
    const char *tag = http_query(c, "tag");
    if (tag && *tag && !registry_tag_valid(tag)) {
        http_reply_fail(c, ERR_INVALID, "invalid", "未知的人群标签", "tag");
        return 0;
    }
    int rc, narrow = api_registry_narrowed(c);
    if (narrow < 0)
        return 0;
    const actor_t *u = http_user(c);
    json_t *o =
        narrow ? cases_linked_people(http_db(c), u, region, tag, cursor, limit, http_now(c), &rc)
               : registry_people(http_db(c), u->scope, region, tag, cursor, limit, &rc);
    return api_reply(c, o, rc, "区域不存在或不在您的管辖范围内");
}

int api_person_get(http_ctx_t *c)
{
    static const char notfound[] = "人员不存在或不在您的管辖范围内";
    int64_t id = api_path_id(c, 0);
    if (!id)
        return 0;
    int rc, narrow = api_registry_narrowed(c);
    if (narrow < 0 || (narrow && !api_registry_linked(c, 1, id, notfound)))
        return 0;
    json_t *o = registry_person(http_db(c), http_user(c)->scope, id, &rc);
    return api_reply(c, o, rc, notfound);
}

/* ---- full view: decrypted, and written to the audit log before it is shown ---- */

typedef struct {
    http_ctx_t *c;
    int64_t id;
    json_t *data;
    char detail[512];
} sens_arg_t;

/* PIPL Art. 6 and 51 (purpose limitation, access control): a full view names its purpose, which
 * goes into the audit row. 1–100 characters of text, no control characters. 0, or the reply
 * sent. */
#define PURPOSE_MAX_CHARS 100

static int sens_purpose(http_ctx_t *c, const char **out, int *outlen)
{
    const char *p = http_query(c, "purpose");
    while (p && (*p == ' ' || *p == '\t'))
        p++;
    size_t len = p ? strlen(p) : 0;
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    if (!len) {
        http_reply_fail(c, ERR_INVALID, "purpose_required", "查看完整证件号码和电话须说明用途",
                        "purpose");
        return ERR_INVALID;
    }
    int bad = !utf8_valid(p, len) || utf8_count(p, len) > PURPOSE_MAX_CHARS;
    for (size_t i = 0; !bad && i < len; i++)
        bad = (unsigned char)p[i] < 0x20 || p[i] == 0x7f;
    if (bad) {
        http_reply_fail(c, ERR_INVALID, "invalid", "用途应为 1 到 100 个字的文字说明", "purpose");
        return ERR_INVALID;
    }
    *out = p;
    *outlen = (int)len;
    return 0;
}

static int sens_write(db_t *db, void *arg, err_t *e)
{
    (void)e;
    sens_arg_t *a = arg;
    char obj[40];
    snprintf(obj, sizeof obj, "person:%" PRId64, a->id);
    audit_entry_t ae = {.who = http_user(a->c),
                        .action = "sensitive_read",
                        .object = obj,
                        .outcome = "ok",
                        .ip = http_ip(a->c),
                        .now = http_now(a->c),
                        .detail = a->detail};
    return audit_write(db, &ae);
}

static void sens_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    sens_arg_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    http_reply_json(c, 200, json_incref(a->data));
}

int api_person_sensitive(http_ctx_t *c)
{
    int64_t id = api_path_id(c, 0);
    const char *purpose;
    int plen;
    if (!id || sens_purpose(c, &purpose, &plen))
        return 0;
    int rc;
    json_t *o = registry_person_sensitive(http_db(c), http_user(c)->scope, id, &rc);
    if (!o)
        return api_reply(c, NULL, rc, "人员不存在或不在您的管辖范围内");
    sens_arg_t *a = http_alloc(c, sizeof *a);
    a->c = c;
    a->id = id;
    a->data = o;
    snprintf(a->detail, sizeof a->detail, "id_number,phone 用途：%.*s", plen, purpose);
    http_keep_json(c, o); /* dropped with the request, whether or not the client stays */
    http_write(c, sens_write, a, sens_done);
    return 0;
}

/* ---- create / change ---- */

typedef struct {
    registry_person_new_t p;
    const char *scope;
} create_arg_t;

static int create_write(db_t *db, void *arg, err_t *e)
{
    create_arg_t *a = arg;
    return registry_person_create(db, a->scope, &a->p, e);
}

static void create_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    create_arg_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *o = registry_person(http_db(c), a->scope, a->p.id, &r);
    if (o)
        http_reply_json(c, 201, o);
    else
        http_reply_json(c, 201, json_pack("{s:o}", "id", api_id_json(a->p.id)));
}

int api_people_create(http_ctx_t *c)
{
    static const char *const fields[] = {"household_id", "name", "id_number", "phone",
                                         "relation",     "tags", NULL};
    json_t *body;
    create_arg_t *a = http_alloc(c, sizeof *a);
    const char *hid;
    if (http_body(c, &body) || http_only_fields(c, body, fields) ||
        api_str(c, body, "household_id", 1, &hid) || api_str(c, body, "name", 1, &a->p.name) ||
        api_str(c, body, "id_number", 1, &a->p.id_number) ||
        api_str(c, body, "phone", 0, &a->p.phone) ||
        api_str(c, body, "relation", 0, &a->p.relation))
        return 0;
    char *end;
    a->p.household_id = strtoll(hid, &end, 10);
    if (!*hid || *end || a->p.household_id <= 0) {
        http_reply_fail(c, ERR_INVALID, "invalid", "household_id 格式不正确", "household_id");
        return 0;
    }
    a->p.tags = json_object_get(body, "tags");
    a->p.now = http_now(c);
    a->scope = http_user(c)->scope;
    http_write(c, create_write, a, create_done);
    return 0;
}

typedef struct {
    const char *scope, *name, *phone;
    json_t *tags;
    int64_t id, now;
} update_arg_t;

static int update_write(db_t *db, void *arg, err_t *e)
{
    update_arg_t *a = arg;
    return registry_person_update(db, a->scope, a->id, a->name, a->phone, a->tags, a->now, e);
}

static void update_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    update_arg_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *o = registry_person(http_db(c), a->scope, a->id, &r);
    api_reply(c, o, r, "人员不存在");
}

int api_person_update(http_ctx_t *c)
{
    static const char *const fields[] = {"name", "phone", "tags", NULL};
    int64_t id = api_path_id(c, 0);
    if (!id)
        return 0;
    json_t *body;
    update_arg_t *a = http_alloc(c, sizeof *a);
    if (http_body(c, &body) || http_only_fields(c, body, fields) ||
        api_str(c, body, "name", 0, &a->name) || api_str(c, body, "phone", 0, &a->phone))
        return 0;
    a->tags = json_object_get(body, "tags");
    a->id = id;
    a->now = http_now(c);
    a->scope = http_user(c)->scope;
    http_write(c, update_write, a, update_done);
    return 0;
}

int api_me_household(http_ctx_t *c)
{
    int rc;
    json_t *o = registry_my_household(http_db(c), http_user(c), &rc);
    return api_reply(c, o, rc, "未找到您的户籍信息");
}

int api_me_profile(http_ctx_t *c)
{
    int rc;
    json_t *o = registry_my_profile(http_db(c), http_user(c), &rc);
    return api_reply(c, o, rc, "未找到您的个人信息");
}
