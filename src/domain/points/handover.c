/* handover.c — the one-time code of a store order and the keeper's handover against it
 * (docs/POINTS.md "Store"), with the guard that makes guessing codes hopeless.
 *
 * A code is POINTS_CODE_DIGITS random digits, kept as a keyed hash for this lookup (store.c
 * keeps it encrypted too, for the household's QR). Orders issued before the longer codes have
 * POINTS_CODE_DIGITS_OLD digits and are still honoured: the hash of an 8-digit string can only
 * match them, and they all close within 7 days.
 *
 * The guard is per keeper account, one row of points_handover_guard. A miss is a code that
 * matches no order of the keeper's villages (404 "兑换码无效"); a code of a closed order (409)
 * is not one, since a keeper scanning a voucher twice is no attacker and learns nothing.
 *
 *   state    event                                   next
 *   open     a hit, or a code of a closed order      open, the misses stand (a success does
 *                                                    not forgive them: else an order of one's
 *                                                    own would buy more guesses)
 *   open     a miss, no window or the window over    open, misses 1, window from now
 *   open     a miss, fewer than MAX with it          open, misses + 1
 *   open     the MAX-th miss within the window       locked until now + LOCK, misses 0; audited
 *   locked   any try, right codes included           locked (423): the code is not looked up
 *   locked   the time has come                       open
 *
 * A miss must be recorded although the handover fails, and the store rolls back a job that
 * returns non-zero: so points_order_handover returns 0 for a miss and for a lock and carries
 * the refusal out in h->refusal, as account_login_commit does for a wrong password. The row is
 * taken first, by an upsert that locks it on PostgreSQL (SQLite's single writer serialises
 * every job anyway): parallel tries of one account are decided one after the other, so two
 * wrong tries both count and no try is looked up once the lock is set. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "domain/accounts/accounts.h"
#include "domain/common/change.h"
#include "domain/points/points.h"
#include "domain/points/points_int.h"
#include "domain/registry/registry.h"
#include "lib/crypto.h"

#define MAX_TYPED 40 /* characters of a code as typed, spaces and dashes included */

/* ---------- the code ---------- */

void pts_code_new(char out[POINTS_CODE_DIGITS + 1])
{
    for (int i = 0; i < POINTS_CODE_DIGITS; i++)
        out[i] = (char)('0' + randombytes_uniform(10));
    out[POINTS_CODE_DIGITS] = 0;
}

void pts_code_hash(const char *code, char out[65])
{
    crypto_field_hash(registry_keys(), code, strlen(code), out);
}

int points_code_normalize(const char *typed, char out[POINTS_CODE_DIGITS + 1])
{
    size_t n = 0;
    out[0] = 0;
    if (!typed || strlen(typed) > MAX_TYPED)
        return ERR_INVALID;
    for (const char *p = typed; *p; p++) {
        if (*p == ' ' || *p == '-' || *p == '\t')
            continue;
        if (*p < '0' || *p > '9' || n == POINTS_CODE_DIGITS)
            return ERR_INVALID;
        out[n++] = *p;
    }
    out[n] = 0;
    return n == POINTS_CODE_DIGITS || n == POINTS_CODE_DIGITS_OLD ? 0 : ERR_INVALID;
}

int pts_order_closed(const char *state, err_t *e)
{
    if (strcmp(state, "handed_over") == 0)
        return err_set(e, ERR_CONFLICT, "already_used", "该兑换码已使用，商品已领取", NULL);
    return err_set(e, ERR_CONFLICT, "order_closed",
                   strcmp(state, "cancelled") == 0 ? "该订单已取消" : "该订单已过期", NULL);
}

/* ---------- the guard ---------- */

typedef struct {
    int64_t misses, window_from, locked_until;
} guard_t;

/* The guard after a miss at now (the table above); 1 when this miss sets the lock. Pure. */
static int guard_miss(guard_t *g, int64_t now)
{
    if (g->misses <= 0 || now - g->window_from >= POINTS_HANDOVER_WINDOW_MS) {
        g->misses = 0;
        g->window_from = now;
    }
    if (++g->misses < POINTS_HANDOVER_MAX_MISSES)
        return 0;
    g->misses = 0;
    g->window_from = 0;
    g->locked_until = now + POINTS_HANDOVER_LOCK_MS;
    return 1;
}

/* Taking the row first (a no-op update of an existing row locks it on PostgreSQL) makes the
 * read below and the write after the lookup one step for this account. */
static const char SQL_GUARD_TAKE[] =
    "INSERT INTO points_handover_guard (user_id, misses, window_from, locked_until)"
    " VALUES (?, 0, 0, 0) ON CONFLICT (user_id) DO UPDATE"
    " SET misses = points_handover_guard.misses";
static const char SQL_GUARD_GET[] =
    "SELECT misses, window_from, locked_until FROM points_handover_guard WHERE user_id = ?";
