/* cases.c — categories, case creation with dispatch, transitions and reads. */
#include "domain/cases/cases.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/accounts/accounts.h"
#include "domain/cases/cases_int.h"
#include "domain/common/change.h"
#include "domain/common/listing.h"
#include "domain/common/photos.h"
#include "domain/registry/registry.h"
#include "lib/geo.h"
#include "lib/idgen.h"
#include "lib/jsonw.h"
#include "lib/utf8.h"
#include "lib/workday.h"

/* ---------- categories ---------- */

/* Default table: STANDARDS.md §4 (urban management components/events, the 12345 request types)
 * and the community categories of the article (三顺店社区: blocked drains, e-bikes charging in
 * stairwells). Counties edit their copy. */
static const struct {
    const char *code, *parent, *name, *handling, *department;
    int respond_hours, complete_value;
    const char *complete_unit;
} default_categories[] = {
    {"01", NULL, "环境卫生", "grid", NULL, 24, 48, "hours"},
    {"0101", "01", "垃圾堆放", "grid", NULL, 24, 48, "hours"},
    {"0102", "01", "乱堆乱放", "grid", NULL, 24, 48, "hours"},
    {"0103", "01", "污水外溢", "grid", NULL, 24, 48, "hours"},
    {"02", NULL, "设施维修", "community", NULL, 24, 48, "hours"},
    {"0201", "02", "下水道堵塞", "community", NULL, 24, 48, "hours"},
    {"0202", "02", "路灯损坏", "community", NULL, 24, 3, "workdays"},
    {"0203", "02", "道路破损", "community", NULL, 24, 5, "workdays"},
    {"03", NULL, "消防安全", "grid", NULL, 2, 24, "hours"},
    {"0301", "03", "楼道停放电动车", "grid", NULL, 2, 24, "hours"},
    {"0302", "03", "消防通道堵塞", "grid", NULL, 2, 24, "hours"},
    {"04", NULL, "矛盾纠纷", "community", NULL, 24, 5, "workdays"},
    {"0401", "04", "邻里纠纷", "community", NULL, 24, 5, "workdays"},
    {"0402", "04", "物业纠纷", "community", NULL, 24, 5, "workdays"},
    {"0403", "04", "租赁纠纷", "street", NULL, 24, 10, "workdays"},
    {"05", NULL, "民生求助", "grid", NULL, 24, 48, "hours"},
    {"0501", "05", "独居老人求助", "grid", NULL, 2, 24, "hours"},
    {"0502", "05", "党员代办", "grid", NULL, 24, 48, "hours"},
    {"06", NULL, "市容环境", "department", "d06", 24, 5, "workdays"}, /* d06 城市管理局 */
    {"0601", "06", "占道经营", "department", "d06", 24, 5, "workdays"},
    {"0602", "06", "违规广告", "department", "d06", 24, 5, "workdays"},
    {"07", NULL, "咨询建议", "community", NULL, 24, 5, "workdays"},
    {"0701", "07", "政策咨询", "community", NULL, 24, 5, "workdays"},
    {"0702", "07", "意见建议", "community", NULL, 24, 5, "workdays"},
};

static const workday_cal_t *calendar;

void cases_set_calendar(const workday_cal_t *cal) { calendar = cal; }

static const char SQL_CAT_COUNT[] = "SELECT COUNT(*) FROM categories WHERE county = ?";
static const char SQL_CAT_INSERT[] =
    "INSERT INTO categories (county, code, parent_code, name, handling, department,"
    " respond_hours, complete_value, complete_unit, active, created_at, updated_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,1,?,?)";

int cases_seed_categories(db_t *db, const char *county, int64_t now)
{
    int64_t n = 0;
    int found = 0;
    int rc = db_one_i64(db, SQL_CAT_COUNT, &n, &found, S(county));
    if (rc || n > 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < sizeof default_categories / sizeof default_categories[0];
         i++) {
        db_stmt_t *st = db_prepare(db, SQL_CAT_INSERT);
        if (!st)
            return ERR_IO;
        db_bind_text(st, 1, county, -1);
        db_bind_text(st, 2, default_categories[i].code, -1);
        db_bind_text(st, 3, default_categories[i].parent, -1);
        db_bind_text(st, 4, default_categories[i].name, -1);
        db_bind_text(st, 5, default_categories[i].handling, -1);
        db_bind_text(st, 6, default_categories[i].department, -1);
        db_bind_i64(st, 7, default_categories[i].respond_hours);
        db_bind_i64(st, 8, default_categories[i].complete_value);
        db_bind_text(st, 9, default_categories[i].complete_unit, -1);
        db_bind_i64(st, 10, now);
        db_bind_i64(st, 11, now);
        int s = db_step(st);
        db_reset(st);
        rc = s < 0 ? s : 0;
    }
    return rc;
}

static const char SQL_CATS[] =
    "SELECT k.code, k.parent_code, k.name, k.handling, k.department, k.respond_hours,"
    " k.complete_value, k.complete_unit, k.active, d.name FROM categories k"
    " LEFT JOIN departments d ON d.county = k.county AND d.code = k.department"
    " WHERE k.county = ? AND (k.active = 1 OR ? = 1) ORDER BY k.code";

json_t *cases_categories(db_t *db, const char *county, int all, int *rc)
{
    db_stmt_t *st = db_query(db, SQL_CATS, S(county), I((int64_t)(all ? 1 : 0)));
    if (!st) {
        *rc = ERR_IO;
        return NULL;
    }
    json_t *items = json_array();
    int s;
    while ((s = db_step(st)) == DB_ROW)
        json_array_append_new(
            items,
            json_pack("{s:s,s:s?,s:s,s:s,s:s?,s:s?,s:I,s:I,s:s,s:b}", "code", db_col_text(st, 0),
                      "parent_code", db_col_text(st, 1), "name", db_col_text(st, 2), "handling",
                      db_col_text(st, 3), "department", db_col_text(st, 4), "department_name",
                      db_col_text(st, 9), "respond_hours", (json_int_t)db_col_i64(st, 5),
                      "complete_value", (json_int_t)db_col_i64(st, 6), "complete_unit",
                      db_col_text(st, 7), "active", (int)db_col_i64(st, 8)));
    db_reset(st);
    if (s < 0) {
        json_decref(items);
        *rc = s;
        return NULL;
    }
    *rc = 0;
    return json_pack("{s:o}", "items", items);
}

/* ---------- departments (practice 6) ---------- */

/* 临河区's 21 departments that answer the whistle, plus the lawyers on rota (MISSION practice 6).
 * Other counties start with the first ten. Counties edit their own list. */
static const char *const default_departments[][2] = {
    {"d01", "人民法院"},         {"d02", "人民检察院"},
    {"d03", "公安分局"},         {"d04", "司法局"},
    {"d05", "住房和城乡建设局"}, {"d06", "城市管理局"},
    {"d07", "市场监督管理局"},   {"d08", "人力资源和社会保障局"},
    {"d09", "民政局"},           {"d10", "自然资源局"},
    {"d11", "卫生健康委员会"},   {"d12", "教育局"},
    {"d13", "农牧和科技局"},     {"d14", "水利局"},
    {"d15", "交通运输局"},       {"d16", "应急管理局"},
    {"d17", "生态环境分局"},     {"d18", "信访局"},
    {"d19", "财政局"},           {"d20", "消防救援大队"},
    {"d21", "供电分公司"},       {"d22", "律师服务团"},
};

static const char SQL_DEPT_COUNT[] = "SELECT COUNT(*) FROM departments WHERE county = ?";
static const char SQL_DEPT_INSERT[] =
    "INSERT INTO departments (county, code, name, created_at) VALUES (?,?,?,?)";

int cases_seed_departments(db_t *db, const char *county, int64_t now)
{
    int64_t n = 0;
    int found = 0;
    int rc = db_one_i64(db, SQL_DEPT_COUNT, &n, &found, S(county));
    if (rc || n > 0)
        return rc;
    size_t all = sizeof default_departments / sizeof default_departments[0];
    size_t count = strcmp(county, "150802") == 0 ? all : 10;
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = db_run(db, SQL_DEPT_INSERT, S(county), S(default_departments[i][0]),
                    S(default_departments[i][1]), I(now));
    return rc;
}

static const char SQL_DEPTS[] = "SELECT code, name FROM departments WHERE county = ? ORDER BY code";

json_t *cases_departments(db_t *db, const char *county, int *rc)
{
    db_stmt_t *st = db_query(db, SQL_DEPTS, S(county));
    json_t *items = json_array();
    int s = ERR_IO;
    while (st && (s = db_step(st)) == DB_ROW)
        json_array_append_new(
            items, json_pack("{s:s,s:s}", "code", db_col_text(st, 0), "name", db_col_text(st, 1)));
    db_reset(st);
    if (s < 0) {
        json_decref(items);
        *rc = s;
        return NULL;
    }
    *rc = 0;
    return json_pack("{s:o}", "items", items);
}

static const char SQL_DEPT_NAME[] = "SELECT name FROM departments WHERE county = ? AND code = ?";

/* ---------- helpers ---------- */

/* Text that is empty or only whitespace (ASCII or the ideographic space U+3000). */
static int blank(const char *t)
{
    for (const unsigned char *p = (const unsigned char *)t; t && *p;) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
            p += 3;
        else
            return 0;
    }
    return 1;
}

static void county_of(const char *code, char county[8]) { snprintf(county, 8, "%.6s", code); }

static json_t *id_json(int64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%" PRId64, v);
    return json_string(b);
}

/* The due time of `value unit` after start: natural hours, or working days on the official
 * calendar. A year the calendar does not cover is an error, never a guess. */
static int due_after(int64_t start, int value, const char *unit, int64_t *due, err_t *e)
{
    if (strcmp(unit, "workdays") == 0) {
        if (!calendar)
            return err_set(e, ERR_IO, "calendar_gap", "工作日历未加载", NULL);
        return workday_add_workdays(calendar, start, value, due, e);
    }
    *due = start + (int64_t)value * 3600 * 1000;
    return 0;
}

typedef struct {
    char code[16], handling[16], unit[16], department[16];
    int respond_hours, complete_value;
} category_t;

static const char SQL_CAT[] = "SELECT code, handling, respond_hours, complete_value, "
                              "complete_unit, department FROM categories"
                              " WHERE county = ? AND code = ? AND active = 1";

static int load_category(db_t *db, const char *county, const char *code, category_t *c)
{
    db_stmt_t *st = db_query(db, SQL_CAT, S(county), S(code));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW) {
        snprintf(c->code, sizeof c->code, "%s", db_col_text(st, 0));
        snprintf(c->handling, sizeof c->handling, "%s", db_col_text(st, 1));
        c->respond_hours = (int)db_col_i64(st, 2);
        c->complete_value = (int)db_col_i64(st, 3);
        snprintf(c->unit, sizeof c->unit, "%s", db_col_text(st, 4));
        snprintf(c->department, sizeof c->department, "%s",
                 db_col_text(st, 5) ? db_col_text(st, 5) : "");
    }
    db_reset(st);
    return s == DB_ROW ? 0 : s < 0 ? s : ERR_NOTFOUND;
}

