/* test_store.c — the store on SQLite and (when JICENG_TEST_PG names a throwaway server) on
 * PostgreSQL: migrations apply once, values round-trip, constraint violations map to
 * ERR_CONFLICT, and in a group commit a failing write rolls back alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "store/migrate.h"
#include "store/store.h"

static char url[512]; /* "" for SQLite */
static char data_dir[256];

static int open_store(store_t **s)
{
    err_t e = {0};
    return store_open(data_dir, url[0] ? url : NULL, 2, s, &e);
}

static void migrations_apply_once(void **state)
{
    (void)state;
    store_t *s = NULL;
    assert_int_equal(open_store(&s), 0);
    db_t *db = store_reader(s, 0);
    int64_t v = 0;
    int found = 0;
    static const char SQL[] = "SELECT MAX(version) FROM schema_migrations";
    assert_int_equal(db_one_i64(db, SQL, &v, &found), 0);
    assert_int_equal(v, migrate_latest());
    store_close(s);
    /* A second open finds nothing to do. */
    assert_int_equal(open_store(&s), 0);
    db = store_reader(s, 1);
    int applied = -1;
    err_t e = {0};
    if (url[0]) {
        assert_int_equal(migrate_run(db, &applied, &e), 0);
        assert_int_equal(applied, 0);
    }
    static const char SQL_N[] = "SELECT COUNT(*) FROM schema_migrations";
    assert_int_equal(db_one_i64(db, SQL_N, &v, &found), 0);
    assert_int_equal(v, migrate_latest());
    store_close(s);
}

typedef struct {
    int n;
    int fail;
} job_arg_t;

static const char SQL_INS[] =
    "INSERT INTO regions (county, code, parent_code, name, level, created_at)"
    " VALUES ('990000', ?, NULL, ?, 7, ?)";

static int insert_job(db_t *db, void *arg, err_t *e)
{
    job_arg_t *a = arg;
    char code[32];
    snprintf(code, sizeof code, "99000000000000%03d", a->n);
    int rc = db_run(db, SQL_INS, S(code), S("测试楼"), I((int64_t)a->n));
    if (rc == 0 && a->fail)
        return err_set(e, ERR_INVALID, "invalid", "故意失败", NULL); /* after writing */
    return rc;
}

static void roundtrip_and_conflict(void **state)
{
    (void)state;
    store_t *s = NULL;
    assert_int_equal(open_store(&s), 0);
    job_arg_t a = {.n = 900};
    err_t e = {0};
    assert_int_equal(store_write(s, 0, insert_job, &a, &e), 0);
    /* The same key again is a conflict, not an I/O error. */
    assert_int_equal(store_write(s, 0, insert_job, &a, &e), ERR_CONFLICT);
    static const char SQL_GET[] =
        "SELECT name, level, parent_code, created_at FROM regions WHERE code = ?";
    db_stmt_t *st = db_query(store_reader(s, 0), SQL_GET, S("99000000000000900"));
    assert_non_null(st);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_col_text(st, 0), "测试楼");
    assert_int_equal(db_col_i64(st, 1), 7);
    assert_true(db_col_isnull(st, 2));
    assert_null(db_col_text(st, 2));
    assert_int_equal(db_col_i64(st, 3), 900);
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);
    store_close(s);
}

static int finished;
static void count_done(store_job_t *job)
{
    (void)job;
    __atomic_add_fetch(&finished, 1, __ATOMIC_SEQ_CST);
}

static void failing_write_rolls_back_alone(void **state)
{
    (void)state;
    store_t *s = NULL;
    assert_int_equal(open_store(&s), 0);
    enum { N = 60 };
    static job_arg_t args[N];
    static store_job_t jobs[N];
    finished = 0;
    for (int i = 0; i < N; i++) {
        args[i] = (job_arg_t){.n = i, .fail = i % 7 == 3};
        jobs[i] = (store_job_t){.fn = insert_job, .arg = &args[i], .done = count_done};
        store_submit(s, i % 2, &jobs[i]);
    }
    for (int i = 0; i < 500 && __atomic_load_n(&finished, __ATOMIC_SEQ_CST) < N; i++)
        usleep(10000);
    assert_int_equal(finished, N);
    int failed = 0;
    for (int i = 0; i < N; i++) {
        if (args[i].fail) {
            assert_int_equal(jobs[i].rc, ERR_INVALID);
            assert_string_equal(jobs[i].err.message, "故意失败");
            failed++;
        } else {
            assert_int_equal(jobs[i].rc, 0);
        }
    }
    int64_t n = 0;
    int found = 0;
    static const char SQL_N[] = "SELECT COUNT(*) FROM regions WHERE code >= '99000000000000000' "
                                "AND code < '99000000000000060'";
    assert_int_equal(db_one_i64(store_reader(s, 0), SQL_N, &n, &found), 0);
    assert_int_equal(n, N - failed);
    long long writes = 0, commits = 0;
    store_stats(s, &writes, &commits);
    assert_true(writes >= N - failed);
    store_close(s);
}

static int setup_sqlite(void **state)
{
    (void)state;
    url[0] = 0;
    snprintf(data_dir, sizeof data_dir, "/tmp/jiceng-store-XXXXXX");
    return mkdtemp(data_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", data_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A fresh database on the throwaway server, so runs never see each other's rows. */
static int setup_pg(void **state)
{
    (void)state;
    const char *base = getenv("JICENG_TEST_PG");
    db_t *db = NULL;
    err_t e = {0};
    snprintf(data_dir, sizeof data_dir, "/tmp/jiceng-store-XXXXXX");
    if (!mkdtemp(data_dir) || db_open(base, 0, &db, &e) != 0)
        return -1;
    char name[32];
    snprintf(name, sizeof name, "unit_%d", (int)getpid());
    char drop[96], create[96];
    snprintf(drop, sizeof drop, "DROP DATABASE IF EXISTS %s", name);
    snprintf(create, sizeof create, "CREATE DATABASE %s", name);
    int rc = db_exec(db, drop) || db_exec(db, create);
    db_close(db);
    const char *slash = strrchr(base, '/');
    snprintf(url, sizeof url, "%.*s/%s", (int)(slash - base), base, name);
    return rc ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrations_apply_once),
        cmocka_unit_test(roundtrip_and_conflict),
        cmocka_unit_test(failing_write_rolls_back_alone),
    };
    int rc = cmocka_run_group_tests_name("store on SQLite", tests, setup_sqlite, teardown);
    if (getenv("JICENG_TEST_PG") && *getenv("JICENG_TEST_PG"))
        rc |= cmocka_run_group_tests_name("store on PostgreSQL", tests, setup_pg, teardown);
    else
        printf("JICENG_TEST_PG not set: PostgreSQL part skipped\n");
    return rc;
}
