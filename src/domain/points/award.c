/* points_award.c — 入户打分 with 微网格互检 (利民村), corrections, automatic awards.
 *
 * An award in a village without mutual_check posts at once. With mutual_check it waits:
 *
 *   state     | confirm (inspector of another micro-grid) | reject (same, reason) | anyone else
 *   pending   | confirmed: ledger_post (budget then)       | rejected               | 403
 *   confirmed | 409                                       | 409                    | 409
 *   rejected  | 409                                       | 409                    | 409
 *
 * The claim is a conditional UPDATE (state = 'pending'), so of two inspectors confirming at
 * once exactly one changes the row; the other gets 409. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/common/photos.h"
#include "domain/points/points.h"
#include "domain/points/points_int.h"
#include "domain/registry/registry.h"
#include "lib/idgen.h"
#include "lib/utf8.h"

#define DAY_MS 86400000LL
#define CHINA_OFFSET_MS (8LL * 3600 * 1000)

typedef struct {
    int64_t id, points, limit;
    char village[16], awarders[160], period[8], from[11], to[11], name[256];
    int evidence, active;
} indicator_t;

static const char SQL_INDICATOR[] =
    "SELECT village_code, points, evidence_required, awarders, limit_count, limit_period,"
    " valid_from, valid_to, active, name FROM points_indicators WHERE id = ?";

static int load_indicator(db_t *db, int64_t id, indicator_t *d)
{
    memset(d, 0, sizeof *d);
    db_stmt_t *st = db_query(db, SQL_INDICATOR, I(id));
    int r = st ? db_step(st) : ERR_IO;
    if (r == DB_ROW) {
        d->id = id;
        snprintf(d->village, sizeof d->village, "%s", db_col_text(st, 0));
        d->points = db_col_i64(st, 1);
        d->evidence = (int)db_col_i64(st, 2);
        snprintf(d->awarders, sizeof d->awarders, "%s", db_col_text(st, 3));
        d->limit = db_col_i64(st, 4);
        snprintf(d->period, sizeof d->period, "%s", db_col_text(st, 5));
        snprintf(d->from, sizeof d->from, "%s", db_col_text(st, 6) ? db_col_text(st, 6) : "");
        snprintf(d->to, sizeof d->to, "%s", db_col_text(st, 7) ? db_col_text(st, 7) : "");
        d->active = (int)db_col_i64(st, 8);
        snprintf(d->name, sizeof d->name, "%s", db_col_text(st, 9));
    }
    db_reset(st);
    return r == DB_ROW ? 0 : r < 0 ? r : ERR_NOTFOUND;
}

static int valid_on(const indicator_t *d, int64_t now)
{
    char today[11];
    points_day_of(now, today);
    return (!d->from[0] || strcmp(today, d->from) >= 0) && (!d->to[0] || strcmp(today, d->to) <= 0);
}

static int csv_has(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p = q ? q + 1 : NULL;
    }
    return 0;
}

/* The period of an indicator's limit that holds `now`: [from, to). */
static void period_bounds(const char *period, int64_t now, int64_t *from, int64_t *to)
{
    if (strcmp(period, "day") == 0) {
        int64_t t = now + CHINA_OFFSET_MS;
        int64_t d = t >= 0 ? t / DAY_MS : -((-t + DAY_MS - 1) / DAY_MS);
        *from = d * DAY_MS - CHINA_OFFSET_MS;
        *to = *from + DAY_MS;
    } else if (strcmp(period, "month") == 0) {
        points_month_bounds(now, from, to);
    } else if (strcmp(period, "year") == 0) {
        int y = ledger_year_of(now);
        *from = ledger_year_start(y);
        *to = ledger_year_start(y + 1);
    } else { /* once */
        *from = 0;
        *to = INT64_MAX;
    }
}

/* Awards of this indicator to this household in the period, not reversed, plus those waiting
 * for 互检 (so two pending awards cannot pass a limit of one). */
static const char SQL_LIMIT_ENTRIES[] =
    "SELECT COUNT(*) FROM points_entries e WHERE e.household_id = ? AND e.indicator_id = ?"
    " AND e.kind = 'award' AND e.at >= ? AND e.at < ?"
    " AND NOT EXISTS (SELECT 1 FROM points_entries r WHERE r.reverses = e.id)";
