/* cases.c — 民生诉求: categories, report (随手拍), list, detail with timeline, and events. */
#include "domain/cases/cases.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "domain/common/inbox.h"
#include "domain/registry/registry.h"

int api_case_categories(http_ctx_t *c)
{
    char county[8];
    snprintf(county, sizeof county, "%.6s", http_user(c)->scope);
    int rc;
    const char *all = http_query(c, "all");
    /* Retired categories are only of use to whoever edits them. */
    int everything = all && strcmp(all, "1") == 0 && http_user(c)->role == ROLE_COUNTY_ADMIN;
    json_t *o = cases_categories(http_db(c), county, everything, &rc);
    return api_reply(c, o, rc, NULL);
}

typedef struct {
    cases_new_t n;
    http_ctx_t *c;
} create_arg_t;

static int create_write(db_t *db, void *arg, err_t *e)
{
    create_arg_t *a = arg;
    return cases_create(db, http_user(a->c), &a->n, e);
}

static void create_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    create_arg_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *o = cases_get(http_db(c), http_user(c), a->n.id, &r);
    if (!o) {
        api_reply(c, NULL, r, "诉求不存在");
        return;
    }
    /* A replay of the same request answers with the case it made, as 200. */
    http_reply_json(c, a->n.replayed ? 200 : 201, o);
}

static int number(json_t *v, double *out)
{
    if (!json_is_number(v))
        return 0;
    *out = json_number_value(v);
    return isfinite(*out);
}

int api_cases_create(http_ctx_t *c)
{
    static const char *const fields[] = {"category", "title",  "description", "address",
                                         "location", "photos", "for_person",  NULL};
    json_t *body;
    create_arg_t *a = http_alloc(c, sizeof *a);
    if (http_body(c, &body) || http_only_fields(c, body, fields) ||
        api_str(c, body, "category", 1, &a->n.category) ||
        api_str(c, body, "title", 0, &a->n.title) ||
        api_str(c, body, "description", 1, &a->n.description) ||
        api_str(c, body, "address", 0, &a->n.address))
        return 0;
    json_t *loc = json_object_get(body, "location");
    if (loc && !json_is_null(loc)) {
        if (!json_is_object(loc) || json_object_size(loc) != 2 ||
            !number(json_object_get(loc, "lat"), &a->n.lat) ||
            !number(json_object_get(loc, "lon"), &a->n.lon)) {
            http_reply_fail(c, ERR_INVALID, "invalid", "位置应为 {\"lat\":纬度,\"lon\":经度}",
                            "location");
            return 0;
        }
        a->n.has_location = 1;
    }
    a->n.photos = json_object_get(body, "photos"); /* checked with the write: photos_check */
    json_t *fp = json_object_get(body, "for_person");
    if (fp && !json_is_null(fp)) {
        const char *v = json_string_value(fp);
        char *end = NULL;
        long long pid = v && *v ? strtoll(v, &end, 10) : 0;
        if (!v || !*v || *end || pid <= 0) {
            http_reply_fail(c, ERR_INVALID, "invalid", "for_person 应为居民编号（字符串）",
                            "for_person");
            return 0;
        }
        a->n.for_person = pid;
    }
    if (api_idempotency(c, body, &a->n.idem_key, &a->n.body_hash))
        return 0;
    a->n.now = http_now(c);
    a->c = c;
    http_write(c, create_write, a, create_done);
    return 0;
}

/* 200 cases of at most 1,000-character descriptions fit well within this. */
#define CASES_LIST_MAX (8u << 20)

/* ?from=&to= as epoch ms; replies 400 itself. */
static int query_ms(http_ctx_t *c, const char *name, int64_t *out)
{
    const char *v = http_query(c, name);
    *out = 0;
    if (!v || !*v)
        return 0;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (*end || x < 0) {
        http_reply_fail(c, ERR_INVALID, "invalid", "时间应为毫秒时间戳", name);
        return ERR_INVALID;
    }
    *out = x;
    return 0;
}

