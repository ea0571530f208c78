/* ledger.c — postings and the chain. The canonical text of an entry is its fields in a fixed
 * order, numbers in decimal (0 for none), texts as <byte length>:<bytes> so no separator inside
 * a reason can make two different entries hash alike:
 *   jiceng-ledger-v1|prev|village|seq|id|household|kind|points|honour|indicator|reverses|order|
 *   source|source_ref|reason|photos|actor|at                                                  */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/points/points.h"
#include "lib/buf.h"
#include "lib/civil.h"
#include "lib/idgen.h"
#include "lib/vec.h"

int ledger_year_of(int64_t at)
{
    int y, m, d;
    civil_from_days(civil_china_day(at), &y, &m, &d);
    return y;
}

int64_t ledger_year_start(int year) { return civil_china_ms(year, 1, 1); }

static void put_num(buf_t *b, int64_t v)
{
    char t[32];
    int n = snprintf(t, sizeof t, "%" PRId64 "|", v);
    buf_add(b, t, (size_t)n);
}

static void put_text(buf_t *b, const char *s)
{
    char t[32];
    size_t len = s ? strlen(s) : 0;
    int n = snprintf(t, sizeof t, "%zu:", len);
    buf_add(b, t, (size_t)n);
    if (len)
        buf_add(b, s, len);
    buf_add(b, "|", 1);
}

void ledger_hash(const char *prev, const char *village, int64_t seq, int64_t id, int64_t household,
                 const char *kind, int64_t points, int64_t honour, int64_t indicator,
                 int64_t reverses, int64_t order, const char *source, const char *source_ref,
                 const char *reason, const char *photos, int64_t actor, int64_t at, char out[65])
{
    buf_t b;
    buf_init(&b, 512);
    buf_add(&b, "jiceng-ledger-v1|", 17);
    put_text(&b, prev);
    put_text(&b, village);
    put_num(&b, seq);
    put_num(&b, id);
    put_num(&b, household);
    put_text(&b, kind);
    put_num(&b, points);
    put_num(&b, honour);
    put_num(&b, indicator);
    put_num(&b, reverses);
    put_num(&b, order);
    put_text(&b, source);
    put_text(&b, source_ref);
    put_text(&b, reason);
    put_text(&b, photos);
    put_num(&b, actor);
    put_num(&b, at);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)b.p, b.len);
    sodium_bin2hex(out, 65, h, sizeof h);
    buf_free(&b);
}

static const char SQL_ISSUED[] =
    "SELECT COALESCE(SUM(CASE WHEN kind IN ('award', 'adjustment') AND points > 0 THEN points"
    " WHEN kind = 'reversal' AND points < 0 THEN points ELSE 0 END), 0)"
    " FROM points_entries WHERE village_code = ? AND at >= ? AND at < ?";

int ledger_issued_in_year(db_t *db, const char *village, int64_t at, int64_t *issued)
{
    int y = ledger_year_of(at);
    int found = 0;
    *issued = 0;
    return db_one_i64(db, SQL_ISSUED, issued, &found, S(village), I(ledger_year_start(y)),
                      I(ledger_year_start(y + 1)));
}

static const char SQL_BUDGET[] =
    "SELECT b.budget_fen / s.fen_per_point FROM points_budgets b JOIN points_settings s"
    " ON s.village_code = b.village_code WHERE b.village_code = ? AND b.year = ?";

int ledger_budget_points(db_t *db, const char *village, int64_t at, int64_t *points, int *set)
{
    *points = 0;
    return db_one_i64(db, SQL_BUDGET, points, set, S(village), I((int64_t)ledger_year_of(at)));
}

/* Taking the head first: on PostgreSQL the UPDATE locks the village's row until commit, so two
 * postings of one village (on any instance) follow each other. SQLite has one writer anyway. */
static const char SQL_LOCK[] =
    "UPDATE points_settings SET last_seq = last_seq WHERE village_code = ?";
static const char SQL_HEAD[] =
    "SELECT last_seq, last_hash, county FROM points_settings WHERE village_code = ?";