static const char SQL_LIMIT_PENDING[] =
    "SELECT COUNT(*) FROM points_pending WHERE household_id = ? AND indicator_id = ?"
    " AND state = 'pending' AND created_at >= ? AND created_at < ?";

static int over_limit(db_t *db, const indicator_t *d, int64_t household, int64_t now, int *over)
{
    *over = 0;
    if (d->limit <= 0)
        return 0;
    int64_t from, to, a = 0, b = 0;
    int f;
    period_bounds(d->period, now, &from, &to);
    int rc = db_one_i64(db, SQL_LIMIT_ENTRIES, &a, &f, I(household), I(d->id), I(from), I(to));
    if (rc == 0)
        rc = db_one_i64(db, SQL_LIMIT_PENDING, &b, &f, I(household), I(d->id), I(from), I(to));
    *over = rc == 0 && a + b >= d->limit;
    return rc;
}

static const char *limit_message(const char *period)
{
    if (strcmp(period, "day") == 0)
        return "该户今天获得此项积分的次数已达上限";
    if (strcmp(period, "month") == 0)
        return "该户本月获得此项积分的次数已达上限";
    if (strcmp(period, "year") == 0)
        return "该户本年度获得此项积分的次数已达上限";
    return "此项积分每户仅限获得一次，该户已获得过";
}

static int blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

static int text_ok(const char *s, size_t maxchars)
{
    size_t n = strlen(s);
    return utf8_valid(s, n) && utf8_count(s, n) <= maxchars;
}

/* ---------- awards ---------- */

static const char SQL_IDEM_GET[] =
    "SELECT body_hash, result_kind, result_id FROM points_idempotency"
    " WHERE user_id = ? AND idem_key = ?";
static const char SQL_IDEM_PUT[] =
    "INSERT INTO points_idempotency (user_id, idem_key, body_hash, result_kind, result_id,"
    " created_at) VALUES (?,?,?,?,?,?)";
static const char SQL_PENDING_INSERT[] =
    "INSERT INTO points_pending (id, county, village_code, household_id, indicator_id, points,"
    " note, photos, awarder_id, awarder_name, awarder_grid, household_grid, state, created_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,'pending',?)";

static int budget_precheck(db_t *db, const char *village, int64_t points, int64_t now, err_t *e)
{
    if (points <= 0)
        return 0;
    int64_t budget = 0, issued = 0;
    int set = 0;
    int rc = ledger_budget_points(db, village, now, &budget, &set);
    if (rc == 0)
        rc = ledger_issued_in_year(db, village, now, &issued);
    if (rc)
        return rc;
    if (!set)
        return err_set(e, ERR_CONFLICT, "no_budget", "本村本年度尚未设置积分预算，不能发放积分",
                       NULL);
    if (issued + points > budget)
        return err_set(e, ERR_CONFLICT, "budget_exceeded",
                       "本年度积分预算已不足以发放这项积分，请联系村管理员", NULL);
    return 0;
}

static const char SQL_PHOTO_LINK[] =
    "INSERT INTO points_photos (photo_id, household_id, village_code) VALUES (?,?,?)"
    " ON CONFLICT (photo_id, household_id) DO NOTHING";

/* A retry of an award already made with this Idempotency-Key: *seen = 1 and a filled in as the
 * first time (a->replayed), or 409 when the key came with another body. */
static int award_replay(db_t *db, const actor_t *who, points_award_t *a, int *seen, err_t *e)
{
    *seen = 0;
    db_stmt_t *st = db_query(db, SQL_IDEM_GET, I(who->id), S(a->idem_key));
    int s = st ? db_step(st) : ERR_IO;
    int same = 0;
    if (s == DB_ROW) {
        same = strcmp(db_col_text(st, 0), a->body_hash ? a->body_hash : "") == 0;
        a->pending = strcmp(db_col_text(st, 1), "pending") == 0;
        a->id = db_col_i64(st, 2);
    }
    db_reset(st);
    if (s != DB_ROW)
        return s < 0 ? s : 0;
    *seen = 1;
    if (!same)
        return err_set(e, ERR_CONFLICT, "idempotency_conflict",
                       "该 Idempotency-Key 已用于另一份内容不同的提交", NULL);
    a->replayed = 1;
    return 0;
}

