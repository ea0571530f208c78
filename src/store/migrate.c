/* migrate.c — embedded migrations (the .sql files are pulled in with .incbin at build time). */
#include "store/migrate.h"
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"

/* JICENG_ROOT is the source tree (the Makefile passes it) so .incbin finds the files wherever the
 * compiler runs. */
#ifndef JICENG_ROOT
#define JICENG_ROOT "."
#endif
#define EMBED(sym, file)                                                                           \
    __asm__(".section .rodata\n.global " #sym "\n.balign 8\n" #sym ":\n.incbin \"" JICENG_ROOT     \
            "/" file "\"\n.byte 0\n.previous\n");                                                  \
    extern const char sym[]

EMBED(jiceng_mig_001, "src/store/migrations/001_init.sql");
EMBED(jiceng_mig_002, "src/store/migrations/002_previous_login.sql");
EMBED(jiceng_mig_003, "src/store/migrations/003_cases.sql");
EMBED(jiceng_mig_004, "src/store/migrations/004_api_keys.sql");
EMBED(jiceng_mig_005, "src/store/migrations/005_grid_bounds.sql");
EMBED(jiceng_mig_006, "src/store/migrations/006_whistle.sql");
EMBED(jiceng_mig_007, "src/store/migrations/007_inbox.sql");
EMBED(jiceng_mig_008, "src/store/migrations/008_reminders.sql");
EMBED(jiceng_mig_009, "src/store/migrations/009_photos.sql");
EMBED(jiceng_mig_010, "src/store/migrations/010_outbox.sql");
EMBED(jiceng_mig_011, "src/store/migrations/011_case_counters.sql");
EMBED(jiceng_mig_012, "src/store/migrations/012_part_overdue.sql");
EMBED(jiceng_mig_013, "src/store/migrations/013_handler.sql");
EMBED(jiceng_mig_014, "src/store/migrations/014_points.sql");
EMBED(jiceng_mig_015, "src/store/migrations/015_accounts.sql");
EMBED(jiceng_mig_016, "src/store/migrations/016_handover_guard.sql");
EMBED(jiceng_mig_017, "src/store/migrations/017_county_settings.sql");
EMBED(jiceng_mig_018, "src/store/migrations/018_whistle_tasks.sql");
EMBED(jiceng_mig_021, "src/store/migrations/021_dept_stats.sql");
EMBED(jiceng_mig_023, "src/store/migrations/023_department_paths.sql");

static const struct {
    int version;
    const char *name;
    const char *sql;
} migrations[] = {
    {1, "001_init", jiceng_mig_001},
    {2, "002_previous_login", jiceng_mig_002},
    {3, "003_cases", jiceng_mig_003},
    {4, "004_api_keys", jiceng_mig_004},
    {5, "005_grid_bounds", jiceng_mig_005},
    {6, "006_whistle", jiceng_mig_006},
    {7, "007_inbox", jiceng_mig_007},
    {8, "008_reminders", jiceng_mig_008},
    {9, "009_photos", jiceng_mig_009},
    {10, "010_outbox", jiceng_mig_010},
    {11, "011_case_counters", jiceng_mig_011},
    {12, "012_part_overdue", jiceng_mig_012},
    {13, "013_handler", jiceng_mig_013},
    {14, "014_points", jiceng_mig_014},
    {15, "015_accounts", jiceng_mig_015},
    {16, "016_handover_guard", jiceng_mig_016},
    {17, "017_county_settings", jiceng_mig_017},
    {18, "018_whistle_tasks", jiceng_mig_018},
    {21, "021_dept_stats", jiceng_mig_021},
    {23, "023_department_paths", jiceng_mig_023},
};
static const int nmigrations = sizeof migrations / sizeof migrations[0];

int migrate_latest(void) { return migrations[nmigrations - 1].version; }

/* Replace the markers for the engine (see marks[]): the collation marker (text compared
 * bytewise: COLLATE "C" on PostgreSQL) and the WITHOUT ROWID marker (a table clustered on its
 * primary key: SQLite only, PostgreSQL has no such clause). Caller frees. */
static char *for_engine(const char *sql, int engine)
{
    static const struct {
        const char *mark, *pg, *sqlite;
    } marks[] = {
        {"/*C*/", " COLLATE \"C\"", ""},
        {"/*WITHOUT ROWID*/", "", " WITHOUT ROWID"},
    };
    size_t n = strlen(sql);
    char *out = log_check_alloc(malloc(n * 3 + 1)); /* no replacement is 3x its marker */
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        while (k < sizeof marks / sizeof marks[0] &&
               strncmp(sql + i, marks[k].mark, strlen(marks[k].mark)) != 0)
            k++;
        if (k < sizeof marks / sizeof marks[0]) {
            const char *repl = engine == DB_PG ? marks[k].pg : marks[k].sqlite;
            memcpy(out + o, repl, strlen(repl));
            o += strlen(repl);
            i += strlen(marks[k].mark);
        } else {
            out[o++] = sql[i++];
        }
    }
    out[o] = 0;
    return out;
}

static const char SQL_CREATE[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                 " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                                 " applied_at BIGINT NOT NULL)";
static const char SQL_HAVE[] = "SELECT COUNT(*) FROM schema_migrations WHERE version = ?";
static const char SQL_RECORD[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";

#include <time.h>
static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int migrate_run(db_t *db, int *applied, err_t *e)
{
    int rc = 0, count = 0;
    if (db_exec(db, SQL_CREATE) != 0)
        return err_set(e, ERR_IO, "migrate", "无法创建迁移记录表", NULL);
    for (int i = 0; i < nmigrations; i++) {
        int64_t have = 0;
        int found = 0;
        if ((rc = db_begin(db)) != 0)
            break;
        /* Look inside the transaction so two instances starting together on PostgreSQL do not
         * both apply it (the second fails on the primary key and rolls back). Each migration
         * is looked up by its own number, not against the highest applied: migrations written
         * side by side on branches may be merged out of order (016 before 015), and a database
         * that already has 016 must still get 015. */
        rc = db_one_i64(db, SQL_HAVE, &have, &found, I((int64_t)migrations[i].version));
        if (rc == 0 && have == 0) {
            char *sql = for_engine(migrations[i].sql, db_engine(db));
            rc = db_exec(db, sql);
            free(sql);
            if (rc == 0)
                rc = db_run(db, SQL_RECORD, I((int64_t)migrations[i].version),
                            S(migrations[i].name), I(now_ms()));
            if (rc == 0)
                count++;
        }
        if (rc == 0)
            rc = db_commit(db);
        if (rc != 0) {
            db_rollback(db);
            log_error("migration %s failed: %s", migrations[i].name, db_errmsg(db));
            err_set(e, ERR_IO, "migrate", "数据库迁移失败", NULL);
            break;
        }
    }
    if (applied)
        *applied = count;
    return rc;
}