static const char SQL_GUARD_SET[] = "UPDATE points_handover_guard SET misses = ?, window_from = ?,"
                                    " locked_until = ? WHERE user_id = ?";

static int guard_take(db_t *db, int64_t user, guard_t *g)
{
    memset(g, 0, sizeof *g);
    int rc = db_run(db, SQL_GUARD_TAKE, I(user));
    if (rc)
        return rc;
    db_stmt_t *st = db_query(db, SQL_GUARD_GET, I(user));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW) {
        g->misses = db_col_i64(st, 0);
        g->window_from = db_col_i64(st, 1);
        g->locked_until = db_col_i64(st, 2);
    }
    db_reset(st);
    return s < 0 ? s : s == DB_ROW ? 0 : ERR_IO; /* the upsert made the row: it must be there */
}

/* The refusal while locked: when to come back, China time, rounded up to the minute. */
static void locked_refusal(points_handover_t *h, int64_t until)
{
    int64_t at = (until + 59999) / 60000 * 60000 + 8 * 3600000LL;
    int64_t minutes = (until - h->now + 59999) / 60000;
    h->locked_until = until;
    err_setf(&h->refusal, ERR_LOCKED, "too_many_attempts", NULL,
             "兑换码输错次数过多，本账号暂停核销，请于 %02d:%02d（约 %" PRId64 " 分钟后）再试",
             (int)(at / 3600000 % 24), (int)(at / 60000 % 60), minutes < 1 ? 1 : minutes);
}

static int audit_guard(db_t *db, const actor_t *who, const points_handover_t *h, const char *action,
                       const char *outcome, const char *detail)
{
    char object[40];
    snprintf(object, sizeof object, "user:%" PRId64, who->id);
    audit_entry_t a = {.who = who,
                       .action = action,
                       .object = object,
                       .outcome = outcome,
                       .ip = h->ip,
                       .detail = detail,
                       .now = h->now};
    return audit_write(db, &a);
}

/* Record a miss (and the lock it may set) and say so in h->refusal; 0 unless the store fails,
 * so that the job commits what it recorded. */
static int record_miss(db_t *db, const actor_t *who, points_handover_t *h, guard_t *g)
{
    int locks = guard_miss(g, h->now);
    int rc =
        db_run(db, SQL_GUARD_SET, I(g->misses), I(g->window_from), I(g->locked_until), I(who->id));
    if (rc == 0)
        rc = audit_guard(db, who, h, "order_handover", "failed", "invalid code");
    if (rc)
        return rc;
    if (!locks) {
        err_setf(&h->refusal, ERR_NOTFOUND, "not_found", "code",
                 "兑换码无效，请核对后重新输入（再错 %d 次将暂停核销 %d 分钟）",
                 POINTS_HANDOVER_MAX_MISSES - (int)g->misses,
                 (int)(POINTS_HANDOVER_LOCK_MS / 60000));
        return 0;
    }
    char detail[96]; /* the lock ends LOCK after the row's own time */
    snprintf(detail, sizeof detail, "%d invalid codes in %d min, locked %d min",
             POINTS_HANDOVER_MAX_MISSES, (int)(POINTS_HANDOVER_WINDOW_MS / 60000),
             (int)(POINTS_HANDOVER_LOCK_MS / 60000));
    locked_refusal(h, g->locked_until);
    return audit_guard(db, who, h, "handover_locked", "denied", detail);
}

/* ---------- the handover ---------- */

/* The villages a keeper serves, as a code range [lo, hi): a county admin's county, else the
 * one village; narrowed to `village` when given. 403 for other roles, 404 for a village out of
 * reach. */
static int keeper_range(const actor_t *who, const char *village, char lo[16], char hi[24], err_t *e)
{
    if (who->role == ROLE_COUNTY_ADMIN)
        snprintf(lo, 16, "%.6s", who->scope);
    else if ((who->role == ROLE_COMMUNITY_ADMIN || who->role == ROLE_GRID_WORKER) &&
             strlen(who->scope) >= 12)
        snprintf(lo, 16, "%.12s", who->scope);
    else
        return err_set(e, ERR_FORBIDDEN, "forbidden", "只有村（社区）管理员或网格员可以核销兑换码",
                       NULL);
    if (village && *village) {
        if (strlen(village) != 12 || !region_in_scope(lo, village))
            return err_set(e, ERR_NOTFOUND, "not_found", "村（社区）不在您的管辖范围内", "village");
        snprintf(lo, 16, "%s", village);
    }
    region_scope_hi(lo, hi, 24);
    return 0;
}

static const char SQL_FIND_CODE[] =
    "SELECT id, village_code, state, expires_at FROM points_orders WHERE village_code >= ?"
    " AND village_code < ? AND code_hash = ?"
    " ORDER BY CASE WHEN state = 'issued' THEN 0 ELSE 1 END, id DESC LIMIT 2";