/* 微网格互检: the award waits in points_pending for an inspector of another micro-grid. */
static int pending_insert(db_t *db, const actor_t *who, const points_award_t *a, const char *county,
                          const char *village, const indicator_t *d, const char *note,
                          const char *photos, const char *agrid, const char *hgrid)
{
    db_stmt_t *st = db_prepare(db, SQL_PENDING_INSERT);
    if (!st)
        return ERR_IO;
    db_bind_i64(st, 1, a->id);
    db_bind_text(st, 2, county, -1);
    db_bind_text(st, 3, village, -1);
    db_bind_i64(st, 4, a->household_id);
    db_bind_i64(st, 5, d->id);
    db_bind_i64(st, 6, d->points);
    db_bind_text(st, 7, note, -1);
    db_bind_text(st, 8, photos, -1);
    db_bind_i64(st, 9, who->id);
    db_bind_text(st, 10, who->name, -1);
    db_bind_text(st, 11, agrid[0] ? agrid : NULL, -1);
    db_bind_text(st, 12, hgrid, -1);
    db_bind_i64(st, 13, a->now);
    int r = db_step(st);
    db_reset(st);
    return r < 0 ? r : 0;
}

int points_award(db_t *db, const actor_t *who, points_award_t *a, err_t *e)
{
    int rc, seen = 0;
    if (a->idem_key && ((rc = award_replay(db, who, a, &seen, e)) != 0 || seen))
        return rc;
    char county[8], region[32];
    snprintf(county, sizeof county, "%.6s", who->scope);
    rc = a->household_id ? pts_household_region(db, county, a->household_id, region) : ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND || (rc == 0 && !region_in_scope(who->scope, region)))
        return err_set(e, ERR_NOTFOUND, "not_found", "该户不存在或不在您的管辖范围内",
                       "household_id");
    if (rc)
        return rc;
    /* Nobody scores their own household (the adjustments of a village admin are audited). */
    int64_t own = 0;
    if ((rc = pts_own_household(db, who, &own)) != 0)
        return rc;
    if (own == a->household_id)
        return err_set(e, ERR_FORBIDDEN, "own_household", "不能给自己家庭打分", "household_id");
    char village[16], hgrid[16], agrid[16] = "";
    snprintf(village, sizeof village, "%.12s", region);
    snprintf(hgrid, sizeof hgrid, "%.14s", region);
    if (strlen(who->scope) >= 14)
        snprintf(agrid, sizeof agrid, "%.14s", who->scope);
    pts_settings_t s;
    int on;
    if ((rc = pts_settings_load(db, village, &s, &on)) != 0)
        return rc;
    if (!on)
        return err_set(e, ERR_INVALID, "points_off", "本村尚未开通积分制", NULL);

    indicator_t d;
    rc = a->indicator_id ? load_indicator(db, a->indicator_id, &d) : ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND || (rc == 0 && strcmp(d.village, village) != 0))
        return err_set(e, ERR_INVALID, "invalid", "该指标不在本村的指标库中", "indicator_id");
    if (rc)
        return rc;
    if (!d.active)
        return err_set(e, ERR_INVALID, "inactive", "该指标已停用", "indicator_id");
    if (!valid_on(&d, a->now))
        return err_set(e, ERR_INVALID, "not_valid_now", "该指标不在有效期内", "indicator_id");
    if (!csv_has(d.awarders, role_name(who->role)))
        return err_set(e, ERR_FORBIDDEN, "forbidden", "您的角色不能为该指标打分", "indicator_id");
    if (a->note && (!text_ok(a->note, 200)))
        return err_set(e, ERR_INVALID, "invalid", "备注不能超过 200 字", "note");
    size_t nphotos = a->photos && json_is_array(a->photos) ? json_array_size(a->photos) : 0;
    if (d.evidence && nphotos == 0)
        return err_set(e, ERR_INVALID, "evidence_required", "该指标需要拍照留证，请附上照片",
                       "photos");
    if ((rc = photos_check(db, who, a->photos, e)) != 0)
        return rc;
    int over;
    if ((rc = over_limit(db, &d, a->household_id, a->now, &over)) != 0)
        return rc;
    if (over)
        return err_set(e, ERR_CONFLICT, "limit_reached", limit_message(d.period), "indicator_id");

    char *photos = nphotos ? json_dumps(a->photos, JSON_COMPACT) : NULL;
    if (nphotos && !photos)
        return ERR_NOMEM;
    const char *note = a->note && !blank(a->note) ? a->note : NULL;
    if (s.mutual_check) {
        rc = budget_precheck(db, village, d.points, a->now, e);
        a->id = idgen_next();
        a->pending = 1;
        if (rc == 0)
            rc = pending_insert(db, who, a, county, village, &d, note, photos, agrid, hgrid);
    } else {
        ledger_post_t p = {.village = village,
                           .household_id = a->household_id,
                           .kind = "award",
                           .points = d.points,
                           .honour = d.points,
                           .indicator_id = d.id,
                           .reason = note,
                           .photos = photos,
                           .actor_id = who->id,
                           .actor_name = who->name,
                           .at = a->now};
        rc = ledger_post(db, &p, e);
        a->id = p.id;
        a->pending = 0;
    }
    free(photos);
    /* Evidence photos are shown to the household and the village's cadres (points_photo_readable).
     */
    for (size_t i = 0; rc == 0 && i < nphotos; i++)
        rc = db_run(db, SQL_PHOTO_LINK, S(json_string_value(json_array_get(a->photos, i))),
                    I(a->household_id), S(village));
    if (rc == 0 && a->idem_key) {
        rc = db_run(db, SQL_IDEM_PUT, I(who->id), S(a->idem_key),
                    S(a->body_hash ? a->body_hash : ""), S(a->pending ? "pending" : "entry"),
                    I(a->id), I(a->now));
        /* PostgreSQL: a parallel retry with the same key committed first; run again from the
         * start (ERR_BUSY is retried) and it replays. */
        if (rc == ERR_CONFLICT)
            rc = ERR_BUSY;
    }
    return rc;
}