static const char SQL_EVENT[] =
    "INSERT INTO case_events (county, case_id, seq, at, actor_id, actor_name, actor_role, event,"
    " from_state, to_state, note, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";

static int add_event(db_t *db, const char *county, int64_t case_id, int seq, int64_t at,
                     const actor_t *who, const char *event, const char *from, const char *to,
                     const char *note, const char *detail)
{
    db_stmt_t *st = db_prepare(db, SQL_EVENT);
    if (!st)
        return ERR_IO;
    db_bind_text(st, 1, county, -1);
    db_bind_i64(st, 2, case_id);
    db_bind_i64(st, 3, seq);
    db_bind_i64(st, 4, at);
    if (who && who->id)
        db_bind_i64(st, 5, who->id);
    else
        db_bind_null(st, 5);
    db_bind_text(st, 6, who ? who->name : "系统", -1);
    db_bind_text(st, 7, who && who->role ? role_name(who->role) : NULL, -1);
    db_bind_text(st, 8, event, -1);
    db_bind_text(st, 9, from, -1);
    db_bind_text(st, 10, to, -1);
    db_bind_text(st, 11, note, -1);
    db_bind_text(st, 12, detail, -1);
    int rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return rc;
    /* KPI counters and the webhook outbox move with the event, in its transaction. */
    change_t c = {.kind = CHANGE_CASE_EVENT,
                  .county = county,
                  .id = case_id,
                  .seq = seq,
                  .at = at,
                  .event = event,
                  .from = from,
                  .to = to};
    return change_announce(db, &c);
}

static int name_of_dept(db_t *db, const char *county, const char *code, char *out, size_t cap);

/* 负载均衡: a case dispatched to a grid goes to the grid's active worker holding the fewest open
 * cases (ties: the lower account id); NULL when the grid has no worker account. A grid usually
 * has one worker: then nothing is counted. Counts stop at 1,000, so a worker buried under
 * thousands of open cases costs no more than one with a thousand. */
#define PICK_WORKERS_MAX 32 /* = the LIMIT below */
static const char SQL_GRID_WORKERS[] =
    "SELECT id FROM users WHERE scope_code = ? AND role = 'grid_worker' AND disabled = 0"
    " ORDER BY id LIMIT 32";
static const char SQL_OPEN_OF[] =
    "SELECT COUNT(*) FROM (SELECT 1 FROM cases WHERE handler_id = ?"
    " AND state IN ('dispatched', 'accepted', 'reopened') LIMIT 1000) t";
static const char SQL_SET_HANDLER[] = "UPDATE cases SET handler_id = ? WHERE county = ? AND id = ?";
static const char SQL_NO_HANDLER[] =
    "UPDATE cases SET handler_id = NULL WHERE county = ? AND id = ?";

static int give_to_worker(db_t *db, const char *county, int64_t id, const char *grid)
{
    int64_t ids[PICK_WORKERS_MAX];
    int n = 0;
    if (strlen(grid) == 14) {
        db_stmt_t *st = db_query(db, SQL_GRID_WORKERS, S(grid));
        int s;
        while (st && n < PICK_WORKERS_MAX && (s = db_step(st)) == DB_ROW)
            ids[n++] = db_col_i64(st, 0);
        db_reset(st);
        if (!st)
            return ERR_IO;
    }
    if (n == 0)
        return db_run(db, SQL_NO_HANDLER, S(county), I(id));
    int64_t best = ids[0], least = INT64_MAX;
    for (int i = 0; n > 1 && i < n; i++) {
        int64_t open = 0;
        int found = 0;
        int rc = db_one_i64(db, SQL_OPEN_OF, &open, &found, I(ids[i]));
        if (rc)
            return rc;
        if (open < least) {
            least = open;
            best = ids[i];
        }
    }
    return db_run(db, SQL_SET_HANDLER, I(best), S(county), I(id));
}

/* ---------- create ---------- */

static const char SQL_IDEM_GET[] =
    "SELECT body_hash, result_id FROM idempotency WHERE user_id = ? AND idem_key = ?";
static const char SQL_IDEM_PUT[] =
    "INSERT INTO idempotency (user_id, idem_key, body_hash, result_id, created_at)"
    " VALUES (?,?,?,?,?)";
static const char SQL_ACCOUNT_OF_PERSON[] =
    "SELECT id FROM users WHERE county = ? AND person_id = ? AND disabled = 0"
    " AND role IN ('resident', 'informant') ORDER BY id LIMIT 1";
static const char SQL_FILED_BY[] = "UPDATE cases SET filed_by = ? WHERE county = ? AND id = ?";
static const char SQL_HOUSEHOLD_OF[] =
    "SELECT p.household_id, h.region_code FROM people p JOIN households h"
    " ON h.county = p.county AND h.id = p.household_id WHERE p.county = ? AND p.id = ?";
static const char SQL_CASE_INSERT[] =
    "INSERT INTO cases (county, id, region_code, assignee_code, category_code, source, reporter_id,"
    " household_id, title, description, address, lat, lon, state, slip, respond_due,"
    " complete_due, events, created_at, updated_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static const char *source_of(role_t r)
{
    switch (r) {
    case ROLE_RESIDENT: return "resident";
    case ROLE_INFORMANT: return "informant";
    case ROLE_BUILDING_HEAD: return "building_head";
    default: return "staff";
    }
}

int cases_create(db_t *db, const actor_t *who, cases_new_t *n, err_t *e)
{
    int rc;
    if (n->idem_key) {
        db_stmt_t *st = db_query(db, SQL_IDEM_GET, I(who->id), S(n->idem_key));
        int s = st ? db_step(st) : ERR_IO;
        if (s == DB_ROW) {
            int same = strcmp(db_col_text(st, 0), n->body_hash ? n->body_hash : "") == 0;
            n->id = db_col_i64(st, 1);
            db_reset(st);
            if (!same)
                return err_set(e, ERR_CONFLICT, "idempotency_conflict",
                               "该 Idempotency-Key 已用于另一份内容不同的提交", NULL);
            n->replayed = 1;
            return 0;
        }
        db_reset(st);
        if (s < 0)
            return s;
    }
    if (!n->description || blank(n->description))
        return err_set(e, ERR_INVALID, "invalid", "请描述遇到的问题", "description");
    size_t dl = strlen(n->description);
    if (!utf8_valid(n->description, dl) || utf8_count(n->description, dl) > 1000)
        return err_set(e, ERR_INVALID, "invalid", "问题描述不能超过 1000 字", "description");
    if (n->title &&
        (!utf8_valid(n->title, strlen(n->title)) || utf8_count(n->title, strlen(n->title)) > 60))
        return err_set(e, ERR_INVALID, "invalid", "标题不能超过 60 字", "title");
    if (n->address && utf8_count(n->address, strlen(n->address)) > 200)
        return err_set(e, ERR_INVALID, "invalid", "地址不能超过 200 字", "address");
    if (n->has_location && (n->lat < -90 || n->lat > 90 || n->lon < -180 || n->lon > 180))
        return err_set(e, ERR_INVALID, "invalid", "位置坐标不正确", "location");
    if ((rc = photos_check(db, who, n->photos, e)) != 0)
        return rc;
    char county[8];
    county_of(who->scope, county);
    category_t cat;
    rc = n->category ? load_category(db, county, n->category, &cat) : ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND || (rc == 0 && strlen(cat.code) < 4))
        return err_set(e, ERR_INVALID, "invalid", "诉求分类不存在", "category");
    if (rc)
        return rc;

    /* Where: the grid whose boundary holds the reported location (the problem is where it was
     * seen); else the reporter's household; else the reporter's scope — never lost. */
    /* 代报: a building head (or grid worker) files for a person of their scope; the case is the
     * person's (placed by their household; theirs to follow and rate when they have an account). */
    int64_t subject = who->person_id, reporter = who->id, filed_by = 0;
    if (n->for_person) {
        if (!(who->role & (ROLE_BUILDING_HEAD | ROLE_GRID_WORKER)))
            return err_set(e, ERR_FORBIDDEN, "forbidden",
                           "只有楼栋长、联户长或网格员可以代群众上报", "for_person");
        db_stmt_t *st = db_query(db, SQL_HOUSEHOLD_OF, S(county), I(n->for_person));
        int s = st ? db_step(st) : ERR_IO;
        int ours = s == DB_ROW && region_in_scope(who->scope, db_col_text(st, 1));
        db_reset(st);
        if (s < 0)
            return s;
        if (!ours)
            return err_set(e, ERR_INVALID, "invalid", "该居民不存在或不在您的管辖范围内",
                           "for_person");
        subject = n->for_person;
        filed_by = who->id;
        int64_t acct = 0;
        int found = 0;
        if ((rc = db_one_i64(db, SQL_ACCOUNT_OF_PERSON, &acct, &found, S(county),
                             I(n->for_person))) != 0)
            return rc;
        if (found)
            reporter = acct;
    }
    char region[32], located[24];
    const char *placed_by = "scope";
    snprintf(region, sizeof region, "%s", who->scope);
    int64_t household = 0;
    if (n->has_location && region_locate_grid(db, county, n->lon, n->lat, located) == 0) {
        snprintf(region, sizeof region, "%s", located);
        placed_by = "location";
    }
    if (subject) {
        db_stmt_t *st = db_query(db, SQL_HOUSEHOLD_OF, S(county), I(subject));
        if (st && db_step(st) == DB_ROW) {
            household = db_col_i64(st, 0);
            if (strcmp(placed_by, "location") != 0) {
                snprintf(region, sizeof region, "%s", db_col_text(st, 1));
                placed_by = "household";
            }
        }
        db_reset(st);
    }
    /* Cases are placed at grid level (14) when known, else at the scope's own level. */
    if (strlen(region) > 14)
        region[14] = 0;
    int is_grid = strlen(region) == 14;

    /* Dispatch: grid categories go straight to the grid (平台派单); others wait for the
     * community's dispatcher. */
    const char *assignee = NULL;
    char community[16], dept[24];
    snprintf(community, sizeof community, "%.12s", region);
    snprintf(dept, sizeof dept, "dept:%s", cat.department);
    if (strcmp(cat.handling, "grid") == 0 && is_grid)
        assignee = region;
    else if (strcmp(cat.handling, "community") == 0 && strlen(region) >= 12)
        assignee = community;
    else if (strcmp(cat.handling, "department") == 0 && cat.department[0] &&
             name_of_dept(db, county, cat.department, NULL, 0))
        assignee = dept; /* 部门类: straight to the department the category names */
    const char *state = assignee ? "dispatched" : "submitted";

    int64_t respond_due = 0, complete_due = 0;
    if ((rc = due_after(n->now, cat.respond_hours, "hours", &respond_due, e)) != 0 ||
        (rc = due_after(n->now, cat.complete_value, cat.unit, &complete_due, e)) != 0)
        return rc;

    n->id = idgen_next();
    const char *title = n->title && *n->title ? n->title : NULL;
    char tbuf[200];
    if (!title) {
        /* A title from the first characters of the description. */
        size_t cut = utf8_prefix(n->description, dl, 20);
        snprintf(tbuf, sizeof tbuf, "%.*s", (int)cut, n->description);
        title = tbuf;
    }
    db_stmt_t *st = db_prepare(db, SQL_CASE_INSERT);
    if (!st)
        return ERR_IO;
    db_bind_text(st, 1, county, -1);
    db_bind_i64(st, 2, n->id);
    db_bind_text(st, 3, region, -1);
    db_bind_text(st, 4, assignee, -1);
    db_bind_text(st, 5, cat.code, -1);
    db_bind_text(st, 6, n->source ? n->source : source_of(who->role), -1);
    if (reporter)
        db_bind_i64(st, 7, reporter);
    else
        db_bind_null(st, 7); /* an outside system (Open311): no reporting account */
    if (household)
        db_bind_i64(st, 8, household);
    else
        db_bind_null(st, 8);
    db_bind_text(st, 9, title, -1);
    db_bind_text(st, 10, n->description, -1);
    db_bind_text(st, 11, n->address, -1);
    char la[32], lo[32];
    if (n->has_location) {
        snprintf(la, sizeof la, "%.7f", n->lat);
        snprintf(lo, sizeof lo, "%.7f", n->lon);
        db_bind_text(st, 12, la, -1);
        db_bind_text(st, 13, lo, -1);
    } else {
        db_bind_null(st, 12);
        db_bind_null(st, 13);
    }
    db_bind_text(st, 14, state, -1);
    db_bind_text(st, 15,
                 strcmp(cat.handling, "grid") == 0 || strcmp(cat.handling, "community") == 0
                     ? "red"
                     : "blue",
                 -1);
    db_bind_i64(st, 16, respond_due);
    db_bind_i64(st, 17, complete_due);
    db_bind_i64(st, 18, assignee ? 2 : 1);
    db_bind_i64(st, 19, n->now);
    db_bind_i64(st, 20, n->now);
    rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return rc;
    char placed[96];
    if (filed_by)
        snprintf(placed, sizeof placed, "{\"placed_by\":\"%s\",\"for_person\":\"%lld\"}", placed_by,
                 (long long)n->for_person);
    else
        snprintf(placed, sizeof placed, "{\"placed_by\":\"%s\"}", placed_by);
    if (filed_by)
        rc = db_run(db, SQL_FILED_BY, I(filed_by), S(county), I(n->id));
    if (rc)
        return rc;
    rc = add_event(db, county, n->id, 1, n->now, who, "create", NULL, "submitted", NULL, placed);
    if (rc == 0)
        rc = cases_photos_attach(db, county, n->id, 1, n->photos);
    if (rc == 0 && assignee) {
        char detail[64];
        snprintf(detail, sizeof detail, "{\"assignee\":\"%s\"}", assignee);
        rc = add_event(db, county, n->id, 2, n->now, NULL, "dispatch", "submitted", "dispatched",
                       "按诉求分类自动派单", detail);
        if (rc == 0 && is_grid && assignee == region)
            rc = give_to_worker(db, county, n->id, region);
    }
    if (rc == 0) {
        change_t c = {.kind = CHANGE_CASE_ACT,
                      .county = county,
                      .id = n->id,
                      .at = n->now,
                      .event = "create",
                      .actor_id = who->id,
                      .label = caseflow_state_label(assignee ? CASE_DISPATCHED : CASE_SUBMITTED)};
        rc = change_announce(db, &c);
    }
    if (rc == 0 && n->idem_key) {
        rc = db_run(db, SQL_IDEM_PUT, I(who->id), S(n->idem_key),
                    S(n->body_hash ? n->body_hash : ""), I(n->id), I(n->now));
        /* PostgreSQL: a parallel retry with the same key committed first. Ask the store to run
         * this again from the start (ERR_BUSY is retried): it then finds the key and replays. */
        if (rc == ERR_CONFLICT)
            rc = ERR_BUSY;
    }
    return rc;
}

