/* db.c — engine dispatch, statement cache and the variadic conveniences of db.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "store/dbint.h"
#include "lib/log.h"

int db_open(const char *url, int readonly, db_t **out, err_t *e)
{
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
        return db_pg_open(url, out, e);
    return db_sqlite_open(url, readonly, out, e);
}

static size_t slot_of(const char *sql)
{
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 40) % DB_CACHE_SLOTS;
}

db_stmt_t *db_cache_get(db_t *db, const char *sql)
{
    for (size_t i = slot_of(sql), n = 0; n < DB_CACHE_SLOTS; i = (i + 1) % DB_CACHE_SLOTS, n++) {
        if (db->cache[i].sql == sql)
            return db->cache[i].st;
        if (!db->cache[i].sql)
            return NULL;
    }
    return NULL;
}

void db_cache_put(db_t *db, const char *sql, db_stmt_t *st)
{
    for (size_t i = slot_of(sql), n = 0; n < DB_CACHE_SLOTS; i = (i + 1) % DB_CACHE_SLOTS, n++) {
        if (!db->cache[i].sql) {
            db->cache[i].sql = sql;
            db->cache[i].st = st;
            return;
        }
    }
    log_fatal("db: statement cache full (%d statements)", DB_CACHE_SLOTS);
}

void db_close(db_t *db)
{
    if (db)
        db->ops->close(db);
}
int db_engine(const db_t *db) { return db->engine; }
const char *db_errmsg(db_t *db) { return db->ops->errmsg(db); }
db_stmt_t *db_prepare(db_t *db, const char *sql) { return db->ops->prepare(db, sql); }

/* The stmt layout is engine-private; its first member is always the owning db. */
static db_t *owner(db_stmt_t *st) { return *(db_t **)st; }

void db_bind_i64(db_stmt_t *st, int idx, int64_t v) { owner(st)->ops->bind_i64(st, idx, v); }
void db_bind_text(db_stmt_t *st, int idx, const char *s, ssize_t len)
{
    owner(st)->ops->bind_text(st, idx, s, len);
}
void db_bind_null(db_stmt_t *st, int idx) { owner(st)->ops->bind_null(st, idx); }
int db_step(db_stmt_t *st) { return owner(st)->ops->step(st); }
int64_t db_col_i64(db_stmt_t *st, int col) { return owner(st)->ops->col_i64(st, col); }
const char *db_col_text(db_stmt_t *st, int col) { return owner(st)->ops->col_text(st, col); }
int db_col_isnull(db_stmt_t *st, int col) { return owner(st)->ops->col_isnull(st, col); }
int64_t db_changes(db_stmt_t *st) { return owner(st)->ops->changes(st); }
void db_reset(db_stmt_t *st)
{
    if (st)
        owner(st)->ops->reset(st);
}
int db_exec(db_t *db, const char *sql) { return db->ops->exec(db, sql); }

static void bind_va(db_stmt_t *st, const char *fmt, va_list ap)
{
    for (int i = 0; fmt && fmt[i]; i++) {
        switch (fmt[i]) {
        case 'i': db_bind_i64(st, i + 1, va_arg(ap, int64_t)); break;
        case 's': db_bind_text(st, i + 1, va_arg(ap, const char *), -1); break;
        case 'n': db_bind_null(st, i + 1); break;
        default: log_fatal("db: bad bind format '%c'", fmt[i]);
        }
    }
}

db_stmt_t *db_query(db_t *db, const char *sql, const char *fmt, ...)
{
    db_stmt_t *st = db_prepare(db, sql);
    if (!st)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    bind_va(st, fmt, ap);
    va_end(ap);
    return st;
}

int db_run(db_t *db, const char *sql, const char *fmt, ...)
{
    db_stmt_t *st = db_prepare(db, sql);
    if (!st)
        return ERR_IO;
    va_list ap;
    va_start(ap, fmt);
    bind_va(st, fmt, ap);
    va_end(ap);
    int rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int db_one_i64(db_t *db, const char *sql, int64_t *out, int *found, const char *fmt, ...)
{
    db_stmt_t *st = db_prepare(db, sql);
    if (!st)
        return ERR_IO;
    va_list ap;
    va_start(ap, fmt);
    bind_va(st, fmt, ap);
    va_end(ap);
    int rc = db_step(st);
    if (found)
        *found = rc == DB_ROW;
    if (rc == DB_ROW)
        *out = db_col_i64(st, 0);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int db_begin(db_t *db)
{
    db->depth = 0;
    return db_exec(db, db->engine == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN");
}
int db_commit(db_t *db) { return db_exec(db, "COMMIT"); }
int db_rollback(db_t *db) { return db_exec(db, "ROLLBACK"); }

int db_savepoint(db_t *db)
{
    char sql[32];
    snprintf(sql, sizeof sql, "SAVEPOINT sp%d", ++db->depth);
    return db_exec(db, sql);
}
int db_release(db_t *db)
{
    char sql[32];
    snprintf(sql, sizeof sql, "RELEASE SAVEPOINT sp%d", db->depth--);
    return db_exec(db, sql);
}
int db_rollback_to(db_t *db)
{
    char sql[48];
    snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT sp%d", db->depth);
    int rc = db_exec(db, sql);
    db_release(db);
    return rc;
}