static int digits_only(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* The filters of a case list or map from the query; replies 400 itself (non-zero). */
static int parse_filters(http_ctx_t *c, cases_filter_t *f)
{
    *f = (cases_filter_t){.now = http_now(c)};
    const char *v;
    if ((v = http_query(c, "state")) && *v) {
        if (caseflow_state_parse(v) < 0) {
            http_reply_fail(c, ERR_INVALID, "invalid", "状态不存在", "state");
            return ERR_INVALID;
        }
        f->state = v;
    }
    if ((v = http_query(c, "category")) && *v) {
        if (!digits_only(v, 2, 2) && !digits_only(v, 4, 4)) {
            http_reply_fail(c, ERR_INVALID, "invalid", "分类应为 2 位大类或 4 位小类代码",
                            "category");
            return ERR_INVALID;
        }
        f->category = v;
    }
    if ((v = http_query(c, "region")) && *v) {
        if (!region_code_valid(v)) {
            http_reply_fail(c, ERR_INVALID, "invalid", "区域代码不正确", "region");
            return ERR_INVALID;
        }
        f->region = v;
    }
    if ((v = http_query(c, "source")) && *v) {
        static const char *const sources[] = {"resident", "informant", "building_head", "staff",
                                              "open311"};
        size_t i = 0;
        while (i < sizeof sources / sizeof *sources && strcmp(v, sources[i]) != 0)
            i++;
        if (i == sizeof sources / sizeof *sources) {
            http_reply_fail(c, ERR_INVALID, "invalid",
                            "来源应为 resident、informant、building_head、staff 或 open311",
                            "source");
            return ERR_INVALID;
        }
        f->source = v;
    }
    if ((v = http_query(c, "overdue")) && *v) {
        if (strcmp(v, "1") != 0) {
            http_reply_fail(c, ERR_INVALID, "invalid", "overdue 只能为 1", "overdue");
            return ERR_INVALID;
        }
        f->overdue = 1;
    }
    if (query_ms(c, "from", &f->from) || query_ms(c, "to", &f->to))
        return ERR_INVALID;
    if (f->to && f->to <= f->from) {
        http_reply_fail(c, ERR_INVALID, "invalid", "开始时间应早于结束时间", "from");
        return ERR_INVALID;
    }
    return 0;
}

int api_cases_list(http_ctx_t *c)
{
    int limit;
    const char *cursor;
    cases_filter_t f;
    if (http_limit(c, &limit) || api_cursor(c, &cursor) || parse_filters(c, &f))
        return 0;
    const char *queue = http_query(c, "queue");
    int q = queue && strcmp(queue, "1") == 0;
    /* Written straight into a buffer (jsonw): no jansson tree for the hottest read. */
    buf_t out;
    buf_init(&out, CASES_LIST_MAX);
    int rc = cases_list(http_db(c), http_user(c), &f, q, cursor, limit, &out);
    if (rc == 0)
        http_reply_raw(c, 200, "application/json; charset=utf-8", out.p, out.len);
    buf_free(&out);
    return rc ? api_reply(c, NULL, rc, "区域不存在或不在您的管辖范围内") : 0;
}

/* GET /api/v1/case-map: the scope's grid boundaries and its located cases, filtered. */
int api_case_map(http_ctx_t *c)
{
    cases_filter_t f;
    if (parse_filters(c, &f))
        return 0;
    const actor_t *who = http_user(c);
    int rc;
    json_t *cases = cases_map(http_db(c), who, &f, 2000, &rc);
    if (!cases)
        return api_reply(c, NULL, rc, "区域不存在或不在您的管辖范围内");
    json_t *grids = region_boundaries(http_db(c), f.region ? f.region : who->scope, 2000, &rc);
    if (!grids) {
        json_decref(cases);
        return api_reply(c, NULL, rc, NULL);
    }
    json_object_set(cases, "grids", json_object_get(grids, "grids"));
    json_object_set(cases, "grids_truncated", json_object_get(grids, "truncated"));
    json_decref(grids);
    /* The county's own outline, drawn behind the grids (null when it has none). */
    char county[8];
    snprintf(county, sizeof county, "%.6s", who->scope);
    json_t *outline = region_outline(http_db(c), county, &rc);
    if (!outline && rc != ERR_NOTFOUND) {
        json_decref(cases);
        return api_reply(c, NULL, rc, NULL);
    }
    json_object_set_new(cases, "county", outline ? outline : json_null());
    /* Degrees to 12 significant digits (far below a millimetre): 42.3, not 42.299999999999997,
     * which makes a county's 555 outlines a third smaller. */
    char *text = json_dumps(cases, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(cases);
    if (!text)
        return api_reply(c, NULL, ERR_NOMEM, NULL);
    http_reply_raw(c, 200, "application/json; charset=utf-8", text, strlen(text));
    free(text);
    return 0;
}

int api_case_similar(http_ctx_t *c)
{
    int64_t id = api_path_id(c, 0);
    if (!id)
        return 0;
    int rc;
    json_t *o = cases_similar(http_db(c), http_user(c), id, &rc);
    return api_reply(c, o, rc, "诉求不存在或不在您的管辖范围内");
}

int api_case_get(http_ctx_t *c)
{
    int64_t id = api_path_id(c, 0);
    if (!id)
        return 0;
    int rc;
    json_t *o = cases_get(http_db(c), http_user(c), id, &rc);
    return api_reply(c, o, rc, "诉求不存在或不在您的管辖范围内");
}

/* What every write on an existing case carries first: the reply is the case as it now is. */
typedef struct {
    http_ctx_t *c;
    int64_t id;
} case_ref_t;

static void case_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    case_ref_t *a = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    int r;
    json_t *o = cases_get(http_db(c), http_user(c), a->id, &r);
    api_reply(c, o, r, "诉求不存在");
}

typedef struct {
    case_ref_t ref; /* first: case_done reads it */
    cases_step_t s;
} step_arg_t;

static int step_write(db_t *db, void *arg, err_t *e)
{
    step_arg_t *a = arg;
    return cases_transition(db, http_user(a->ref.c), a->ref.id, &a->s, e);
}

/* 吹哨's departments: codes, or {code, report_hours, task} objects (each department its own 报到
 * deadline and part). 0, or the reply is sent. */
static int whistle_departments(http_ctx_t *c, json_t *depts, cases_step_t *s)
{
    static const char BAD[] = "departments 应为部门代码或 {code, report_hours, task} 的数组";
    if (!depts || json_is_null(depts))
        return 0;
    size_t n = json_is_array(depts) ? json_array_size(depts) : 0;
    if (!json_is_array(depts) || n > 21) {
        http_reply_fail(c, ERR_INVALID, "invalid", BAD, "departments");
        return -1;
    }
    s->departments = http_alloc(c, (n + 1) * sizeof *s->departments);
    s->tasks = http_alloc(c, (n + 1) * sizeof *s->tasks);
    int *hours = http_alloc(c, (n + 1) * sizeof *hours);
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_array_get(depts, i), *h = NULL, *t = NULL;
        s->tasks[i] = NULL;
        hours[i] = 0;
        if (json_is_object(d)) {
            h = json_object_get(d, "report_hours");
            t = json_object_get(d, "task");
            if (json_object_size(d) != (size_t)(!!json_object_get(d, "code") + !!h + !!t)) {
                http_reply_fail(c, ERR_INVALID, "unknown_field", BAD, "departments");
                return -1;
            }
            d = json_object_get(d, "code");
        }
        s->departments[i] = json_string_value(d);
        if (!s->departments[i] || (h && !json_is_null(h) && !json_is_integer(h)) ||
            (t && !json_is_null(t) && !json_is_string(t))) {
            http_reply_fail(c, ERR_INVALID, "invalid", BAD, "departments");
            return -1;
        }
        if (h && json_is_integer(h)) {
            json_int_t v = json_integer_value(h);
            if (v < 1 || v > 72) {
                http_reply_fail(c, ERR_INVALID, "invalid", "报到时限应为 1 到 72 小时",
                                "departments");
                return -1;
            }
            hours[i] = (int)v;
        }
        s->tasks[i] = t ? json_string_value(t) : NULL;
    }
    s->report_hours = hours;
    s->ndepartments = (int)n;
    return 0;
}

