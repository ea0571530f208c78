/* points.c — the village's side of 积分制: settings and budget (the row that turns it on and
 * holds the ledger chain's head), the indicator catalogue with the county template, automatic
 * award rules, and the helpers points_*.c share. Awards are in points_award.c, reads in
 * points_read.c, expiry in points_expiry.c. */
#include "domain/points/points.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/accounts/accounts.h"
#include "domain/points/points_int.h"
#include "domain/registry/registry.h"
#include "lib/civil.h"
#include "lib/idgen.h"
#include "lib/utf8.h"
#include "lib/vec.h"

/* Caps on rows held in memory, far above what a village has: past them the call fails. */
#define MAX_PAIRS 100000    /* 互检 (awarder, inspector) pairs of a village in a period */
#define MAX_TEMPLATE 100000 /* indicators of a county template to copy */

/* ---------- pure helpers ---------- */

int points_star_level(const int64_t *min_honour, int n, int64_t honour)
{
    int level = 0;
    for (int i = 0; i < n; i++)
        if (min_honour[i] > 0 && honour >= min_honour[i])
            level = i + 1;
    return level;
}

int64_t points_expiring(int64_t earned, int64_t left, int64_t balance)
{
    int64_t x = earned - left;
    if (x > balance)
        x = balance;
    return x > 0 ? x : 0;
}

void points_day_of(int64_t at, char out[11])
{
    int y, m, d;
    civil_from_days(civil_china_day(at), &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

void points_month_bounds(int64_t at, int64_t *from, int64_t *to)
{
    int y, m, d;
    civil_from_days(civil_china_day(at), &y, &m, &d);
    *from = civil_china_ms(y, m, 1);
    *to = civil_china_ms(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1);
}

int points_month_parse(const char *ym, int64_t *from, int64_t *to)
{
    if (!ym || strlen(ym) != 7 || ym[4] != '-')
        return ERR_INVALID;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (ym[i] < '0' || ym[i] > '9'))
            return ERR_INVALID;
    int y = (ym[0] - '0') * 1000 + (ym[1] - '0') * 100 + (ym[2] - '0') * 10 + (ym[3] - '0');
    int m = (ym[5] - '0') * 10 + (ym[6] - '0');
    if (y < 2000 || y > 2100 || m < 1 || m > 12)
        return ERR_INVALID;
    points_month_bounds(civil_china_ms(y, m, 1), from, to);
    return 0;
}

/* "YYYY-MM-DD" that names a real day. */
static int date_valid(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int y = (int)strtol(s, NULL, 10), m = (int)strtol(s + 5, NULL, 10),
        d = (int)strtol(s + 8, NULL, 10);
    if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1)
        return 0;
    int y2, m2, d2;
    civil_from_days(civil_to_days(y, m, d), &y2, &m2, &d2);
    return y2 == y && m2 == m && d2 == d;
}

/* ---------- shared helpers ---------- */

static const char SQL_SETTINGS[] =
    "SELECT county, fen_per_point, mutual_check, expiry, pair_threshold, expired_year"
    " FROM points_settings WHERE village_code = ?";

int pts_settings_load(db_t *db, const char *village, pts_settings_t *s, int *found)
{
    memset(s, 0, sizeof *s);
    *found = 0;
    db_stmt_t *st = db_query(db, SQL_SETTINGS, S(village));
    int r = st ? db_step(st) : ERR_IO;
    if (r == DB_ROW) {
        snprintf(s->village, sizeof s->village, "%s", village);
        snprintf(s->county, sizeof s->county, "%s", db_col_text(st, 0));
        s->fen_per_point = db_col_i64(st, 1);
        s->mutual_check = (int)db_col_i64(st, 2);
        snprintf(s->expiry, sizeof s->expiry, "%s", db_col_text(st, 3));
        s->pair_threshold = db_col_i64(st, 4);
        s->expired_year = db_col_i64(st, 5);
        *found = 1;
    }
    db_reset(st);
    return r < 0 ? r : 0;
}

static const char SQL_REGION_LEVEL[] = "SELECT level FROM regions WHERE code = ?";

int pts_is_village(db_t *db, const char *code)
{
    if (!code || strlen(code) != 12 || !region_code_valid(code))
        return 0;
    int64_t level = 0;
    int found = 0;
    return db_one_i64(db, SQL_REGION_LEVEL, &level, &found, S(code)) == 0 && found &&
           level == REGION_VILLAGE;
}

int pts_is_admin(const actor_t *who, const char *village)
{
    if (who->role == ROLE_COMMUNITY_ADMIN)
        return strcmp(who->scope, village) == 0;
    if (who->role == ROLE_COUNTY_ADMIN)
        return strlen(who->scope) == 6 && strncmp(who->scope, village, 6) == 0;
    return 0;
}

int pts_reaches(const actor_t *who, const char *code)
{
    return region_in_scope(who->scope, code) || region_in_scope(code, who->scope);
}

static const char SQL_HOUSEHOLD[] =
    "SELECT region_code FROM households WHERE county = ? AND id = ?";

int pts_household_region(db_t *db, const char *county, int64_t id, char region[32])
{
    db_stmt_t *st = db_query(db, SQL_HOUSEHOLD, S(county), I(id));
    int r = st ? db_step(st) : ERR_IO;
    if (r == DB_ROW)
        snprintf(region, 32, "%s", db_col_text(st, 0));
    db_reset(st);
    return r == DB_ROW ? 0 : r < 0 ? r : ERR_NOTFOUND;
}

static const char SQL_OWN_HOUSEHOLD[] =
    "SELECT household_id FROM people WHERE county = ? AND id = ? AND household_id IS NOT NULL";

int pts_own_household(db_t *db, const actor_t *who, int64_t *hh)
{
    *hh = 0;
    if (!who->person_id)
        return 0;
    char county[8];
    snprintf(county, sizeof county, "%.6s", who->scope);
    int found = 0;
    int rc = db_one_i64(db, SQL_OWN_HOUSEHOLD, hh, &found, S(county), I(who->person_id));
    if (rc || !found)
        *hh = 0;
    return rc;
}

json_t *pts_id(int64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%" PRId64, v);
    return json_string(b);
}

int64_t pts_parse_id(json_t *v)
{
    const char *s = json_string_value(v);
    if (!s || !*s || strlen(s) > 19)
        return 0;
    char *end;
    long long n = strtoll(s, &end, 10);
    return *end || n <= 0 ? 0 : n;
}