/* ---------- reads ---------- */

#define CASE_COLS                                                                                  \
    "c.id, c.title, c.description, c.category_code, k.name, c.state, c.region_code,"               \
    " c.assignee_code, c.source, c.slip, c.respond_due, c.complete_due, c.responded_at,"           \
    " c.resolved_at, c.closed_at, c.rating, c.rating_comment, c.outcome, c.address, c.lat, c.lon," \
    " c.reporter_id, c.created_at, c.updated_at, c.paused_at, c.events, r.name, c.filed_by"
#define CASE_FROM                                                                                  \
    " FROM cases c LEFT JOIN categories k ON k.county = c.county AND k.code = c.category_code"     \
    " LEFT JOIN regions r ON r.code = c.region_code"

static void set_ms(json_t *o, const char *key, db_stmt_t *st, int col)
{
    json_object_set_new(o, key,
                        db_col_isnull(st, col) ? json_null() : json_integer(db_col_i64(st, col)));
}

/* A case as JSON. Lists write the same keys and values with case_write (jsonw): change both. */
static json_t *case_json(db_stmt_t *st)
{
    int state = caseflow_state_parse(db_col_text(st, 5));
    json_t *o = json_pack(
        "{s:o,s:s,s:s,s:s,s:s?,s:s,s:s,s:s,s:s?,s:s,s:s?,s:s?,s:s?,s:s?,s:s?}", "id",
        id_json(db_col_i64(st, 0)), "title", db_col_text(st, 1), "description", db_col_text(st, 2),
        "category_code", db_col_text(st, 3), "category_name", db_col_text(st, 4), "state",
        db_col_text(st, 5), "state_label", caseflow_state_label(state), "region_code",
        db_col_text(st, 6), "region_name", db_col_text(st, 26), "source", db_col_text(st, 8),
        "assignee_code", db_col_text(st, 7), "slip", db_col_text(st, 9), "outcome",
        db_col_text(st, 17), "rating_comment", db_col_text(st, 16), "address", db_col_text(st, 18));
    set_ms(o, "respond_due", st, 10);
    set_ms(o, "complete_due", st, 11);
    set_ms(o, "responded_at", st, 12);
    set_ms(o, "resolved_at", st, 13);
    set_ms(o, "closed_at", st, 14);
    set_ms(o, "created_at", st, 22);
    set_ms(o, "updated_at", st, 23);
    set_ms(o, "paused_at", st, 24);
    json_object_set_new(o, "rating",
                        db_col_isnull(st, 15) ? json_null() : json_integer(db_col_i64(st, 15)));
    if (!db_col_isnull(st, 19) && !db_col_isnull(st, 20))
        json_object_set_new(o, "location",
                            json_pack("{s:f,s:f}", "lat", strtod(db_col_text(st, 19), NULL), "lon",
                                      strtod(db_col_text(st, 20), NULL)));
    else
        json_object_set_new(o, "location", json_null());
    return o;
}

/* May `who` see a case located at region, assigned to assignee, reported by reporter? */
static const char SQL_HAS_PART[] =
    "SELECT 1 FROM case_parts WHERE county = ? AND case_id = ? AND dept_code = ?";

/* Is who's department summoned onto this case? */
static int has_part(db_t *db, const actor_t *who, const char *county, int64_t id)
{
    if (who->role != ROLE_DEPARTMENT_STAFF || !who->department[0])
        return 0;
    int64_t v;
    int found = 0;
    return db_one_i64(db, SQL_HAS_PART, &v, &found, S(county), I(id), S(who->department)) == 0 &&
           found;
}

/* Is the case assigned to who's department ("dept:<code>")? */
static int dept_holds(const actor_t *who, const char *assignee)
{
    return who->role == ROLE_DEPARTMENT_STAFF && who->department[0] && assignee &&
           strncmp(assignee, "dept:", 5) == 0 && strcmp(assignee + 5, who->department) == 0;
}

static int visible(const actor_t *who, const char *region, const char *assignee, int64_t reporter,
                   int64_t filed_by)
{
    if (reporter == who->id || filed_by == who->id)
        return 1;
    if (who->role == ROLE_DEPARTMENT_STAFF)
        return dept_holds(who, assignee); /* and, by has_part, the whistles they are summoned to */
    if (who->role & (ROLE_RESIDENT | ROLE_INFORMANT))
        return 0;
    return region_in_scope(who->scope, region) ||
           (assignee && region_in_scope(who->scope, assignee));
}

/* Labels of timeline events that are not state-machine events. */
static const char *extra_label(const char *ev)
{
    if (strcmp(ev, "part_report") == 0)
        return "部门报到";
    if (strcmp(ev, "part_done") == 0)
        return "部门办结";
    if (strcmp(ev, "merged_in") == 0)
        return "并入重复诉求";
    if (strcmp(ev, "part_overdue") == 0)
        return "部门报到超时";
    return "提交";
}

static const char SQL_CASE[] = "SELECT " CASE_COLS CASE_FROM " WHERE c.county = ? AND c.id = ?";
static const char SQL_PARTS[] =
    "SELECT p.dept_code, d.name, p.summoned_at, p.report_due, p.reported_at, p.done_at, p.note,"
    " p.overdue_at"
    " FROM case_parts p LEFT JOIN departments d ON d.county = p.county AND d.code = p.dept_code"
    " WHERE p.county = ? AND p.case_id = ? ORDER BY p.dept_code";
static const char SQL_EVENTS[] =
    "SELECT seq, at, actor_name, actor_role, event, from_state, to_state, note, detail"
    " FROM case_events WHERE county = ? AND case_id = ? ORDER BY seq";

static const char SQL_SEES[] = "SELECT region_code, assignee_code, reporter_id, filed_by FROM cases"
                               " WHERE county = ? AND id = ?";

static const char SQL_HANDLER[] =
    "SELECT u.id, u.name FROM cases c JOIN users u ON u.id = c.handler_id"
    " WHERE c.county = ? AND c.id = ?";
static const char SQL_MERGED_INTO[] =
    "SELECT merged_into FROM cases WHERE county = ? AND id = ? AND merged_into IS NOT NULL";

int cases_visible(db_t *db, const actor_t *who, const char *county, int64_t id)
{
    char own[8];
    county_of(who->scope, own);
    if (strcmp(own, county) != 0)
        return 0;
    db_stmt_t *st = db_query(db, SQL_SEES, S(county), I(id));
    int see = st && db_step(st) == DB_ROW &&
              visible(who, db_col_text(st, 0), db_col_text(st, 1),
                      db_col_isnull(st, 2) ? 0 : db_col_i64(st, 2),
                      db_col_isnull(st, 3) ? 0 : db_col_i64(st, 3));
    db_reset(st);
    return see || has_part(db, who, county, id);
}

