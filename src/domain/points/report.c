/* points_report.c — the county overview: a handful of grouped queries over one county's ledger
 * (each names the county), folded per village here; and its Excel form. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>
#include "domain/points/points.h"

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

typedef struct {
    char code[16];
    json_t *o;   /* the village's object in the reply */
    json_t *top; /* its indicators, sorted at the end */
    json_t *odd;
    int64_t fen_per_point, budget_fen, issued, redeemed, outstanding, accounts, households;
    int has_budget;
} village_t;

static int by_code(const void *k, const void *v) { return strcmp(k, ((const village_t *)v)->code); }

static village_t *find(village_t *vs, size_t n, const char *code)
{
    return code ? bsearch(code, vs, n, sizeof *vs, by_code) : NULL;
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

/* The first `keep` items of arr by use, as a new array. */
static json_t *top_of(json_t *arr, size_t keep)
{
    size_t n = json_array_size(arr);
    json_t **v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(arr, i);
    qsort(v, n, sizeof *v, by_use);
    json_t *out = json_array();
    for (size_t i = 0; i < n && i < keep; i++)
        json_array_append(out, v[i]);
    free(v);
    return out;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    int64_t actor, points, count;
    char name[64];
} awarder_t;

/* The awarder rule over one village's awarders (see points_report.h). */
static void flag_awarders(village_t *v, const awarder_t *a, size_t n, json_t *all_odd)
{
    if (!v || n < 2)
        return;
    int64_t *others = malloc(n * sizeof *others);
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
            json_t *o =
                json_pack("{s:s,s:s,s:o,s:s,s:I,s:I,s:f,s:s}", "kind", "awarder", "village_code",
                          v->code, "actor_id", id_json(a[i].actor), "actor_name", a[i].name,
                          "points", (json_int_t)a[i].points, "entries", (json_int_t)a[i].count,
                          "median_others", median, "message", msg);
            json_array_append(v->odd, o);
            json_array_append_new(all_odd, o);
        }
    }
    free(others);
}