int pts_audit(db_t *db, const actor_t *who, const char *action, const char *object,
              const char *detail, const char *ip, int64_t now)
{
    char cut[640];
    size_t n = detail ? utf8_prefix(detail, strlen(detail), 200) : 0;
    snprintf(cut, sizeof cut, "%.*s", (int)n, detail ? detail : "");
    audit_entry_t a = {.who = who,
                       .action = action,
                       .object = object,
                       .outcome = "ok",
                       .ip = ip,
                       .detail = n ? cut : NULL,
                       .now = now};
    return audit_write(db, &a);
}

json_t *pts_photos_json(const char *text)
{
    json_t *out = json_array();
    json_t *ids = text ? json_loads(text, 0, NULL) : NULL;
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *id = json_string_value(v);
        if (!id)
            continue;
        char url[128], thumb[136];
        snprintf(url, sizeof url, "/api/v1/photos/%s", id);
        snprintf(thumb, sizeof thumb, "/api/v1/photos/%s/thumb", id);
        json_array_append_new(out,
                              json_pack("{s:s,s:s,s:s}", "id", id, "url", url, "thumb_url", thumb));
    }
    json_decref(ids);
    return out;
}

static const char SQL_STARS[] =
    "SELECT level, min_honour FROM points_stars WHERE village_code = ? ORDER BY level";

int pts_stars(db_t *db, const char *village, int64_t *min, int *n)
{
    *n = 0;
    db_stmt_t *st = db_query(db, SQL_STARS, S(village));
    int r;
    while (st && (r = db_step(st)) == DB_ROW) {
        int level = (int)db_col_i64(st, 0);
        if (level >= 1 && level <= POINTS_MAX_STARS) {
            min[level - 1] = db_col_i64(st, 1);
            if (level > *n)
                *n = level;
        }
    }
    db_reset(st);
    return st ? (r < 0 ? r : 0) : ERR_IO;
}

/* Who may look at a village's admin pages: 404 outside reach, 403 in reach but not its admin. */
static int admin_gate(db_t *db, const actor_t *who, const char *village, err_t *e)
{
    if (!pts_is_village(db, village) || !pts_reaches(who, village))
        return err_set(e, ERR_NOTFOUND, "not_found", "村/社区不存在或不在您的管辖范围内", NULL);
    if (!pts_is_admin(who, village))
        return err_set(e, ERR_FORBIDDEN, "forbidden",
                       "只有本村（社区）管理员或县级管理员可以管理积分制", NULL);
    return 0;
}

/* ---------- settings ---------- */

static const char SQL_BUDGETS[] =
    "SELECT year, budget_fen FROM points_budgets WHERE village_code = ? ORDER BY year";
static const char SQL_TOTALS[] =
    "SELECT COALESCE(SUM(CASE WHEN kind IN ('award', 'adjustment') AND points > 0 THEN points"
    " WHEN kind = 'reversal' AND points < 0 THEN points ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN kind IN ('redemption', 'refund') THEN -points ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN kind = 'expiry' THEN -points ELSE 0 END), 0)"
    " FROM points_entries WHERE village_code = ?";
static const char SQL_OUTSTANDING[] =
    "SELECT COALESCE(SUM(balance), 0) FROM points_accounts WHERE village_code = ?";
static const char SQL_REGION_NAME[] = "SELECT name FROM regions WHERE code = ?";

static void put_i(json_t *o, const char *k, int64_t v)
{
    json_object_set_new(o, k, json_integer(v));
}

/* The village's name into o (nothing when the region has none). 0 or a store error. */
static int put_region_name(db_t *db, const char *village, json_t *o)
{
    db_stmt_t *st = db_query(db, SQL_REGION_NAME, S(village));
    int r = st ? db_step(st) : ERR_IO;
    if (r == DB_ROW)
        json_object_set_new(o, "village_name", json_string(db_col_text(st, 0)));
    db_reset(st);
    return r < 0 ? r : 0;
}

/* The village's budgets, [{year, budget_fen}], or NULL with *rc a store error. */
static json_t *budgets_json(db_t *db, const char *village, int *rc)
{
    json_t *budgets = json_array();
    db_stmt_t *st = db_query(db, SQL_BUDGETS, S(village));
    int r = st ? 0 : ERR_IO;
    while (st && (r = db_step(st)) == DB_ROW)
        json_array_append_new(budgets, json_pack("{s:I,s:I}", "year", (json_int_t)db_col_i64(st, 0),
                                                 "budget_fen", (json_int_t)db_col_i64(st, 1)));
    db_reset(st);
    *rc = r < 0 ? r : 0;
    if (*rc) {
        json_decref(budgets);
        return NULL;
    }
    return budgets;
}

/* All points the village ever issued, redeemed (net of refunds) and let expire. */
static int totals_read(db_t *db, const char *village, int64_t *issued, int64_t *redeemed,
                       int64_t *expired)
{
    db_stmt_t *st = db_query(db, SQL_TOTALS, S(village));
    int r = st ? db_step(st) : ERR_IO;
    if (r == DB_ROW) {
        *issued = db_col_i64(st, 0);
        *redeemed = db_col_i64(st, 1);
        *expired = db_col_i64(st, 2);
    }
    db_reset(st);
    return r < 0 ? r : 0;
}

static const char SQL_RUNS_UNDER[] =
    "SELECT 1 FROM points_settings WHERE county = ? AND village_code >= ? AND village_code < ?"
    " LIMIT 1";

/* Some village with settings under `prefix` (a code of 12 digits or fewer) in the county. */
static int runs_under(db_t *db, const char *county, const char *prefix, int *on)
{
    char hi[24];
    region_scope_hi(prefix, hi, sizeof hi);
    int64_t one = 0;
    return db_one_i64(db, SQL_RUNS_UNDER, &one, on, S(county), S(prefix), S(hi));
}

int points_scope_runs(db_t *db, const char *scope, int *county, int *here)
{
    char c[8], village[16];
    snprintf(c, sizeof c, "%.6s", scope);
    snprintf(village, sizeof village, "%.12s", scope); /* a grid or building: its village */
    *county = *here = 0;
    int rc = runs_under(db, c, c, county);
    if (rc == 0 && *county)
        rc = runs_under(db, c, village, here);
    return rc;
}

