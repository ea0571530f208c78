/* open311.c — services from categories, requests from cases, creation through cases_create. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "domain/accounts/accounts.h"
#include "domain/cases/cases.h"
#include "lib/idgen.h"
#include "lib/utf8.h"

void open311_time(int64_t ms, char out[32])
{
    /* China has kept UTC+8 all year since 1992: a fixed offset is exact. */
    time_t t = (time_t)((ms - (ms < 0 ? 999 : 0)) / 1000) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    if (strftime(out, 32, "%Y-%m-%dT%H:%M:%S+08:00", &tm) == 0)
        out[0] = 0;
}

/* JSON text, or null for SQL NULL (and for text that is not UTF-8, which jansson refuses). */
static json_t *text_json(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

static json_t *time_json(db_stmt_t *st, int col)
{
    if (db_col_isnull(st, col))
        return json_null();
    char b[32];
    open311_time(db_col_i64(st, col), b);
    return json_string(b);
}

/* Copy s into out[cap] without cutting a UTF-8 character in half (and without keeping one a
 * shorter buffer upstream already cut: apikey_t.name may end in one). */
static void copy_utf8(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap)
        n = cap - 1;
    while (n > 0 && !utf8_valid(s, n))
        n--;
    memcpy(out, s, n);
    out[n] = 0;
}

/* ---------- services ---------- */

/* A service is a category a case can be filed under: second level (it has a parent), with the
 * same code-length rule cases_create applies. */
#define SERVICE_COLS                                                                               \
    "SELECT c.code, c.name, p.name, c.respond_hours, c.complete_value, c.complete_unit"            \
    " FROM categories c LEFT JOIN categories p ON p.county = c.county AND p.code = c.parent_code"  \
    " WHERE c.county = ? AND c.active = 1 AND c.parent_code IS NOT NULL AND length(c.code) >= 4"
static const char SQL_SERVICES[] = SERVICE_COLS " ORDER BY c.code";
static const char SQL_SERVICE[] = SERVICE_COLS " AND c.code = ?";

static json_t *service_json(db_stmt_t *st)
{
    const char *name = db_col_text(st, 1), *group = db_col_text(st, 2);
    /* The description tells what the county promises: the category's deadlines. */
    char desc[512];
    int workdays = db_col_text(st, 5) && strcmp(db_col_text(st, 5), "workdays") == 0;
    int n = snprintf(desc, sizeof desc, "%s%s%s：%" PRId64 " 小时内响应，%" PRId64 " %s内办结",
                     group ? group : "", group ? "·" : "", name, db_col_i64(st, 3),
                     db_col_i64(st, 4), workdays ? "个工作日" : "小时");
    char keywords[400];
    snprintf(keywords, sizeof keywords, "%s%s%s", name, group ? "," : "", group ? group : "");
    json_t *o = json_object();
    json_object_set_new(o, "service_code", text_json(db_col_text(st, 0)));
    json_object_set_new(o, "service_name", text_json(name));
    json_object_set_new(o, "description",
                        n > 0 && (size_t)n < sizeof desc ? text_json(desc) : json_null());
    json_object_set_new(o, "metadata", json_false()); /* no attributes beyond the standard ones */
    json_object_set_new(o, "type", json_string("realtime")); /* the ID comes back at once */
    json_object_set_new(o, "keywords",
                        strlen(keywords) < sizeof keywords - 1 ? text_json(keywords)
                                                               : text_json(name));
    json_object_set_new(o, "group", text_json(group));
    return o;
}

json_t *open311_services(db_t *db, const char *county, int *rc)
{
    db_stmt_t *st = db_query(db, SQL_SERVICES, S(county));
    if (!st) {
        *rc = ERR_IO;
        return NULL;
    }
    json_t *items = json_array();
    int s;
    while ((s = db_step(st)) == DB_ROW)
        json_array_append_new(items, service_json(st));
    db_reset(st);
    if (s < 0) {
        json_decref(items);
        *rc = s;
        return NULL;
    }
    *rc = 0;
    return items;
}

/* The service's name into name[cap]: 0, ERR_NOTFOUND, or a store error. */
static int service_name(db_t *db, const char *county, const char *code, char *name, size_t cap)
{
    db_stmt_t *st = db_query(db, SQL_SERVICE, S(county), S(code));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW)
        copy_utf8(name, cap, db_col_text(st, 1));
    db_reset(st);
    return s == DB_ROW ? 0 : s < 0 ? s : ERR_NOTFOUND;
}

json_t *open311_service_definition(db_t *db, const char *county, const char *code, int *rc)
{
    char name[256];
    *rc = service_name(db, county, code, name, sizeof name);
    if (*rc)
        return NULL;
    return json_pack("{s:s,s:[]}", "service_code", code, "attributes");
}