json_t *cases_get(db_t *db, const actor_t *who, int64_t id, int *rc)
{
    char county[8];
    county_of(who->scope, county);
    db_stmt_t *st = db_query(db, SQL_CASE, S(county), I(id));
    int s = st ? db_step(st) : ERR_IO;
    json_t *o = NULL;
    int see =
        s == DB_ROW && visible(who, db_col_text(st, 6), db_col_text(st, 7), db_col_i64(st, 21),
                               db_col_isnull(st, 27) ? 0 : db_col_i64(st, 27));
    if (s == DB_ROW && !see) {
        db_reset(st);
        see = has_part(db, who, county, id);
        st = db_query(db, SQL_CASE, S(county), I(id));
        s = st ? db_step(st) : ERR_IO;
        see = see && s == DB_ROW;
    }
    if (see) {
        o = case_json(st);
        json_object_set_new(o, "mine", json_boolean(db_col_i64(st, 21) == who->id));
    }
    db_reset(st);
    if (!o) {
        *rc = s < 0 ? s : ERR_NOTFOUND;
        return NULL;
    }
    int64_t into = 0;
    int merged = 0;
    if (db_one_i64(db, SQL_MERGED_INTO, &into, &merged, S(county), I(id)) == 0 && merged && into)
        json_object_set_new(o, "merged_into", id_json(into));
    else
        json_object_set_new(o, "merged_into", json_null());
    /* 负载均衡: the worker the case was given to, if any. */
    st = db_query(db, SQL_HANDLER, S(county), I(id));
    if (st && db_step(st) == DB_ROW)
        json_object_set_new(
            o, "handler",
            json_pack("{s:o,s:s}", "id", id_json(db_col_i64(st, 0)), "name", db_col_text(st, 1)));
    else
        json_object_set_new(o, "handler", json_null());
    db_reset(st);
    json_t *pics = cases_photos_of(db, county, id);
    st = db_query(db, SQL_EVENTS, S(county), I(id));
    json_t *tl = json_array();
    while (st && (s = db_step(st)) == DB_ROW) {
        int ev = caseflow_event_parse(db_col_text(st, 4));
        json_t *d = db_col_text(st, 8) ? json_loads(db_col_text(st, 8), 0, NULL) : NULL;
        char seq[24];
        snprintf(seq, sizeof seq, "%lld", (long long)db_col_i64(st, 0));
        json_t *p = json_object_get(pics, seq);
        json_t *item = json_pack(
            "{s:I,s:I,s:s?,s:s?,s:s,s:s,s:s?,s:s,s:s?,s:o?}", "seq", (json_int_t)db_col_i64(st, 0),
            "at", (json_int_t)db_col_i64(st, 1), "actor_name", db_col_text(st, 2), "actor_role",
            db_col_text(st, 3), "event", db_col_text(st, 4), "event_label",
            ev >= 0 ? caseflow_event_label(ev) : extra_label(db_col_text(st, 4)), "from_state",
            db_col_text(st, 5), "to_state", db_col_text(st, 6), "note", db_col_text(st, 7),
            "detail", d);
        json_object_set_new(item, "photos", p ? json_incref(p) : json_array());
        json_array_append_new(tl, item);
    }
    db_reset(st);
    json_decref(pics);
    json_object_set_new(o, "timeline", tl);
    json_t *parts = json_array();
    st = db_query(db, SQL_PARTS, S(county), I(id));
    while (st && (s = db_step(st)) == DB_ROW) {
        json_t *pt =
            json_pack("{s:s,s:s?,s:I,s:I,s:s?}", "department", db_col_text(st, 0), "name",
                      db_col_text(st, 1), "summoned_at", (json_int_t)db_col_i64(st, 2),
                      "report_due", (json_int_t)db_col_i64(st, 3), "note", db_col_text(st, 6));
        set_ms(pt, "reported_at", st, 4);
        set_ms(pt, "done_at", st, 5);
        set_ms(pt, "overdue_at", st, 7);
        json_array_append_new(parts, pt);
    }
    db_reset(st);
    json_object_set_new(o, "parts", parts);
    *rc = 0;
    return o;
}

/* Filters of a case list, the same for every kind of caller: state, category (group or code as
 * a prefix range), region (a prefix range inside the caller's scope), source, overdue, and the
 * creation period. Unused ones are bound so they match everything (static SQL, one plan each). */
#define LIST_FILTERS                                                                               \
    " AND (? = '' OR c.state = ?)"                                                                 \
    " AND c.category_code >= ? AND c.category_code < ?"                                            \
    " AND c.region_code >= ? AND c.region_code < ?"                                                \
    " AND (? = '' OR c.source = ?)"                                                                \
    " AND (? = 0 OR (c.state IN ('submitted', 'dispatched', 'accepted', 'returned', 'escalated',"  \
    "  'whistle', 'reopened') AND c.paused_at IS NULL AND c.complete_due < ?))"                    \
    " AND c.created_at >= ? AND c.created_at < ?"
static const char SQL_FIND_MINE[] =
    "SELECT " CASE_COLS CASE_FROM
    " WHERE c.county = ? AND c.reporter_id = ? AND c.id < ?" LIST_FILTERS
    " ORDER BY c.id DESC LIMIT ?";
static const char SQL_FIND_FILED[] =
    "SELECT " CASE_COLS CASE_FROM " WHERE c.county = ? AND (c.reporter_id = ? OR c.filed_by = ?)"
    " AND c.id < ?" LIST_FILTERS " ORDER BY c.id DESC LIMIT ?";
static const char SQL_FIND_SCOPE[] =
    "SELECT " CASE_COLS CASE_FROM
    " WHERE c.region_code >= ? AND c.region_code < ? AND c.id < ?" LIST_FILTERS
    " ORDER BY c.id DESC LIMIT ?";
/* A department's cases: dispatched to it, or whistles it was summoned to. */
static const char SQL_FIND_DEPT[] =
    "SELECT " CASE_COLS CASE_FROM " WHERE c.county = ? AND (c.assignee_code = ? OR EXISTS"
    " (SELECT 1 FROM case_parts p WHERE p.county = c.county AND p.case_id = c.id"
    "  AND p.dept_code = ?)) AND c.id < ?" LIST_FILTERS " ORDER BY c.id DESC LIMIT ?";
static const char SQL_LIST_MINE[] =
    "SELECT " CASE_COLS CASE_FROM " WHERE c.county = ? AND c.reporter_id = ? AND c.id < ?"
    " AND (? = '' OR c.state = ?) ORDER BY c.id DESC LIMIT ?";
static const char SQL_LIST_FILED[] =
    "SELECT " CASE_COLS CASE_FROM " WHERE c.county = ? AND (c.reporter_id = ? OR c.filed_by = ?)"
    " AND c.id < ? AND (? = '' OR c.state = ?) ORDER BY c.id DESC LIMIT ?";
static const char SQL_LIST_SCOPE[] =
    "SELECT " CASE_COLS CASE_FROM " WHERE c.region_code >= ? AND c.region_code < ? AND c.id < ?"
    " AND (? = '' OR c.state = ?) ORDER BY c.id DESC LIMIT ?";
static const char SQL_LIST_GRID[] =
    "SELECT " CASE_COLS CASE_FROM " WHERE c.region_code = ? AND c.id < ?"
    " AND (? = '' OR c.state = ?) ORDER BY c.id DESC LIMIT ?";
/* A queue: the open cases its scope holds, soonest deadline first. The page's IDs come from the
 * (assignee_code, state, complete_due, id) index alone (migration 011); only those 20 cases are
 * read and joined to names (a grid can hold hundreds of open cases). A grid's worker: assignee =
 * the grid. A wider scope: `state || ''` keeps SQLite from walking every open case of every
 * county through the (state, complete_due) index instead (measured: 12 queues/s with 200,000
 * open cases in the county). */
#define QUEUE_OF(where)                                                                            \
    "SELECT " CASE_COLS " FROM (SELECT id FROM cases WHERE " where                                 \
    " ORDER BY complete_due, id LIMIT ?) q JOIN cases c ON c.county = ? AND c.id = q.id"           \
    " LEFT JOIN categories k ON k.county = c.county AND k.code = c.category_code"                  \
    " LEFT JOIN regions r ON r.code = c.region_code ORDER BY c.complete_due, c.id"
static const char SQL_QUEUE_GRID[] =
    QUEUE_OF("assignee_code = ? AND state IN ('dispatched', 'accepted', 'reopened')");
static const char SQL_QUEUE[] =
    QUEUE_OF("assignee_code >= ? AND assignee_code < ?"
             " AND (state || '') IN ('dispatched', 'accepted', 'reopened')");

/* A department's queue: the whistles it has not finished its part of, and the cases dispatched
 * to it that are still open. */
static const char SQL_DEPT_QUEUE[] =
    "SELECT " CASE_COLS CASE_FROM " WHERE c.county = ? AND ("
    " (c.state = 'whistle' AND EXISTS (SELECT 1 FROM case_parts p WHERE p.county = c.county"
    "  AND p.case_id = c.id AND p.dept_code = ? AND p.done_at IS NULL))"
    " OR (c.assignee_code = ? AND c.state IN ('dispatched', 'accepted', 'reopened')))"
    " ORDER BY c.complete_due, c.id LIMIT ?";

/* A case of a list, with the keys and values of case_json, written straight into the reply. */
static void case_write(jsonw_t *w, db_stmt_t *st)
{
    static const struct {
        const char *key;
        int col;
    } texts[] = {{"title", 1},           {"description", 2},  {"category_code", 3},
                 {"category_name", 4},   {"state", 5},        {"state_label", -1},
                 {"region_code", 6},     {"region_name", 26}, {"source", 8},
                 {"assignee_code", 7},   {"slip", 9},         {"outcome", 17},
                 {"rating_comment", 16}, {"address", 18}},
      times[] = {{"respond_due", 10}, {"complete_due", 11}, {"responded_at", 12},
                 {"resolved_at", 13}, {"closed_at", 14},    {"created_at", 22},
                 {"updated_at", 23},  {"paused_at", 24},    {"rating", 15}};
    jsonw_object(w);
    jsonw_kid(w, "id", db_col_i64(st, 0));
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        jsonw_kstring(w, texts[i].key,
                      texts[i].col < 0
                          ? caseflow_state_label(caseflow_state_parse(db_col_text(st, 5)))
                          : db_col_text(st, texts[i].col));
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        jsonw_key(w, times[i].key);
        if (db_col_isnull(st, times[i].col))
            jsonw_null(w);
        else
            jsonw_int(w, db_col_i64(st, times[i].col));
    }
    jsonw_key(w, "location");
    if (!db_col_isnull(st, 19) && !db_col_isnull(st, 20)) {
        jsonw_object(w);
        jsonw_kreal(w, "lat", strtod(db_col_text(st, 19), NULL));
        jsonw_kreal(w, "lon", strtod(db_col_text(st, 20), NULL));
        jsonw_object_end(w);
    } else {
        jsonw_null(w);
    }
    jsonw_object_end(w);
}