static const char SQL_HANDED[] =
    "SELECT o.county, o.household_id, o.qty, g.name FROM points_orders o"
    " JOIN points_goods g ON g.id = o.goods_id WHERE o.id = ? AND o.village_code = ?";
static const char SQL_HANDOVER[] =
    "UPDATE points_orders SET state = 'handed_over', closed_at = ?, closed_by = ?"
    " WHERE id = ? AND state = 'issued' AND expires_at > ?";

typedef struct {
    int n; /* orders found (at most 2) */
    int64_t id, expires;
    char village[16], state[16], second_state[16];
} found_t;

static int find_code(db_t *db, const char *lo, const char *hi, const char *code, found_t *f)
{
    char hash[65];
    pts_code_hash(code, hash);
    memset(f, 0, sizeof *f);
    db_stmt_t *st = db_query(db, SQL_FIND_CODE, S(lo), S(hi), S(hash));
    int s = st ? DB_ROW : ERR_IO;
    while (st && (s = db_step(st)) == DB_ROW) {
        if (f->n == 0) {
            f->id = db_col_i64(st, 0);
            snprintf(f->village, sizeof f->village, "%s", db_col_text(st, 1));
            snprintf(f->state, sizeof f->state, "%s", db_col_text(st, 2));
            f->expires = db_col_i64(st, 3);
        } else {
            snprintf(f->second_state, sizeof f->second_state, "%s", db_col_text(st, 2));
        }
        f->n++;
    }
    db_reset(st);
    return s < 0 ? s : 0;
}

/* Tell whoever follows (the household's inbox, hence its phone) that the goods went out. */
static int announce_handover(db_t *db, const actor_t *who, int64_t order, const char *village,
                             int64_t now)
{
    db_stmt_t *st = db_query(db, SQL_HANDED, I(order), S(village));
    int s = st ? db_step(st) : ERR_IO;
    char county[8] = "", what[200] = "";
    int64_t household = 0;
    if (s == DB_ROW) {
        snprintf(county, sizeof county, "%s", db_col_text(st, 0));
        household = db_col_i64(st, 1);
        snprintf(what, sizeof what, "%s ×%" PRId64, db_col_text(st, 3), db_col_i64(st, 2));
    }
    db_reset(st);
    if (s != DB_ROW)
        return s < 0 ? s : ERR_NOTFOUND;
    change_t c = {.kind = CHANGE_ORDER_HANDOVER,
                  .county = county,
                  .id = order,
                  .at = now,
                  .event = "handover",
                  .label = what,
                  .actor_id = who->id,
                  .household = household};
    return change_announce(db, &c);
}

int points_order_handover(db_t *db, const actor_t *who, points_handover_t *h, err_t *e)
{
    h->id = 0;
    h->locked_until = 0;
    memset(&h->refusal, 0, sizeof h->refusal);
    char code[POINTS_CODE_DIGITS + 1], lo[16], hi[24];
    if (points_code_normalize(h->code, code) != 0)
        return err_set(e, ERR_INVALID, "invalid", "兑换码应为 10 位数字（此前发出的兑换码为 8 位）",
                       "code");
    int rc = keeper_range(who, h->village, lo, hi, e);
    guard_t g;
    if (rc || (rc = guard_take(db, who->id, &g)) != 0)
        return rc;
    if (g.locked_until > h->now) {
        locked_refusal(h, g.locked_until);
        return 0;
    }
    found_t f;
    if ((rc = find_code(db, lo, hi, code, &f)) != 0)
        return rc;
    if (f.n == 0)
        return record_miss(db, who, h, &g);
    if (strcmp(f.state, "issued") == 0 && strcmp(f.second_state, "issued") == 0)
        return err_set(e, ERR_CONFLICT, "ambiguous",
                       "县内多个村有相同的兑换码，请指定村（社区）village", "village");
    if (strcmp(f.state, "issued") != 0)
        return pts_order_closed(f.state, e);
    if (f.expires <= h->now)
        return err_set(e, ERR_CONFLICT, "order_expired", "该兑换码已过期", NULL);
    db_stmt_t *st = db_query(db, SQL_HANDOVER, I(h->now), I(who->id), I(f.id), I(h->now));
    int s = st ? db_step(st) : ERR_IO;
    int64_t changed = s >= 0 ? db_changes(st) : 0;
    db_reset(st);
    if (s < 0)
        return s;
    if (changed != 1)
        return err_set(e, ERR_CONFLICT, "already_used", "该兑换码已使用，商品已领取", NULL);
    h->id = f.id;
    char object[40];
    snprintf(object, sizeof object, "order:%" PRId64, f.id);
    rc = pts_audit(db, who, "order_handover", object, f.village, h->ip, h->now);
    return rc ? rc : announce_handover(db, who, f.id, f.village, h->now);
}
