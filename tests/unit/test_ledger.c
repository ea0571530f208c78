/* test_ledger.c — the points ledger (issue 4): China-time years, the entry hash, postings with
 * balances, honour, budget and the no-negative rule, and the check finding rows changed,
 * removed or added behind the application's back, and failing (not passing) when it cannot
 * read. SQLite in a temporary directory. */
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "domain/points/points.h"
#include "lib/idgen.h"
#include "store/store.h"

#define V "152224102218"      /* 明星村 */
#define Y2026 1767196800000LL /* 2026-01-01 00:00 China time = 2025-12-31T16:00Z */

static void years(void **state)
{
    (void)state;
    assert_int_equal(ledger_year_start(2026), Y2026);
    assert_int_equal(ledger_year_of(Y2026), 2026);
    assert_int_equal(ledger_year_of(Y2026 - 1), 2025); /* 23:59:59.999 on New Year's Eve */
    assert_int_equal(ledger_year_of(ledger_year_start(2025)), 2025);
    assert_int_equal(ledger_year_start(2025), Y2026 - 365LL * 86400000);
    assert_int_equal(ledger_year_start(2029) - ledger_year_start(2028),
                     366LL * 86400000); /* leap */
    assert_int_equal(ledger_year_of(0), 1970);
}

static void hash_covers_every_field(void **state)
{
    (void)state;
    char a[65], b[65];
    ledger_hash("", V, 1, 10, 20, "award", 5, 5, 3, 0, 0, NULL, NULL, "r", NULL, 7, 1000, a);
    ledger_hash("", V, 1, 10, 20, "award", 5, 5, 3, 0, 0, NULL, NULL, "r", NULL, 7, 1000, b);
    assert_string_equal(a, b);
    assert_int_equal(strlen(a), 64);
    ledger_hash("", V, 1, 10, 20, "award", 6, 5, 3, 0, 0, NULL, NULL, "r", NULL, 7, 1000, b);
    assert_string_not_equal(a, b);
    ledger_hash("x", V, 1, 10, 20, "award", 5, 5, 3, 0, 0, NULL, NULL, "r", NULL, 7, 1000, b);
    assert_string_not_equal(a, b);
    ledger_hash("", V, 1, 10, 20, "award", 5, 5, 3, 0, 0, NULL, NULL, "r", NULL, 7, 1001, b);
    assert_string_not_equal(a, b);
    /* Texts are length-prefixed: moving a separator between fields changes the hash. */
    ledger_hash("", V, 1, 10, 20, "award", 5, 5, 3, 0, 0, "a|b", "c", NULL, NULL, 7, 1000, a);
    ledger_hash("", V, 1, 10, 20, "award", 5, 5, 3, 0, 0, "a", "b|c", NULL, NULL, 7, 1000, b);
    assert_string_not_equal(a, b);
}

static char dir[] = "/tmp/jiceng-ledger-XXXXXX";
static store_t *store;

/* Writes go through the store's writer, as in the server. */
typedef struct {
    const char *sql;
    int64_t arg;
} sql_job_t;

static int sql_job(db_t *db, void *arg, err_t *e)
{
    (void)e;
    sql_job_t *j = arg;
    return j->arg ? db_run(db, j->sql, I(j->arg)) : db_run(db, j->sql);
}

static int exec_sql(const char *sql, int64_t arg)
{
    sql_job_t j = {sql, arg};
    err_t e = {0};
    return store_write(store, 0, sql_job, &j, &e);
}

static int post_job(db_t *db, void *arg, err_t *e) { return ledger_post(db, arg, e); }

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    err_t e = {0};
    if (store_open(dir, NULL, 1, &store, &e) != 0)
        return -1;
    return exec_sql("INSERT INTO points_settings (village_code, county, fen_per_point,"
                    " updated_at) VALUES ('" V "', '152224', 100, 0)",
                    0) ||
           exec_sql("INSERT INTO points_budgets (village_code, year, budget_fen)"
                    " VALUES ('" V "', 2026, 10000)",
                    0); /* 100 yuan: 100 points */
}

