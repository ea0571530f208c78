/* test_store.c — the store on SQLite and (when JICENG_TEST_PG names a throwaway server) on
 * PostgreSQL: migrations apply once, by their own number (also one below the highest), values
 * round-trip, constraint violations map to ERR_CONFLICT, and in a group commit a failing write
 * rolls back alone. SQLite only: a group whose transaction SQLite rolled back reports every job
 * as the database holds it; storage full is ERR_FULL and not ready until a write succeeds; a
 * read-only store changes nothing. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
    assert_int_equal(v, migrate_count());
    store_close(s);
}

/* Migration numbers may arrive out of order (015 merged after 017): a migration runs when its own
 * number is not recorded, even below the highest one. 014 is all IF NOT EXISTS, so it may run
 * again on a database that has its tables. */
static void migration_below_the_highest_still_runs(void **state)
{
    (void)state;
    store_t *s = NULL;
    assert_int_equal(open_store(&s), 0);
    store_close(s);
    char path[320];
    snprintf(path, sizeof path, "%s/jiceng.db", data_dir);
    db_t *db = NULL;
    err_t e = {0};
    assert_int_equal(db_open(url[0] ? url : path, 0, &db, &e), 0);
    assert_int_equal(db_exec(db, "DELETE FROM schema_migrations WHERE version = 14"), 0);
    int applied = -1;
    assert_int_equal(migrate_run(db, &applied, &e), 0);
    assert_int_equal(applied, 1);
    int64_t v = 0;
    int found = 0;
    static const char SQL_14[] = "SELECT COUNT(*) FROM schema_migrations WHERE version = 14";
    assert_int_equal(db_one_i64(db, SQL_14, &v, &found), 0);
    assert_int_equal(v, 1);
    static const char SQL_N[] = "SELECT COUNT(*) FROM schema_migrations";
    assert_int_equal(db_one_i64(db, SQL_N, &v, &found), 0);
    assert_int_equal(v, migrate_count());
    db_close(db);
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

/* ---------- SQLite only: a group whose transaction is lost, storage full, read-only ---------- */

/* A job that holds the writer until released, so that the jobs queued meanwhile form one group. */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_entered;

static int gate_job(db_t *db, void *arg, err_t *e)
{
    (void)db, (void)arg, (void)e;
    pthread_mutex_lock(&gate_mu);
    gate_entered = 1;
    pthread_cond_broadcast(&gate_cv);
    while (!gate_open)
        pthread_cond_wait(&gate_cv, &gate_mu);
    pthread_mutex_unlock(&gate_mu);
    return 0;
}

/* Queue jobs[0..n) as one group behind a gate, run them, wait for every outcome. */
static void run_as_group(store_t *s, store_job_t *jobs, int n)
{
    static store_job_t gate;
    gate = (store_job_t){.fn = gate_job, .done = count_done};
    finished = 0;
    gate_open = gate_entered = 0;
    store_submit(s, 0, &gate);
    pthread_mutex_lock(&gate_mu);
    while (!gate_entered)
        pthread_cond_wait(&gate_cv, &gate_mu);
    pthread_mutex_unlock(&gate_mu);
    for (int i = 0; i < n; i++) {
        jobs[i].done = count_done;
        store_submit(s, 0, &jobs[i]);
    }
    pthread_mutex_lock(&gate_mu);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_mu);
    for (int i = 0; i < 500 && __atomic_load_n(&finished, __ATOMIC_SEQ_CST) < n + 1; i++)
        usleep(10000);
    assert_int_equal(finished, n + 1);
}

static int row_present(store_t *s, int n)
{
    char code[32];
    snprintf(code, sizeof code, "99000000000000%03d", n);
    int64_t v = 0;
    int found = 0;
    static const char SQL[] = "SELECT 1 FROM regions WHERE code = ?";
    assert_int_equal(db_one_i64(store_reader(s, 0), SQL, &v, &found, S(code)), 0);
    return found;
}

/* What SQLite does on SQLITE_FULL (or IOERR, NOMEM) at the wrong moment: the whole transaction
 * is rolled back under the writer's feet, and the job reports an I/O error. */
static int lose_transaction(db_t *db, void *arg, err_t *e)
{
    (void)arg, (void)e;
    db_exec(db, "ROLLBACK");
    return ERR_IO;
}

/* Every job's outcome is what the database holds: the jobs the lost transaction undid are
 * reported failed, and those after it are not run (outside a transaction each would commit on
 * its own while the group is reported failed). */
static void lost_transaction_fails_the_group(void **state)
{
    (void)state;
    store_t *s = NULL;
    assert_int_equal(open_store(&s), 0);
    static job_arg_t a1 = {.n = 101}, a3 = {.n = 103}, a4 = {.n = 104};
    store_job_t jobs[3] = {
        {.fn = insert_job, .arg = &a1}, {.fn = lose_transaction}, {.fn = insert_job, .arg = &a3}};
    run_as_group(s, jobs, 3);
    for (int i = 0; i < 3; i++)
        assert_int_not_equal(jobs[i].rc, 0);
    assert_false(row_present(s, 101));
    assert_false(row_present(s, 103));
    /* and the writer goes on */
    err_t e = {0};
    assert_int_equal(store_write(s, 0, insert_job, &a4, &e), 0);
    assert_true(row_present(s, 104));
    assert_int_equal(store_ready(s, 0), 0);
    store_close(s);
}

