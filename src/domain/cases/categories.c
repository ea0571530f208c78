/* categories.c — checks, then one INSERT or UPDATE and its audit row, in one transaction. */
#include <stdio.h>
#include <string.h>
#include "domain/accounts/accounts.h"
#include "domain/cases/cases.h"
#include "domain/cases/cases_int.h"
#include "lib/utf8.h"

static int digits(const char *s, size_t n)
{
    if (!s || strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static const char SQL_ONE[] =
    "SELECT k.code, k.parent_code, k.name, k.handling, k.department, d.name, k.respond_hours,"
    " k.complete_value, k.complete_unit, k.active FROM categories k"
    " LEFT JOIN departments d ON d.county = k.county AND d.code = k.department"
    " WHERE k.county = ? AND k.code = ?";

json_t *categories_get(db_t *db, const char *county, const char *code, int *rc)
{
    db_stmt_t *st = db_query(db, SQL_ONE, S(county), S(code));
    int s = st ? db_step(st) : ERR_IO;
    json_t *o = NULL;
    if (s == DB_ROW)
        o = json_pack("{s:s,s:s?,s:s,s:s,s:s?,s:s?,s:I,s:I,s:s,s:b}", "code", db_col_text(st, 0),
                      "parent_code", db_col_text(st, 1), "name", db_col_text(st, 2), "handling",
                      db_col_text(st, 3), "department", db_col_text(st, 4), "department_name",
                      db_col_text(st, 5), "respond_hours", (json_int_t)db_col_i64(st, 6),
                      "complete_value", (json_int_t)db_col_i64(st, 7), "complete_unit",
                      db_col_text(st, 8), "active", (int)db_col_i64(st, 9));
    db_reset(st);
    *rc = o ? 0 : s < 0 ? s : ERR_NOTFOUND;
    return o;
}

typedef struct {
    const char *name, *handling, *department, *unit;
    int64_t respond, value;
    int active;
} cat_t;

/* Start from the stored row (an update) and lay spec over it. */
static int load(db_t *db, const char *county, const char *code, cat_t *c, char *buf, size_t cap)
{
    db_stmt_t *st = db_query(db, SQL_ONE, S(county), S(code));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW) {
        /* Copy the texts out before the statement is reset. */
        int n = snprintf(buf, cap, "%s%c%s%c%s%c%s", db_col_text(st, 2), 0, db_col_text(st, 3), 0,
                         db_col_text(st, 4) ? db_col_text(st, 4) : "", 0, db_col_text(st, 8));
        (void)n;
        c->name = buf;
        c->handling = c->name + strlen(c->name) + 1;
        c->department = c->handling + strlen(c->handling) + 1;
        c->unit = c->department + strlen(c->department) + 1;
        if (!*c->department)
            c->department = NULL;
        c->respond = db_col_i64(st, 6);
        c->value = db_col_i64(st, 7);
        c->active = (int)db_col_i64(st, 9);
    }
    db_reset(st);
    return s == DB_ROW ? 0 : s < 0 ? s : ERR_NOTFOUND;
}

static const char SQL_DEPT[] = "SELECT 1 FROM departments WHERE county = ? AND code = ?";
static const char SQL_INSERT[] =
    "INSERT INTO categories (county, code, parent_code, name, handling, department,"
    " respond_hours, complete_value, complete_unit, active, created_at, updated_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,1,?,?)";
static const char SQL_UPDATE[] =
    "UPDATE categories SET name = ?, handling = ?, department = ?, respond_hours = ?,"
    " complete_value = ?, complete_unit = ?, active = ?, updated_at = ? WHERE county = ? AND code "
    "= ?";

int categories_save(db_t *db, const actor_t *who, const char *code, json_t *spec, int create,
                    const char *ip, int64_t now, err_t *e)
{
    char county[8];
    snprintf(county, sizeof county, "%.6s", who->scope);
    cat_t c = {.active = 1};
    char buf[512];
    const char *parent = NULL;
    int rc;
    if (create) {
        if (!digits(code, 2) && !digits(code, 4))
            return err_set(e, ERR_INVALID, "invalid",
                           "分类代码应为 2 位（大类）或 4 位（小类）数字", "code");
        parent = json_string_value(json_object_get(spec, "parent_code"));
        if (strlen(code) == 4) {
            if (!parent || strncmp(parent, code, 2) != 0 || strlen(parent) != 2)
                return err_set(e, ERR_INVALID, "invalid", "小类的上级应为其代码前两位所示的大类",
                               "parent_code");
            json_t *p = categories_get(db, county, parent, &rc);
            if (!p)
                return rc == ERR_NOTFOUND
                           ? err_set(e, ERR_INVALID, "invalid", "上级大类不存在", "parent_code")
                           : rc;
            json_decref(p);
        } else if (parent) {
            return err_set(e, ERR_INVALID, "invalid", "大类没有上级", "parent_code");
        }
        json_t *old = categories_get(db, county, code, &rc);
        if (old) {
            json_decref(old);
            return err_set(e, ERR_CONFLICT, "conflict", "分类代码已存在", "code");
        }
        if (rc != ERR_NOTFOUND)
            return rc;
        static const char *const need[] = {"name", "handling", "respond_hours", "complete_value",
                                           "complete_unit"};
        for (size_t i = 0; i < sizeof need / sizeof *need; i++)
            if (!json_object_get(spec, need[i]))
                return err_set(e, ERR_INVALID, "invalid", "缺少必填项", need[i]);
    } else if ((rc = load(db, county, code, &c, buf, sizeof buf)) != 0) {
        return rc == ERR_NOTFOUND ? err_set(e, ERR_NOTFOUND, "not_found", "分类不存在", NULL) : rc;
    }
    json_t *v;
    if ((v = json_object_get(spec, "name")))
        c.name = json_string_value(v);
    if ((v = json_object_get(spec, "handling")))
        c.handling = json_string_value(v);
    if ((v = json_object_get(spec, "department")))
        c.department = json_is_null(v) ? NULL : json_string_value(v);
    if ((v = json_object_get(spec, "respond_hours")))
        c.respond = json_integer_value(v);
    if ((v = json_object_get(spec, "complete_value")))
        c.value = json_integer_value(v);
    if ((v = json_object_get(spec, "complete_unit")))
        c.unit = json_string_value(v);
    if ((v = json_object_get(spec, "active")))
        c.active = json_is_true(v);

    size_t nl = c.name ? strlen(c.name) : 0;
    if (!c.name || nl == 0 || !utf8_valid(c.name, nl) || utf8_count(c.name, nl) > 20)
        return err_set(e, ERR_INVALID, "invalid", "名称应为 1 到 20 个字", "name");
    if (!c.handling || (strcmp(c.handling, "grid") && strcmp(c.handling, "community") &&
                        strcmp(c.handling, "street") && strcmp(c.handling, "department")))
        return err_set(
            e, ERR_INVALID, "invalid",
            "处置层级应为 grid（网格）、community（社区）、street（街道）或 department（部门）",
            "handling");
    if (strcmp(c.handling, "department") == 0) {
        int64_t one;
        int found = 0;
        if (!c.department)
            return err_set(e, ERR_INVALID, "invalid", "部门处置的分类须指定部门", "department");
        if ((rc = db_one_i64(db, SQL_DEPT, &one, &found, S(county), S(c.department))) != 0)
            return rc;
        if (!found)
            return err_set(e, ERR_INVALID, "invalid", "部门不存在", "department");
    } else {
        c.department = NULL; /* only department categories name one */
    }
    if (c.respond < 1 || c.respond > 720)
        return err_set(e, ERR_INVALID, "invalid", "响应时限应为 1 到 720 小时", "respond_hours");
    if (!c.unit || (strcmp(c.unit, "hours") && strcmp(c.unit, "workdays")))
        return err_set(e, ERR_INVALID, "invalid",
                       "办结时限单位应为 hours（小时）或 workdays（工作日）", "complete_unit");
    int64_t max = strcmp(c.unit, "hours") == 0 ? 2160 : 60;
    if (c.value < 1 || c.value > max)
        return err_set(e, ERR_INVALID, "invalid",
                       max == 2160 ? "办结时限应为 1 到 2160 小时"
                                   : "办结时限应为 1 到 60 个工作日",
                       "complete_value");

    if (create)
        rc = db_run(db, SQL_INSERT, S(county), S(code), S(parent), S(c.name), S(c.handling),
                    S(c.department), I(c.respond), I(c.value), S(c.unit), I(now), I(now));
    else
        rc = db_run(db, SQL_UPDATE, S(c.name), S(c.handling), S(c.department), I(c.respond),
                    I(c.value), S(c.unit), I((int64_t)c.active), I(now), S(county), S(code));
    if (rc == ERR_CONFLICT)
        return err_set(e, ERR_CONFLICT, "conflict", "分类代码已存在", "code");
    if (rc)
        return rc;
    char object[32], detail[160];
    snprintf(object, sizeof object, "category:%s", code);
    snprintf(detail, sizeof detail, "%s %s %s %lld/%lld %s%s", code, c.name, c.handling,
             (long long)c.respond, (long long)c.value, c.unit, c.active ? "" : " retired");
    audit_entry_t a = {.who = who,
                       .action = create ? "category_create" : "category_update",
                       .object = object,
                       .outcome = "ok",
                       .ip = ip,
                       .detail = detail,
                       .now = now};
    return audit_write(db, &a);
}

/* ---------- the default categories and the county's list ---------- */

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
