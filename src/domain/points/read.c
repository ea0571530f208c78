/* points_read.c — what households and the village see: a household's balance, honour, star,
 * rank, what expires when and its entries; the village board (双轨: the honour track is public,
 * the balance is the household's own). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/points/points.h"
#include "domain/points/points_int.h"
#include "domain/registry/registry.h"
#include "lib/mask.h"

#define ENTRY_COLS                                                                                 \
    "e.id, e.seq, e.village_code, e.household_id, e.kind, e.points, e.honour, e.indicator_id,"     \
    " e.reverses, e.order_id, e.source, e.source_ref, e.reason, e.photos, e.actor_id,"             \
    " e.actor_name, e.at, i.name, i.group_name,"                                                   \
    " (SELECT r.id FROM points_entries r WHERE r.reverses = e.id)"
#define ENTRY_FROM " FROM points_entries e LEFT JOIN points_indicators i ON i.id = e.indicator_id"

static const char *kind_label(const char *k)
{
    static const struct {
        const char *kind, *label;
    } t[] = {{"award", "打分"},  {"reversal", "冲正"}, {"redemption", "兑换"},
             {"refund", "退回"}, {"expiry", "过期"},   {"adjustment", "调整"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(t[i].kind, k) == 0)
            return t[i].label;
    return k;
}

static json_t *opt_id(db_stmt_t *st, int col)
{
    return db_col_isnull(st, col) || db_col_i64(st, col) == 0 ? json_null()
                                                              : pts_id(db_col_i64(st, col));
}

static json_t *entry_json(db_stmt_t *st)
{
    json_t *o = json_pack(
        "{s:o,s:I,s:s,s:o,s:s,s:s,s:I,s:I,s:o,s:s?,s:s?,s:o,s:o,s:s?,s:s?,s:s?,s:o,s:o,s:I,s:o}",
        "id", pts_id(db_col_i64(st, 0)), "seq", (json_int_t)db_col_i64(st, 1), "village_code",
        db_col_text(st, 2), "household_id", pts_id(db_col_i64(st, 3)), "kind", db_col_text(st, 4),
        "kind_label", kind_label(db_col_text(st, 4)), "points", (json_int_t)db_col_i64(st, 5),
        "honour", (json_int_t)db_col_i64(st, 6), "indicator_id", opt_id(st, 7), "indicator_name",
        db_col_text(st, 17), "indicator_group", db_col_text(st, 18), "reverses", opt_id(st, 8),
        "order_id", opt_id(st, 9), "source", db_col_text(st, 10), "source_ref", db_col_text(st, 11),
        "reason", db_col_text(st, 12), "photos", pts_photos_json(db_col_text(st, 13)), "actor",
        json_pack("{s:o,s:s?}", "id", opt_id(st, 14), "name", db_col_text(st, 15)), "at",
        (json_int_t)db_col_i64(st, 16), "reversed_by", opt_id(st, 19));
    return o;
}

static const char SQL_ENTRY_ONE[] = "SELECT " ENTRY_COLS ENTRY_FROM " WHERE e.id = ?";

json_t *points_entry_get(db_t *db, const actor_t *who, int64_t id, int *rc)
{
    db_stmt_t *st = db_query(db, SQL_ENTRY_ONE, I(id));
    int r = st ? db_step(st) : ERR_IO;
    int64_t household = r == DB_ROW ? db_col_i64(st, 3) : 0, own = 0;
    int ok = r == DB_ROW && pts_reaches(who, db_col_text(st, 2));
    int orc = r == DB_ROW && !ok ? pts_own_household(db, who, &own) : 0;
    json_t *o = NULL;
    if (r == DB_ROW && orc == 0 && (ok || household == own))
        o = entry_json(st);
    db_reset(st);
    *rc = o ? 0 : r < 0 ? r : orc ? orc : ERR_NOTFOUND;
    return o;
}

/* ---------- a household ---------- */

static const char SQL_ACCOUNT[] =
    "SELECT balance, honour FROM points_accounts WHERE household_id = ? AND village_code = ?";
static const char SQL_RANK[] =
    "SELECT COUNT(*) FROM points_accounts WHERE village_code = ? AND honour > ?";
static const char SQL_HH_INFO[] =
    "SELECT h.address, p.name FROM households h LEFT JOIN people p ON p.county = h.county"
    " AND p.id = h.head_person_id WHERE h.county = ? AND h.id = ?";
static const char SQL_HH_ENTRIES[] =
    "SELECT " ENTRY_COLS ENTRY_FROM " WHERE e.household_id = ? AND e.village_code = ?"
    " AND e.seq < ? ORDER BY e.seq DESC LIMIT ?";