json_t *points_settings_get(db_t *db, const actor_t *who, const char *village, int64_t now, int *rc)
{
    err_t e = {0};
    if ((*rc = admin_gate(db, who, village, &e)) != 0)
        return NULL;
    pts_settings_t s;
    int found;
    if ((*rc = pts_settings_load(db, village, &s, &found)) != 0)
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "village_code", json_string(village));
    if ((*rc = put_region_name(db, village, o)) != 0)
        goto fail;
    json_object_set_new(o, "enabled", json_boolean(found));
    put_i(o, "fen_per_point", found ? s.fen_per_point : 100);
    json_object_set_new(o, "mutual_check", json_boolean(found && s.mutual_check));
    json_object_set_new(o, "expiry", json_string(found ? s.expiry : "none"));
    put_i(o, "pair_threshold", found ? s.pair_threshold : 20);
    int64_t mins[POINTS_MAX_STARS] = {0};
    int n = 0;
    if ((*rc = pts_stars(db, village, mins, &n)) != 0)
        goto fail;
    json_t *stars = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            stars, json_pack("{s:i,s:I}", "level", i + 1, "min_honour", (json_int_t)mins[i]));
    json_object_set_new(o, "stars", stars);
    json_t *budgets = budgets_json(db, village, rc);
    if (!budgets)
        goto fail;
    json_object_set_new(o, "budgets", budgets);

    /* Live figures: what the console shows next to the form. */
    int64_t issued_year = 0, budget = 0, issued = 0, redeemed = 0, expired = 0, outstanding = 0;
    int set = 0, f = 0;
    if (found && ((*rc = ledger_issued_in_year(db, village, now, &issued_year)) != 0 ||
                  (*rc = ledger_budget_points(db, village, now, &budget, &set)) != 0 ||
                  (*rc = db_one_i64(db, SQL_OUTSTANDING, &outstanding, &f, S(village))) != 0))
        goto fail;
    if ((*rc = totals_read(db, village, &issued, &redeemed, &expired)) != 0)
        goto fail;
    put_i(o, "year", ledger_year_of(now));
    put_i(o, "year_issued", issued_year);
    json_object_set_new(o, "year_budget_points", set ? json_integer(budget) : json_null());
    json_object_set_new(o, "remaining_points",
                        set ? json_integer(budget > issued_year ? budget - issued_year : 0)
                            : json_null());
    put_i(o, "issued", issued);
    put_i(o, "redeemed", redeemed);
    put_i(o, "expired", expired);
    put_i(o, "outstanding", outstanding);
    put_i(o, "liability_fen", outstanding * (found ? s.fen_per_point : 100));
    /* 互检 pairs above the threshold this month (details: /points-flags). */
    int64_t from, to;
    points_month_bounds(now, &from, &to);
    json_t *flags = NULL;
    if (found && !(flags = points_flags(db, who, village, from, to, rc))) {
        *rc = *rc ? *rc : ERR_NOMEM;
        goto fail;
    }
    put_i(o, "pair_flags", flags ? (int64_t)json_array_size(json_object_get(flags, "items")) : 0);
    json_decref(flags);
    *rc = 0;
    return o;
fail:
    json_decref(o);
    return NULL;
}

static int get_int(json_t *body, const char *key, int64_t lo, int64_t hi, int64_t *out,
                   const char *msg, err_t *e)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return 1; /* absent */
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return err_set(e, ERR_INVALID, "invalid", msg, key);
    *out = json_integer_value(v);
    return 0;
}

static int get_bool(json_t *body, const char *key, int *out, const char *msg, err_t *e)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return 1;
    if (!json_is_boolean(v))
        return err_set(e, ERR_INVALID, "invalid", msg, key);
    *out = json_is_true(v);
    return 0;
}

static const char SQL_SETTINGS_NEW[] =
    "INSERT INTO points_settings (village_code, county, fen_per_point, mutual_check, expiry,"
    " pair_threshold, updated_at) VALUES (?,?,?,?,?,?,?)";
static const char SQL_SETTINGS_SET[] =
    "UPDATE points_settings SET fen_per_point = ?, mutual_check = ?, expiry = ?,"
    " pair_threshold = ?, updated_at = ? WHERE village_code = ?";
static const char SQL_STARS_CLEAR[] = "DELETE FROM points_stars WHERE village_code = ?";
static const char SQL_STAR_PUT[] =
    "INSERT INTO points_stars (village_code, level, min_honour) VALUES (?,?,?)";
static const char SQL_BUDGET_CLEAR[] =
    "DELETE FROM points_budgets WHERE village_code = ? AND year = ?";
static const char SQL_BUDGET_PUT[] =
    "INSERT INTO points_budgets (village_code, year, budget_fen) VALUES (?,?,?)";

