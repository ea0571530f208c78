/* sqlite.c — the SQLite engine of db.h. WAL, synchronous=FULL, mmap for readers. */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "store/dbint.h"

typedef struct {
    db_stmt_head_t h; /* must be first: see dbint.h */
    sqlite3_stmt *s;
} sq_stmt_t;

typedef struct {
    db_t base;
    sqlite3 *h;
} sq_db_t;

static const db_ops_t sq_ops;

static db_stmt_t *sq_prepare(db_t *db, const char *sql)
{
    sq_stmt_t *st = (sq_stmt_t *)db_cache_get(db, sql);
    if (st) {
        sqlite3_reset(st->s);
        sqlite3_clear_bindings(st->s);
        return (db_stmt_t *)st;
    }
    sq_db_t *d = (sq_db_t *)db;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        log_error("sqlite prepare: %s: %s", sqlite3_errmsg(d->h), sql);
        return NULL;
    }
    st = log_check_alloc(calloc(1, sizeof *st));
    st->h.db = db;
    st->h.sql = sql;
    st->h.nparams = sqlite3_bind_parameter_count(s);
    if (st->h.nparams > DB_MAX_PARAMS)
        log_fatal("db: %d parameters (at most %d): %s", st->h.nparams, DB_MAX_PARAMS, sql);
    st->s = s;
    db_cache_put(db, sql, (db_stmt_t *)st);
    return (db_stmt_t *)st;
}

static void sq_bind_i64(db_stmt_t *st, int idx, int64_t v)
{
    sqlite3_bind_int64(((sq_stmt_t *)st)->s, idx, v);
}
static void sq_bind_text(db_stmt_t *st, int idx, const char *s, ssize_t len)
{
    if (!s)
        sqlite3_bind_null(((sq_stmt_t *)st)->s, idx);
    else
        sqlite3_bind_text(((sq_stmt_t *)st)->s, idx, s, (int)(len < 0 ? (ssize_t)strlen(s) : len),
                          SQLITE_TRANSIENT);
}
static void sq_bind_null(db_stmt_t *st, int idx) { sqlite3_bind_null(((sq_stmt_t *)st)->s, idx); }

/* Storage full: SQLITE_FULL, or an I/O error whose cause is ENOSPC or EDQUOT (growing the
 * -shm file reports SQLITE_IOERR_SHMSIZE). Noted on the connection with SQLite's message and
 * the system's, before a rollback can replace them; the store logs it once (store.c). */
static int full(sq_db_t *d, int rc, const char *msg)
{
    int sys = sqlite3_system_errno(d->h);
    if ((rc & 0xff) != SQLITE_FULL &&
        !((rc & 0xff) == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT)))
        return 0;
    /* SQLite clears the system errno of a plain SQLITE_FULL (unixWrite: "not a system error") */
    char why[256];
    const char *file = sqlite3_db_filename(d->h, "main");
    snprintf(why, sizeof why, "%s (%s) in %s", msg, sys ? strerror(sys) : "SQLITE_FULL",
             file && *file ? file : "?");
    db_note_full(&d->base, why);
    return 1;
}

static int map_rc(sq_stmt_t *st, int rc)
{
    sq_db_t *d = (sq_db_t *)st->h.db;
    switch (rc & 0xff) {
    case SQLITE_ROW: return DB_ROW;
    case SQLITE_DONE: return DB_DONE;
    case SQLITE_CONSTRAINT: return ERR_CONFLICT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return ERR_BUSY;
    default:
        if (full(d, rc, sqlite3_errmsg(d->h)))
            return ERR_FULL;
        log_error("sqlite step: %s: %s", sqlite3_errmsg(d->h), sqlite3_sql(st->s));
        return ERR_IO;
    }
}

