/* points_report.c — the county overview: a handful of grouped queries over one county's ledger
 * (each names the county), folded per village here; and its Excel form. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include "domain/points/points.h"
#include "lib/vec.h"

#define CHINA_OFFSET_MS (8LL * 3600 * 1000)
#define TOP_PER_VILLAGE 3
#define TOP_COUNTY 10

int points_report_is_night(int64_t at)
{
    int64_t ms = (at + CHINA_OFFSET_MS) % 86400000;
    if (ms < 0)
        ms += 86400000;
    int hour = (int)(ms / 3600000);
    return hour >= POINTS_NIGHT_FROM || hour < POINTS_NIGHT_TO;
}

static json_t *id_json(int64_t id)
{
    char b[24];
    snprintf(b, sizeof b, "%" PRId64, id);
    return json_string(b);
}

static const char SQL_VILLAGES[] =
    "SELECT s.village_code, COALESCE(r.name, s.village_code), s.fen_per_point, b.budget_fen"
    " FROM points_settings s LEFT JOIN regions r ON r.county = s.county AND r.code = s.village_code"
    " LEFT JOIN points_budgets b ON b.village_code = s.village_code AND b.year = ?"
    " WHERE s.county = ? ORDER BY s.village_code";
/* Issued as ledger_issued_in_year counts it; redeemed net of refunds; night = issued by night.
 * The hour is taken in China time: (at + 8 h) mod 1 day. */
static const char SQL_SUMS[] =
    "SELECT village_code,"
    " SUM(CASE WHEN kind IN ('award', 'adjustment') AND points > 0 THEN points"
    " WHEN kind = 'reversal' AND points < 0 THEN points ELSE 0 END),"
    " SUM(CASE WHEN kind IN ('redemption', 'refund') THEN -points ELSE 0 END),"
    " SUM(CASE WHEN kind = 'award' THEN 1 ELSE 0 END), COUNT(*),"
    " SUM(CASE WHEN kind IN ('award', 'adjustment') AND points > 0"
    " AND ((at + 28800000) % 86400000) / 3600000 NOT BETWEEN 6 AND 21 THEN 1 ELSE 0 END)"
    " FROM points_entries WHERE county = ? AND at >= ? AND at < ? GROUP BY village_code";
static const char SQL_ACCOUNTS[] =
    "SELECT village_code, SUM(balance), COUNT(*) FROM points_accounts WHERE county = ?"
    " GROUP BY village_code";
static const char SQL_HOUSEHOLDS[] =
    "SELECT substr(region_code, 1, 12), COUNT(*) FROM households WHERE county = ?"
    " GROUP BY substr(region_code, 1, 12)";
static const char SQL_INDICATORS[] =
    "SELECT e.village_code, e.indicator_id, i.name, i.group_name, COUNT(*), SUM(e.points)"
    " FROM points_entries e JOIN points_indicators i ON i.id = e.indicator_id"
    " WHERE e.county = ? AND e.kind = 'award' AND e.at >= ? AND e.at < ?"
    " GROUP BY e.village_code, e.indicator_id, i.name, i.group_name";
static const char SQL_AWARDERS[] =
    "SELECT village_code, actor_id, MAX(actor_name), SUM(points), COUNT(*) FROM points_entries"
    " WHERE county = ? AND kind IN ('award', 'adjustment') AND points > 0"
    " AND actor_id IS NOT NULL AND at >= ? AND at < ? GROUP BY village_code, actor_id"
    " ORDER BY village_code, actor_id";

/* Caps on what the overview holds: far above a county (a few hundred villages) and the
 * awarders of one village; past them the overview fails rather than answer with part of it. */
#define MAX_VILLAGES 100000
#define MAX_AWARDERS 100000

typedef struct {
    char code[16];
    json_t *o;   /* the village's object in the reply */
    json_t *top; /* its indicators, sorted at the end */
    json_t *odd;
    int64_t fen_per_point, budget_fen, issued, redeemed, outstanding, accounts, households;
    int has_budget;
} village_t;