json_t *points_overview(db_t *db, const actor_t *who, int year, int *rc)
{
    if (strlen(who->scope) != 6) {
        *rc = ERR_FORBIDDEN;
        return NULL;
    }
    const char *county = who->scope;
    int64_t from = ledger_year_start(year), to = ledger_year_start(year + 1);
    size_t n = 0, cap = 64;
    village_t *vs = calloc(cap, sizeof *vs);
    json_t *villages = json_array(), *all_odd = json_array(), *county_ind = json_object();
    int s = 0, err = 0;

    db_stmt_t *st = db_query(db, SQL_VILLAGES, I((int64_t)year), S(county));
    while (st && (s = db_step(st)) == DB_ROW) {
        if (n == cap) {
            vs = realloc(vs, (cap *= 2) * sizeof *vs);
            memset(vs + n, 0, (cap - n) * sizeof *vs);
        }
        village_t *v = &vs[n++];
        snprintf(v->code, sizeof v->code, "%s", db_col_text(st, 0));
        v->fen_per_point = db_col_i64(st, 2);
        v->has_budget = !db_col_isnull(st, 3);
        v->budget_fen = db_col_i64(st, 3);
        v->top = json_array();
        v->odd = json_array();
        v->o = json_pack("{s:s,s:s}", "village_code", v->code, "name", db_col_text(st, 1));
    }
    db_reset(st);
    err = !st ? ERR_IO : s < 0 ? s : 0;

    if (!err) {
        st = db_query(db, SQL_SUMS, S(county), I(from), I(to));
        while (st && (s = db_step(st)) == DB_ROW) {
            village_t *v = find(vs, n, db_col_text(st, 0));
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
                snprintf(msg, sizeof msg, "本年有 %" PRId64 " 笔积分在夜间（22:00—06:00）发放",
                         night);
                json_t *o = json_pack("{s:s,s:s,s:I,s:s}", "kind", "night", "village_code", v->code,
                                      "entries", (json_int_t)night, "message", msg);
                json_array_append(v->odd, o);
                json_array_append_new(all_odd, o);
            }
        }
        db_reset(st);
        err = !st ? ERR_IO : s < 0 ? s : 0;
    }
    if (!err) {
        st = db_query(db, SQL_ACCOUNTS, S(county));
        while (st && (s = db_step(st)) == DB_ROW) {
            village_t *v = find(vs, n, db_col_text(st, 0));
            if (v) {
                v->outstanding = db_col_i64(st, 1);
                v->accounts = db_col_i64(st, 2);
            }
        }
        db_reset(st);
        err = !st ? ERR_IO : s < 0 ? s : 0;
    }
    if (!err) {
        st = db_query(db, SQL_HOUSEHOLDS, S(county));
        while (st && (s = db_step(st)) == DB_ROW) {
            village_t *v = find(vs, n, db_col_text(st, 0));
            if (v)
                v->households = db_col_i64(st, 1);
        }
        db_reset(st);
        err = !st ? ERR_IO : s < 0 ? s : 0;
    }
    if (!err) {
        st = db_query(db, SQL_INDICATORS, S(county), I(from), I(to));
        while (st && (s = db_step(st)) == DB_ROW) {
            village_t *v = find(vs, n, db_col_text(st, 0));
            const char *name = db_col_text(st, 2), *group = db_col_text(st, 3);
            int64_t count = db_col_i64(st, 4), points = db_col_i64(st, 5);
            if (v)
                json_array_append_new(v->top, json_pack("{s:o,s:s,s:s,s:I,s:I}", "indicator_id",
                                                        id_json(db_col_i64(st, 1)), "name", name,
                                                        "group", group, "count", (json_int_t)count,
                                                        "points", (json_int_t)points));
            /* County-wide, villages' copies of one indicator count together (group + name). */
            char key[512];
            snprintf(key, sizeof key, "%s\x1f%s", group, name);
            json_t *c = json_object_get(county_ind, key);
            if (!c) {
                c = json_pack("{s:s,s:s,s:I,s:I,s:I}", "name", name, "group", group, "count",
                              (json_int_t)0, "points", (json_int_t)0, "villages", (json_int_t)0);
                json_object_set_new(county_ind, key, c);
            }
            json_object_set_new(
                c, "count", json_integer(json_integer_value(json_object_get(c, "count")) + count));
            json_object_set_new(
                c, "points",
                json_integer(json_integer_value(json_object_get(c, "points")) + points));
            json_object_set_new(
                c, "villages",
                json_integer(json_integer_value(json_object_get(c, "villages")) + 1));
        }
        db_reset(st);
        err = !st ? ERR_IO : s < 0 ? s : 0;
    }
    if (!err) {
        size_t na = 0, acap = 16;
        awarder_t *aw = malloc(acap * sizeof *aw);
        char cur[16] = "";
        st = db_query(db, SQL_AWARDERS, S(county), I(from), I(to));
        while (st && (s = db_step(st)) == DB_ROW) {
            const char *v = db_col_text(st, 0);
            if (strcmp(v, cur) != 0) {
                flag_awarders(find(vs, n, cur[0] ? cur : NULL), aw, na, all_odd);
                na = 0;
                snprintf(cur, sizeof cur, "%s", v);
            }
            if (na == acap)
                aw = realloc(aw, (acap *= 2) * sizeof *aw);
            aw[na].actor = db_col_i64(st, 1);
            snprintf(aw[na].name, sizeof aw[na].name, "%s",
                     db_col_text(st, 2) ? db_col_text(st, 2) : "");
            aw[na].points = db_col_i64(st, 3);
            aw[na].count = db_col_i64(st, 4);
            na++;
        }
        db_reset(st);
        err = !st ? ERR_IO : s < 0 ? s : 0;
        if (!err)
            flag_awarders(find(vs, n, cur[0] ? cur : NULL), aw, na, all_odd);
        free(aw);
    }

    int64_t t_issued = 0, t_redeemed = 0, t_out = 0, t_liab = 0, t_budget = 0, t_acc = 0, t_hh = 0,
            t_issued_fen = 0;
    for (size_t i = 0; i < n; i++) {
        village_t *v = &vs[i];
        json_t *o = v->o;
        int64_t liability = v->outstanding * v->fen_per_point;
        int64_t issued_fen = v->issued * v->fen_per_point;
        json_object_set_new(o, "fen_per_point", json_integer(v->fen_per_point));
        json_object_set_new(o, "budget_fen",
                            v->has_budget ? json_integer(v->budget_fen) : json_null());
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
        json_object_set_new(o, "top_indicators", top_of(v->top, TOP_PER_VILLAGE));
        json_object_set(o, "odd", v->odd);
        json_array_append(villages, o);
        t_issued += v->issued;
        t_issued_fen += issued_fen;
        t_redeemed += v->redeemed;
        t_out += v->outstanding;
        t_liab += liability;
        t_budget += v->has_budget ? v->budget_fen : 0;
        t_acc += v->accounts;
        t_hh += v->households;
    }
    json_t *ind_all = json_array();
    const char *k;
    json_t *val;
    json_object_foreach(county_ind, k, val) json_array_append(ind_all, val);
    json_t *out = NULL;
    if (!err) {
        out = json_pack(
            "{s:s,s:i,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:o,s:O,s:{s:i,s:i,s:i}}", "county",
            county, "year", year, "villages", villages, "totals", "issued", (json_int_t)t_issued,
            "issued_fen", (json_int_t)t_issued_fen, "redeemed", (json_int_t)t_redeemed,
            "outstanding", (json_int_t)t_out, "liability_fen", (json_int_t)t_liab, "budget_fen",
            (json_int_t)t_budget, "accounts", (json_int_t)t_acc, "households", (json_int_t)t_hh,
            "indicators", top_of(ind_all, TOP_COUNTY), "odd", all_odd, "rules", "awarder_ratio",
            POINTS_ODD_RATIO, "night_from", POINTS_NIGHT_FROM, "night_to", POINTS_NIGHT_TO);
        villages = NULL;
        if (!out)
            err = ERR_NOMEM;
    }
    json_decref(villages);
    json_decref(ind_all);
    json_decref(all_odd);
    json_decref(county_ind);
    for (size_t i = 0; i < n; i++) {
        json_decref(vs[i].o);
        json_decref(vs[i].top);
        json_decref(vs[i].odd);
    }
    free(vs);
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