static int sq_step(db_stmt_t *st)
{
    sq_stmt_t *s = (sq_stmt_t *)st;
    return map_rc(s, sqlite3_step(s->s));
}
static int64_t sq_col_i64(db_stmt_t *st, int col)
{
    return sqlite3_column_int64(((sq_stmt_t *)st)->s, col);
}
static const char *sq_col_text(db_stmt_t *st, int col)
{
    return (const char *)sqlite3_column_text(((sq_stmt_t *)st)->s, col);
}
static int sq_col_isnull(db_stmt_t *st, int col)
{
    return sqlite3_column_type(((sq_stmt_t *)st)->s, col) == SQLITE_NULL;
}
static int64_t sq_changes(db_stmt_t *st)
{
    return sqlite3_changes64(((sq_db_t *)((sq_stmt_t *)st)->h.db)->h);
}
static void sq_reset(db_stmt_t *st)
{
    sqlite3_reset(((sq_stmt_t *)st)->s);
    sqlite3_clear_bindings(((sq_stmt_t *)st)->s);
}

static int sq_exec(db_t *db, const char *sql)
{
    sq_db_t *d = (sq_db_t *)db;
    char *msg = NULL;
    int rc = sqlite3_exec(d->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int is_full = full(d, rc, msg ? msg : sqlite3_errstr(rc));
        if (!is_full)
            log_error("sqlite exec: %s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return is_full                            ? ERR_FULL
               : (rc & 0xff) == SQLITE_BUSY       ? ERR_BUSY
               : (rc & 0xff) == SQLITE_CONSTRAINT ? ERR_CONFLICT
                                                  : ERR_IO;
    }
    return 0;
}

static int sq_in_txn(db_t *db) { return !sqlite3_get_autocommit(((sq_db_t *)db)->h); }
static int64_t sq_total_changes(db_t *db) { return sqlite3_total_changes64(((sq_db_t *)db)->h); }

static const char *sq_errmsg(db_t *db) { return sqlite3_errmsg(((sq_db_t *)db)->h); }

static void sq_close(db_t *db)
{
    sq_db_t *d = (sq_db_t *)db;
    for (int i = 0; i < DB_CACHE_SLOTS; i++) {
        sq_stmt_t *st = (sq_stmt_t *)db->cache[i].st;
        if (st) {
            sqlite3_finalize(st->s);
            free(st);
        }
    }
    sqlite3_close(d->h);
    free(d);
}

static const db_ops_t sq_ops = {sq_prepare, sq_bind_i64, sq_bind_text,    sq_bind_null,
                                sq_step,    sq_col_i64,  sq_col_text,     sq_col_isnull,
                                sq_changes, sq_reset,    sq_exec,         sq_errmsg,
                                sq_close,   sq_in_txn,   sq_total_changes};

/* Once per process, before any connection: no global memory statistics (they take a mutex on
 * every allocation, and connections are never shared between threads anyway). */
static void configure_once(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

int db_sqlite_open(const char *path, int readonly, db_t **out, err_t *e)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_once);
    sqlite3 *h = NULL;
    int flags = readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    flags |= SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &h, flags, NULL) != SQLITE_OK) {
        log_error("sqlite open %s: %s", path, h ? sqlite3_errmsg(h) : "no memory");
        sqlite3_close(h);
        return err_set(e, ERR_IO, "db_open", "无法打开数据库文件", NULL);
    }
    sqlite3_busy_timeout(h, 5000);
    /* A reader never checkpoints, not even as the last connection to close: `jiceng check`
     * must leave the files as it found them, and the server's writer checkpoints anyway. */
    if (readonly)
        sqlite3_db_config(h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    sq_db_t *d = log_check_alloc(calloc(1, sizeof *d));
    d->base.ops = &sq_ops;
    d->base.engine = DB_SQLITE;
    d->h = h;
    /* WAL so readers never block the writer; FULL so an acknowledged write survives power loss;
     * mmap so list reads avoid pread copies (DESIGN.md measured ~2x). */
    const char *pragmas = readonly ? "PRAGMA mmap_size=268435456; PRAGMA foreign_keys=ON;"
                                   : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                     "PRAGMA foreign_keys=ON; PRAGMA mmap_size=268435456;"
                                     "PRAGMA wal_autocheckpoint=4000;";
    if (sq_exec(&d->base, pragmas) != 0) {
        sq_close(&d->base);
        return err_set(e, ERR_IO, "db_open", "数据库初始化失败", NULL);
    }
    *out = &d->base;
    return 0;
}