/* What the overview's queries fill in, one after the other. */
typedef struct {
    db_t *db;
    const char *county;
    int year;
    int64_t from, to;   /* the year, China time */
    vec_t villages;     /* village_t, by code (the order of SQL_VILLAGES), for find() */
    json_t *odd;        /* the county's odd patterns, in the order found */
    json_t *indicators; /* county-wide indicators by group + name (see load_indicators) */
} overview_t;

static int by_code(const void *k, const void *v) { return strcmp(k, ((const village_t *)v)->code); }

static village_t *find(overview_t *ov, const char *code)
{
    if (!code || !ov->villages.len)
        return NULL;
    return bsearch(code, ov->villages.p, ov->villages.len, sizeof(village_t), by_code);
}

static int by_use(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t cx = json_integer_value(json_object_get(x, "count"));
    json_int_t cy = json_integer_value(json_object_get(y, "count"));
    if (cx != cy)
        return cx > cy ? -1 : 1;
    json_int_t px = json_integer_value(json_object_get(x, "points"));
    json_int_t py = json_integer_value(json_object_get(y, "points"));
    if (px != py)
        return px > py ? -1 : 1;
    return strcmp(json_string_value(json_object_get(x, "name")),
                  json_string_value(json_object_get(y, "name")));
}

/* The first `keep` items of arr by use, as a new array; NULL when out of memory. */
static json_t *top_of(json_t *arr, size_t keep)
{
    size_t n = json_array_size(arr);
    json_t **v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(arr, i);
    qsort(v, n, sizeof *v, by_use);
    json_t *out = json_array();
    for (size_t i = 0; out && i < n && i < keep; i++)
        json_array_append(out, v[i]);
    free(v);
    return out;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* An odd pattern of village v: in its own list and in the county's. */
static void add_odd(overview_t *ov, village_t *v, json_t *o)
{
    json_array_append(v->odd, o);
    json_array_append_new(ov->odd, o);
}

typedef struct {
    int64_t actor, points, count;
    char name[64];
} awarder_t;

/* The awarder rule over one village's awarders (see points_report.h). 0 or ERR_NOMEM. */
static int flag_awarders(overview_t *ov, village_t *v, const awarder_t *a, size_t n)
{
    if (!v || n < 2)
        return 0;
    int64_t *others = malloc(n * sizeof *others);
    if (!others)
        return ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            if (j != i)
                others[k++] = a[j].points;
        qsort(others, k, sizeof *others, cmp_i64);
        double median = k % 2 ? (double)others[k / 2]
                              : ((double)others[k / 2 - 1] + (double)others[k / 2]) / 2.0;
        if ((double)a[i].points > POINTS_ODD_RATIO * median) {
            char msg[256];
            snprintf(msg, sizeof msg,
                     "%s 本年发放 %" PRId64 " 分，超过本村其他发放人中位数（%.1f 分）的 %d 倍",
                     a[i].name, a[i].points, median, POINTS_ODD_RATIO);
            add_odd(ov, v,
                    json_pack("{s:s,s:s,s:o,s:s,s:I,s:I,s:f,s:s}", "kind", "awarder",
                              "village_code", v->code, "actor_id", id_json(a[i].actor),
                              "actor_name", a[i].name, "points", (json_int_t)a[i].points, "entries",
                              (json_int_t)a[i].count, "median_others", median, "message", msg));
        }
    }
    free(others);
    return 0;
}

/* The county's villages on points, with their settings and the year's budget. */
static int load_villages(overview_t *ov)
{
    db_stmt_t *st = db_query(ov->db, SQL_VILLAGES, I((int64_t)ov->year), S(ov->county));
    if (!st)
        return ERR_IO;
    int s = DB_DONE, rc = 0;
    while (rc == 0 && (s = db_step(st)) == DB_ROW) {
        village_t v = {.fen_per_point = db_col_i64(st, 2),
                       .has_budget = !db_col_isnull(st, 3),
                       .budget_fen = db_col_i64(st, 3)};
        snprintf(v.code, sizeof v.code, "%s", db_col_text(st, 0));
        v.top = json_array();
        v.odd = json_array();
        v.o = json_pack("{s:s,s:s}", "village_code", v.code, "name", db_col_text(st, 1));
        rc = v.top && v.odd && v.o ? vec_push(&ov->villages, &v) : ERR_NOMEM;
        if (rc) {
            json_decref(v.top);
            json_decref(v.odd);
            json_decref(v.o);
        }
    }
    db_reset(st);
    return rc ? rc : s < 0 ? s : 0;
}

