/* test_casestats.c — the KPI counters give the same figures as counting the cases themselves.
 * Random cases in every state (deadlines before and after "now", paused, escalated with
 * deadlines moved after the event as the scheduler does, reopened, merged), changed through the
 * event hook as the application does; then, for many scopes, periods, groupings and times of
 * asking, the counters' answer must equal a scan of the cases with the definitions of
 * casestats.c. Also: `check` finds nothing, then finds a counter altered behind its back.
 * SQLite, and PostgreSQL when JICENG_TEST_PG names a throwaway server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../src/domain/cases/casestats.c"
#include "store/migrate.h"

static char data_dir[64], url[256];
static uint64_t seed = 42;

static uint32_t rnd(uint32_t n)
{
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(seed >> 33) % n;
}

static db_t *open_db(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/t.db", data_dir);
    db_t *db = NULL;
    err_t e = {0};
    int applied = 0;
    assert_int_equal(db_open(url[0] ? url : path, 0, &db, &e), 0);
    assert_int_equal(migrate_run(db, &applied, &e), 0);
    return db;
}

#define BASE 1790000000000LL /* 2026-09-21 */
#define HOUR 3600000LL
#define NCASES 600

static const char *const places[] = {
    "152531",         "152531101",      "152531101001",   "152531101002",   "152531102001",
    "15253110100101", "15253110100102", "15253110100201", "15253110200101", "15253110200102",
};
static const char *const categories[] = {"0101", "0102", "0301", "0201", "0401"};
static const char *const states[] = {"submitted", "dispatched", "accepted", "returned",
                                     "escalated", "whistle",    "resolved", "rated",
                                     "reopened",  "closed",     "merged",   "cancelled"};
static const char *const outcomes[] = {"fixed", "partly_fixed", "not_our_duty", "duplicate"};

/* A time around the data: within 12 days of BASE, to the millisecond. */
static int64_t some_time(void) { return BASE + (int64_t)rnd(12 * 24) * HOUR + rnd(3600000); }

static void maybe_i64(db_stmt_t *st, int idx, int64_t v, int null_in)
{
    if (rnd(null_in) == 0)
        db_bind_null(st, idx);
    else
        db_bind_i64(st, idx, v);
}

static const char SQL_INS[] =
    "INSERT INTO cases (county, id, region_code, category_code, source, title, description,"
    " state, outcome, rating, respond_due, complete_due, responded_at, resolved_at, paused_at,"
    " events, created_at, updated_at)"
    " VALUES ('152531',?,?,?,'resident','t','d',?,?,?,?,?,?,?,?,1,?,?)";
static const char SQL_MUTATE[] =
    "UPDATE cases SET state = ?, outcome = ?, rating = ?, respond_due = ?, complete_due = ?,"
    " responded_at = ?, resolved_at = ?, paused_at = ? WHERE county = '152531' AND id = ?";
static const char SQL_EV[] =
    "INSERT INTO case_events (county, case_id, seq, at, event, to_state) VALUES"
    " ('152531', ?, ?, ?, ?, 'reopened')";
static const char SQL_MOVE_DUES[] =
    "UPDATE cases SET respond_due = ?, complete_due = ? WHERE county = '152531' AND id = ?";

/* Random case fields bound from index `at` on: state … paused_at (8 values). */
static void bind_fields(db_stmt_t *st, int at, int64_t created)
{
    const char *state = states[rnd(12)];
    db_bind_text(st, at, state, -1);
    db_bind_text(st, at + 1, rnd(3) ? NULL : outcomes[rnd(4)], -1);
    maybe_i64(st, at + 2, 1 + rnd(5), 2);
    maybe_i64(st, at + 3, created + (int64_t)rnd(72) * HOUR, 15);
    maybe_i64(st, at + 4, created + (int64_t)rnd(240) * HOUR, 15);
    maybe_i64(st, at + 5, created + (int64_t)rnd(100) * HOUR, 2);
    maybe_i64(st, at + 6, created + (int64_t)rnd(200) * HOUR, 2);
    maybe_i64(st, at + 7, created + rnd(50) * HOUR, 4);
}