static const char SQL_ACCOUNT[] =
    "SELECT balance, honour, village_code FROM points_accounts WHERE household_id = ?";
static const char SQL_ACCOUNT_NEW[] =
    "INSERT INTO points_accounts (household_id, county, village_code, balance, honour, updated_at)"
    " VALUES (?,?,?,0,0,?)";
static const char SQL_ENTRY[] =
    "INSERT INTO points_entries (village_code, seq, id, county, household_id, kind, points, honour,"
    " indicator_id, reverses, order_id, source, source_ref, reason, photos, actor_id, actor_name,"
    " at, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_ACCOUNT_SET[] =
    "UPDATE points_accounts SET balance = ?, honour = ?, updated_at = ? WHERE household_id = ?";
static const char SQL_HEAD_SET[] =
    "UPDATE points_settings SET last_seq = ?, last_hash = ?, updated_at = ? WHERE village_code = ?";
static const char SQL_SOURCE_SEEN[] =
    "SELECT 1 FROM points_entries WHERE village_code = ? AND source = ? AND source_ref = ?";

static void bind_opt(db_stmt_t *st, int idx, int64_t v)
{
    if (v)
        db_bind_i64(st, idx, v);
    else
        db_bind_null(st, idx);
}

int ledger_post(db_t *db, ledger_post_t *p, err_t *e)
{
    int rc = db_run(db, SQL_LOCK, S(p->village));
    if (rc)
        return rc;
    db_stmt_t *st = db_query(db, SQL_HEAD, S(p->village));
    int s = st ? db_step(st) : ERR_IO;
    int64_t last_seq = 0;
    char prev[65] = "", county[8] = "";
    if (s == DB_ROW) {
        last_seq = db_col_i64(st, 0);
        snprintf(prev, sizeof prev, "%s", db_col_text(st, 1));
        snprintf(county, sizeof county, "%s", db_col_text(st, 2));
    }
    db_reset(st);
    if (s < 0)
        return s;
    if (s != DB_ROW)
        return err_set(e, ERR_INVALID, "points_off", "本村尚未开通积分制", NULL);

    if (p->source) {
        int64_t one;
        int seen = 0;
        if ((rc = db_one_i64(db, SQL_SOURCE_SEEN, &one, &seen, S(p->village), S(p->source),
                             S(p->source_ref ? p->source_ref : ""))) != 0)
            return rc;
        if (seen)
            return err_set(e, ERR_CONFLICT, "duplicate", "该事项已计过积分", NULL);
    }

    /* The household's account, opened on its first entry. */
    int64_t balance = 0, honour = 0;
    st = db_query(db, SQL_ACCOUNT, I(p->household_id));
    s = st ? db_step(st) : ERR_IO;
    int exists = s == DB_ROW;
    int elsewhere = exists && strcmp(db_col_text(st, 2), p->village) != 0;
    if (exists) {
        balance = db_col_i64(st, 0);
        honour = db_col_i64(st, 1);
    }
    db_reset(st);
    if (s < 0)
        return s;
    if (elsewhere)
        return err_set(e, ERR_INVALID, "invalid", "该户的积分账户属于另一个村", "household_id");
    if (!exists && (rc = db_run(db, SQL_ACCOUNT_NEW, I(p->household_id), S(county), S(p->village),
                                I(p->at))) != 0)
        return rc;
    if (balance + p->points < 0)
        return err_set(e, ERR_CONFLICT, "insufficient_points", "积分余额不足", NULL);

    /* Every point is money the village owes: the year's budget caps what is issued. */
    if (p->points > 0 && (!strcmp(p->kind, "award") || !strcmp(p->kind, "adjustment"))) {
        int64_t budget = 0, issued = 0;
        int set = 0;
        if ((rc = ledger_budget_points(db, p->village, p->at, &budget, &set)) != 0 ||
            (rc = ledger_issued_in_year(db, p->village, p->at, &issued)) != 0)
            return rc;
        if (!set)
            return err_set(e, ERR_CONFLICT, "no_budget", "本村本年度尚未设置积分预算，不能发放积分",
                           NULL);
        if (issued + p->points > budget)
            return err_setf(e, ERR_CONFLICT, "budget_exceeded", NULL,
                            "本年度积分预算不足：预算 %" PRId64 " 分，已发放 %" PRId64
                            " 分，剩余 %" PRId64 " 分",
                            budget, issued, budget > issued ? budget - issued : 0);
    }

    p->seq = last_seq + 1;
    p->id = idgen_next();
    char hash[65];
    ledger_hash(prev, p->village, p->seq, p->id, p->household_id, p->kind, p->points, p->honour,
                p->indicator_id, p->reverses, p->order_id, p->source, p->source_ref, p->reason,
                p->photos, p->actor_id, p->at, hash);
    st = db_prepare(db, SQL_ENTRY);
    if (!st)
        return ERR_IO;
    db_bind_text(st, 1, p->village, -1);
    db_bind_i64(st, 2, p->seq);
    db_bind_i64(st, 3, p->id);
    db_bind_text(st, 4, county, -1);
    db_bind_i64(st, 5, p->household_id);
    db_bind_text(st, 6, p->kind, -1);
    db_bind_i64(st, 7, p->points);
    db_bind_i64(st, 8, p->honour);
    bind_opt(st, 9, p->indicator_id);
    bind_opt(st, 10, p->reverses);
    bind_opt(st, 11, p->order_id);
    db_bind_text(st, 12, p->source, -1);
    db_bind_text(st, 13, p->source ? (p->source_ref ? p->source_ref : "") : NULL, -1);
    db_bind_text(st, 14, p->reason, -1);
    db_bind_text(st, 15, p->photos, -1);
    bind_opt(st, 16, p->actor_id);
    db_bind_text(st, 17, p->actor_name ? p->actor_name : "系统", -1);
    db_bind_i64(st, 18, p->at);
    db_bind_text(st, 19, prev, -1);
    db_bind_text(st, 20, hash, -1);
    s = db_step(st);
    db_reset(st);
    if (s == ERR_CONFLICT && p->reverses)
        return err_set(e, ERR_CONFLICT, "already_reversed", "该记录已被冲正", NULL);
    if (s < 0)
        return s;
    if ((rc = db_run(db, SQL_ACCOUNT_SET, I(balance + p->points), I(honour + p->honour), I(p->at),
                     I(p->household_id))) != 0)
        return rc;
    return db_run(db, SQL_HEAD_SET, I(p->seq), S(hash), I(p->at), S(p->village));
}