/* {"items":[…],"next_cursor":…} from st (limit + 1 rows asked when paged). */
static int list_write(db_stmt_t *st, int limit, int paged, buf_t *out)
{
    if (!st)
        return ERR_IO;
    jsonw_t w;
    jsonw_init(&w, out);
    jsonw_object(&w);
    jsonw_key(&w, "items");
    jsonw_array(&w);
    int s, n = 0;
    int64_t last = 0;
    while ((s = db_step(st)) == DB_ROW) {
        if (n++ == limit)
            break; /* the extra row: there is a next page */
        last = db_col_i64(st, 0);
        case_write(&w, st);
    }
    db_reset(st);
    if (s < 0)
        return s;
    jsonw_array_end(&w);
    jsonw_key(&w, "next_cursor");
    if (paged && n > limit)
        jsonw_id(&w, last);
    else
        jsonw_null(&w);
    jsonw_object_end(&w);
    return jsonw_finish(&w);
}

/* Bind LIST_FILTERS from index i on; returns the next index. */
static int bind_filters(db_stmt_t *st, int i, const cases_filter_t *f, const char *cat_lo,
                        const char *cat_hi, const char *reg_lo, const char *reg_hi)
{
    db_bind_text(st, i++, f->state ? f->state : "", -1);
    db_bind_text(st, i++, f->state ? f->state : "", -1);
    db_bind_text(st, i++, cat_lo, -1);
    db_bind_text(st, i++, cat_hi, -1);
    db_bind_text(st, i++, reg_lo, -1);
    db_bind_text(st, i++, reg_hi, -1);
    db_bind_text(st, i++, f->source ? f->source : "", -1);
    db_bind_text(st, i++, f->source ? f->source : "", -1);
    db_bind_i64(st, i++, f->overdue ? 1 : 0);
    db_bind_i64(st, i++, f->now);
    db_bind_i64(st, i++, f->from);
    db_bind_i64(st, i++, f->to ? f->to : INT64_MAX);
    return i;
}

/* Anything beyond a state: the filtered queries (the plain ones keep their tight plans). */
static int filtered(const cases_filter_t *f)
{
    return f && (f->category || f->region || f->source || f->overdue || f->from || f->to);
}

static const char SQL_MAP[] =
    "SELECT c.id, c.title, c.state, k.name, c.lat, c.lon, c.complete_due, c.paused_at,"
    " c.created_at, c.region_code" CASE_FROM
    " WHERE c.region_code >= ? AND c.region_code < ? AND c.lat IS NOT NULL" LIST_FILTERS
    " ORDER BY c.id DESC LIMIT ?";

json_t *cases_map(db_t *db, const actor_t *who, const cases_filter_t *f, int max, int *rc)
{
    char hi[32], cat_lo[16] = "", cat_hi[24] = "~", reg_lo[32] = "", reg_hi[40] = "~";
    region_scope_hi(who->scope, hi, sizeof hi);
    if (f->category) {
        snprintf(cat_lo, sizeof cat_lo, "%s", f->category);
        region_scope_hi(cat_lo, cat_hi, sizeof cat_hi);
    }
    if (f->region) {
        if (!region_in_scope(who->scope, f->region)) {
            *rc = ERR_NOTFOUND;
            return NULL;
        }
        snprintf(reg_lo, sizeof reg_lo, "%s", f->region);
        region_scope_hi(reg_lo, reg_hi, sizeof reg_hi);
    }
    db_stmt_t *st = db_prepare(db, SQL_MAP);
    if (!st) {
        *rc = ERR_IO;
        return NULL;
    }
    db_bind_text(st, 1, who->scope, -1);
    db_bind_text(st, 2, hi, -1);
    int i = bind_filters(st, 3, f, cat_lo, cat_hi, reg_lo, reg_hi);
    db_bind_i64(st, i, (int64_t)max + 1);
    json_t *items = json_array();
    int s, n = 0;
    static const char *const open_states[] = {"submitted", "dispatched", "accepted", "returned",
                                              "escalated", "whistle",    "reopened"};
    while ((s = db_step(st)) == DB_ROW && n < max) {
        const char *state = db_col_text(st, 2);
        int open = 0;
        for (size_t k = 0; k < sizeof open_states / sizeof *open_states; k++)
            open |= strcmp(state, open_states[k]) == 0;
        int overdue = open && db_col_isnull(st, 7) && db_col_i64(st, 6) < f->now;
        json_array_append_new(
            items,
            json_pack("{s:o,s:s,s:s,s:s,s:s?,s:f,s:f,s:b,s:I,s:s}", "id",
                      id_json(db_col_i64(st, 0)), "title", db_col_text(st, 1), "state", state,
                      "state_label", caseflow_state_label(caseflow_state_parse(state)),
                      "category_name", db_col_text(st, 3), "lat", strtod(db_col_text(st, 4), NULL),
                      "lon", strtod(db_col_text(st, 5), NULL), "overdue", overdue, "created_at",
                      (json_int_t)db_col_i64(st, 8), "region_code", db_col_text(st, 9)));
        n++;
    }
    int more = s == DB_ROW;
    db_reset(st);
    if (s < 0) {
        json_decref(items);
        *rc = s;
        return NULL;
    }
    *rc = 0;
    return json_pack("{s:o,s:b}", "items", items, "truncated", more);
}

int cases_list(db_t *db, const actor_t *who, const cases_filter_t *f, int queue, const char *cursor,
               int limit, buf_t *out)
{
    char county[8], hi[32];
    county_of(who->scope, county);
    region_scope_hi(who->scope, hi, sizeof hi);
    const char *state = f ? f->state : NULL;
    const char *stv = state ? state : "";
    int64_t before = listing_cursor(cursor, INT64_MAX);
    db_stmt_t *st;
    char dept_code[24];
    snprintf(dept_code, sizeof dept_code, "dept:%s", who->department);
    if (queue) {
        /* The whole queue, soonest deadline first: no keyset paging, a hard cap instead. A
         * department's queue is the whistles it has not finished. */
        st = who->role == ROLE_DEPARTMENT_STAFF
                 ? db_query(db, SQL_DEPT_QUEUE, S(county), S(who->department), S(dept_code),
                            I((int64_t)limit))
             : strlen(who->scope) == 14
                 ? db_query(db, SQL_QUEUE_GRID, S(who->scope), I((int64_t)limit), S(county))
                 : db_query(db, SQL_QUEUE, S(who->scope), S(hi), I((int64_t)limit), S(county));
        return list_write(st, limit, 0, out);
    }
    if (who->role == ROLE_DEPARTMENT_STAFF || filtered(f)) {
        static const cases_filter_t none = {0};
        const cases_filter_t *ff = f ? f : &none;
        char cat_lo[16] = "", cat_hi[24] = "~", reg_lo[32] = "", reg_hi[40] = "~";
        if (ff->category) {
            snprintf(cat_lo, sizeof cat_lo, "%s", ff->category);
            region_scope_hi(cat_lo, cat_hi, sizeof cat_hi);
        }
        if (ff->region) {
            /* Staff narrow their own scope; nobody reaches outside it. */
            if (!region_in_scope(who->scope, ff->region))
                return ERR_NOTFOUND;
            snprintf(reg_lo, sizeof reg_lo, "%s", ff->region);
            region_scope_hi(reg_lo, reg_hi, sizeof reg_hi);
        }
        int i = 1;
        if (who->role == ROLE_DEPARTMENT_STAFF) {
            st = db_prepare(db, SQL_FIND_DEPT);
            if (st) {
                db_bind_text(st, i++, county, -1);
                db_bind_text(st, i++, dept_code, -1);
                db_bind_text(st, i++, who->department, -1);
            }
        } else if (who->role & (ROLE_RESIDENT | ROLE_INFORMANT)) {
            st = db_prepare(db, SQL_FIND_MINE);
            if (st) {
                db_bind_text(st, i++, county, -1);
                db_bind_i64(st, i++, who->id);
            }
        } else if (who->role == ROLE_BUILDING_HEAD) {
            st = db_prepare(db, SQL_FIND_FILED);
            if (st) {
                db_bind_text(st, i++, county, -1);
                db_bind_i64(st, i++, who->id);
                db_bind_i64(st, i++, who->id);
            }
        } else {
            st = db_prepare(db, SQL_FIND_SCOPE);
            if (st) {
                db_bind_text(st, i++, who->scope, -1);
                db_bind_text(st, i++, hi, -1);
            }
        }
        if (!st)
            return ERR_IO;
        db_bind_i64(st, i++, before);
        i = bind_filters(st, i, ff, cat_lo, cat_hi, reg_lo, reg_hi);
        db_bind_i64(st, i, (int64_t)limit + 1);
        return list_write(st, limit, 1, out);
    }
    if (who->role & (ROLE_RESIDENT | ROLE_INFORMANT))
        st = db_query(db, SQL_LIST_MINE, S(county), I(who->id), I(before), S(stv), S(stv),
                      I((int64_t)limit + 1));
    else if (who->role == ROLE_BUILDING_HEAD)
        /* A building head follows what they reported and what they filed for residents. */
        st = db_query(db, SQL_LIST_FILED, S(county), I(who->id), I(who->id), I(before), S(stv),
                      S(stv), I((int64_t)limit + 1));
    else if (strlen(who->scope) == 14)
        /* A grid: one region code, so the (region_code, id) index yields the newest first
         * without sorting the grid's whole history. */
        st = db_query(db, SQL_LIST_GRID, S(who->scope), I(before), S(stv), S(stv),
                      I((int64_t)limit + 1));
    else
        st = db_query(db, SQL_LIST_SCOPE, S(who->scope), S(hi), I(before), S(stv), S(stv),
                      I((int64_t)limit + 1));
    return list_write(st, limit, 1, out);
}

/* ---------- transitions ---------- */

static const char SQL_STATE[] =
    "SELECT state, events, region_code, assignee_code, reporter_id, paused_at, filed_by,"
    " household_id FROM cases WHERE county = ? AND id = ?";
static const char SQL_UPDATE[] =
    "UPDATE cases SET state = ?, events = events + 1, updated_at = ?,"
    " assignee_code = COALESCE(?, assignee_code), responded_at = COALESCE(responded_at, ?),"
    " resolved_at = COALESCE(?, resolved_at), closed_at = COALESCE(?, closed_at),"
    " rating = COALESCE(?, rating), rating_comment = COALESCE(?, rating_comment),"
    " outcome = COALESCE(?, outcome), slip = COALESCE(?, slip)"
    " WHERE county = ? AND id = ? AND events = ?";
static const char SQL_PAUSE[] = "UPDATE cases SET paused_at = ? WHERE county = ? AND id = ?";
/* Deadlines move by the time spent waiting on the resident. */
static const char SQL_UNPAUSE[] =
    "UPDATE cases SET respond_due = respond_due + (? - paused_at),"
    " complete_due = complete_due + (? - paused_at), paused_at = NULL, reminded_at = NULL"
    " WHERE county = ? AND id = ? AND paused_at IS NOT NULL";