int api_case_event(http_ctx_t *c)
{
    static const char *const fields[] = {"event",       "note",   "rating", "outcome", "assignee",
                                         "departments", "photos", "into",   NULL};
    int64_t id = api_path_id(c, 0);
    if (!id)
        return 0;
    json_t *body;
    step_arg_t *a = http_alloc(c, sizeof *a);
    if (http_body(c, &body) || http_only_fields(c, body, fields) ||
        api_str(c, body, "event", 1, &a->s.event) || api_str(c, body, "note", 0, &a->s.note) ||
        api_str(c, body, "outcome", 0, &a->s.outcome) ||
        api_str(c, body, "assignee", 0, &a->s.assignee))
        return 0;
    /* Each event takes only its own fields: anything else is a mistake worth telling. */
    static const struct {
        const char *field, *event;
    } owners[] = {{"rating", "rate"},       {"outcome", "close"},       {"assignee", "dispatch"},
                  {"assignee", "escalate"}, {"departments", "whistle"}, {"into", "merge"}};
    for (size_t i = 0; i < sizeof owners / sizeof owners[0]; i++) {
        if (!json_object_get(body, owners[i].field))
            continue;
        int owned = 0;
        for (size_t k = 0; k < sizeof owners / sizeof owners[0]; k++)
            owned |=
                !strcmp(owners[k].field, owners[i].field) && !strcmp(a->s.event, owners[k].event);
        if (!owned) {
            http_reply_fail(c, ERR_INVALID, "unknown_field", "该操作不需要此字段", owners[i].field);
            return 0;
        }
    }
    a->s.photos = json_object_get(body, "photos"); /* checked with the write: photos_check */
    json_t *into = json_object_get(body, "into");
    if (into && !json_is_null(into)) {
        const char *v = json_string_value(into);
        char *end = NULL;
        long long n = v && *v ? strtoll(v, &end, 10) : 0;
        if (!v || !*v || *end || n <= 0) {
            http_reply_fail(c, ERR_INVALID, "invalid", "into 应为诉求编号（字符串）", "into");
            return 0;
        }
        a->s.into = n;
    }
    json_t *rating = json_object_get(body, "rating");
    if (rating && !json_is_null(rating)) {
        if (!json_is_integer(rating)) {
            http_reply_fail(c, ERR_INVALID, "invalid", "评价应为 1 到 5 的整数", "rating");
            return 0;
        }
        a->s.rating = (int)json_integer_value(rating);
    }
    if (whistle_departments(c, json_object_get(body, "departments"), &a->s))
        return 0;
    a->s.now = http_now(c);
    a->ref = (case_ref_t){.c = c, .id = id};
    http_write(c, step_write, a, case_done);
    return 0;
}