static const char SQL_CHANGESET[] = "SELECT MAX(updated_at) FROM categories";

int open311_changeset(db_t *db, int64_t *ms)
{
    int found = 0;
    *ms = 0;
    return db_one_i64(db, SQL_CHANGESET, ms, &found);
}

/* ---------- requests ---------- */

#define REQUEST_COLS                                                                               \
    "SELECT c.id, c.state, c.category_code, k.name, c.description, c.address, c.lat, c.lon,"       \
    " c.created_at, c.updated_at, c.complete_due, c.assignee_code, a.name, c.outcome"              \
    " FROM cases c LEFT JOIN categories k ON k.county = c.county AND k.code = c.category_code"     \
    " LEFT JOIN regions a ON a.code = c.assignee_code"

static const char SQL_REQUEST[] = REQUEST_COLS " WHERE c.county = ? AND c.id = ?";
/* The final states here are the ones caseflow_is_final() names: keep them in step. IDs are
 * time-ordered (idgen.h) and made after the request's time, so `id >= floor(start)` narrows the
 * primary-key range without losing a row; created_at decides. */
static const char SQL_REQUESTS[] = REQUEST_COLS
    " WHERE c.county = ? AND c.id >= ? AND c.created_at >= ? AND c.created_at <= ?"
    " AND (? = '' OR (',' || CAST(? AS TEXT) || ',') LIKE ('%,' || c.category_code || ',%'))"
    " AND (? = 0 OR (? = 1 AND c.state NOT IN ('closed', 'merged', 'cancelled'))"
    "  OR (? = 2 AND c.state IN ('closed', 'merged', 'cancelled')))"
    " ORDER BY c.id DESC LIMIT ?";

/* status_notes for outside systems: a fixed public text of the state (and of how a closed case
 * ended), never a note of the timeline — those are written by staff for staff (issue 9 part 6:
 * internal grid-worker notes left through Open311). */
static const char *public_status(const char *state, const char *outcome)
{
    static const struct {
        const char *state, *text;
    } texts[] = {
        {"submitted", "已收到，等待分派"},
        {"dispatched", "已分派，等待受理"},
        {"accepted", "已受理，正在办理"},
        {"returned", "已退回，重新分派中"},
        {"escalated", "已上报上级，正在协调"},
        {"whistle", "多部门联合处置中"},
        {"reopened", "重新办理中"},
        {"resolved", "已办结，等待评价"},
        {"rated", "已评价"},
        {"merged", "与其他诉求重复，已合并办理"},
        {"cancelled", "诉求人已撤销"},
    };
    static const struct {
        const char *outcome, *text;
    } closed[] = {
        {"fixed", "已办结：问题已解决"},
        {"partly_fixed", "已办结：问题已部分解决"},
        {"not_our_duty", "已办结：不属于受理范围，已告知诉求人"},
        {"duplicate", "已办结：与其他诉求重复"},
    };
    if (state && strcmp(state, "closed") == 0) {
        for (size_t i = 0; outcome && i < sizeof closed / sizeof *closed; i++)
            if (strcmp(outcome, closed[i].outcome) == 0)
                return closed[i].text;
        return "已办结";
    }
    for (size_t i = 0; state && i < sizeof texts / sizeof *texts; i++)
        if (strcmp(state, texts[i].state) == 0)
            return texts[i].text;
    return NULL;
}

static json_t *request_json(db_stmt_t *st)
{
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, db_col_i64(st, 0));
    int state = caseflow_state_parse(db_col_text(st, 1));
    const char *assignee = db_col_text(st, 11);
    const char *agency = db_col_text(st, 12);
    if (assignee && strncmp(assignee, "dept:", 5) == 0)
        agency = assignee + 5;
    json_t *o = json_object();
    json_object_set_new(o, "service_request_id", json_string(id));
    json_object_set_new(o, "status",
                        json_string(state >= 0 && caseflow_is_final(state) ? "closed" : "open"));
    json_object_set_new(o, "status_notes",
                        text_json(public_status(db_col_text(st, 1), db_col_text(st, 13))));
    json_object_set_new(o, "service_name", text_json(db_col_text(st, 3)));
    json_object_set_new(o, "service_code", text_json(db_col_text(st, 2)));
    json_object_set_new(o, "description", text_json(db_col_text(st, 4)));
    json_object_set_new(o, "agency_responsible", text_json(agency));
    json_object_set_new(o, "service_notice",
                        text_json(state >= 0 ? caseflow_state_label(state) : NULL));
    json_object_set_new(o, "requested_datetime", time_json(st, 8));
    json_object_set_new(o, "updated_datetime", time_json(st, 9));
    json_object_set_new(o, "expected_datetime", time_json(st, 10));
    json_object_set_new(o, "address", text_json(db_col_text(st, 5)));
    json_object_set_new(o, "address_id", json_null()); /* no master address repository */
    json_object_set_new(o, "zipcode", json_null());
    json_object_set_new(
        o, "lat", db_col_isnull(st, 6) ? json_null() : json_real(strtod(db_col_text(st, 6), NULL)));
    json_object_set_new(o, "long",
                        db_col_isnull(st, 7) ? json_null()
                                             : json_real(strtod(db_col_text(st, 7), NULL)));
    json_object_set_new(o, "media_url", json_null()); /* photos are not offered to outsiders */
    return o;
}