/* ---------- check ---------- */

static const char SQL_ALL[] =
    "SELECT village_code, seq, id, household_id, kind, points, honour, indicator_id, reverses,"
    " order_id, source, source_ref, reason, photos, actor_id, at, prev_hash, hash"
    " FROM points_entries ORDER BY village_code, seq";
static const char SQL_HEADS[] = "SELECT village_code, last_seq, last_hash FROM points_settings";
static const char SQL_ACCOUNTS[] =
    "SELECT household_id, balance, honour, village_code FROM points_accounts ORDER BY household_id";

/* Caps on what the check holds in memory: far above a county's ledger (a village adds about
 * ten thousand entries a year); past them the check fails rather than pass unread rows. */
#define CHECK_MAX_ENTRIES ((size_t)64 << 20)
#define CHECK_MAX_VILLAGES ((size_t)1 << 20)

typedef struct {
    int64_t household, balance, honour;
} sum_t;

/* The last entry of a village's chain, for its stored head. */
typedef struct {
    char village[16], hash[65];
    int64_t seq;
} tail_t;

typedef struct {
    check_report_t *r;
    long bad;    /* problems found */
    vec_t sums;  /* sum_t: one per entry, folded by household before the accounts */
    vec_t tails; /* tail_t: one per village with entries */
} check_t;

static int by_household(const void *a, const void *b)
{
    int64_t x = ((const sum_t *)a)->household, y = ((const sum_t *)b)->household;
    return x < y ? -1 : x > y;
}