/* GET /api/v1/case-stats?from=&to=&by=region|category — KPIs of the caller's scope. */
int api_case_stats(http_ctx_t *c)
{
    int64_t now = http_now(c), from = now - 30LL * 24 * 3600 * 1000, to = now + 1;
    const char *names[2] = {"from", "to"};
    int64_t *vals[2] = {&from, &to};
    for (int i = 0; i < 2; i++) {
        const char *v = http_query(c, names[i]);
        if (!v || !*v)
            continue;
        char *end;
        long long x = strtoll(v, &end, 10);
        if (*end || x < 0) {
            http_reply_fail(c, ERR_INVALID, "invalid", "时间应为毫秒时间戳", names[i]);
            return 0;
        }
        *vals[i] = x;
    }
    if (to <= from || to - from > 366LL * 24 * 3600 * 1000) {
        http_reply_fail(c, ERR_INVALID, "invalid", "统计区间应在一年以内且开始早于结束", "from");
        return 0;
    }
    const char *by = http_query(c, "by");
    if (by && *by && strcmp(by, "region") && strcmp(by, "category")) {
        http_reply_fail(c, ERR_INVALID, "invalid", "分组方式应为 region 或 category", "by");
        return 0;
    }
    int rc;
    json_t *o =
        casestats_kpi(http_db(c), http_user(c)->scope, from, to, now, by && *by ? by : NULL, &rc);
    return api_reply(c, o, rc, NULL);
}