/* Step st to the end appending rows to items; 0 or the store error. Resets st. */
static int collect(db_stmt_t *st, json_t *items)
{
    if (!st)
        return ERR_IO;
    int s;
    while ((s = db_step(st)) == DB_ROW)
        json_array_append_new(items, request_json(st));
    db_reset(st);
    return s < 0 ? s : 0;
}

json_t *open311_requests(db_t *db, const char *county, const open311_filter_t *f, int *rc)
{
    json_t *items = json_array();
    int r = 0;
    if (f->nids > 0) {
        /* One primary-key look-up each (at most OPEN311_MAX_IDS): IDs of other counties simply
         * find nothing. */
        for (int i = 0; i < f->nids && r == 0; i++)
            r = collect(db_query(db, SQL_REQUEST, S(county), I(f->ids[i])), items);
    } else {
        const char *codes = f->service_codes ? f->service_codes : "";
        int64_t status = f->status;
        r = collect(db_query(db, SQL_REQUESTS, S(county), I(idgen_floor(f->start)), I(f->start),
                             I(f->end), S(codes), S(codes), I(status), I(status), I(status),
                             I((int64_t)OPEN311_MAX_RECORDS)),
                    items);
    }
    if (r) {
        json_decref(items);
        *rc = r;
        return NULL;
    }
    *rc = 0;
    return items;
}

json_t *open311_request(db_t *db, const char *county, int64_t id, int *rc)
{
    json_t *items = json_array();
    *rc = collect(db_query(db, SQL_REQUEST, S(county), I(id)), items);
    if (*rc == 0 && json_array_size(items) == 0)
        *rc = ERR_NOTFOUND;
    if (*rc) {
        json_decref(items);
        return NULL;
    }
    return items;
}

/* ---------- create ---------- */

int open311_create(db_t *db, const apikey_t *k, open311_new_t *n, err_t *e)
{
    char name[256];
    int rc = service_name(db, k->county, n->service_code, name, sizeof name);
    if (rc == ERR_NOTFOUND)
        return err_set(e, ERR_NOTFOUND, "not_found",
                       "服务类型 service_code 不存在 / unknown service_code", "service_code");
    if (rc)
        return rc;

    /* The outside system reports as itself: no account (id 0), no role, its county as scope. */
    actor_t who;
    memset(&who, 0, sizeof who);
    snprintf(who.county, sizeof who.county, "%s", k->county);
    snprintf(who.scope, sizeof who.scope, "%s", k->county);
    copy_utf8(who.name, sizeof who.name, k->name);
    snprintf(who.username, sizeof who.username, "apikey:%" PRId64, k->id);

    /* No master address repository: an address_id is kept, labelled, in the address text. */
    char *address = NULL;
    if (n->address_id && *n->address_id) {
        size_t cap = strlen(n->address_id) + (n->address ? strlen(n->address) : 0) + 64;
        address = malloc(cap);
        if (!address)
            return ERR_NOMEM;
        if (n->address && *n->address)
            snprintf(address, cap, "%s（地址编号 %s）", n->address, n->address_id);
        else
            snprintf(address, cap, "地址编号 %s", n->address_id);
    }
    char desc[320];
    if (!n->description || !*n->description)
        snprintf(desc, sizeof desc, "%s（Open311 报送，未填写描述）", name);

    cases_new_t c = {
        .category = n->service_code,
        .description = n->description && *n->description ? n->description : desc,
        .address = address ? address : (n->address && *n->address ? n->address : NULL),
        .has_location = n->has_location,
        .lat = n->lat,
        .lon = n->lon,
        .source = "open311",
        .now = n->now,
    };
    rc = cases_create(db, &who, &c, e);
    free(address);
    if (rc)
        return rc;
    n->id = c.id;

    /* PIPL Art. 55: who put what in, from where. */
    char object[32], detail[48];
    snprintf(object, sizeof object, "case:%" PRId64, c.id);
    snprintf(detail, sizeof detail, "open311 api_key %" PRId64, k->id);
    audit_entry_t a = {.username = who.name,
                       .county = k->county,
                       .action = "open311_create",
                       .object = object,
                       .outcome = "ok",
                       .ip = n->ip,
                       .detail = detail,
                       .now = n->now};
    return audit_write(db, &a);
}