int points_settings_put(db_t *db, const actor_t *who, const char *village, json_t *body,
                        const char *ip, int64_t now, err_t *e)
{
    int rc = admin_gate(db, who, village, e);
    if (rc)
        return rc;
    pts_settings_t s;
    int found;
    if ((rc = pts_settings_load(db, village, &s, &found)) != 0)
        return rc;
    if (!found) {
        s.fen_per_point = 100;
        s.pair_threshold = 20;
        snprintf(s.expiry, sizeof s.expiry, "none");
    }
    int64_t v;
    if ((rc = get_int(body, "fen_per_point", 1, 1000000, &v,
                      "每分折合金额应为 1 到 1000000 分（人民币）之间的整数", e)) < 0)
        return rc;
    if (rc == 0)
        s.fen_per_point = v;
    if ((rc = get_int(body, "pair_threshold", 1, 10000, &v,
                      "互检预警阈值应为 1 到 10000 之间的整数", e)) < 0)
        return rc;
    if (rc == 0)
        s.pair_threshold = v;
    if ((rc = get_bool(body, "mutual_check", &s.mutual_check, "mutual_check 应为 true 或 false",
                       e)) < 0)
        return rc;
    json_t *ex = json_object_get(body, "expiry");
    if (ex) {
        const char *x = json_string_value(ex);
        if (!x || (strcmp(x, "none") && strcmp(x, "end_of_next_year")))
            return err_set(e, ERR_INVALID, "invalid",
                           "积分有效期应为 none（长期有效）或"
                           " end_of_next_year（次年年底清零）",
                           "expiry");
        snprintf(s.expiry, sizeof s.expiry, "%s", x);
    }
    /* Stars (双轨): levels 1..n, each threshold above the one before. */
    json_t *stars = json_object_get(body, "stars");
    int64_t mins[POINTS_MAX_STARS] = {0};
    size_t nstars = 0;
    if (stars) {
        if (!json_is_array(stars) || json_array_size(stars) > POINTS_MAX_STARS)
            return err_set(e, ERR_INVALID, "invalid", "星级最多 5 级，应为 [{level, min_honour}]",
                           "stars");
        nstars = json_array_size(stars);
        for (size_t i = 0; i < nstars; i++) {
            json_t *x = json_array_get(stars, i);
            json_t *lv = json_object_get(x, "level"), *mh = json_object_get(x, "min_honour");
            if (!json_is_object(x) || json_object_size(x) != 2 || !json_is_integer(lv) ||
                !json_is_integer(mh) || json_integer_value(lv) < 1 ||
                json_integer_value(lv) > (json_int_t)nstars || json_integer_value(mh) < 1 ||
                json_integer_value(mh) > 100000000 || mins[json_integer_value(lv) - 1])
                return err_set(e, ERR_INVALID, "invalid",
                               "星级应从一星起连续编号，每级的荣誉分门槛为正整数", "stars");
            mins[json_integer_value(lv) - 1] = json_integer_value(mh);
        }
        for (size_t i = 1; i < nstars; i++)
            if (mins[i] <= mins[i - 1])
                return err_set(e, ERR_INVALID, "invalid", "星级越高，荣誉分门槛应越高", "stars");
    }
    json_t *budgets = json_object_get(body, "budgets");
    if (budgets) {
        if (!json_is_array(budgets) || json_array_size(budgets) > 20)
            return err_set(e, ERR_INVALID, "invalid", "预算应为 [{year, budget_fen}]，最多 20 年",
                           "budgets");
        for (size_t i = 0; i < json_array_size(budgets); i++) {
            json_t *x = json_array_get(budgets, i);
            json_t *y = json_object_get(x, "year"), *b = json_object_get(x, "budget_fen");
            if (!json_is_object(x) || json_object_size(x) != 2 || !json_is_integer(y) ||
                !json_is_integer(b) || json_integer_value(y) < 2000 ||
                json_integer_value(y) > 2100 || json_integer_value(b) < 0 ||
                json_integer_value(b) > 100000000000LL)
                return err_set(e, ERR_INVALID, "invalid",
                               "预算年份应在 2000–2100 之间，金额（分）为不小于 0 的整数",
                               "budgets");
            for (size_t k = 0; k < i; k++)
                if (json_integer_value(json_object_get(json_array_get(budgets, k), "year")) ==
                    json_integer_value(y))
                    return err_set(e, ERR_INVALID, "invalid", "同一年份的预算重复", "budgets");
        }
    }

    char county[8];
    snprintf(county, sizeof county, "%.6s", village);
    if (!found)
        rc = db_run(db, SQL_SETTINGS_NEW, S(village), S(county), I(s.fen_per_point),
                    I((int64_t)s.mutual_check), S(s.expiry), I(s.pair_threshold), I(now));
    else
        rc = db_run(db, SQL_SETTINGS_SET, I(s.fen_per_point), I((int64_t)s.mutual_check),
                    S(s.expiry), I(s.pair_threshold), I(now), S(village));
    if (rc == 0 && stars) {
        rc = db_run(db, SQL_STARS_CLEAR, S(village));
        for (size_t i = 0; rc == 0 && i < nstars; i++)
            rc = db_run(db, SQL_STAR_PUT, S(village), I((int64_t)(i + 1)), I(mins[i]));
    }
    for (size_t i = 0; rc == 0 && budgets && i < json_array_size(budgets); i++) {
        json_t *x = json_array_get(budgets, i);
        int64_t y = json_integer_value(json_object_get(x, "year"));
        rc = db_run(db, SQL_BUDGET_CLEAR, S(village), I(y));
        if (rc == 0)
            rc = db_run(db, SQL_BUDGET_PUT, S(village), I(y),
                        I((int64_t)json_integer_value(json_object_get(x, "budget_fen"))));
    }
    if (rc)
        return rc;
    char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return ERR_NOMEM;
    char object[40];
    snprintf(object, sizeof object, "village:%s", village);
    rc = pts_audit(db, who, found ? "points_settings_update" : "points_enable", object, text, ip,
                   now);
    free(text);
    return rc;
}

/* ---------- 互检 pairs ---------- */

static const char SQL_PAIRS[] =
    "SELECT p.awarder_id, p.awarder_name, p.decided_by, p.decided_name, COUNT(*)"
    " FROM points_pending p WHERE p.village_code = ? AND p.state = 'confirmed'"
    " AND p.decided_at >= ? AND p.decided_at < ?"
    " GROUP BY p.awarder_id, p.awarder_name, p.decided_by, p.decided_name";

json_t *points_flags(db_t *db, const actor_t *who, const char *village, int64_t from, int64_t to,
                     int *rc)
{
    err_t e = {0};
    if ((*rc = admin_gate(db, who, village, &e)) != 0)
        return NULL;
    pts_settings_t s;
    int found;
    if ((*rc = pts_settings_load(db, village, &s, &found)) != 0)
        return NULL;
    /* Fold A→B and B→A into one unordered pair. */
    typedef struct {
        int64_t a, b, n;
        char an[64], bn[64];
    } pair_t;
    vec_t pairs;
    vec_init(&pairs, sizeof(pair_t), MAX_PAIRS);
    db_stmt_t *st = db_query(db, SQL_PAIRS, S(village), I(from), I(to));
    int r = st ? 0 : ERR_IO;
    while (st && (r = db_step(st)) == DB_ROW) {
        int64_t x = db_col_i64(st, 0), y = db_col_i64(st, 2), n = db_col_i64(st, 4);
        const char *xn = db_col_text(st, 1), *yn = db_col_text(st, 3);
        int swap = x > y;
        int64_t a = swap ? y : x, b = swap ? x : y;
        pair_t *p = pairs.p;
        size_t i = 0;
        while (i < pairs.len && !(p[i].a == a && p[i].b == b))
            i++;
        if (i == pairs.len) {
            pair_t q = {.a = a, .b = b};
            snprintf(q.an, sizeof q.an, "%s", (swap ? yn : xn) ? (swap ? yn : xn) : "");
            snprintf(q.bn, sizeof q.bn, "%s", (swap ? xn : yn) ? (swap ? xn : yn) : "");
            if ((r = vec_push(&pairs, &q)) != 0)
                break;
            p = pairs.p;
        }
        p[i].n += n;
    }
    db_reset(st);
    if (r < 0) {
        vec_free(&pairs);
        *rc = r;
        return NULL;
    }
    json_t *items = json_array();
    const pair_t *p = pairs.p;
    for (size_t i = 0; i < pairs.len; i++)
        if (p[i].n > s.pair_threshold)
            json_array_append_new(items, json_pack("{s:{s:o,s:s},s:{s:o,s:s},s:I}", "a", "id",
                                                   pts_id(p[i].a), "name", p[i].an, "b", "id",
                                                   pts_id(p[i].b), "name", p[i].bn, "confirmations",
                                                   (json_int_t)p[i].n));
    vec_free(&pairs);
    *rc = 0;
    return json_pack("{s:s,s:I,s:I,s:I,s:o}", "village_code", village, "from", (json_int_t)from,
                     "to", (json_int_t)to, "threshold", (json_int_t)(found ? s.pair_threshold : 20),
                     "items", items);
}

/* ---------- catalogue ---------- */