/* ---------- 互检 ---------- */

#define PENDING_COLS                                                                               \
    "p.id, p.village_code, p.household_id, p.indicator_id, p.points, p.note, p.photos,"            \
    " p.awarder_id, p.awarder_name, p.awarder_grid, p.household_grid, p.state, p.decided_by,"      \
    " p.decided_name, p.decided_at, p.reason, p.entry_id, p.created_at, i.name, i.group_name,"     \
    " h.address"
#define PENDING_FROM                                                                               \
    " FROM points_pending p LEFT JOIN points_indicators i ON i.id = p.indicator_id"                \
    " LEFT JOIN households h ON h.county = p.county AND h.id = p.household_id"

static const char SQL_PENDING_LIST[] =
    "SELECT " PENDING_COLS PENDING_FROM
    " WHERE p.village_code = ? AND p.state = 'pending' ORDER BY p.id LIMIT 500";
static const char SQL_PENDING_ONE[] = "SELECT " PENDING_COLS PENDING_FROM " WHERE p.id = ?";

typedef struct {
    int64_t awarder, household;
    const char *awarder_grid, *household_grid, *village;
} pend_view_t;

/* 微网格互检: who may decide a pending award? 0 if so, else ERR_FORBIDDEN with the reason.
 * Village admins do not confirm: they score door to door themselves, and a score stands only
 * when someone living in another micro-grid has seen it (POINTS.md). */
static int may_decide(const actor_t *who, int64_t own_household, const pend_view_t *p, err_t *e)
{
    if (!(who->role & (ROLE_GRID_WORKER | ROLE_PARTY_LEADER | ROLE_BUILDING_HEAD)) ||
        strlen(who->scope) < 14)
        return err_set(e, ERR_FORBIDDEN, "forbidden",
                       "互检由本村其他微网格的网格员、党小组长或联户长（楼栋长）确认", NULL);
    if (p->awarder == who->id)
        return err_set(e, ERR_FORBIDDEN, "own_award", "不能确认自己打的分", NULL);
    if (own_household && own_household == p->household)
        return err_set(e, ERR_FORBIDDEN, "own_household", "不能确认给自己家庭的打分", NULL);
    if (strncmp(who->scope, p->household_grid, 14) == 0 ||
        (p->awarder_grid && strncmp(who->scope, p->awarder_grid, 14) == 0))
        return err_set(e, ERR_FORBIDDEN, "same_grid",
                       "同一微网格内不能互检，请由其他微网格的人员确认", NULL);
    return 0;
}