/* 疑似重复: candidates come from the same community's region range and the 72 h window around
 * the case (index cases_region), then distance decides. */
#define SIMILAR_WINDOW_MS (72LL * 3600 * 1000)
#define SIMILAR_RADIUS_M 500.0
static const char SQL_SIMILAR[] =
    "SELECT " CASE_COLS CASE_FROM
    " WHERE c.region_code >= ? AND c.region_code < ? AND c.county = ? AND c.category_code = ?"
    " AND c.id <> ? AND c.created_at >= ? AND c.created_at <= ?"
    " AND c.state IN ('submitted', 'dispatched', 'accepted', 'returned', 'escalated', 'whistle',"
    " 'reopened') ORDER BY c.id DESC LIMIT 200";

json_t *cases_similar(db_t *db, const actor_t *who, int64_t id, int *rc)
{
    char county[8];
    county_of(who->scope, county);
    if (!cases_visible(db, who, county, id)) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    db_stmt_t *st = db_query(db, SQL_CASE, S(county), I(id));
    int s = st ? db_step(st) : ERR_IO;
    if (s != DB_ROW) {
        db_reset(st);
        *rc = s < 0 ? s : ERR_NOTFOUND;
        return NULL;
    }
    char region[32], category[16], lo[16], hi[24];
    snprintf(region, sizeof region, "%s", db_col_text(st, 6));
    snprintf(category, sizeof category, "%s", db_col_text(st, 3));
    int located = !db_col_isnull(st, 19) && !db_col_isnull(st, 20);
    double lat = located ? strtod(db_col_text(st, 19), NULL) : 0;
    double lon = located ? strtod(db_col_text(st, 20), NULL) : 0;
    int64_t created = db_col_i64(st, 22);
    db_reset(st);
    /* The community (12 digits) around the case; a case placed higher up looks at its own node. */
    snprintf(lo, sizeof lo, "%.12s", region);
    region_scope_hi(lo, hi, sizeof hi);
    st = db_query(db, SQL_SIMILAR, S(lo), S(hi), S(county), S(category), I(id),
                  I(created - SIMILAR_WINDOW_MS), I(created + SIMILAR_WINDOW_MS));
    json_t *items = json_array();
    while (st && (s = db_step(st)) == DB_ROW) {
        const char *r = db_col_text(st, 6);
        if (!visible(who, r, db_col_text(st, 7), db_col_isnull(st, 21) ? 0 : db_col_i64(st, 21),
                     db_col_isnull(st, 27) ? 0 : db_col_i64(st, 27)))
            continue;
        int here = !db_col_isnull(st, 19) && !db_col_isnull(st, 20);
        double d = -1;
        if (located && here) {
            d = geo_distance_m(lon, lat, strtod(db_col_text(st, 20), NULL),
                               strtod(db_col_text(st, 19), NULL));
            if (d > SIMILAR_RADIUS_M)
                continue;
        } else if (strcmp(r, region) != 0) {
            continue; /* without two locations, only the same grid counts as the same place */
        }
        json_t *o = case_json(st);
        json_object_set_new(o, "distance_m",
                            d < 0 ? json_null() : json_integer((json_int_t)(d + 0.5)));
        json_array_append_new(items, o);
    }
    db_reset(st);
    /* Nearest first (unknown distances last), then newest; at most 10. */
    size_t n = json_array_size(items);
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0; k--) {
            json_t *a = json_object_get(json_array_get(items, k - 1), "distance_m");
            json_t *b = json_object_get(json_array_get(items, k), "distance_m");
            int swap = json_is_null(a)
                           ? !json_is_null(b)
                           : (!json_is_null(b) && json_integer_value(b) < json_integer_value(a));
            if (!swap)
                break;
            json_t *t = json_incref(json_array_get(items, k - 1));
            json_array_set(items, k - 1, json_array_get(items, k));
            json_array_set_new(items, k, t);
        }
    while (json_array_size(items) > 10)
        json_array_remove(items, json_array_size(items) - 1);
    *rc = s < 0 ? s : 0;
    if (s < 0) {
        json_decref(items);
        return NULL;
    }
    return json_pack("{s:o}", "items", items);
}

static void nullable_i64(db_stmt_t *st, int idx, int64_t v)
{
    if (v)
        db_bind_i64(st, idx, v);
    else
        db_bind_null(st, idx);
}

/* One level up the tree: grid → community → town → county (小事不出网格、大事不出城区). */
static void level_up(const char *code, char *out, size_t cap)
{
    size_t n = strlen(code);
    size_t up = n > 12 ? 12 : n > 9 ? 9 : 6;
    snprintf(out, cap, "%.*s", (int)up, code);
}

static const char SQL_PART_INSERT[] =
    "INSERT INTO case_parts (county, case_id, dept_code, summoned_at, report_due)"
    " VALUES (?,?,?,?,?)";
#define WHISTLE_REPORT_MS (2LL * 3600 * 1000) /* 报到 within 2 hours */

static int name_of_dept(db_t *db, const char *county, const char *code, char *out, size_t cap)
{
    db_stmt_t *st = db_query(db, SQL_DEPT_NAME, S(county), S(code));
    int found = st && db_step(st) == DB_ROW;
    if (found && out)
        snprintf(out, cap, "%s", db_col_text(st, 0));
    db_reset(st);
    return found;
}

/* 合并: the target must be another open case of the county that who can see. */
static const char SQL_TARGET[] = "SELECT state FROM cases WHERE county = ? AND id = ?";

static int merge_target_ok(db_t *db, const actor_t *who, const char *county, int64_t id,
                           int64_t into, err_t *e)
{
    if (!into)
        return err_set(e, ERR_INVALID, "invalid", "请选择要合并到的诉求", "into");
    if (into == id)
        return err_set(e, ERR_INVALID, "invalid", "不能合并到自身", "into");
    db_stmt_t *st = db_query(db, SQL_TARGET, S(county), I(into));
    int r = st ? db_step(st) : ERR_IO;
    char state[24] = "";
    if (r == DB_ROW)
        snprintf(state, sizeof state, "%s", db_col_text(st, 0));
    db_reset(st);
    if (r < 0)
        return r;
    if (r != DB_ROW || (who && !cases_visible(db, who, county, into)))
        return err_set(e, ERR_INVALID, "invalid", "要合并到的诉求不存在或不在您的管辖范围内",
                       "into");
    if (!strcmp(state, "merged") || !strcmp(state, "cancelled") || !strcmp(state, "closed") ||
        !strcmp(state, "resolved") || !strcmp(state, "rated"))
        return err_set(e, ERR_CONFLICT, "invalid_transition", "只能合并到仍在办理中的诉求", "into");
    return 0;
}

static const char SQL_MERGED[] = "UPDATE cases SET merged_into = ? WHERE county = ? AND id = ?";
static const char SQL_TARGET_BUMP[] = "UPDATE cases SET events = events + 1, updated_at = ? WHERE "
                                      "county = ? AND id = ? AND events = ?";
static const char SQL_EVENTS_OF[] = "SELECT events, state FROM cases WHERE county = ? AND id = ?";

/* Record the merge on both cases: the merged one points at its target, and the target's
 * timeline says what was folded into it (its reporter is told, in the same transaction). */
static int merge_into(db_t *db, const actor_t *who, const char *county, int64_t id, int64_t into,
                      int64_t now)
{
    int rc = db_run(db, SQL_MERGED, I(into), S(county), I(id));
    if (rc)
        return rc;
    db_stmt_t *st = db_query(db, SQL_EVENTS_OF, S(county), I(into));
    int r = st ? db_step(st) : ERR_IO;
    int64_t events = r == DB_ROW ? db_col_i64(st, 0) : 0;
    char state[24] = "";
    if (r == DB_ROW)
        snprintf(state, sizeof state, "%s", db_col_text(st, 1));
    db_reset(st);
    if (r != DB_ROW)
        return r < 0 ? r : ERR_CONFLICT;
    st = db_query(db, SQL_TARGET_BUMP, I(now), S(county), I(into), I(events));
    r = st ? db_step(st) : ERR_IO;
    int64_t changed = r >= 0 ? db_changes(st) : 0;
    db_reset(st);
    if (r < 0)
        return r;
    if (changed != 1)
        return ERR_CONFLICT;
    char detail[48];
    snprintf(detail, sizeof detail, "{\"from\":\"%lld\"}", (long long)id);
    return add_event(db, county, into, (int)events + 1, now, who, "merged_in", state, state,
                     "合并了一条重复诉求", detail);
}