static const char *const AWARDER_ROLES[] = {"community_admin", "grid_worker", "party_leader",
                                            "building_head", NULL};
static const char *const PERIODS[] = {"day", "month", "year", "once", NULL};

#define IND_COLS                                                                                   \
    "id, village_code, group_name, name, points, evidence_required, awarders, limit_count,"        \
    " limit_period, valid_from, valid_to, active, created_at, updated_at"

static json_t *indicator_json(db_stmt_t *st, const char *today)
{
    json_t *aw = json_array();
    char buf[160];
    snprintf(buf, sizeof buf, "%s", db_col_text(st, 6));
    for (char *p = buf, *q; p && *p; p = q) {
        q = strchr(p, ',');
        if (q)
            *q++ = 0;
        json_array_append_new(aw, json_string(p));
    }
    const char *from = db_col_text(st, 9), *to = db_col_text(st, 10);
    int active = (int)db_col_i64(st, 11);
    int valid = active && (!from || strcmp(today, from) >= 0) && (!to || strcmp(today, to) <= 0);
    return json_pack("{s:o,s:s,s:b,s:s,s:s,s:I,s:b,s:o,s:I,s:s,s:s?,s:s?,s:b,s:b,s:I,s:I}", "id",
                     pts_id(db_col_i64(st, 0)), "village_code", db_col_text(st, 1), "template",
                     strlen(db_col_text(st, 1)) == 6, "group", db_col_text(st, 2), "name",
                     db_col_text(st, 3), "points", (json_int_t)db_col_i64(st, 4),
                     "evidence_required", (int)db_col_i64(st, 5), "awarders", aw, "limit_count",
                     (json_int_t)db_col_i64(st, 7), "limit_period", db_col_text(st, 8),
                     "valid_from", from, "valid_to", to, "active", active, "valid_now", valid,
                     "created_at", (json_int_t)db_col_i64(st, 12), "updated_at",
                     (json_int_t)db_col_i64(st, 13));
}

static const char SQL_IND_LIST[] =
    "SELECT " IND_COLS " FROM points_indicators WHERE village_code = ? AND (? = 1 OR active = 1)"
    " ORDER BY group_name, points DESC, id";
static const char SQL_IND_ONE[] = "SELECT " IND_COLS " FROM points_indicators WHERE id = ?";

/* A catalogue code: a village, or a county (its template). */
static int catalogue_code(db_t *db, const char *code)
{
    if (code && strlen(code) == 6 && region_code_valid(code)) {
        int exists = 0;
        return region_exists(db, code, &exists) == 0 && exists;
    }
    return pts_is_village(db, code);
}

json_t *points_indicators(db_t *db, const actor_t *who, const char *code, int all, int64_t now,
                          int *rc)
{
    if (!catalogue_code(db, code) || !pts_reaches(who, code)) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    char today[11];
    points_day_of(now, today);
    json_t *items = json_array();
    db_stmt_t *st = db_query(db, SQL_IND_LIST, S(code), I((int64_t)(all ? 1 : 0)));
    int r = st ? 0 : ERR_IO;
    while (st && (r = db_step(st)) == DB_ROW)
        json_array_append_new(items, indicator_json(st, today));
    db_reset(st);
    if (r < 0) {
        json_decref(items);
        *rc = r;
        return NULL;
    }
    *rc = 0;
    return json_pack("{s:s,s:o}", "code", code, "items", items);
}

json_t *points_indicator_get(db_t *db, int64_t id, int64_t now, int *rc)
{
    char today[11];
    points_day_of(now, today);
    db_stmt_t *st = db_query(db, SQL_IND_ONE, I(id));
    int r = st ? db_step(st) : ERR_IO;
    json_t *o = r == DB_ROW ? indicator_json(st, today) : NULL;
    db_reset(st);
    *rc = o ? 0 : r < 0 ? r : ERR_NOTFOUND;
    return o;
}

typedef struct {
    char code[16];
    char group[96], name[256], awarders[160], period[8], from[11], to[11];
    int64_t points, limit;
    int evidence, active;
} ind_t;

static int text_field(json_t *body, const char *key, size_t maxchars, char *out, size_t cap,
                      const char *msg, err_t *e)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return 1;
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    /* Blank (only spaces) counts as empty. */
    size_t k = 0;
    while (k < n && (s[k] == ' ' || s[k] == '\t'))
        k++;
    if (!s || k == n || !utf8_valid(s, n) || utf8_count(s, n) > maxchars || n >= cap)
        return err_set(e, ERR_INVALID, "invalid", msg, key);
    snprintf(out, cap, "%s", s);
    return 0;
}

static int date_field(json_t *body, const char *key, char out[11], err_t *e)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return 1;
    if (json_is_null(v)) {
        out[0] = 0;
        return 0;
    }
    if (!date_valid(json_string_value(v)))
        return err_set(e, ERR_INVALID, "invalid", "日期应为 YYYY-MM-DD", key);
    snprintf(out, 11, "%s", json_string_value(v));
    return 0;
}