static void make_cases(db_t *db)
{
    assert_int_equal(db_begin(db), 0);
    int64_t created[NCASES];
    int seq[NCASES];
    for (int i = 0; i < NCASES; i++) {
        created[i] = some_time();
        seq[i] = 1;
        db_stmt_t *st = db_prepare(db, SQL_INS);
        assert_non_null(st);
        db_bind_i64(st, 1, 1000 + i);
        db_bind_text(st, 2, places[rnd(10)], -1);
        db_bind_text(st, 3, categories[rnd(5)], -1);
        bind_fields(st, 4, created[i]);
        db_bind_i64(st, 12, created[i]);
        db_bind_i64(st, 13, created[i]);
        assert_int_equal(db_step(st), DB_DONE);
        db_reset(st);
        assert_int_equal(casestats_case_event(db, "152531", 1000 + i, "create"), 0);
    }
    /* Events: any change of the row, reopenings, and the scheduler moving an escalated case's
     * deadlines after its event (cases_tick). */
    for (int n = 0; n < NCASES * 3; n++) {
        int i = (int)rnd(NCASES);
        int64_t id = 1000 + i;
        uint32_t what = rnd(10);
        if (what < 6) {
            db_stmt_t *st = db_prepare(db, SQL_MUTATE);
            bind_fields(st, 1, created[i]);
            db_bind_i64(st, 9, id);
            assert_int_equal(db_step(st), DB_DONE);
            db_reset(st);
            assert_int_equal(casestats_case_event(db, "152531", id, "note"), 0);
        } else if (what < 8) {
            assert_int_equal(
                db_run(db, SQL_EV, I(id), I((int64_t)++seq[i]), I(created[i]), S("reopen")), 0);
            assert_int_equal(casestats_case_event(db, "152531", id, "reopen"), 0);
        } else {
            int64_t t = some_time();
            assert_int_equal(db_run(db,
                                    "UPDATE cases SET state = 'escalated' WHERE county ="
                                    " '152531' AND id = ?",
                                    I(id)),
                             0);
            assert_int_equal(casestats_case_event(db, "152531", id, "escalate"), 0);
            assert_int_equal(db_run(db, SQL_MOVE_DUES, I(t + 24 * HOUR), I(t + 48 * HOUR), I(id)),
                             0);
        }
    }
    assert_int_equal(db_commit(db), 0);
}

static void groups_sorted(groups_t *gs)
{
    size_t n = 0;
    for (size_t i = 0; i < gs->n; i++)
        if (gs->g[i].k[K_CASES] > 0)
            gs->g[n++] = gs->g[i];
    gs->n = n;
    if (n > 1)
        qsort(gs->g, gs->n, sizeof *gs->g, by_key);
}

static int nonempty; /* comparisons where the scan found cases */

static int compare_once(db_t *db, const char *scope, int mode, int64_t from, int64_t to,
                        int64_t now)
{
    char hi[32], county[8];
    region_scope_hi(scope, hi, sizeof hi);
    snprintf(county, sizeof county, "%.6s", scope);
    query_t q = {.mode = mode,
                 .keylen = child_len(scope),
                 .scope = scope,
                 .hi = hi,
                 .county = county,
                 .now = now};
    groups_t a = {0}, b = {0};
    assert_int_equal(kpi_counted(db, &q, from, to, &a), 0);
    assert_int_equal(drain(db_query(db, SQL_SCAN, I((int64_t)mode), I((int64_t)q.keylen), I(now),
                                    I(now), I(now), S(scope), S(hi), I(from), I(to)),
                           &b, add_scanned),
                     0);
    groups_sorted(&a);
    groups_sorted(&b);
    nonempty += b.n > 0;
    int same = a.n == b.n;
    for (size_t i = 0; same && i < a.n; i++)
        same =
            strcmp(a.g[i].key, b.g[i].key) == 0 && memcmp(a.g[i].k, b.g[i].k, sizeof a.g[i].k) == 0;
    if (!same) {
        printf("differ: scope %s mode %d from %lld to %lld now %lld\n", scope, mode,
               (long long)from, (long long)to, (long long)now);
        for (size_t i = 0; i < a.n || i < b.n; i++) {
            printf("  counters %s:", i < a.n ? a.g[i].key : "-");
            for (int k = 0; i < a.n && k < NK; k++)
                printf(" %lld", (long long)a.g[i].k[k]);
            printf("\n  scan     %s:", i < b.n ? b.g[i].key : "-");
            for (int k = 0; i < b.n && k < NK; k++)
                printf(" %lld", (long long)b.g[i].k[k]);
            printf("\n");
        }
    }
    free(a.g);
    free(b.g);
    return same;
}