static json_t *pending_json(db_stmt_t *st, int can)
{
    json_t *o = json_pack(
        "{s:o,s:s,s:o,s:s?,s:o,s:s?,s:s?,s:I,s:s?,s:o,s:{s:o,s:s},s:s?,s:s,s:s,s:I,s:s?,s:b}", "id",
        pts_id(db_col_i64(st, 0)), "village_code", db_col_text(st, 1), "household_id",
        pts_id(db_col_i64(st, 2)), "household_address", db_col_text(st, 20), "indicator_id",
        pts_id(db_col_i64(st, 3)), "indicator_name", db_col_text(st, 18), "indicator_group",
        db_col_text(st, 19), "points", (json_int_t)db_col_i64(st, 4), "note", db_col_text(st, 5),
        "photos", pts_photos_json(db_col_text(st, 6)), "awarder", "id", pts_id(db_col_i64(st, 7)),
        "name", db_col_text(st, 8), "awarder_grid", db_col_text(st, 9), "household_grid",
        db_col_text(st, 10), "state", db_col_text(st, 11), "created_at",
        (json_int_t)db_col_i64(st, 17), "reason", db_col_text(st, 15), "can_confirm", can);
    if (!db_col_isnull(st, 12)) {
        json_object_set_new(
            o, "decided_by",
            json_pack("{s:o,s:s?}", "id", pts_id(db_col_i64(st, 12)), "name", db_col_text(st, 13)));
        json_object_set_new(o, "decided_at", json_integer(db_col_i64(st, 14)));
    } else {
        json_object_set_new(o, "decided_by", json_null());
        json_object_set_new(o, "decided_at", json_null());
    }
    json_object_set_new(o, "entry_id",
                        db_col_isnull(st, 16) ? json_null() : pts_id(db_col_i64(st, 16)));
    return o;
}

static pend_view_t view_of(db_stmt_t *st)
{
    return (pend_view_t){.awarder = db_col_i64(st, 7),
                         .household = db_col_i64(st, 2),
                         .awarder_grid = db_col_text(st, 9),
                         .household_grid = db_col_text(st, 10),
                         .village = db_col_text(st, 1)};
}

json_t *points_pending_list(db_t *db, const actor_t *who, int *rc)
{
    json_t *items = json_array();
    *rc = 0;
    if (strlen(who->scope) < 12)
        return json_pack("{s:o}", "items", items);
    char village[16];
    snprintf(village, sizeof village, "%.12s", who->scope);
    int64_t own = 0;
    if ((*rc = pts_own_household(db, who, &own)) != 0) {
        json_decref(items);
        return NULL;
    }
    int admin = pts_is_admin(who, village);
    db_stmt_t *st = db_query(db, SQL_PENDING_LIST, S(village));
    int r = st ? 0 : ERR_IO;
    while (st && (r = db_step(st)) == DB_ROW) {
        pend_view_t v = view_of(st);
        err_t e = {0};
        int can = may_decide(who, own, &v, &e) == 0;
        /* Inspectors see what they may confirm; the village admin follows them all. */
        if (can || admin)
            json_array_append_new(items, pending_json(st, can));
    }
    db_reset(st);
    if (r < 0) {
        json_decref(items);
        *rc = r;
        return NULL;
    }
    return json_pack("{s:o}", "items", items);
}

json_t *points_pending_get(db_t *db, const actor_t *who, int64_t id, int *rc)
{
    int64_t own = 0;
    if ((*rc = pts_own_household(db, who, &own)) != 0)
        return NULL;
    db_stmt_t *st = db_query(db, SQL_PENDING_ONE, I(id));
    int r = st ? db_step(st) : ERR_IO;
    json_t *o = NULL;
    if (r == DB_ROW && pts_reaches(who, db_col_text(st, 1))) {
        pend_view_t v = view_of(st);
        err_t e = {0};
        int can = strcmp(db_col_text(st, 11), "pending") == 0 && may_decide(who, own, &v, &e) == 0;
        o = pending_json(st, can);
    }
    db_reset(st);
    *rc = o ? 0 : r < 0 ? r : ERR_NOTFOUND;
    return o;
}