/* Lay body over *d (a new indicator's defaults, or the stored row). create: required fields. */
static int indicator_parse(json_t *body, ind_t *d, int create, err_t *e)
{
    int rc;
    if ((rc = text_field(body, "group", 20, d->group, sizeof d->group,
                         "指标分组应为 1 到 20 个字（如 人居环境、诚信建设）", e)) < 0)
        return rc;
    if (rc && create)
        return err_set(e, ERR_INVALID, "invalid", "缺少指标分组", "group");
    if ((rc = text_field(body, "name", 60, d->name, sizeof d->name, "指标名称应为 1 到 60 个字",
                         e)) < 0)
        return rc;
    if (rc && create)
        return err_set(e, ERR_INVALID, "invalid", "缺少指标名称", "name");
    int64_t v;
    if ((rc = get_int(body, "points", -1000, 1000, &v,
                      "分值应为 -1000 到 1000 之间的非零整数（扣分为负）", e)) < 0)
        return rc;
    if (rc == 0) {
        if (v == 0)
            return err_set(e, ERR_INVALID, "invalid", "分值不能为 0", "points");
        d->points = v;
    } else if (create) {
        return err_set(e, ERR_INVALID, "invalid", "缺少分值", "points");
    }
    if ((rc = get_bool(body, "evidence_required", &d->evidence,
                       "evidence_required 应为 true 或 false", e)) < 0 ||
        (rc = get_bool(body, "active", &d->active, "active 应为 true 或 false", e)) < 0)
        return rc;
    if ((rc = get_int(body, "limit_count", 0, 1000, &v,
                      "每户次数上限应为 0（不限）到 1000 之间的整数", e)) < 0)
        return rc;
    if (rc == 0)
        d->limit = v;
    json_t *p = json_object_get(body, "limit_period");
    if (p) {
        const char *x = json_string_value(p);
        size_t i = 0;
        while (x && PERIODS[i] && strcmp(PERIODS[i], x))
            i++;
        if (!x || !PERIODS[i])
            return err_set(e, ERR_INVALID, "invalid",
                           "周期应为 day（每天）、month（每月）、year（每年）或 once（仅一次）",
                           "limit_period");
        snprintf(d->period, sizeof d->period, "%s", x);
    }
    json_t *aw = json_object_get(body, "awarders");
    if (aw) {
        if (!json_is_array(aw) || json_array_size(aw) == 0 || json_array_size(aw) > 4)
            return err_set(e, ERR_INVALID, "invalid", "请选择可以打分的角色", "awarders");
        /* Canonical order, each once. */
        d->awarders[0] = 0;
        for (size_t r = 0; AWARDER_ROLES[r]; r++) {
            int seen = 0;
            for (size_t i = 0; i < json_array_size(aw); i++) {
                const char *x = json_string_value(json_array_get(aw, i));
                size_t k = 0;
                while (x && AWARDER_ROLES[k] && strcmp(AWARDER_ROLES[k], x))
                    k++;
                if (!x || !AWARDER_ROLES[k])
                    return err_set(e, ERR_INVALID, "invalid",
                                   "可打分角色只能是 community_admin、grid_worker、party_leader、"
                                   "building_head",
                                   "awarders");
                seen |= k == r;
            }
            if (seen) {
                size_t n = strlen(d->awarders);
                snprintf(d->awarders + n, sizeof d->awarders - n, "%s%s", n ? "," : "",
                         AWARDER_ROLES[r]);
            }
        }
    }
    if ((rc = date_field(body, "valid_from", d->from, e)) < 0 ||
        (rc = date_field(body, "valid_to", d->to, e)) < 0)
        return rc;
    if (d->from[0] && d->to[0] && strcmp(d->from, d->to) > 0)
        return err_set(e, ERR_INVALID, "invalid", "有效期的开始日期不能晚于结束日期", "valid_to");
    return 0;
}

static const char SQL_IND_SAME_NAME[] =
    "SELECT id FROM points_indicators WHERE village_code = ? AND group_name = ? AND name = ?"
    " AND id <> ?";
static const char SQL_IND_INSERT[] =
    "INSERT INTO points_indicators (id, county, village_code, group_name, name, points,"
    " evidence_required, awarders, limit_count, limit_period, valid_from, valid_to, active,"
    " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_IND_UPDATE[] =
    "UPDATE points_indicators SET group_name = ?, name = ?, points = ?, evidence_required = ?,"
    " awarders = ?, limit_count = ?, limit_period = ?, valid_from = ?, valid_to = ?, active = ?,"
    " updated_at = ? WHERE id = ?";

static int ind_insert(db_t *db, int64_t id, const ind_t *d, int64_t now)
{
    char county[8];
    snprintf(county, sizeof county, "%.6s", d->code);
    db_stmt_t *st = db_prepare(db, SQL_IND_INSERT);
    if (!st)
        return ERR_IO;
    db_bind_i64(st, 1, id);
    db_bind_text(st, 2, county, -1);
    db_bind_text(st, 3, d->code, -1);
    db_bind_text(st, 4, d->group, -1);
    db_bind_text(st, 5, d->name, -1);
    db_bind_i64(st, 6, d->points);
    db_bind_i64(st, 7, d->evidence);
    db_bind_text(st, 8, d->awarders, -1);
    db_bind_i64(st, 9, d->limit);
    db_bind_text(st, 10, d->period, -1);
    db_bind_text(st, 11, d->from[0] ? d->from : NULL, -1);
    db_bind_text(st, 12, d->to[0] ? d->to : NULL, -1);
    db_bind_i64(st, 13, d->active);
    db_bind_i64(st, 14, now);
    db_bind_i64(st, 15, now);
    int r = db_step(st);
    db_reset(st);
    return r < 0 ? r : 0;
}

static int ind_detail_audit(db_t *db, const actor_t *who, const char *action, int64_t id,
                            const ind_t *d, const char *ip, int64_t now)
{
    char object[40], detail[640];
    snprintf(object, sizeof object, "indicator:%" PRId64, id);
    snprintf(detail, sizeof detail, "%s %s/%s %+" PRId64 " 证据:%s 角色:%s 上限:%" PRId64 "/%s%s",
             d->code, d->group, d->name, d->points, d->evidence ? "必需" : "可选", d->awarders,
             d->limit, d->period, d->active ? "" : " 已停用");
    return pts_audit(db, who, action, object, detail, ip, now);
}

/* Whose catalogue: a village's admin, or for a template the county admin. */
static int catalogue_gate(db_t *db, const actor_t *who, const char *code, err_t *e)
{
    if (strlen(code) == 6) {
        if (!catalogue_code(db, code) || !pts_reaches(who, code))
            return err_set(e, ERR_NOTFOUND, "not_found", "县（区）不存在或不在您的管辖范围内",
                           NULL);
        if (who->role != ROLE_COUNTY_ADMIN || strcmp(who->scope, code) != 0)
            return err_set(e, ERR_FORBIDDEN, "forbidden", "只有县级管理员可以维护指标模板", NULL);
        return 0;
    }
    return admin_gate(db, who, code, e);
}

int points_indicator_create(db_t *db, const actor_t *who, const char *code, json_t *body,
                            const char *ip, int64_t now, int64_t *id, err_t *e)
{
    int rc = catalogue_gate(db, who, code, e);
    if (rc)
        return rc;
    ind_t d = {.limit = 0, .evidence = 0, .active = 1};
    snprintf(d.code, sizeof d.code, "%s", code);
    snprintf(d.period, sizeof d.period, "month");
    snprintf(d.awarders, sizeof d.awarders,
             "community_admin,grid_worker,party_leader,building_head");
    if ((rc = indicator_parse(body, &d, 1, e)) != 0)
        return rc;
    int64_t other;
    int dup = 0;
    if ((rc = db_one_i64(db, SQL_IND_SAME_NAME, &other, &dup, S(code), S(d.group), S(d.name),
                         I((int64_t)0))) != 0)
        return rc;
    if (dup)
        return err_set(e, ERR_CONFLICT, "duplicate", "该分组下已有同名指标", "name");
    *id = idgen_next();
    if ((rc = ind_insert(db, *id, &d, now)) != 0)
        return rc;
    return ind_detail_audit(db, who, "indicator_create", *id, &d, ip, now);
}