/* Issued, redeemed, awards, entries and night entries of the year, village by village. */
static int load_sums(overview_t *ov)
{
    db_stmt_t *st = db_query(ov->db, SQL_SUMS, S(ov->county), I(ov->from), I(ov->to));
    if (!st)
        return ERR_IO;
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        village_t *v = find(ov, db_col_text(st, 0));
        if (!v)
            continue;
        v->issued = db_col_i64(st, 1);
        v->redeemed = db_col_i64(st, 2);
        json_object_set_new(v->o, "awards", json_integer(db_col_i64(st, 3)));
        json_object_set_new(v->o, "entries", json_integer(db_col_i64(st, 4)));
        int64_t night = db_col_i64(st, 5);
        json_object_set_new(v->o, "night_entries", json_integer(night));
        if (night > 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "本年有 %" PRId64 " 笔积分在夜间（22:00—06:00）发放", night);
            add_odd(ov, v,
                    json_pack("{s:s,s:s,s:I,s:s}", "kind", "night", "village_code", v->code,
                              "entries", (json_int_t)night, "message", msg));
        }
    }
    db_reset(st);
    return s < 0 ? s : 0;
}

/* Outstanding points and accounts (as they stand now), village by village. */
static int load_accounts(overview_t *ov)
{
    db_stmt_t *st = db_query(ov->db, SQL_ACCOUNTS, S(ov->county));
    if (!st)
        return ERR_IO;
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        village_t *v = find(ov, db_col_text(st, 0));
        if (v) {
            v->outstanding = db_col_i64(st, 1);
            v->accounts = db_col_i64(st, 2);
        }
    }
    db_reset(st);
    return s < 0 ? s : 0;
}

/* Households in the registry, village by village. */
static int load_households(overview_t *ov)
{
    db_stmt_t *st = db_query(ov->db, SQL_HOUSEHOLDS, S(ov->county));
    if (!st)
        return ERR_IO;
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        village_t *v = find(ov, db_col_text(st, 0));
        if (v)
            v->households = db_col_i64(st, 1);
    }
    db_reset(st);
    return s < 0 ? s : 0;
}

/* County-wide, villages' copies of one indicator count together (group + name). */
static void count_in_county(overview_t *ov, const char *name, const char *group, int64_t count,
                            int64_t points)
{
    char key[512];
    snprintf(key, sizeof key, "%s\x1f%s", group, name);
    json_t *c = json_object_get(ov->indicators, key);
    if (!c) {
        c = json_pack("{s:s,s:s,s:I,s:I,s:I}", "name", name, "group", group, "count", (json_int_t)0,
                      "points", (json_int_t)0, "villages", (json_int_t)0);
        json_object_set_new(ov->indicators, key, c);
    }
    json_object_set_new(c, "count",
                        json_integer(json_integer_value(json_object_get(c, "count")) + count));
    json_object_set_new(c, "points",
                        json_integer(json_integer_value(json_object_get(c, "points")) + points));
    json_object_set_new(c, "villages",
                        json_integer(json_integer_value(json_object_get(c, "villages")) + 1));
}

/* The year's awards by indicator: each village's, and the county's. */
static int load_indicators(overview_t *ov)
{
    db_stmt_t *st = db_query(ov->db, SQL_INDICATORS, S(ov->county), I(ov->from), I(ov->to));
    if (!st)
        return ERR_IO;
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        village_t *v = find(ov, db_col_text(st, 0));
        const char *name = db_col_text(st, 2), *group = db_col_text(st, 3);
        int64_t count = db_col_i64(st, 4), points = db_col_i64(st, 5);
        if (v)
            json_array_append_new(v->top, json_pack("{s:o,s:s,s:s,s:I,s:I}", "indicator_id",
                                                    id_json(db_col_i64(st, 1)), "name", name,
                                                    "group", group, "count", (json_int_t)count,
                                                    "points", (json_int_t)points));
        count_in_county(ov, name, group, count, points);
    }
    db_reset(st);
    return s < 0 ? s : 0;
}