static const char SQL_CLAIM[] =
    "UPDATE points_pending SET state = ?, decided_by = ?, decided_name = ?, decided_at = ?,"
    " decided_grid = ?, reason = ? WHERE id = ? AND state = 'pending'";
static const char SQL_PENDING_ENTRY[] = "UPDATE points_pending SET entry_id = ? WHERE id = ?";

int points_pending_decide(db_t *db, const actor_t *who, int64_t id, int confirm, const char *reason,
                          int64_t now, int64_t *entry_id, err_t *e)
{
    db_stmt_t *st = db_query(db, SQL_PENDING_ONE, I(id));
    int r = st ? db_step(st) : ERR_IO;
    char village[16] = "", hgrid[16] = "", agrid[16] = "", state[16] = "", aname[64] = "";
    int64_t household = 0, indicator = 0, points = 0, awarder = 0;
    char *note = NULL, *photos = NULL;
    if (r == DB_ROW) {
        snprintf(village, sizeof village, "%s", db_col_text(st, 1));
        household = db_col_i64(st, 2);
        indicator = db_col_i64(st, 3);
        points = db_col_i64(st, 4);
        note = db_col_text(st, 5) ? strdup(db_col_text(st, 5)) : NULL;
        photos = db_col_text(st, 6) ? strdup(db_col_text(st, 6)) : NULL;
        if ((db_col_text(st, 5) && !note) || (db_col_text(st, 6) && !photos))
            r = ERR_NOMEM;
        awarder = db_col_i64(st, 7);
        snprintf(aname, sizeof aname, "%s", db_col_text(st, 8));
        snprintf(agrid, sizeof agrid, "%s", db_col_text(st, 9) ? db_col_text(st, 9) : "");
        snprintf(hgrid, sizeof hgrid, "%s", db_col_text(st, 10));
        snprintf(state, sizeof state, "%s", db_col_text(st, 11));
    }
    db_reset(st);
    int rc = r < 0 ? r : 0;
    char grid[16] = "";
    snprintf(grid, sizeof grid, "%.14s", who->scope);
    if (rc)
        goto out;
    /* Only the village's own people: anyone else finds nothing. */
    if (r != DB_ROW || strlen(who->scope) < 12 || strncmp(who->scope, village, 12) != 0) {
        rc = err_set(e, ERR_NOTFOUND, "not_found", "待互检记录不存在或不在您的村（社区）", NULL);
        goto out;
    }
    pend_view_t v = {.awarder = awarder,
                     .household = household,
                     .awarder_grid = agrid[0] ? agrid : NULL,
                     .household_grid = hgrid,
                     .village = village};
    int64_t own = 0;
    if ((rc = pts_own_household(db, who, &own)) != 0 || (rc = may_decide(who, own, &v, e)) != 0)
        goto out;
    if (strcmp(state, "pending") != 0) {
        rc = err_set(e, ERR_CONFLICT, "already_decided",
                     strcmp(state, "confirmed") == 0 ? "该打分已被确认" : "该打分已被驳回", NULL);
        goto out;
    }
    if (!confirm && (!reason || blank(reason))) {
        rc = err_set(e, ERR_INVALID, "invalid", "请填写驳回理由", "reason");
        goto out;
    }
    if (reason && !text_ok(reason, 200)) {
        rc = err_set(e, ERR_INVALID, "invalid", "理由不能超过 200 字", "reason");
        goto out;
    }
    st = db_prepare(db, SQL_CLAIM);
    if (!st) {
        rc = ERR_IO;
        goto out;
    }
    db_bind_text(st, 1, confirm ? "confirmed" : "rejected", -1);
    db_bind_i64(st, 2, who->id);
    db_bind_text(st, 3, who->name, -1);
    db_bind_i64(st, 4, now);
    db_bind_text(st, 5, grid, -1);
    db_bind_text(st, 6, reason && !blank(reason) ? reason : NULL, -1);
    db_bind_i64(st, 7, id);
    r = db_step(st);
    int64_t changed = r >= 0 ? db_changes(st) : 0;
    db_reset(st);
    if (r < 0) {
        rc = r;
        goto out;
    }
    /* Another inspector decided between our read and our write: one of two wins. */
    if (changed != 1) {
        rc = err_set(e, ERR_CONFLICT, "already_decided", "该打分刚被其他人处理", NULL);
        goto out;
    }
    if (confirm) {
        /* The entry is the awarder's: who scored it; the confirmation is on the pending row. */
        ledger_post_t p = {.village = village,
                           .household_id = household,
                           .kind = "award",
                           .points = points,
                           .honour = points,
                           .indicator_id = indicator,
                           .reason = note,
                           .photos = photos,
                           .actor_id = awarder,
                           .actor_name = aname,
                           .at = now};
        if ((rc = ledger_post(db, &p, e)) == 0)
            rc = db_run(db, SQL_PENDING_ENTRY, I(p.id), I(id));
        if (entry_id)
            *entry_id = p.id;
    }
out:
    free(note);
    free(photos);
    return rc;
}