static int ind_load(db_t *db, int64_t id, ind_t *d)
{
    db_stmt_t *st = db_query(db, SQL_IND_ONE, I(id));
    int r = st ? db_step(st) : ERR_IO;
    if (r == DB_ROW) {
        snprintf(d->code, sizeof d->code, "%s", db_col_text(st, 1));
        snprintf(d->group, sizeof d->group, "%s", db_col_text(st, 2));
        snprintf(d->name, sizeof d->name, "%s", db_col_text(st, 3));
        d->points = db_col_i64(st, 4);
        d->evidence = (int)db_col_i64(st, 5);
        snprintf(d->awarders, sizeof d->awarders, "%s", db_col_text(st, 6));
        d->limit = db_col_i64(st, 7);
        snprintf(d->period, sizeof d->period, "%s", db_col_text(st, 8));
        snprintf(d->from, sizeof d->from, "%s", db_col_text(st, 9) ? db_col_text(st, 9) : "");
        snprintf(d->to, sizeof d->to, "%s", db_col_text(st, 10) ? db_col_text(st, 10) : "");
        d->active = (int)db_col_i64(st, 11);
    }
    db_reset(st);
    return r == DB_ROW ? 0 : r < 0 ? r : ERR_NOTFOUND;
}

int points_indicator_update(db_t *db, const actor_t *who, int64_t id, json_t *body, const char *ip,
                            int64_t now, err_t *e)
{
    ind_t d;
    int rc = ind_load(db, id, &d);
    if (rc == ERR_NOTFOUND || (rc == 0 && !pts_reaches(who, d.code)))
        return err_set(e, ERR_NOTFOUND, "not_found", "指标不存在或不在您的管辖范围内", NULL);
    if (rc || (rc = catalogue_gate(db, who, d.code, e)) != 0)
        return rc;
    if (json_object_size(body) == 0)
        return err_set(e, ERR_INVALID, "invalid", "请提供要修改的字段", NULL);
    if ((rc = indicator_parse(body, &d, 0, e)) != 0)
        return rc;
    int64_t other;
    int dup = 0;
    if ((rc = db_one_i64(db, SQL_IND_SAME_NAME, &other, &dup, S(d.code), S(d.group), S(d.name),
                         I(id))) != 0)
        return rc;
    if (dup)
        return err_set(e, ERR_CONFLICT, "duplicate", "该分组下已有同名指标", "name");
    db_stmt_t *st = db_prepare(db, SQL_IND_UPDATE);
    if (!st)
        return ERR_IO;
    db_bind_text(st, 1, d.group, -1);
    db_bind_text(st, 2, d.name, -1);
    db_bind_i64(st, 3, d.points);
    db_bind_i64(st, 4, d.evidence);
    db_bind_text(st, 5, d.awarders, -1);
    db_bind_i64(st, 6, d.limit);
    db_bind_text(st, 7, d.period, -1);
    db_bind_text(st, 8, d.from[0] ? d.from : NULL, -1);
    db_bind_text(st, 9, d.to[0] ? d.to : NULL, -1);
    db_bind_i64(st, 10, d.active);
    db_bind_i64(st, 11, now);
    db_bind_i64(st, 12, id);
    int r = db_step(st);
    db_reset(st);
    if (r < 0)
        return r;
    return ind_detail_audit(db, who, "indicator_update", id, &d, ip, now);
}

static const char SQL_TEMPLATE_MISSING[] =
    "SELECT t.id FROM points_indicators t WHERE t.village_code = ? AND t.active = 1"
    " AND NOT EXISTS (SELECT 1 FROM points_indicators v WHERE v.village_code = ?"
    " AND v.group_name = t.group_name AND v.name = t.name) ORDER BY t.group_name, t.id";

int points_copy_template(db_t *db, const actor_t *who, const char *village, const char *ip,
                         int64_t now, int *copied, err_t *e)
{
    int rc = admin_gate(db, who, village, e);
    if (rc)
        return rc;
    char county[8];
    snprintf(county, sizeof county, "%.6s", village);
    /* Ids first: the copies go in after the query's statement is done with. */
    vec_t ids;
    vec_init(&ids, sizeof(int64_t), MAX_TEMPLATE);
    db_stmt_t *st = db_query(db, SQL_TEMPLATE_MISSING, S(county), S(village));
    int r = st ? 0 : ERR_IO;
    while (st && (r = db_step(st)) == DB_ROW) {
        int64_t id = db_col_i64(st, 0);
        if ((r = vec_push(&ids, &id)) != 0)
            break;
    }
    db_reset(st);
    rc = r < 0 ? r : 0;
    size_t n = ids.len;
    const int64_t *idv = ids.p;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        ind_t d;
        if ((rc = ind_load(db, idv[i], &d)) == 0) {
            snprintf(d.code, sizeof d.code, "%s", village);
            rc = ind_insert(db, idgen_next(), &d, now);
        }
    }
    vec_free(&ids);
    *copied = (int)n;
    if (rc)
        return rc;
    if (n == 0)
        return err_set(e, ERR_CONFLICT, "nothing_to_copy",
                       "县级模板中没有本村尚未拥有的指标（或县里还没有模板）", NULL);
    char object[40], detail[80];
    snprintf(object, sizeof object, "village:%s", village);
    snprintf(detail, sizeof detail, "从县级模板复制 %zu 项指标", n);
    return pts_audit(db, who, "indicator_copy_template", object, detail, ip, now);
}

/* ---------- automatic award rules ---------- */

/* The events other modules post (points_on_event). A module that wants its events to earn
 * points adds its name here; villages then add rules — no new code path. */
static const struct {
    const char *name, *label;
} EVENTS[] = {
    {"case.fixed", "本户上报的诉求已办结（问题已解决）"},
};

static const char *event_label(const char *name)
{
    for (size_t i = 0; name && i < sizeof EVENTS / sizeof EVENTS[0]; i++)
        if (strcmp(EVENTS[i].name, name) == 0)
            return EVENTS[i].label;
    return NULL;
}

#define RULE_COLS                                                                                  \
    "r.id, r.scope_code, r.event, r.indicator_id, r.active, r.created_at, i.name, i.points,"       \
    " i.group_name"
static const char SQL_RULES[] =
    "SELECT " RULE_COLS
    " FROM points_rules r LEFT JOIN points_indicators i ON i.id = r.indicator_id"
    " WHERE r.county = ? AND (r.scope_code = ? OR r.scope_code = ?) ORDER BY r.event, r.id";
static const char SQL_RULE_ONE[] =
    "SELECT " RULE_COLS
    " FROM points_rules r LEFT JOIN points_indicators i ON i.id = r.indicator_id"
    " WHERE r.id = ?";