int api_departments(http_ctx_t *c)
{
    char county[8];
    snprintf(county, sizeof county, "%.6s", http_user(c)->scope);
    int rc;
    json_t *o = cases_departments(http_db(c), county, &rc);
    return api_reply(c, o, rc, NULL);
}

/* GET /api/v1/departments/{code}/stats — a department's figures (its staff, or the county). */
int api_department_stats(http_ctx_t *c)
{
    int rc;
    json_t *o = cases_dept_stats(http_db(c), http_user(c), http_param(c, 0), http_now(c), &rc);
    return api_reply(c, o, rc, NULL);
}

typedef struct {
    case_ref_t ref; /* first: case_done reads it */
    const char *dept, *action, *note;
} part_arg_t;

static int part_write(db_t *db, void *arg, err_t *e)
{
    part_arg_t *a = arg;
    return cases_part(db, http_user(a->ref.c), a->ref.id, a->dept, a->action, a->note,
                      http_now(a->ref.c), e);
}

/* POST /api/v1/cases/{id}/parts/{dept} {action: report|done, note} */
int api_case_part(http_ctx_t *c)
{
    static const char *const fields[] = {"action", "note", NULL};
    int64_t id = api_path_id(c, 0);
    if (!id)
        return 0;
    json_t *body;
    part_arg_t *a = http_alloc(c, sizeof *a);
    if (http_body(c, &body) || http_only_fields(c, body, fields) ||
        api_str(c, body, "action", 1, &a->action) || api_str(c, body, "note", 0, &a->note))
        return 0;
    a->ref = (case_ref_t){.c = c, .id = id};
    a->dept = http_param(c, 1);
    http_write(c, part_write, a, case_done);
    return 0;
}

/* GET /api/v1/inbox?unread=1 — the caller's messages. */
int api_inbox_list(http_ctx_t *c)
{
    int limit;
    const char *cursor;
    if (http_limit(c, &limit) || api_cursor(c, &cursor))
        return 0;
    const char *u = http_query(c, "unread");
    int rc;
    json_t *o = inbox_list(http_db(c), http_user(c), u && strcmp(u, "1") == 0, cursor, limit, &rc);
    return api_reply(c, o, rc, NULL);
}

static int read_write(db_t *db, void *arg, err_t *e)
{
    case_ref_t *a = arg;
    return inbox_mark_read(db, http_user(a->c), a->id, http_now(a->c), e);
}

static void read_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    (void)arg;
    if (rc)
        http_reply_error(c, e);
    else
        http_reply_empty(c, 204);
}

/* POST /api/v1/inbox/{id}/read */
int api_inbox_read(http_ctx_t *c)
{
    int64_t id = api_path_id(c, 0);
    if (!id)
        return 0;
    case_ref_t *a = http_alloc(c, sizeof *a);
    *a = (case_ref_t){.c = c, .id = id};
    http_write(c, read_write, a, read_done);
    return 0;
}