/* ---------- corrections ---------- */

static const char SQL_ENTRY_BASICS[] =
    "SELECT village_code, household_id, kind, points, honour, indicator_id FROM points_entries"
    " WHERE id = ?";
static const char SQL_REVERSED[] = "SELECT id FROM points_entries WHERE reverses = ?";

int points_reverse(db_t *db, const actor_t *who, int64_t entry_id, const char *reason,
                   const char *ip, int64_t now, int64_t *new_id, err_t *e)
{
    db_stmt_t *st = db_query(db, SQL_ENTRY_BASICS, I(entry_id));
    int r = st ? db_step(st) : ERR_IO;
    char village[16] = "", kind[16] = "";
    int64_t household = 0, points = 0, honour = 0, indicator = 0;
    if (r == DB_ROW) {
        snprintf(village, sizeof village, "%s", db_col_text(st, 0));
        household = db_col_i64(st, 1);
        snprintf(kind, sizeof kind, "%s", db_col_text(st, 2));
        points = db_col_i64(st, 3);
        honour = db_col_i64(st, 4);
        indicator = db_col_isnull(st, 5) ? 0 : db_col_i64(st, 5);
    }
    db_reset(st);
    if (r < 0)
        return r;
    if (r != DB_ROW || !pts_reaches(who, village))
        return err_set(e, ERR_NOTFOUND, "not_found", "积分记录不存在或不在您的管辖范围内", NULL);
    if (!pts_is_admin(who, village))
        return err_set(e, ERR_FORBIDDEN, "forbidden", "只有村（社区）管理员可以冲正积分", NULL);
    if (!reason || blank(reason))
        return err_set(e, ERR_INVALID, "invalid", "请填写冲正理由", "reason");
    if (!text_ok(reason, 200))
        return err_set(e, ERR_INVALID, "invalid", "理由不能超过 200 字", "reason");
    if (strcmp(kind, "award") && strcmp(kind, "adjustment"))
        return err_set(e, ERR_CONFLICT, "not_reversible",
                       strcmp(kind, "reversal") == 0 ? "冲正记录不能再冲正"
                                                     : "只有打分和调整记录可以冲正",
                       NULL);
    int64_t other;
    int done = 0;
    int rc = db_one_i64(db, SQL_REVERSED, &other, &done, I(entry_id));
    if (rc)
        return rc;
    if (done)
        return err_set(e, ERR_CONFLICT, "already_reversed", "该记录已被冲正", NULL);
    ledger_post_t p = {.village = village,
                       .household_id = household,
                       .kind = "reversal",
                       .points = -points,
                       .honour = -honour,
                       .indicator_id = indicator,
                       .reverses = entry_id,
                       .reason = reason,
                       .actor_id = who->id,
                       .actor_name = who->name,
                       .at = now};
    if ((rc = ledger_post(db, &p, e)) != 0)
        return rc;
    *new_id = p.id;
    char object[40], detail[400];
    snprintf(object, sizeof object, "points_entry:%" PRId64, entry_id);
    snprintf(detail, sizeof detail, "冲正 %+" PRId64 "：%s", -points, reason);
    return pts_audit(db, who, "points_reverse", object, detail, ip, now);
}