static void counters_equal_a_scan(void **state)
{
    (void)state;
    db_t *db = open_db();
    make_cases(db);
    static const char *const scopes[] = {"152531",         "152531101",    "152531102",
                                         "152531101001",   "152531102001", "15253110100101",
                                         "15253110200102", "152531999",    "150000"};
    int bad = 0, runs = 0;
    for (int r = 0; r < 300; r++) {
        const char *scope = scopes[rnd(8)];
        int mode = (int)rnd(3);
        int64_t from, to;
        switch (rnd(4)) {
        case 0: /* whole days in Asia/Shanghai */
            from = (BASE / DAY_MS + rnd(6)) * DAY_MS - TZ_MS;
            to = from + (int64_t)(1 + rnd(8)) * DAY_MS;
            break;
        case 1: /* within one day */
            from = some_time();
            to = from + rnd(20) * HOUR + 1;
            break;
        default: /* ragged ends */
            from = some_time() - 3 * DAY_MS;
            to = some_time() + 3 * DAY_MS;
            if (to <= from)
                to = from + 1;
        }
        int64_t now = some_time() + (int64_t)rnd(5) * DAY_MS - 2 * DAY_MS;
        bad += !compare_once(db, scope, mode, from, to, now);
        runs++;
    }
    printf("%d comparisons (%d with cases), %d differ\n", runs, nonempty, bad);
    assert_int_equal(bad, 0);
    assert_true(nonempty > runs / 2);

    /* The overdue list through the open-deadline index is the list a scan gives. */
    for (int r = 0; r < 40; r++) {
        const char *scope = scopes[rnd(7)];
        char hi[32];
        region_scope_hi(scope, hi, sizeof hi);
        int64_t now = some_time();
        db_stmt_t *a = db_query(db, SQL_OVERDUE, S("152531"), I(now), S(scope), S(hi));
        int64_t ids[2][20];
        int n[2] = {0, 0};
        while (db_step(a) == DB_ROW)
            ids[0][n[0]++] = db_col_i64(a, 0);
        db_reset(a);
        db_stmt_t *b = db_query(db, SQL_OVERDUE_ANY, S(scope), S(hi), I(now));
        while (db_step(b) == DB_ROW)
            ids[1][n[1]++] = db_col_i64(b, 0);
        db_reset(b);
        assert_int_equal(n[0], n[1]);
        assert_memory_equal(ids[0], ids[1], sizeof(int64_t) * (size_t)n[0]);
    }

    long checked = 0, problems = 0;
    assert_int_equal(casestats_check(db, &checked, &problems), 0);
    assert_int_equal(problems, 0);
    assert_true(checked >= NCASES);
    /* Altered behind the counters' back: check says so. */
    assert_int_equal(db_run(db, "UPDATE case_counters SET resolved = resolved + 1 WHERE depth = 9"
                                " AND node = '152531101'"),
                     0);
    assert_int_equal(db_run(db, "UPDATE cases SET rating = 5 WHERE county = '152531'"
                                " AND id = 1001"),
                     0);
    problems = 0;
    assert_int_equal(casestats_check(db, &checked, &problems), 0);
    assert_true(problems >= 2);
    db_close(db);
}

static int setup_sqlite(void **state)
{
    (void)state;
    url[0] = 0;
    snprintf(data_dir, sizeof data_dir, "/tmp/jiceng-casestats-XXXXXX");
    return mkdtemp(data_dir) ? 0 : -1;
}

static int setup_pg(void **state)
{
    (void)state;
    const char *base = getenv("JICENG_TEST_PG");
    db_t *db = NULL;
    err_t e = {0};
    snprintf(data_dir, sizeof data_dir, "/tmp/jiceng-casestats-XXXXXX");
    if (!mkdtemp(data_dir) || db_open(base, 0, &db, &e) != 0)
        return -1;
    char name[32], drop[96], create[96];
    snprintf(name, sizeof name, "unit_cs_%d", (int)getpid());
    snprintf(drop, sizeof drop, "DROP DATABASE IF EXISTS %s", name);
    snprintf(create, sizeof create, "CREATE DATABASE %s", name);
    int rc = db_exec(db, drop) || db_exec(db, create);
    db_close(db);
    const char *slash = strrchr(base, '/');
    snprintf(url, sizeof url, "%.*s/%s", (int)(slash - base), base, name);
    return rc ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", data_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counters_equal_a_scan),
    };
    int rc = cmocka_run_group_tests_name("case counters on SQLite", tests, setup_sqlite, teardown);
    if (getenv("JICENG_TEST_PG") && *getenv("JICENG_TEST_PG")) {
        seed = 42;
        nonempty = 0;
        rc |= cmocka_run_group_tests_name("case counters on PostgreSQL", tests, setup_pg, teardown);
    } else {
        printf("JICENG_TEST_PG not set: PostgreSQL part skipped\n");
    }
    return rc;
}