/* What each awarder issued in the year, village by village (the query's order), through the
 * awarder rule. */
static int load_awarders(overview_t *ov)
{
    db_stmt_t *st = db_query(ov->db, SQL_AWARDERS, S(ov->county), I(ov->from), I(ov->to));
    if (!st)
        return ERR_IO;
    vec_t aw;
    vec_init(&aw, sizeof(awarder_t), MAX_AWARDERS);
    char cur[16] = "";
    int s = DB_DONE, rc = 0;
    while (rc == 0 && (s = db_step(st)) == DB_ROW) {
        const char *v = db_col_text(st, 0);
        if (strcmp(v, cur) != 0) {
            rc = flag_awarders(ov, find(ov, cur[0] ? cur : NULL), aw.p, aw.len);
            vec_clear(&aw);
            snprintf(cur, sizeof cur, "%s", v);
        }
        awarder_t a = {
            .actor = db_col_i64(st, 1), .points = db_col_i64(st, 3), .count = db_col_i64(st, 4)};
        snprintf(a.name, sizeof a.name, "%s", db_col_text(st, 2) ? db_col_text(st, 2) : "");
        if (rc == 0)
            rc = vec_push(&aw, &a);
    }
    db_reset(st);
    if (rc == 0 && s < 0)
        rc = s;
    if (rc == 0)
        rc = flag_awarders(ov, find(ov, cur[0] ? cur : NULL), aw.p, aw.len);
    vec_free(&aw);
    return rc;
}

typedef struct {
    int64_t issued, issued_fen, redeemed, outstanding, liability, budget, accounts, households;
} totals_t;

/* A village's figures into its object (after what the queries put there), and into the totals. */
static int finish_village(village_t *v, totals_t *t)
{
    json_t *o = v->o;
    int64_t liability = v->outstanding * v->fen_per_point;
    int64_t issued_fen = v->issued * v->fen_per_point;
    json_object_set_new(o, "fen_per_point", json_integer(v->fen_per_point));
    json_object_set_new(o, "budget_fen", v->has_budget ? json_integer(v->budget_fen) : json_null());
    json_object_set_new(o, "budget_points",
                        v->has_budget && v->fen_per_point
                            ? json_integer(v->budget_fen / v->fen_per_point)
                            : json_null());
    json_object_set_new(o, "issued", json_integer(v->issued));
    json_object_set_new(o, "issued_fen", json_integer(issued_fen));
    json_object_set_new(o, "budget_used",
                        v->has_budget && v->budget_fen > 0
                            ? json_real((double)issued_fen / (double)v->budget_fen)
                            : json_null());
    json_object_set_new(o, "redeemed", json_integer(v->redeemed));
    json_object_set_new(o, "outstanding", json_integer(v->outstanding));
    json_object_set_new(o, "liability_fen", json_integer(liability));
    json_object_set_new(o, "liability_vs_budget",
                        v->has_budget && v->budget_fen > 0
                            ? json_real((double)liability / (double)v->budget_fen)
                            : json_null());
    json_object_set_new(o, "accounts", json_integer(v->accounts));
    json_object_set_new(o, "households", json_integer(v->households));
    if (!json_object_get(o, "awards"))
        json_object_set_new(o, "awards", json_integer(0));
    if (!json_object_get(o, "entries"))
        json_object_set_new(o, "entries", json_integer(0));
    if (!json_object_get(o, "night_entries"))
        json_object_set_new(o, "night_entries", json_integer(0));
    json_t *top = top_of(v->top, TOP_PER_VILLAGE);
    if (!top)
        return ERR_NOMEM;
    json_object_set_new(o, "top_indicators", top);
    json_object_set(o, "odd", v->odd);
    t->issued += v->issued;
    t->issued_fen += issued_fen;
    t->redeemed += v->redeemed;
    t->outstanding += v->outstanding;
    t->liability += liability;
    t->budget += v->has_budget ? v->budget_fen : 0;
    t->accounts += v->accounts;
    t->households += v->households;
    return 0;
}