static int64_t col0(db_stmt_t *st, int c) { return db_col_isnull(st, c) ? 0 : db_col_i64(st, c); }

/* A step that could not finish is a problem too (check.h: a check fails closed). Returns rc. */
static int cannot(db_t *db, check_t *c, const char *what, int rc)
{
    if (rc == ERR_TOOLARGE || rc == ERR_NOMEM) {
        printf("%s: cannot check: %s\n", what,
               rc == ERR_NOMEM ? "out of memory" : "more rows than the check can hold");
        c->r->problems++;
    } else {
        check_failed(db, c->r, what);
    }
    return rc;
}

static int end_chain(check_t *c, const char *village, const char *last_hash, int64_t last_seq)
{
    tail_t t = {.seq = last_seq};
    snprintf(t.village, sizeof t.village, "%s", village);
    snprintf(t.hash, sizeof t.hash, "%s", last_hash);
    return vec_push(&c->tails, &t);
}

/* One entry (a row of SQL_ALL) against its chain: the seq expected, the hash of the entry
 * before it, and its own content. */
static void check_entry(check_t *c, db_stmt_t *st, const char *prev, int64_t expect_seq)
{
    const char *v = db_col_text(st, 0);
    int64_t seq = db_col_i64(st, 1), id = db_col_i64(st, 2);
    char hash[65];
    ledger_hash(prev, v, seq, id, db_col_i64(st, 3), db_col_text(st, 4), db_col_i64(st, 5),
                db_col_i64(st, 6), col0(st, 7), col0(st, 8), col0(st, 9), db_col_text(st, 10),
                db_col_text(st, 11), db_col_text(st, 12), db_col_text(st, 13), col0(st, 14),
                db_col_i64(st, 15), hash);
    if (seq != expect_seq) {
        printf("ledger %s: entry %" PRId64 " has seq %" PRId64 ", expected %" PRId64
               " (a row was removed or inserted)\n",
               v, id, seq, expect_seq);
        c->bad++;
    }
    if (strcmp(db_col_text(st, 16), prev) != 0) {
        printf("ledger %s seq %" PRId64 ": prev_hash does not match the entry before it\n", v, seq);
        c->bad++;
    }
    if (strcmp(db_col_text(st, 17), hash) != 0) {
        printf("ledger %s seq %" PRId64 " (entry %" PRId64 "): changed outside the application"
               " (stored hash does not match its content)\n",
               v, seq, id);
        c->bad++;
    }
}

/* Every village's chain, entry by entry; keeps each entry's sums and each chain's end. */
static int check_chains(db_t *db, check_t *c)
{
    char village[16] = "", prev[65] = "";
    int64_t expect_seq = 1;
    db_stmt_t *st = db_query(db, SQL_ALL);
    if (!st)
        return cannot(db, c, "ledger entries", ERR_IO);
    int s = DB_DONE, rc = 0;
    while (rc == 0 && (s = db_step(st)) == DB_ROW) {
        const char *v = db_col_text(st, 0);
        if (strcmp(v, village) != 0) {
            if (village[0] && (rc = end_chain(c, village, prev, expect_seq - 1)) != 0)
                break;
            snprintf(village, sizeof village, "%s", v);
            prev[0] = 0;
            expect_seq = 1;
        }
        check_entry(c, st, prev, expect_seq);
        /* Carry on from the stored hash so one altered row is reported once. */
        snprintf(prev, sizeof prev, "%s", db_col_text(st, 17));
        expect_seq = db_col_i64(st, 1) + 1;
        sum_t sum = {db_col_i64(st, 3), db_col_i64(st, 5), db_col_i64(st, 6)};
        rc = vec_push(&c->sums, &sum);
        c->r->checked++;
    }
    db_reset(st);
    if (rc)
        return cannot(db, c, "ledger entries", rc);
    if (s < 0)
        return cannot(db, c, "ledger entries", s);
    if (village[0] && (rc = end_chain(c, village, prev, expect_seq - 1)) != 0)
        return cannot(db, c, "ledger entries", rc);
    return 0;
}