static int apply_one(db_t *db, const actor_t *who, const char *county, int64_t id, case_event_t ev,
                     cases_step_t *s, err_t *e)
{
    db_stmt_t *st = db_query(db, SQL_STATE, S(county), I(id));
    int r = st ? db_step(st) : ERR_IO;
    if (r != DB_ROW) {
        db_reset(st);
        return r < 0
                   ? r
                   : err_set(e, ERR_NOTFOUND, "not_found", "诉求不存在或不在您的管辖范围内", NULL);
    }
    char state[24], region[32], assignee[48] = "";
    snprintf(state, sizeof state, "%s", db_col_text(st, 0));
    int64_t events = db_col_i64(st, 1);
    snprintf(region, sizeof region, "%s", db_col_text(st, 2));
    if (db_col_text(st, 3))
        snprintf(assignee, sizeof assignee, "%s", db_col_text(st, 3));
    int64_t reporter = db_col_i64(st, 4);
    int paused = !db_col_isnull(st, 5);
    int64_t filer = db_col_isnull(st, 6) ? 0 : db_col_i64(st, 6);
    int64_t household = db_col_isnull(st, 7) ? 0 : db_col_i64(st, 7);
    db_reset(st);
    int part = who && has_part(db, who, county, id);
    if (who && !part && !visible(who, region, assignee[0] ? assignee : NULL, reporter, filer))
        return err_set(e, ERR_NOTFOUND, "not_found", "诉求不存在或不在您的管辖范围内", NULL);
    caseflow_actor_t actor = {0};
    if (who) {
        actor.role = who->role;
        actor.is_reporter = reporter == who->id;
        actor.is_assignee =
            part ||
            (assignee[0] && (region_in_scope(who->scope, assignee) || dept_holds(who, assignee)));
    }
    case_state_t to;
    int rc = caseflow_apply((case_state_t)caseflow_state_parse(state), ev, &actor, &to, e);
    if (rc)
        return rc;

    /* Arguments each event needs. */
    const char *new_assignee = NULL, *outcome = NULL, *slip = NULL;
    char up[16], detail[160] = "";
    int64_t responded = 0, resolved = 0, closed = 0;
    switch (ev) {
    case CEV_DISPATCH:
        if (s->assignee && strncmp(s->assignee, "dept:", 5) == 0) {
            /* 派单到部门: the street, the center or the county send it to one department. */
            if (who &&
                !(who->role & (ROLE_STREET_ADMIN | ROLE_CENTER_OPERATOR | ROLE_COUNTY_ADMIN)))
                return err_set(e, ERR_FORBIDDEN, "forbidden",
                               "只有街道、指挥中心或县级可派单到部门", "assignee");
            if (strlen(s->assignee) > 20 || !name_of_dept(db, county, s->assignee + 5, NULL, 0))
                return err_set(e, ERR_INVALID, "invalid", "部门不存在", "assignee");
            new_assignee = s->assignee;
            snprintf(detail, sizeof detail, "{\"assignee\":\"%s\"}", s->assignee);
            break;
        }
        if (!s->assignee || !region_code_valid(s->assignee) ||
            region_level_of(s->assignee) < REGION_TOWN ||
            region_level_of(s->assignee) > REGION_GRID ||
            (who && !region_in_scope(who->scope, s->assignee)) ||
            !region_in_scope(county, s->assignee))
            return err_set(e, ERR_INVALID, "invalid", "请选择您辖区内的网格、村/社区或街道派单",
                           "assignee");
        new_assignee = s->assignee;
        snprintf(detail, sizeof detail, "{\"assignee\":\"%s\"}", s->assignee);
        break;
    case CEV_WHISTLE: {
        if (!s->departments || s->ndepartments < 1 || s->ndepartments > 21)
            return err_set(e, ERR_INVALID, "invalid", "请选择 1 到 21 个要报到的部门",
                           "departments");
        size_t o = (size_t)snprintf(detail, sizeof detail, "{\"departments\":[");
        for (int i = 0; i < s->ndepartments; i++) {
            char nm[8];
            if (!s->departments[i] || !name_of_dept(db, county, s->departments[i], nm, sizeof nm))
                return err_set(e, ERR_INVALID, "invalid", "部门不存在", "departments");
            for (int k = 0; k < i; k++)
                if (strcmp(s->departments[k], s->departments[i]) == 0)
                    return err_set(e, ERR_INVALID, "invalid", "部门重复", "departments");
            if (o < sizeof detail)
                o += (size_t)snprintf(detail + o, sizeof detail - o, "%s\"%s\"", i ? "," : "",
                                      s->departments[i]);
        }
        if (o < sizeof detail)
            snprintf(detail + o, sizeof detail - o, "]}");
        break;
    }
    case CEV_ACCEPT: responded = s->now; break;
    case CEV_RESOLVE: resolved = s->now; break;
    case CEV_ESCALATE:
        /* A department's missed deadline goes to the county (its governance center). */
        if (strncmp(assignee, "dept:", 5) == 0)
            snprintf(up, sizeof up, "%s", county);
        else
            level_up(assignee[0] ? assignee : region, up, sizeof up);
        new_assignee = up;
        slip = "blue";
        snprintf(detail, sizeof detail, "{\"assignee\":\"%s\"}", up);
        break;
    case CEV_CLOSE:
        outcome = s->outcome ? s->outcome : "fixed";
        if (strcmp(outcome, "fixed") && strcmp(outcome, "partly_fixed") &&
            strcmp(outcome, "not_our_duty") && strcmp(outcome, "duplicate"))
            return err_set(e, ERR_INVALID, "invalid", "办结结果不正确", "outcome");
        closed = s->now;
        snprintf(detail, sizeof detail, "{\"outcome\":\"%s\"}", outcome);
        break;
    case CEV_MERGE:
        if ((rc = merge_target_ok(db, who, county, id, s->into, e)) != 0)
            return rc;
        snprintf(detail, sizeof detail, "{\"into\":\"%lld\"}", (long long)s->into);
        break;
    case CEV_RATE:
        if (s->rating < 1 || s->rating > 5)
            return err_set(e, ERR_INVALID, "invalid", "评价应为 1 到 5 星", "rating");
        snprintf(detail, sizeof detail, "{\"rating\":%d}", s->rating);
        break;
    case CEV_NOTE:
        if (!s->note || blank(s->note))
            return err_set(e, ERR_INVALID, "invalid", "请填写进展说明", "note");
        break;
    case CEV_WAIT:
        if (paused)
            return err_set(e, ERR_CONFLICT, "invalid_transition", "已在等待群众回复", NULL);
        break;
    case CEV_RESUME:
        if (!paused)
            return err_set(e, ERR_CONFLICT, "invalid_transition", "该诉求未处于等待状态", NULL);
        break;
    default: break;
    }
    if (s->note && utf8_count(s->note, strlen(s->note)) > 500)
        return err_set(e, ERR_INVALID, "invalid", "说明不能超过 500 字", "note");
    if (s->photos && who && (rc = photos_check(db, who, s->photos, e)) != 0)
        return rc;

    st = db_prepare(db, SQL_UPDATE);
    if (!st)
        return ERR_IO;
    db_bind_text(st, 1, caseflow_state_name(to), -1);
    db_bind_i64(st, 2, s->now);
    db_bind_text(st, 3, new_assignee, -1);
    nullable_i64(st, 4, responded);
    nullable_i64(st, 5, resolved);
    nullable_i64(st, 6, closed);
    nullable_i64(st, 7, ev == CEV_RATE ? s->rating : 0);
    db_bind_text(st, 8, ev == CEV_RATE ? s->note : NULL, -1);
    db_bind_text(st, 9, outcome, -1);
    db_bind_text(st, 10, slip, -1);
    db_bind_text(st, 11, county, -1);
    db_bind_i64(st, 12, id);
    db_bind_i64(st, 13, events);
    rc = db_step(st);
    int64_t changed = rc >= 0 ? db_changes(st) : 0;
    db_reset(st);
    if (rc < 0)
        return rc;
    /* Someone else changed the case between our read and write (PostgreSQL, several loop
     * threads): exactly one of two clicks wins. */
    if (changed != 1)
        return err_set(e, ERR_CONFLICT, "conflict", "该诉求刚被他人处理，请刷新后重试", NULL);
    /* A new holder: a grid gets one of its workers (load balanced), anyone else none. */
    if (new_assignee)
        rc = give_to_worker(db, county, id, new_assignee);
    if (rc)
        return rc;
    if (ev == CEV_WAIT)
        rc = db_run(db, SQL_PAUSE, I(s->now), S(county), I(id));
    else if (ev == CEV_RESUME)
        rc = db_run(db, SQL_UNPAUSE, I(s->now), I(s->now), S(county), I(id));
    if (rc == 0)
        rc = add_event(db, county, id, (int)events + 1, s->now, who, caseflow_event_name(ev), state,
                       caseflow_state_name(to), s->note, detail[0] ? detail : NULL);
    if (rc == 0 && s->photos && who)
        rc = cases_photos_attach(db, county, id, (int)events + 1, s->photos);
    if (rc == 0 && ev == CEV_MERGE)
        rc = merge_into(db, who, county, id, s->into, s->now);
    /* 中心吹哨: each summoned department must report in (报到) within WHISTLE_REPORT_MS. */
    for (int i = 0; rc == 0 && ev == CEV_WHISTLE && i < s->ndepartments; i++)
        rc = db_run(db, SQL_PART_INSERT, S(county), I(id), S(s->departments[i]), I(s->now),
                    I(s->now + WHISTLE_REPORT_MS));
    /* Announced in the same transaction: the inbox tells the reporter and whoever now holds
     * the case; a case closed as fixed may earn its household points (积分制). */
    if (rc == 0) {
        change_t c = {.kind = CHANGE_CASE_ACT,
                      .county = county,
                      .id = id,
                      .at = s->now,
                      .event = caseflow_event_name(ev),
                      .label = caseflow_state_label(to),
                      .actor_id = who ? who->id : 0,
                      .outcome = outcome,
                      .household = household};
        rc = change_announce(db, &c);
    }
    if (rc == ERR_CONFLICT)
        return err_set(e, ERR_CONFLICT, "conflict", "该诉求刚被他人处理，请刷新后重试", NULL);
    snprintf(s->state, sizeof s->state, "%s", caseflow_state_name(to));
    return rc;
}

int cases_transition(db_t *db, const actor_t *who, int64_t id, cases_step_t *s, err_t *e)
{
    int ev = caseflow_event_parse(s->event);
    /* parts_done is the system's alone: nobody sends it. */
    if (ev < 0 || ev == CEV_PARTS_DONE)
        return err_set(e, ERR_INVALID, "invalid", "未知的操作", "event");
    char county[8];
    county_of(who->scope, county);
    int rc = apply_one(db, who, county, id, (case_event_t)ev, s, e);
    /* A rating decides what follows (回访): 1–2 stars reopen the case, 3–5 close it as fixed. */
    if (rc == 0 && ev == CEV_RATE) {
        cases_step_t next = {.now = s->now, .outcome = "fixed"};
        next.note = s->rating <= 2 ? "评价不满意，重新办理并回访" : "群众评价满意，自动关闭";
        rc = apply_one(db, NULL, county, id, s->rating <= 2 ? CEV_REOPEN : CEV_CLOSE, &next, e);
        if (rc == 0)
            snprintf(s->state, sizeof s->state, "%s", next.state);
    }
    return rc;
}

/* ---------- scheduler ---------- */

static const char SQL_OVERDUE[] =
    "SELECT county, id, state, respond_due, complete_due FROM cases"
    " WHERE state IN ('dispatched', 'accepted', 'reopened') AND paused_at IS NULL"
    " AND (complete_due < ? OR (state = 'dispatched' AND respond_due < ?))"
    " ORDER BY complete_due LIMIT ?";
static const char SQL_NEW_DUES[] = "UPDATE cases SET respond_due = ?, complete_due = ?,"
                                   " reminded_at = NULL WHERE county = ? AND id = ?";
/* Open cases whose completion deadline falls within the reminder window, not yet reminded. */
static const char SQL_DUE_SOON[] =
    "SELECT county, id FROM cases WHERE state IN ('dispatched', 'accepted', 'reopened')"
    " AND paused_at IS NULL AND reminded_at IS NULL AND complete_due >= ? AND complete_due < ?"
    " ORDER BY complete_due LIMIT ?";
static const char SQL_REMINDED[] = "UPDATE cases SET reminded_at = ? WHERE county = ? AND id = ?";
#define REMIND_BEFORE_MS (2LL * 3600 * 1000) /* remind the holders 2 h before the deadline */
/* One scheduler at a time across instances sharing a PostgreSQL (held until commit). */
static const char SQL_PG_LOCK[] =
    "SELECT CASE WHEN pg_try_advisory_xact_lock(7424001) THEN 1 ELSE 0 END";

#define ESCALATE_RESPOND_MS (24LL * 3600 * 1000)
#define ESCALATE_COMPLETE_MS (48LL * 3600 * 1000)

/* 部门报到超时: each summoned department that has not reported in by its deadline is marked
 * overdue once, shown on the case's timeline, and its staff and the whistle's holder are told. */
static const char SQL_PARTS_LATE[] =
    "SELECT p.county, p.case_id, p.dept_code, COALESCE(d.name, p.dept_code) FROM case_parts p"
    " LEFT JOIN departments d ON d.county = p.county AND d.code = p.dept_code"
    " WHERE p.reported_at IS NULL AND p.overdue_at IS NULL AND p.report_due < ?"
    " ORDER BY p.report_due LIMIT ?";