/* The reply (docs/API.md): the villages, the county's totals, top indicators and odd patterns. */
static json_t *overview_json(overview_t *ov, int *rc)
{
    totals_t t = {0};
    json_t *villages = json_array(), *ind_all = json_array(), *out = NULL;
    village_t *vs = ov->villages.p;
    *rc = villages && ind_all ? 0 : ERR_NOMEM;
    for (size_t i = 0; *rc == 0 && i < ov->villages.len; i++) {
        *rc = finish_village(&vs[i], &t);
        json_array_append(villages, vs[i].o);
    }
    const char *k;
    json_t *val;
    json_object_foreach(ov->indicators, k, val) json_array_append(ind_all, val);
    json_t *top = *rc ? NULL : top_of(ind_all, TOP_COUNTY);
    if (*rc == 0 && !top)
        *rc = ERR_NOMEM;
    if (*rc == 0) {
        out =
            json_pack("{s:s,s:i,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:o,s:O,s:{s:i,s:i,s:i}}",
                      "county", ov->county, "year", ov->year, "villages", villages, "totals",
                      "issued", (json_int_t)t.issued, "issued_fen", (json_int_t)t.issued_fen,
                      "redeemed", (json_int_t)t.redeemed, "outstanding", (json_int_t)t.outstanding,
                      "liability_fen", (json_int_t)t.liability, "budget_fen", (json_int_t)t.budget,
                      "accounts", (json_int_t)t.accounts, "households", (json_int_t)t.households,
                      "indicators", top, "odd", ov->odd, "rules", "awarder_ratio", POINTS_ODD_RATIO,
                      "night_from", POINTS_NIGHT_FROM, "night_to", POINTS_NIGHT_TO);
        villages = NULL; /* json_pack took it (and top), even on failure */
        if (!out)
            *rc = ERR_NOMEM;
    }
    json_decref(villages);
    json_decref(ind_all);
    return out;
}

json_t *points_overview(db_t *db, const actor_t *who, int year, int *rc)
{
    if (strlen(who->scope) != 6) {
        *rc = ERR_FORBIDDEN;
        return NULL;
    }
    overview_t ov = {.db = db,
                     .county = who->scope,
                     .year = year,
                     .from = ledger_year_start(year),
                     .to = ledger_year_start(year + 1),
                     .odd = json_array(),
                     .indicators = json_object()};
    vec_init(&ov.villages, sizeof(village_t), MAX_VILLAGES);
    int err = ov.odd && ov.indicators ? 0 : ERR_NOMEM;
    if (!err)
        err = load_villages(&ov);
    if (!err)
        err = load_sums(&ov);
    if (!err)
        err = load_accounts(&ov);
    if (!err)
        err = load_households(&ov);
    if (!err)
        err = load_indicators(&ov);
    if (!err)
        err = load_awarders(&ov);
    json_t *out = err ? NULL : overview_json(&ov, &err);
    json_decref(ov.odd);
    json_decref(ov.indicators);
    village_t *vs = ov.villages.p;
    for (size_t i = 0; i < ov.villages.len; i++) {
        json_decref(vs[i].o);
        json_decref(vs[i].top);
        json_decref(vs[i].odd);
    }
    vec_free(&ov.villages);
    *rc = err;
    return out;
}

/* ---------- Excel ---------- */

static const char *village_name(json_t *villages, const char *code)
{
    size_t k;
    json_t *x;
    json_array_foreach(villages, k, x)
    {
        if (strcmp(json_string_value(json_object_get(x, "village_code")), code) == 0)
            return json_string_value(json_object_get(x, "name"));
    }
    return code;
}

static double yuan(json_t *v) { return (double)json_integer_value(v) / 100.0; }

/* The items of arr joined by "；" (an indicator with its count, or a message), as much as fits
 * in text[cap]. */
static void join_items(json_t *arr, int with_count, char *text, size_t cap)
{
    size_t at = 0, k;
    json_t *x;
    text[0] = 0;
    json_array_foreach(arr, k, x)
    {
        int w = with_count ? snprintf(text + at, cap - at, "%s%s（%" JSON_INTEGER_FORMAT " 次）",
                                      k ? "；" : "", json_string_value(json_object_get(x, "name")),
                                      json_integer_value(json_object_get(x, "count")))
                           : snprintf(text + at, cap - at, "%s%s", k ? "；" : "",
                                      json_string_value(json_object_get(x, "message")));
        if (w < 0 || (size_t)w >= cap - at)
            break;
        at += (size_t)w;
    }
}