static int teardown(void **state)
{
    (void)state;
    store_close(store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

static int post(const char *kind, int64_t household, int64_t points, int64_t honour, int64_t at,
                err_t *e)
{
    ledger_post_t p = {.village = V,
                       .household_id = household,
                       .kind = kind,
                       .points = points,
                       .honour = honour,
                       .actor_id = 1,
                       .actor_name = "测试",
                       .at = at,
                       .reason = "单元测试"};
    return store_write(store, 0, post_job, &p, e);
}

static int64_t one(const char *sql, int64_t arg)
{
    int64_t v = -1;
    int found = 0;
    db_one_i64(store_reader(store, 0), sql, &v, &found, I(arg));
    return v;
}

static void postings_balance_and_budget(void **state)
{
    (void)state;
    err_t e = {0};
    int64_t t = Y2026 + 86400000;
    assert_int_equal(post("award", 501, 60, 60, t, &e), 0);
    assert_int_equal(post("award", 502, 30, 30, t + 1, &e), 0);
    /* 90 of 100 issued: 11 more would cross the budget. */
    assert_int_equal(post("award", 501, 11, 11, t + 2, &e), ERR_CONFLICT);
    assert_string_equal(e.code, "budget_exceeded");
    assert_non_null(strstr(e.message, "剩余 10 分"));
    assert_int_equal(post("award", 501, 10, 10, t + 3, &e), 0);
    /* Spending lowers the balance, never the honour; never below zero. */
    assert_int_equal(post("redemption", 501, -50, 0, t + 4, &e), 0);
    assert_int_equal(post("redemption", 502, -31, 0, t + 5, &e), ERR_CONFLICT);
    assert_string_equal(e.code, "insufficient_points");
    assert_int_equal(one("SELECT balance FROM points_accounts WHERE household_id = ?", 501), 20);
    assert_int_equal(one("SELECT honour FROM points_accounts WHERE household_id = ?", 501), 70);
    /* A negative award (a deduction) is not budget; next year has no budget at all. */
    assert_int_equal(post("award", 502, -5, -5, t + 6, &e), 0);
    assert_int_equal(post("award", 502, 1, 1, ledger_year_start(2027) + 5, &e), ERR_CONFLICT);
    assert_string_equal(e.code, "no_budget");
    int64_t issued = 0;
    assert_int_equal(ledger_issued_in_year(store_reader(store, 0), V, t, &issued), 0);
    assert_int_equal(issued, 100);
    /* A village without settings posts nothing. */
    ledger_post_t p = {.village = "152224999999",
                       .household_id = 9,
                       .kind = "award",
                       .points = 1,
                       .honour = 1,
                       .at = t};
    assert_int_equal(store_write(store, 0, post_job, &p, &e), ERR_INVALID);
    assert_int_equal(one("SELECT last_seq FROM points_settings WHERE fen_per_point = ?", 100), 5);
}

/* A check that cannot read does not pass (check.h: fail closed): with one of the tables it reads
 * renamed away, it reports a failure and counts a problem, never "0 problems". Both ways a read
 * can fail: the reader's statements were prepared by an earlier check (the step fails), and a
 * new connection prepares them afresh (the prepare fails). */
static void check_fails_closed(void **state)
{
    (void)state;
    static const char *const away[] = {
        "ALTER TABLE points_entries RENAME TO points_entries_gone",
        "ALTER TABLE points_settings RENAME TO points_settings_gone",
        "ALTER TABLE points_accounts RENAME TO points_accounts_gone",
    };
    static const char *const back[] = {
        "ALTER TABLE points_entries_gone RENAME TO points_entries",
        "ALTER TABLE points_settings_gone RENAME TO points_settings",
        "ALTER TABLE points_accounts_gone RENAME TO points_accounts",
    };
    db_t *db = store_reader(store, 0);
    check_report_t r = {0};
    assert_int_equal(ledger_check(db, &r), 0); /* all three statements prepared, and it passes */
    assert_int_equal(r.problems, 0);
    char path[64];
    snprintf(path, sizeof path, "%s/jiceng.db", dir);
    for (size_t i = 0; i < sizeof away / sizeof away[0]; i++) {
        assert_int_equal(exec_sql(away[i], 0), 0);
        r = (check_report_t){0};
        int rc = ledger_check(db, &r);
        assert_int_not_equal(rc, 0);
        assert_int_not_equal(rc, ERR_INVALID); /* not a mismatch: it could not read */
        assert_true(r.problems >= 1);
        db_t *fresh = NULL;
        err_t e = {0};
        assert_int_equal(db_open(path, 1, &fresh, &e), 0);
        r = (check_report_t){0};
        rc = ledger_check(fresh, &r);
        assert_int_not_equal(rc, 0);
        assert_true(r.problems >= 1);
        db_close(fresh);
        assert_int_equal(exec_sql(back[i], 0), 0);
        r = (check_report_t){0};
        assert_int_equal(ledger_check(db, &r), 0); /* put back, it passes again */
        assert_int_equal(r.problems, 0);
    }
}

static void check_finds_tampering(void **state)
{
    (void)state;
    db_t *db = store_reader(store, 0);
    check_report_t r = {0};
    assert_int_equal(ledger_check(db, &r), 0);
    assert_int_equal(r.problems, 0);
    assert_true(r.checked >= 5);
    /* Someone edits an entry's points in the database: found, and the account no longer adds up. */
    assert_int_equal(exec_sql("UPDATE points_entries SET points = 600 WHERE seq = ?", 1), 0);
    r = (check_report_t){0};
    assert_int_equal(ledger_check(db, &r), ERR_INVALID);
    assert_true(r.problems >= 2);
    assert_int_equal(exec_sql("UPDATE points_entries SET points = 60 WHERE seq = ?", 1), 0);
    r = (check_report_t){0};
    assert_int_equal(ledger_check(db, &r), 0);
    /* A balance nudged without an entry. */
    assert_int_equal(exec_sql("UPDATE points_accounts SET balance = balance + 1"
                              " WHERE household_id = ?",
                              502),
                     0);
    r = (check_report_t){0};
    assert_int_equal(ledger_check(db, &r), ERR_INVALID);
    assert_int_equal(r.problems, 1);
    assert_int_equal(exec_sql("UPDATE points_accounts SET balance = balance - 1"
                              " WHERE household_id = ?",
                              502),
                     0);
    /* The last entry deleted: the chain head no longer matches. */
    assert_int_equal(exec_sql("DELETE FROM points_entries WHERE seq = ?", 5), 0);
    r = (check_report_t){0};
    assert_int_equal(ledger_check(db, &r), ERR_INVALID);
    assert_true(r.problems >= 1);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    idgen_init(0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(years),
        cmocka_unit_test(hash_covers_every_field),
        cmocka_unit_test(postings_balance_and_budget),
        cmocka_unit_test(check_fails_closed),
        cmocka_unit_test(check_finds_tampering),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