static const char SQL_PART_LATE_MARK[] =
    "UPDATE case_parts SET overdue_at = ? WHERE county = ? AND case_id = ? AND dept_code = ?"
    " AND overdue_at IS NULL";
static const char SQL_CASE_SEQ[] = "SELECT events, state FROM cases WHERE county = ? AND id = ?";
static const char SQL_CASE_SEQ_BUMP[] = "UPDATE cases SET events = events + 1, updated_at = ?"
                                        " WHERE county = ? AND id = ? AND events = ?";

static int parts_overdue(db_t *db, int64_t now, int max)
{
    typedef struct {
        char county[8], dept[16], name[96];
        int64_t id;
    } late_t;
    late_t *late = calloc((size_t)max, sizeof *late);
    if (!late)
        return ERR_NOMEM;
    int n = 0, rc = 0, s;
    db_stmt_t *st = db_query(db, SQL_PARTS_LATE, I(now), I((int64_t)max));
    while (st && (s = db_step(st)) == DB_ROW && n < max) {
        snprintf(late[n].county, sizeof late[n].county, "%s", db_col_text(st, 0));
        late[n].id = db_col_i64(st, 1);
        snprintf(late[n].dept, sizeof late[n].dept, "%s", db_col_text(st, 2));
        snprintf(late[n].name, sizeof late[n].name, "%s", db_col_text(st, 3));
        n++;
    }
    db_reset(st);
    for (int i = 0; i < n && rc == 0; i++) {
        late_t *l = &late[i];
        st = db_query(db, SQL_CASE_SEQ, S(l->county), I(l->id));
        s = st ? db_step(st) : ERR_IO;
        int64_t events = s == DB_ROW ? db_col_i64(st, 0) : 0;
        char state[24] = "";
        if (s == DB_ROW)
            snprintf(state, sizeof state, "%s", db_col_text(st, 1));
        db_reset(st);
        if (s != DB_ROW) {
            rc = s < 0 ? s : 0;
            continue;
        }
        rc = db_run(db, SQL_PART_LATE_MARK, I(now), S(l->county), I(l->id), S(l->dept));
        if (rc == 0)
            rc = db_run(db, SQL_CASE_SEQ_BUMP, I(now), S(l->county), I(l->id), I(events));
        char note[200], detail[48];
        snprintf(note, sizeof note, "%s未在时限内报到", l->name);
        snprintf(detail, sizeof detail, "{\"department\":\"%s\"}", l->dept);
        if (rc == 0)
            rc = add_event(db, l->county, l->id, (int)events + 1, now, NULL, "part_overdue", state,
                           state, note, detail);
        if (rc == 0) {
            change_t c = {.kind = CHANGE_CASE_PART_LATE,
                          .county = l->county,
                          .id = l->id,
                          .at = now,
                          .dept = l->dept,
                          .dept_name = l->name};
            rc = change_announce(db, &c);
        }
    }
    free(late);
    return rc;
}

int cases_tick(db_t *db, int64_t now, int max, int *escalated, int *reminded, int *skipped,
               err_t *e)
{
    *escalated = 0;
    if (reminded)
        *reminded = 0;
    *skipped = 0;
    if (db_engine(db) == DB_PG) {
        int64_t got = 0;
        int found = 0;
        int rc = db_one_i64(db, SQL_PG_LOCK, &got, &found);
        if (rc)
            return rc;
        if (!got) {
            *skipped = 1;
            return 0;
        }
    }
    typedef struct {
        char county[8];
        int64_t id;
        int response;
    } due_t;
    due_t *list = calloc((size_t)max, sizeof *list);
    if (!list)
        return ERR_NOMEM;
    int n = 0, rc = 0, s;
    db_stmt_t *st = db_query(db, SQL_OVERDUE, I(now), I(now), I((int64_t)max));
    while (st && (s = db_step(st)) == DB_ROW && n < max) {
        snprintf(list[n].county, sizeof list[n].county, "%s", db_col_text(st, 0));
        list[n].id = db_col_i64(st, 1);
        list[n].response = strcmp(db_col_text(st, 2), "dispatched") == 0 &&
                           db_col_i64(st, 3) < now && db_col_i64(st, 4) >= now;
        n++;
    }
    db_reset(st);
    for (int i = 0; i < n && rc == 0; i++) {
        cases_step_t step = {.now = now,
                             .note = list[i].response ? "超过响应时限未接单，自动上报上一级"
                                                      : "超过办结时限，自动上报上一级"};
        err_t ie = {0};
        rc = apply_one(db, NULL, list[i].county, list[i].id, CEV_ESCALATE, &step, &ie);
        if (rc == ERR_CONFLICT || rc == ERR_FORBIDDEN) {
            rc = 0; /* changed meanwhile: the next pass looks again */
            continue;
        }
        if (rc == 0)
            rc = db_run(db, SQL_NEW_DUES, I(now + ESCALATE_RESPOND_MS),
                        I(now + ESCALATE_COMPLETE_MS), S(list[i].county), I(list[i].id));
        if (rc == 0)
            (*escalated)++;
        else
            err_copy(e, &ie);
    }
    /* Reminders: once per deadline, to whoever holds the case. */
    n = 0;
    st = rc == 0 ? db_query(db, SQL_DUE_SOON, I(now), I(now + REMIND_BEFORE_MS), I((int64_t)max))
                 : NULL;
    while (st && (s = db_step(st)) == DB_ROW && n < max) {
        snprintf(list[n].county, sizeof list[n].county, "%s", db_col_text(st, 0));
        list[n].id = db_col_i64(st, 1);
        n++;
    }
    db_reset(st);
    for (int i = 0; i < n && rc == 0; i++) {
        change_t c = {.kind = CHANGE_CASE_REMIND,
                      .county = list[i].county,
                      .id = list[i].id,
                      .at = now,
                      .event = "remind",
                      .label = "即将超时"};
        rc = change_announce(db, &c);
        if (rc == 0)
            rc = db_run(db, SQL_REMINDED, I(now), S(list[i].county), I(list[i].id));
        if (rc == 0 && reminded)
            (*reminded)++;
    }
    free(list);
    if (rc == 0)
        rc = parts_overdue(db, now, max);
    return rc;
}

/* ---------- whistle parts ---------- */

static const char SQL_PART[] = "SELECT reported_at, done_at FROM case_parts WHERE county = ? AND "
                               "case_id = ? AND dept_code = ?";
static const char SQL_PART_REPORT[] =
    "UPDATE case_parts SET reported_at = ?, note = COALESCE(?, note) WHERE county = ?"
    " AND case_id = ? AND dept_code = ? AND reported_at IS NULL";
static const char SQL_PART_DONE[] =
    "UPDATE case_parts SET done_at = ?, note = COALESCE(?, note) WHERE county = ?"
    " AND case_id = ? AND dept_code = ? AND reported_at IS NOT NULL AND done_at IS NULL";
static const char SQL_PARTS_OPEN[] =
    "SELECT COUNT(*) FROM case_parts WHERE county = ? AND case_id = ? AND done_at IS NULL";
static const char SQL_BUMP[] =
    "UPDATE cases SET events = events + 1, updated_at = ? WHERE county = ? AND id = ?"
    " AND events = ? AND state = 'whistle'";

int cases_part(db_t *db, const actor_t *who, int64_t id, const char *dept, const char *action,
               const char *note, int64_t now, err_t *e)
{
    char county[8];
    county_of(who->scope, county);
    int report = action && strcmp(action, "report") == 0;
    if (!report && !(action && strcmp(action, "done") == 0))
        return err_set(e, ERR_INVALID, "invalid", "操作应为 report（报到）或 done（办结）",
                       "action");
    if (note && utf8_count(note, strlen(note)) > 500)
        return err_set(e, ERR_INVALID, "invalid", "说明不能超过 500 字", "note");
    /* Only the department's own staff act on its part. */
    if (who->role != ROLE_DEPARTMENT_STAFF || strcmp(who->department, dept) != 0)
        return err_set(e, ERR_NOTFOUND, "not_found", "该诉求没有召集您的部门", NULL);
    db_stmt_t *st = db_query(db, SQL_PART, S(county), I(id), S(dept));
    int s = st ? db_step(st) : ERR_IO;
    int reported = s == DB_ROW && !db_col_isnull(st, 0),
        done = s == DB_ROW && !db_col_isnull(st, 1);
    db_reset(st);
    if (s != DB_ROW)
        return s < 0 ? s : err_set(e, ERR_NOTFOUND, "not_found", "该诉求没有召集您的部门", NULL);
    if (report && reported)
        return err_set(e, ERR_CONFLICT, "invalid_transition", "已经报到", NULL);
    if (!report && !reported)
        return err_set(e, ERR_CONFLICT, "invalid_transition", "请先报到再办结", NULL);
    if (!report && done)
        return err_set(e, ERR_CONFLICT, "invalid_transition", "本部门已办结", NULL);
    /* Record it as an event of the case (seq keeps concurrent writers apart). */
    st = db_query(db, SQL_STATE, S(county), I(id));
    s = st ? db_step(st) : ERR_IO;
    int64_t events = s == DB_ROW ? db_col_i64(st, 1) : 0;
    char state[24] = "";
    if (s == DB_ROW)
        snprintf(state, sizeof state, "%s", db_col_text(st, 0));
    db_reset(st);
    if (strcmp(state, "whistle") != 0)
        return err_set(e, ERR_CONFLICT, "invalid_transition", "该诉求不在吹哨处置中", NULL);
    int rc = db_run(db, report ? SQL_PART_REPORT : SQL_PART_DONE, I(now), S(note), S(county), I(id),
                    S(dept));
    st = db_query(db, SQL_BUMP, I(now), S(county), I(id), I(events));
    s = st ? db_step(st) : ERR_IO;
    int64_t changed = s >= 0 ? db_changes(st) : 0;
    db_reset(st);
    if (rc == 0 && (s < 0 || changed != 1))
        return err_set(e, ERR_CONFLICT, "conflict", "该诉求刚被他人处理，请刷新后重试", NULL);
    char detail[64], name[96] = "";
    name_of_dept(db, county, dept, name, sizeof name);
    snprintf(detail, sizeof detail, "{\"department\":\"%s\"}", dept);
    if (rc == 0)
        rc = add_event(db, county, id, (int)events + 1, now, who,
                       report ? "part_report" : "part_done", state, state, note, detail);
    if (rc == 0 && !report) {
        /* The case closes its whistle only when every summoned part is done. */
        int64_t open = 0;
        int found = 0;
        rc = db_one_i64(db, SQL_PARTS_OPEN, &open, &found, S(county), I(id));
        if (rc == 0 && open == 0) {
            cases_step_t step = {.now = now, .note = "各召集部门均已办结"};
            rc = apply_one(db, NULL, county, id, CEV_PARTS_DONE, &step, e);
        }
    }
    return rc;
}