typedef struct {
    lxw_format *head, *money, *count, *pct, *bold, *bold_money, *bold_count;
} formats_t;

/* What a column shows of its row's field. */
typedef enum {
    COL_TEXT,     /* a string */
    COL_COUNT,    /* an integer, #,##0 */
    COL_YUAN,     /* fen shown as yuan, #,##0.00 */
    COL_BUDGET,   /* as COL_YUAN, or 未设置 when null */
    COL_SHARE,    /* a fraction as a percentage; empty when null */
    COL_TOP,      /* top_indicators: names with their counts */
    COL_ODD,      /* odd: the messages */
    COL_VILLAGE,  /* a village code, shown as the village's name */
    COL_ODD_KIND, /* an odd pattern's kind, in Chinese */
} col_kind_t;

typedef struct {
    const char *head, *key; /* the header; the row object's field */
    col_kind_t kind;
    double width;
    int total; /* also in the total row (the same field of the totals) */
} col_t;

typedef struct {
    const char *name; /* of the sheet */
    const char *rows; /* the overview's array: one row per item */
    const col_t *cols;
    int ncols;
    int freeze;         /* keep the header row and the first column in view */
    const char *totals; /* the overview's object for a total row, or NULL */
} sheet_t;

#define COL_TABLE(a) a, (int)(sizeof a / sizeof a[0])

/* Sheet 1: the villages side by side, and their total. */
static const col_t village_cols[] = {
    {"村（社区）", "name", COL_TEXT, 16, 0},
    {"区划代码", "village_code", COL_TEXT, 15, 0},
    {"每分价值（元）", "fen_per_point", COL_YUAN, 12, 0},
    {"年度预算（元）", "budget_fen", COL_BUDGET, 12, 1},
    {"发放积分", "issued", COL_COUNT, 12, 1},
    {"发放金额（元）", "issued_fen", COL_YUAN, 12, 1},
    {"预算使用率", "budget_used", COL_SHARE, 12, 0},
    {"已兑换积分", "redeemed", COL_COUNT, 12, 1},
    {"未兑换积分", "outstanding", COL_COUNT, 12, 1},
    {"负债（元）", "liability_fen", COL_YUAN, 12, 1},
    {"负债占预算", "liability_vs_budget", COL_SHARE, 12, 0},
    {"开户户数", "accounts", COL_COUNT, 12, 1},
    {"总户数", "households", COL_COUNT, 12, 1},
    {"常用指标", "top_indicators", COL_TOP, 40, 0},
    {"异常提示", "odd", COL_ODD, 40, 0},
};
/* Sheet 2: the most used indicators of the county. */
static const col_t indicator_cols[] = {
    {"指标", "name", COL_TEXT, 24, 0},          {"分组", "group", COL_TEXT, 24, 0},
    {"使用次数", "count", COL_COUNT, 12, 0},    {"积分合计", "points", COL_COUNT, 12, 0},
    {"使用村数", "villages", COL_COUNT, 12, 0},
};
/* Sheet 3: odd patterns, one per row. */
static const col_t odd_cols[] = {
    {"村（社区）", "village_code", COL_VILLAGE, 16, 0},
    {"类型", "kind", COL_ODD_KIND, 16, 0},
    {"说明", "message", COL_TEXT, 70, 0},
};

static const sheet_t sheets[] = {
    {"各村对比", "villages", COL_TABLE(village_cols), 1, "totals"},
    {"常用指标", "indicators", COL_TABLE(indicator_cols), 0, NULL},
    {"异常提示", "odd", COL_TABLE(odd_cols), 0, NULL},
};