int points_overview_xlsx(json_t *ov, const char *path, err_t *e)
{
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    if (!wb)
        return err_set(e, ERR_IO, "io", "无法生成 Excel 文件", NULL);
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xDDEBF7);
    format_set_text_wrap(head);
    format_set_border(head, LXW_BORDER_THIN);
    lxw_format *money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0.00");
    lxw_format *count = workbook_add_format(wb);
    format_set_num_format(count, "#,##0");
    lxw_format *pct = workbook_add_format(wb);
    format_set_num_format(pct, "0.0%");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *bold_money = workbook_add_format(wb);
    format_set_bold(bold_money);
    format_set_num_format(bold_money, "#,##0.00");
    lxw_format *bold_count = workbook_add_format(wb);
    format_set_bold(bold_count);
    format_set_num_format(bold_count, "#,##0");

    /* Sheet 1: the villages side by side. */
    lxw_worksheet *ws = workbook_add_worksheet(wb, "各村对比");
    static const char *const heads[] = {
        "村（社区）",     "区划代码",   "每分价值（元）", "年度预算（元）", "发放积分",
        "发放金额（元）", "预算使用率", "已兑换积分",     "未兑换积分",     "负债（元）",
        "负债占预算",     "开户户数",   "总户数",         "常用指标",       "异常提示"};
    const int ncol = (int)(sizeof heads / sizeof heads[0]);
    worksheet_set_column(ws, 0, 0, 16, NULL);
    worksheet_set_column(ws, 1, 1, 15, NULL);
    worksheet_set_column(ws, 2, 12, 12, NULL);
    worksheet_set_column(ws, 13, 14, 40, NULL);
    worksheet_freeze_panes(ws, 1, 1);
    for (int c = 0; c < ncol; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, heads[c], head);
    json_t *vs = json_object_get(ov, "villages");
    size_t i;
    json_t *v;
    lxw_row_t row = 1;
    json_array_foreach(vs, i, v)
    {
        worksheet_write_string(ws, row, 0, json_string_value(json_object_get(v, "name")), NULL);
        worksheet_write_string(ws, row, 1, json_string_value(json_object_get(v, "village_code")),
                               NULL);
        worksheet_write_number(ws, row, 2, yuan(json_object_get(v, "fen_per_point")), money);
        json_t *b = json_object_get(v, "budget_fen");
        if (json_is_integer(b))
            worksheet_write_number(ws, row, 3, yuan(b), money);
        else
            worksheet_write_string(ws, row, 3, "未设置", NULL);
        worksheet_write_number(ws, row, 4, (double)json_integer_value(json_object_get(v, "issued")),
                               count);
        worksheet_write_number(ws, row, 5, yuan(json_object_get(v, "issued_fen")), money);
        json_t *used = json_object_get(v, "budget_used");
        if (json_is_real(used))
            worksheet_write_number(ws, row, 6, json_real_value(used), pct);
        worksheet_write_number(ws, row, 7,
                               (double)json_integer_value(json_object_get(v, "redeemed")), count);
        worksheet_write_number(
            ws, row, 8, (double)json_integer_value(json_object_get(v, "outstanding")), count);
        worksheet_write_number(ws, row, 9, yuan(json_object_get(v, "liability_fen")), money);
        json_t *lv = json_object_get(v, "liability_vs_budget");
        if (json_is_real(lv))
            worksheet_write_number(ws, row, 10, json_real_value(lv), pct);
        worksheet_write_number(ws, row, 11,
                               (double)json_integer_value(json_object_get(v, "accounts")), count);
        worksheet_write_number(ws, row, 12,
                               (double)json_integer_value(json_object_get(v, "households")), count);
        char text[1024];
        size_t at = 0, k;
        json_t *x;
        text[0] = 0;
        json_array_foreach(json_object_get(v, "top_indicators"), k, x)
        {
            int w = snprintf(text + at, sizeof text - at, "%s%s（%" JSON_INTEGER_FORMAT " 次）",
                             k ? "；" : "", json_string_value(json_object_get(x, "name")),
                             json_integer_value(json_object_get(x, "count")));
            if (w < 0 || (size_t)w >= sizeof text - at)
                break;
            at += (size_t)w;
        }
        worksheet_write_string(ws, row, 13, text, NULL);
        at = 0;
        text[0] = 0;
        json_array_foreach(json_object_get(v, "odd"), k, x)
        {
            int w = snprintf(text + at, sizeof text - at, "%s%s", k ? "；" : "",
                             json_string_value(json_object_get(x, "message")));
            if (w < 0 || (size_t)w >= sizeof text - at)
                break;
            at += (size_t)w;
        }
        worksheet_write_string(ws, row, 14, text, NULL);
        row++;
    }
    json_t *t = json_object_get(ov, "totals");
    worksheet_write_string(ws, row, 0, "合计", bold);
    worksheet_write_number(ws, row, 3, yuan(json_object_get(t, "budget_fen")), bold_money);
    worksheet_write_number(ws, row, 4, (double)json_integer_value(json_object_get(t, "issued")),
                           bold_count);
    worksheet_write_number(ws, row, 5, yuan(json_object_get(t, "issued_fen")), bold_money);
    worksheet_write_number(ws, row, 7, (double)json_integer_value(json_object_get(t, "redeemed")),
                           bold_count);
    worksheet_write_number(
        ws, row, 8, (double)json_integer_value(json_object_get(t, "outstanding")), bold_count);
    worksheet_write_number(ws, row, 9, yuan(json_object_get(t, "liability_fen")), bold_money);
    worksheet_write_number(ws, row, 11, (double)json_integer_value(json_object_get(t, "accounts")),
                           bold_count);
    worksheet_write_number(
        ws, row, 12, (double)json_integer_value(json_object_get(t, "households")), bold_count);

    /* Sheet 2: the most used indicators of the county. */
    ws = workbook_add_worksheet(wb, "常用指标");
    static const char *const h2[] = {"指标", "分组", "使用次数", "积分合计", "使用村数"};
    worksheet_set_column(ws, 0, 1, 24, NULL);
    worksheet_set_column(ws, 2, 4, 12, NULL);
    for (int c = 0; c < 5; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, h2[c], head);
    row = 1;
    json_array_foreach(json_object_get(ov, "indicators"), i, v)
    {
        worksheet_write_string(ws, row, 0, json_string_value(json_object_get(v, "name")), NULL);
        worksheet_write_string(ws, row, 1, json_string_value(json_object_get(v, "group")), NULL);
        worksheet_write_number(ws, row, 2, (double)json_integer_value(json_object_get(v, "count")),
                               count);
        worksheet_write_number(ws, row, 3, (double)json_integer_value(json_object_get(v, "points")),
                               count);
        worksheet_write_number(ws, row, 4,
                               (double)json_integer_value(json_object_get(v, "villages")), count);
        row++;
    }

    /* Sheet 3: odd patterns, one per row. */
    ws = workbook_add_worksheet(wb, "异常提示");
    static const char *const h3[] = {"村（社区）", "类型", "说明"};
    worksheet_set_column(ws, 0, 1, 16, NULL);
    worksheet_set_column(ws, 2, 2, 70, NULL);
    for (int c = 0; c < 3; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, h3[c], head);
    row = 1;
    json_array_foreach(json_object_get(ov, "odd"), i, v)
    {
        const char *code = json_string_value(json_object_get(v, "village_code"));
        const char *name = village_name(vs, code);
        worksheet_write_string(ws, row, 0, name, NULL);
        worksheet_write_string(ws, row, 1,
                               strcmp(json_string_value(json_object_get(v, "kind")), "night")
                                   ? "发放人异常"
                                   : "夜间发放",
                               NULL);
        worksheet_write_string(ws, row, 2, json_string_value(json_object_get(v, "message")), NULL);
        row++;
    }
    lxw_error le = workbook_close(wb);
    if (le != LXW_NO_ERROR)
        return err_set(e, ERR_IO, "io", "无法生成 Excel 文件", NULL);
    return 0;
}