/* Expiry arithmetic (POINTS.md): points earned before an instant, and all that have left. */
static const char SQL_EARNED[] =
    "SELECT COALESCE(SUM(points), 0) FROM points_entries WHERE household_id = ?"
    " AND village_code = ? AND points > 0 AND kind <> 'refund' AND at < ?";
static const char SQL_LEFT[] =
    "SELECT COALESCE(SUM(CASE WHEN points < 0 THEN -points WHEN kind = 'refund' THEN -points"
    " ELSE 0 END), 0) FROM points_entries WHERE household_id = ? AND village_code = ?";

/* What expires at the coming year ends (and a due one the scheduler has not done yet). */
static json_t *expiring_json(db_t *db, const pts_settings_t *s, int64_t household, int64_t balance,
                             int64_t now, int *rc)
{
    json_t *out = json_array();
    if (strcmp(s->expiry, "end_of_next_year") != 0)
        return out;
    int y = ledger_year_of(now);
    int64_t left = 0;
    int f;
    if ((*rc = db_one_i64(db, SQL_LEFT, &left, &f, I(household), S(s->village))) != 0)
        return out;
    /* Year end b (the instant year b+1 starts) takes what was earned up to the end of b-1. */
    for (int b = s->expired_year >= y - 1 ? y : y - 1; b <= y + 1; b++) {
        int64_t earned = 0;
        if ((*rc = db_one_i64(db, SQL_EARNED, &earned, &f, I(household), S(s->village),
                              I(ledger_year_start(b)))) != 0)
            return out;
        int64_t x = points_expiring(earned, left, balance);
        if (x > 0)
            json_array_append_new(
                out, json_pack("{s:I,s:I,s:b}", "at", (json_int_t)ledger_year_start(b + 1),
                               "points", (json_int_t)x, "due", ledger_year_start(b + 1) <= now));
        left += x;
        balance -= x;
    }
    return out;
}

/* The household's address and head into o (nothing when it has none). */
static int put_household(db_t *db, const char *county, int64_t household, json_t *o)
{
    db_stmt_t *st = db_query(db, SQL_HH_INFO, S(county), I(household));
    int r = st ? db_step(st) : ERR_IO;
    if (r == DB_ROW) {
        json_object_set_new(o, "address", json_string(db_col_text(st, 0)));
        json_object_set_new(o, "head_name",
                            db_col_text(st, 1) ? json_string(db_col_text(st, 1)) : json_null());
    }
    db_reset(st);
    return r < 0 ? r : 0;
}

/* The household's balance and honour in the village (0 and 0 before its first entry). */
static int account_read(db_t *db, int64_t household, const char *village, int64_t *balance,
                        int64_t *honour)
{
    db_stmt_t *st = db_query(db, SQL_ACCOUNT, I(household), S(village));
    int r = st ? db_step(st) : ERR_IO;
    if (r == DB_ROW) {
        *balance = db_col_i64(st, 0);
        *honour = db_col_i64(st, 1);
    }
    db_reset(st);
    return r < 0 ? r : 0;
}

static json_t *household_points(db_t *db, const char *county, int64_t household, const char *region,
                                int64_t now, const char *cursor, int limit, int *rc)
{
    char village[16];
    snprintf(village, sizeof village, "%.12s", region);
    pts_settings_t s;
    int on;
    if ((*rc = pts_settings_load(db, village, &s, &on)) != 0)
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "household_id", pts_id(household));
    json_object_set_new(o, "village_code", json_string(village));
    json_object_set_new(o, "enabled", json_boolean(on));
    int64_t balance = 0, honour = 0, above = 0;
    if ((*rc = put_household(db, county, household, o)) != 0 ||
        (*rc = account_read(db, household, village, &balance, &honour)) != 0)
        goto fail;
    int f;
    int64_t mins[POINTS_MAX_STARS] = {0};
    int n = 0;
    if ((*rc = db_one_i64(db, SQL_RANK, &above, &f, S(village), I(honour))) != 0 ||
        (*rc = pts_stars(db, village, mins, &n)) != 0)
        goto fail;
    json_object_set_new(o, "balance", json_integer(balance));
    json_object_set_new(o, "honour", json_integer(honour));
    json_object_set_new(o, "star", json_integer(points_star_level(mins, n, honour)));
    json_object_set_new(o, "rank", json_integer(above + 1));
    json_object_set_new(o, "fen_per_point", json_integer(on ? s.fen_per_point : 100));
    json_object_set_new(o, "expiry", json_string(on ? s.expiry : "none"));
    json_t *exp = on ? expiring_json(db, &s, household, balance, now, rc) : json_array();
    json_object_set_new(o, "expiring", exp);
    if (*rc)
        goto fail;
    json_t *items = json_array();
    json_object_set_new(o, "entries", items);
    db_stmt_t *st =
        db_query(db, SQL_HH_ENTRIES, I(household), S(village),
                 I(cursor ? (int64_t)strtoll(cursor, NULL, 10) : INT64_MAX), I((int64_t)limit + 1));
    int r = st ? 0 : ERR_IO, k = 0;
    int64_t last = 0;
    while (st && (r = db_step(st)) == DB_ROW) {
        if (k++ == limit)
            break;
        json_array_append_new(items, entry_json(st));
        last = db_col_i64(st, 1);
    }
    db_reset(st);
    if (r < 0) {
        *rc = r;
        goto fail;
    }
    char nc[24];
    snprintf(nc, sizeof nc, "%" PRId64, last);
    json_object_set_new(o, "next_cursor", k > limit ? json_string(nc) : json_null());
    *rc = 0;
    return o;