static int exec_job(db_t *db, void *arg, err_t *e)
{
    (void)e;
    return db_exec(db, arg);
}

/* A write that hits storage full, whatever the domain makes of the error (here ERR_IO). */
static int big_insert(db_t *db, void *arg, err_t *e)
{
    (void)arg;
    static char big[200000];
    memset(big, 'x', sizeof big - 1);
    int rc = db_run(db, SQL_INS, S("99000000000000200"), S(big), I(200));
    return rc ? err_set(e, ERR_IO, "io", "写入失败", NULL) : 0;
}

/* SQLite's max_page_count gives SQLITE_FULL as a full disk does: the write fails with ERR_FULL
 * "storage_full" (507), the store is not ready, and it turns ready again by itself once there is
 * room, without any client write. */
static void storage_full_refused_then_ready_again(void **state)
{
    (void)state;
    store_t *s = NULL;
    assert_int_equal(open_store(&s), 0);
    int64_t pages = 0;
    int found = 0;
    static const char SQL_PAGES[] = "PRAGMA page_count";
    assert_int_equal(db_one_i64(store_reader(s, 0), SQL_PAGES, &pages, &found), 0);
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA max_page_count = %lld", (long long)pages);
    err_t e = {0};
    assert_int_equal(store_write(s, 0, exec_job, pragma, &e), 0);
    assert_int_equal(store_ready(s, 0), 0);

    e = (err_t){0};
    assert_int_equal(store_write(s, 0, big_insert, NULL, &e), ERR_FULL);
    assert_string_equal(e.code, "storage_full");
    assert_non_null(strstr(e.message, "存储空间已满"));
    assert_false(row_present(s, 200));
    assert_int_equal(store_ready(s, 0), ERR_FULL);

    /* A commit that writes nothing proves nothing: still full. */
    assert_int_equal(store_write(s, 0, exec_job, "PRAGMA max_page_count = 1000000", &e), 0);
    assert_int_equal(store_ready(s, 0), ERR_FULL);
    /* store_ready's own write (at most once a second) finds the room. */
    int rc = ERR_FULL;
    for (int i = 0; i < 50 && rc != 0; i++) {
        usleep(100000);
        rc = store_ready(s, 0);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(store_write(s, 0, big_insert, NULL, &e), 0);
    store_close(s);
}

/* A read-only store reads, refuses writes, and leaves the files as they were. */
static void readonly_store_changes_nothing(void **state)
{
    (void)state;
    store_t *s = NULL;
    assert_int_equal(open_store(&s), 0);
    store_close(s);
    char path[320], wal[330];
    snprintf(path, sizeof path, "%s/jiceng.db", data_dir);
    snprintf(wal, sizeof wal, "%s-wal", path);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    err_t e = {0};
    assert_int_equal(store_open_readonly(data_dir, NULL, 1, &s, &e), 0);
    int64_t v = 0;
    int found = 0;
    static const char SQL[] = "SELECT COUNT(*) FROM schema_migrations";
    assert_int_equal(db_one_i64(store_reader(s, 0), SQL, &v, &found), 0);
    assert_int_equal(v, migrate_count());
    job_arg_t a = {.n = 300};
    assert_int_equal(store_write(s, 0, insert_job, &a, &e), ERR_IO);
    store_close(s);
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(before.st_mtime, after.st_mtime);
    assert_int_equal(before.st_size, after.st_size);
    assert_true(stat(wal, &after) != 0 || after.st_size == 0);
    /* A missing database is an error, not a new file. */
    char empty[300];
    snprintf(empty, sizeof empty, "%s/none", data_dir);
    assert_int_equal(store_open_readonly(empty, NULL, 1, &s, &e), ERR_IO);
    assert_int_not_equal(access(empty, F_OK), 0);
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
        cmocka_unit_test(migration_below_the_highest_still_runs),
        cmocka_unit_test(roundtrip_and_conflict),
        cmocka_unit_test(failing_write_rolls_back_alone),
    };
    const struct CMUnitTest sqlite_only[] = {
        cmocka_unit_test(lost_transaction_fails_the_group),
        cmocka_unit_test(storage_full_refused_then_ready_again),
        cmocka_unit_test(readonly_store_changes_nothing),
    };
    int rc = cmocka_run_group_tests_name("store on SQLite", tests, setup_sqlite, teardown);
    rc |= cmocka_run_group_tests_name("store on SQLite: lost transaction, storage full, read-only",
                                      sqlite_only, setup_sqlite, teardown);
    if (getenv("JICENG_TEST_PG") && *getenv("JICENG_TEST_PG"))
        rc |= cmocka_run_group_tests_name("store on PostgreSQL", tests, setup_pg, teardown);
    else
        printf("JICENG_TEST_PG not set: PostgreSQL part skipped\n");
    return rc;
}