/* The stored heads must name the last entry of each chain. */
static int check_heads(db_t *db, check_t *c)
{
    const tail_t *tails = c->tails.p;
    size_t nh = c->tails.len;
    db_stmt_t *st = db_query(db, SQL_HEADS);
    if (!st)
        return cannot(db, c, "ledger heads", ERR_IO);
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        const char *v = db_col_text(st, 0);
        int64_t seq = db_col_i64(st, 1);
        const char *h = db_col_text(st, 2);
        size_t i = 0;
        while (i < nh && strcmp(tails[i].village, v) != 0)
            i++;
        int64_t want_seq = i < nh ? tails[i].seq : 0;
        const char *want_hash = i < nh ? tails[i].hash : "";
        if (seq != want_seq || strcmp(h, want_hash) != 0) {
            printf("ledger %s: chain head (seq %" PRId64
                   ") does not match its last entry (seq %" PRId64
                   "): entries were removed or added outside the application\n",
                   v, seq, want_seq);
            c->bad++;
        }
    }
    db_reset(st);
    return s < 0 ? cannot(db, c, "ledger heads", s) : 0;
}

/* The entries' sums by household: sorted, then folded in place. Returns the households. */
static size_t fold_sums(vec_t *v)
{
    sum_t *sums = v->p;
    size_t m = 0;
    if (v->len)
        qsort(sums, v->len, sizeof *sums, by_household);
    for (size_t i = 0; i < v->len; i++) {
        if (m && sums[m - 1].household == sums[i].household) {
            sums[m - 1].balance += sums[i].balance;
            sums[m - 1].honour += sums[i].honour;
        } else {
            sums[m++] = sums[i];
        }
    }
    return m;
}

/* Balances and honour: each account against the sums of its entries (sums[0..m), folded). */
static int check_accounts(db_t *db, check_t *c, size_t m)
{
    const sum_t *sums = c->sums.p;
    size_t k = 0;
    db_stmt_t *st = db_query(db, SQL_ACCOUNTS);
    if (!st)
        return cannot(db, c, "ledger accounts", ERR_IO);
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        int64_t hh = db_col_i64(st, 0), bal = db_col_i64(st, 1), hon = db_col_i64(st, 2);
        for (; k < m && sums[k].household < hh; k++) {
            printf("ledger household %" PRId64 ": has entries but no account row\n",
                   sums[k].household);
            c->bad++;
        }
        int64_t want_bal = 0, want_hon = 0;
        if (k < m && sums[k].household == hh) {
            want_bal = sums[k].balance;
            want_hon = sums[k].honour;
            k++;
        }
        if (bal != want_bal || hon != want_hon) {
            printf("ledger account of household %" PRId64 ": balance %" PRId64 " honour %" PRId64
                   ", entries say %" PRId64 " and %" PRId64 "\n",
                   hh, bal, hon, want_bal, want_hon);
            c->bad++;
        }
        c->r->checked++;
    }
    db_reset(st);
    if (s < 0)
        return cannot(db, c, "ledger accounts", s);
    for (; k < m; k++) {
        printf("ledger household %" PRId64 ": has entries but no account row\n", sums[k].household);
        c->bad++;
    }
    return 0;
}

int ledger_check(db_t *db, check_report_t *r)
{
    check_t c = {.r = r};
    vec_init(&c.sums, sizeof(sum_t), CHECK_MAX_ENTRIES);
    vec_init(&c.tails, sizeof(tail_t), CHECK_MAX_VILLAGES);
    int rc = check_chains(db, &c);
    if (rc == 0)
        rc = check_heads(db, &c);
    if (rc == 0)
        rc = check_accounts(db, &c, fold_sums(&c.sums));
    vec_free(&c.sums);
    vec_free(&c.tails);
    r->problems += c.bad;
    return rc ? rc : c.bad ? ERR_INVALID : 0;
}