fail:
    json_decref(o);
    return NULL;
}

json_t *points_household(db_t *db, const actor_t *who, int64_t household_id, int64_t now,
                         const char *cursor, int limit, int *rc)
{
    char county[8], region[32];
    snprintf(county, sizeof county, "%.6s", who->scope);
    *rc = pts_household_region(db, county, household_id, region);
    /* Staff: households in their scope; residents and informants: their own only. */
    int staff = !(who->role & (ROLE_RESIDENT | ROLE_INFORMANT));
    if (*rc == 0 && !(staff && region_in_scope(who->scope, region))) {
        int64_t own = 0;
        *rc = pts_own_household(db, who, &own);
        if (*rc == 0 && own != household_id)
            *rc = ERR_NOTFOUND;
    }
    if (*rc)
        return NULL;
    return household_points(db, county, household_id, region, now, cursor, limit, rc);
}

json_t *points_me(db_t *db, const actor_t *who, int64_t now, const char *cursor, int limit, int *rc)
{
    int64_t hh = 0;
    char county[8], region[32];
    snprintf(county, sizeof county, "%.6s", who->scope);
    *rc = pts_own_household(db, who, &hh);
    if (*rc == 0)
        *rc = hh ? pts_household_region(db, county, hh, region) : ERR_NOTFOUND;
    if (*rc)
        return NULL;
    return household_points(db, county, hh, region, now, cursor, limit, rc);
}

/* ---------- the board ---------- */

static const char SQL_BOARD_RANK[] =
    "SELECT a.household_id, a.honour, h.address, p.name FROM points_accounts a"
    " LEFT JOIN households h ON h.county = a.county AND h.id = a.household_id"
    " LEFT JOIN people p ON p.county = h.county AND p.id = h.head_person_id"
    " WHERE a.village_code = ? AND a.honour > 0 ORDER BY a.honour DESC, a.household_id LIMIT ?";
static const char SQL_BOARD_STARS[] =
    "SELECT a.household_id, a.honour, h.address, p.name FROM points_accounts a"
    " LEFT JOIN households h ON h.county = a.county AND h.id = a.household_id"
    " LEFT JOIN people p ON p.county = h.county AND p.id = h.head_person_id"
    " WHERE a.village_code = ? AND a.honour >= ? ORDER BY a.honour DESC, a.household_id LIMIT 500";
static const char SQL_BOARD_MONTH[] =
    "SELECT t.household_id, t.s, h.address, p.name FROM"
    " (SELECT household_id, SUM(honour) AS s FROM points_entries WHERE village_code = ?"
    " AND at >= ? AND at < ? GROUP BY household_id) t"
    " LEFT JOIN households h ON h.county = ? AND h.id = t.household_id"
    " LEFT JOIN people p ON p.county = h.county AND p.id = h.head_person_id"
    " WHERE t.s > 0 ORDER BY t.s DESC, t.household_id LIMIT 10";

/* A public row: the head's name masked (the board hangs in the village, PIPL still applies). */
static json_t *board_row(db_stmt_t *st, const char *key, int64_t rank, int star)
{
    char masked[96] = "";
    if (db_col_text(st, 3))
        mask_name(db_col_text(st, 3), masked, sizeof masked);
    json_t *o =
        json_pack("{s:o,s:s?,s:s,s:I}", "household_id", pts_id(db_col_i64(st, 0)), "address",
                  db_col_text(st, 2), "head_name", masked, key, (json_int_t)db_col_i64(st, 1));
    if (rank)
        json_object_set_new(o, "rank", json_integer(rank));
    if (star >= 0)
        json_object_set_new(o, "star", json_integer(star));
    return o;
}