int points_adjust(db_t *db, const actor_t *who, int64_t household_id, int64_t points,
                  const char *reason, const char *ip, int64_t now, int64_t *new_id, err_t *e)
{
    char county[8], region[32];
    snprintf(county, sizeof county, "%.6s", who->scope);
    int rc = household_id ? pts_household_region(db, county, household_id, region) : ERR_NOTFOUND;
    if (rc == ERR_NOTFOUND || (rc == 0 && !region_in_scope(who->scope, region)))
        return err_set(e, ERR_NOTFOUND, "not_found", "该户不存在或不在您的管辖范围内",
                       "household_id");
    if (rc)
        return rc;
    char village[16];
    snprintf(village, sizeof village, "%.12s", region);
    if (!pts_is_admin(who, village))
        return err_set(e, ERR_FORBIDDEN, "forbidden", "只有村（社区）管理员可以调整积分", NULL);
    if (!reason || blank(reason))
        return err_set(e, ERR_INVALID, "invalid", "调整积分必须填写理由", "reason");
    if (!text_ok(reason, 200))
        return err_set(e, ERR_INVALID, "invalid", "理由不能超过 200 字", "reason");
    if (points == 0 || points < -100000 || points > 100000)
        return err_set(e, ERR_INVALID, "invalid", "调整分值应为 -100000 到 100000 之间的非零整数",
                       "points");
    pts_settings_t s;
    int on;
    if ((rc = pts_settings_load(db, village, &s, &on)) != 0)
        return rc;
    if (!on)
        return err_set(e, ERR_INVALID, "points_off", "本村尚未开通积分制", NULL);
    ledger_post_t p = {.village = village,
                       .household_id = household_id,
                       .kind = "adjustment",
                       .points = points,
                       .honour = points,
                       .reason = reason,
                       .actor_id = who->id,
                       .actor_name = who->name,
                       .at = now};
    if ((rc = ledger_post(db, &p, e)) != 0)
        return rc;
    *new_id = p.id;
    char object[40], detail[400];
    snprintf(object, sizeof object, "household:%" PRId64, household_id);
    snprintf(detail, sizeof detail, "调整 %+" PRId64 "：%s", points, reason);
    return pts_audit(db, who, "points_adjust", object, detail, ip, now);
}

/* ---------- automatic awards ---------- */

/* The village's own rule first, else its county's. */
static const char SQL_RULE_FOR[] =
    "SELECT indicator_id FROM points_rules WHERE county = ? AND event = ? AND active = 1"
    " AND (scope_code = ? OR scope_code = ?) ORDER BY LENGTH(scope_code) DESC, id LIMIT 1";

int points_on_event(db_t *db, const char *event, const char *county, int64_t household_id,
                    const char *source_ref, int64_t now)
{
    if (!household_id || !event || !county)
        return 0;
    char region[32];
    int rc = pts_household_region(db, county, household_id, region);
    if (rc)
        return rc == ERR_NOTFOUND ? 0 : rc;
    char village[16];
    snprintf(village, sizeof village, "%.12s", region);
    pts_settings_t s;
    int on;
    if ((rc = pts_settings_load(db, village, &s, &on)) != 0 || !on)
        return rc;
    int64_t ind = 0;
    int found = 0;
    if ((rc = db_one_i64(db, SQL_RULE_FOR, &ind, &found, S(county), S(event), S(village),
                         S(county))) != 0 ||
        !found)
        return rc;
    indicator_t d;
    if ((rc = load_indicator(db, ind, &d)) != 0)
        return rc == ERR_NOTFOUND ? 0 : rc;
    if (!d.active || !valid_on(&d, now))
        return 0;
    int over;
    if ((rc = over_limit(db, &d, household_id, now, &over)) != 0 || over)
        return rc;
    ledger_post_t p = {.village = village,
                       .household_id = household_id,
                       .kind = "award",
                       .points = d.points,
                       .honour = d.points,
                       .indicator_id = d.id,
                       .source = event,
                       .source_ref = source_ref ? source_ref : "",
                       .actor_name = "系统",
                       .at = now};
    err_t e = {0};
    rc = ledger_post(db, &p, &e);
    /* Refused for a reason of the points system (already done, budget spent, ...): the event
     * stands without points. Store failures come back. */
    return rc && e.code ? 0 : rc;
}