static void add_formats(lxw_workbook *wb, formats_t *f)
{
    f->head = workbook_add_format(wb);
    format_set_bold(f->head);
    format_set_bg_color(f->head, 0xDDEBF7);
    format_set_text_wrap(f->head);
    format_set_border(f->head, LXW_BORDER_THIN);
    f->money = workbook_add_format(wb);
    format_set_num_format(f->money, "#,##0.00");
    f->count = workbook_add_format(wb);
    format_set_num_format(f->count, "#,##0");
    f->pct = workbook_add_format(wb);
    format_set_num_format(f->pct, "0.0%");
    f->bold = workbook_add_format(wb);
    format_set_bold(f->bold);
    f->bold_money = workbook_add_format(wb);
    format_set_bold(f->bold_money);
    format_set_num_format(f->bold_money, "#,##0.00");
    f->bold_count = workbook_add_format(wb);
    format_set_bold(f->bold_count);
    format_set_num_format(f->bold_count, "#,##0");
}

/* One cell: field c->key of obj as the column shows it; bold in the total row. */
static void write_cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const col_t *c, json_t *obj,
                       json_t *villages, const formats_t *f, int bold)
{
    json_t *x = json_object_get(obj, c->key);
    lxw_format *money = bold ? f->bold_money : f->money, *count = bold ? f->bold_count : f->count;
    char text[1024];
    switch (c->kind) {
    case COL_TEXT: worksheet_write_string(ws, row, col, json_string_value(x), NULL); break;
    case COL_COUNT:
        worksheet_write_number(ws, row, col, (double)json_integer_value(x), count);
        break;
    case COL_YUAN: worksheet_write_number(ws, row, col, yuan(x), money); break;
    case COL_BUDGET:
        if (json_is_integer(x))
            worksheet_write_number(ws, row, col, yuan(x), money);
        else
            worksheet_write_string(ws, row, col, "未设置", NULL);
        break;
    case COL_SHARE:
        if (json_is_real(x))
            worksheet_write_number(ws, row, col, json_real_value(x), f->pct);
        break;
    case COL_TOP:
    case COL_ODD:
        join_items(x, c->kind == COL_TOP, text, sizeof text);
        worksheet_write_string(ws, row, col, text, NULL);
        break;
    case COL_VILLAGE:
        worksheet_write_string(ws, row, col, village_name(villages, json_string_value(x)), NULL);
        break;
    case COL_ODD_KIND:
        worksheet_write_string(
            ws, row, col, strcmp(json_string_value(x), "night") ? "发放人异常" : "夜间发放", NULL);
        break;
    }
}

/* A sheet from its column table: widths (runs of equal width set together), headers, a row per
 * item, and the total row. 0 or ERR_IO. */
static int write_sheet(lxw_workbook *wb, const sheet_t *sh, json_t *ov, const formats_t *f)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, sh->name);
    if (!ws)
        return ERR_IO;
    for (int c = 0; c < sh->ncols;) {
        int end = c;
        while (end + 1 < sh->ncols && sh->cols[end + 1].width == sh->cols[c].width)
            end++;
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)end, sh->cols[c].width, NULL);
        c = end + 1;
    }
    if (sh->freeze)
        worksheet_freeze_panes(ws, 1, 1);
    for (int c = 0; c < sh->ncols; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, sh->cols[c].head, f->head);
    json_t *villages = json_object_get(ov, "villages");
    lxw_row_t row = 1;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(ov, sh->rows), i, item)
    {
        for (int c = 0; c < sh->ncols; c++)
            write_cell(ws, row, (lxw_col_t)c, &sh->cols[c], item, villages, f, 0);
        row++;
    }
    if (sh->totals) {
        json_t *t = json_object_get(ov, sh->totals);
        worksheet_write_string(ws, row, 0, "合计", f->bold);
        for (int c = 1; c < sh->ncols; c++)
            if (sh->cols[c].total)
                write_cell(ws, row, (lxw_col_t)c, &sh->cols[c], t, villages, f, 1);
    }
    return 0;
}

int points_overview_xlsx(json_t *ov, const char *path, err_t *e)
{
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb)
        return err_set(e, ERR_IO, "io", "无法生成 Excel 文件", NULL);
    formats_t f;
    add_formats(wb, &f);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof sheets / sizeof sheets[0]; i++)
        rc = write_sheet(wb, &sheets[i], ov, &f);
    lxw_error le = workbook_close(wb);
    if (rc || le != LXW_NO_ERROR)
        return err_set(e, ERR_IO, "io", "无法生成 Excel 文件", NULL);
    return 0;
}