json_t *points_board(db_t *db, const actor_t *who, const char *village, int64_t from, int64_t to,
                     int limit, int *rc)
{
    if (!pts_is_village(db, village) || !pts_reaches(who, village)) {
        *rc = ERR_NOTFOUND;
        return NULL;
    }
    pts_settings_t s;
    int on;
    if ((*rc = pts_settings_load(db, village, &s, &on)) != 0)
        return NULL;
    char county[8];
    snprintf(county, sizeof county, "%.6s", village);
    int64_t mins[POINTS_MAX_STARS] = {0};
    int n = 0;
    if ((*rc = pts_stars(db, village, mins, &n)) != 0)
        return NULL;
    json_t *ranking = json_array(), *stars = json_array(), *top = json_array(),
           *levels = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            levels, json_pack("{s:i,s:I}", "level", i + 1, "min_honour", (json_int_t)mins[i]));
    db_stmt_t *st = db_query(db, SQL_BOARD_RANK, S(village), I((int64_t)limit));
    int r = st ? 0 : ERR_IO;
    int64_t prev = -1, rank = 0, i = 0;
    while (st && (r = db_step(st)) == DB_ROW) {
        i++;
        if (db_col_i64(st, 1) != prev)
            rank = i; /* ties share a rank: 1, 2, 2, 4 */
        prev = db_col_i64(st, 1);
        json_array_append_new(ranking,
                              board_row(st, "honour", rank, points_star_level(mins, n, prev)));
    }
    db_reset(st);
    if (r >= 0 && n > 0) {
        st = db_query(db, SQL_BOARD_STARS, S(village), I(mins[0]));
        r = st ? 0 : ERR_IO;
        while (st && (r = db_step(st)) == DB_ROW)
            json_array_append_new(
                stars, board_row(st, "honour", 0, points_star_level(mins, n, db_col_i64(st, 1))));
        db_reset(st);
    }
    if (r >= 0) {
        st = db_query(db, SQL_BOARD_MONTH, S(village), I(from), I(to), S(county));
        r = st ? 0 : ERR_IO;
        while (st && (r = db_step(st)) == DB_ROW)
            json_array_append_new(top, board_row(st, "month_honour", 0, -1));
        db_reset(st);
    }
    json_t *o = json_pack("{s:s,s:b,s:I,s:I,s:o,s:o,s:o,s:o}", "village_code", village, "enabled",
                          on, "from", (json_int_t)from, "to", (json_int_t)to, "star_levels", levels,
                          "ranking", ranking, "stars", stars, "month_top", top);
    /* The caller's own household, when it is of this village. */
    int64_t own = 0;
    char region[32];
    if (r >= 0)
        r = pts_own_household(db, who, &own);
    int hr = r >= 0 && own ? pts_household_region(db, county, own, region) : ERR_NOTFOUND;
    if (hr < 0 && hr != ERR_NOTFOUND)
        r = hr;
    if (r >= 0 && hr == 0 && strncmp(region, village, 12) == 0) {
        int64_t balance = 0, honour = 0, above = 0;
        int f;
        r = account_read(db, own, village, &balance, &honour);
        if (r == 0)
            r = db_one_i64(db, SQL_RANK, &above, &f, S(village), I(honour));
        json_object_set_new(o, "mine",
                            json_pack("{s:o,s:I,s:I,s:i}", "household_id", pts_id(own), "honour",
                                      (json_int_t)honour, "rank", (json_int_t)(above + 1), "star",
                                      points_star_level(mins, n, honour)));
    } else {
        json_object_set_new(o, "mine", json_null());
    }
    if (r < 0) {
        json_decref(o);
        *rc = r;
        return NULL;
    }
    *rc = 0;
    return o;
}

static const char SQL_PHOTO_HOUSEHOLDS[] =
    "SELECT household_id, village_code FROM points_photos WHERE photo_id = ? LIMIT 20";

int points_photo_readable(db_t *db, const actor_t *who, const char *id)
{
    int64_t own = 0;
    if (pts_own_household(db, who, &own) != 0)
        return 0; /* a failed read shows nothing */
    db_stmt_t *st = db_query(db, SQL_PHOTO_HOUSEHOLDS, S(id));
    int ok = 0;
    while (!ok && st && db_step(st) == DB_ROW) {
        ok = (own && db_col_i64(st, 0) == own) ||
             ((who->role & ROLE_STAFF) && pts_reaches(who, db_col_text(st, 1)));
    }
    db_reset(st);
    return ok;
}