static json_t *rule_json(db_stmt_t *st)
{
    const char *scope = db_col_text(st, 1);
    return json_pack("{s:o,s:s,s:s,s:s,s:s?,s:o,s:s?,s:s?,s:I,s:b,s:I}", "id",
                     pts_id(db_col_i64(st, 0)), "scope_code", scope, "scope",
                     strlen(scope) == 6 ? "county" : "village", "event", db_col_text(st, 2),
                     "event_label", event_label(db_col_text(st, 2)), "indicator_id",
                     pts_id(db_col_i64(st, 3)), "indicator_name", db_col_text(st, 6),
                     "indicator_group", db_col_text(st, 8), "points", (json_int_t)db_col_i64(st, 7),
                     "active", (int)db_col_i64(st, 4), "created_at", (json_int_t)db_col_i64(st, 5));
}

json_t *points_rules_list(db_t *db, const actor_t *who, const char *code, int *rc)
{
    if (!catalogue_code(db, code) || !pts_reaches(who, code)) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    char county[8];
    snprintf(county, sizeof county, "%.6s", code);
    json_t *items = json_array();
    db_stmt_t *st = db_query(db, SQL_RULES, S(county), S(code), S(county));
    int r = st ? 0 : ERR_IO;
    while (st && (r = db_step(st)) == DB_ROW)
        json_array_append_new(items, rule_json(st));
    db_reset(st);
    if (r < 0) {
        json_decref(items);
        *rc = r;
        return NULL;
    }
    json_t *events = json_array();
    for (size_t i = 0; i < sizeof EVENTS / sizeof EVENTS[0]; i++)
        json_array_append_new(
            events, json_pack("{s:s,s:s}", "name", EVENTS[i].name, "label", EVENTS[i].label));
    *rc = 0;
    return json_pack("{s:s,s:o,s:o}", "code", code, "items", items, "events", events);
}

static const char SQL_RULE_ACTIVE_SAME[] =
    "SELECT id FROM points_rules WHERE county = ? AND scope_code = ? AND event = ? AND active = 1"
    " AND id <> ?";
static const char SQL_RULE_INSERT[] =
    "INSERT INTO points_rules (id, county, scope_code, event, indicator_id, active, created_at)"
    " VALUES (?,?,?,?,?,1,?)";
static const char SQL_RULE_SET[] = "UPDATE points_rules SET active = ? WHERE id = ?";

int points_rule_create(db_t *db, const actor_t *who, const char *code, json_t *body, const char *ip,
                       int64_t now, int64_t *id, err_t *e)
{
    int rc = catalogue_gate(db, who, code, e);
    if (rc)
        return rc;
    const char *event = json_string_value(json_object_get(body, "event"));
    if (!event_label(event))
        return err_set(e, ERR_INVALID, "invalid", "未知的事件（目前支持 case.fixed：诉求办结）",
                       "event");
    int64_t ind = pts_parse_id(json_object_get(body, "indicator_id"));
    ind_t d;
    rc = ind ? ind_load(db, ind, &d) : ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND || (rc == 0 && strcmp(d.code, code) != 0))
        return err_set(e, ERR_INVALID, "invalid",
                       strlen(code) == 6 ? "县级规则只能使用县级模板中的指标"
                                         : "规则只能使用本村指标库中的指标",
                       "indicator_id");
    if (rc)
        return rc;
    if (!d.active)
        return err_set(e, ERR_INVALID, "invalid", "该指标已停用", "indicator_id");
    char county[8];
    snprintf(county, sizeof county, "%.6s", code);
    int64_t other;
    int dup = 0;
    if ((rc = db_one_i64(db, SQL_RULE_ACTIVE_SAME, &other, &dup, S(county), S(code), S(event),
                         I((int64_t)0))) != 0)
        return rc;
    if (dup)
        return err_set(e, ERR_CONFLICT, "duplicate", "该事件已有生效的规则，请先停用原规则",
                       "event");
    *id = idgen_next();
    if ((rc = db_run(db, SQL_RULE_INSERT, I(*id), S(county), S(code), S(event), I(ind), I(now))) !=
        0)
        return rc;
    char object[40], detail[400];
    snprintf(object, sizeof object, "points_rule:%" PRId64, *id);
    snprintf(detail, sizeof detail, "%s %s → %s %+" PRId64, code, event, d.name, d.points);
    return pts_audit(db, who, "points_rule_create", object, detail, ip, now);
}

int points_rule_update(db_t *db, const actor_t *who, int64_t id, json_t *body, const char *ip,
                       int64_t now, err_t *e)
{
    db_stmt_t *st = db_query(db, SQL_RULE_ONE, I(id));
    int r = st ? db_step(st) : ERR_IO;
    char code[16] = "", event[48] = "";
    if (r == DB_ROW) {
        snprintf(code, sizeof code, "%s", db_col_text(st, 1));
        snprintf(event, sizeof event, "%s", db_col_text(st, 2));
    }
    db_reset(st);
    if (r < 0)
        return r;
    if (r != DB_ROW || !pts_reaches(who, code))
        return err_set(e, ERR_NOTFOUND, "not_found", "规则不存在或不在您的管辖范围内", NULL);
    int rc = catalogue_gate(db, who, code, e);
    if (rc)
        return rc;
    int active = 0;
    if ((rc = get_bool(body, "active", &active, "active 应为 true 或 false", e)) != 0)
        return rc < 0 ? rc : err_set(e, ERR_INVALID, "invalid", "缺少 active", "active");
    char county[8];
    snprintf(county, sizeof county, "%.6s", code);
    int64_t other;
    int dup = 0;
    if (active && (rc = db_one_i64(db, SQL_RULE_ACTIVE_SAME, &other, &dup, S(county), S(code),
                                   S(event), I(id))) != 0)
        return rc;
    if (dup)
        return err_set(e, ERR_CONFLICT, "duplicate", "该事件已有生效的规则，请先停用原规则",
                       "active");
    if ((rc = db_run(db, SQL_RULE_SET, I((int64_t)active), I(id))) != 0)
        return rc;
    char object[40];
    snprintf(object, sizeof object, "points_rule:%" PRId64, id);
    return pts_audit(db, who, active ? "points_rule_enable" : "points_rule_disable", object, event,
                     ip, now);
}

json_t *points_rule_get(db_t *db, int64_t id, int *rc)
{
    db_stmt_t *st = db_query(db, SQL_RULE_ONE, I(id));
    int r = st ? db_step(st) : ERR_IO;
    json_t *o = r == DB_ROW ? rule_json(st) : NULL;
    db_reset(st);
    *rc = o ? 0 : r < 0 ? r : ERR_NOTFOUND;
    return o;
}
