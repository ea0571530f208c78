/* db.c — engine dispatch, statement cache, the check of every binding, and the typed
 * conveniences of db.h (db_query, db_run, db_one_i64). */
#include <stdio.h>
#include <string.h>
#include "lib/log.h"
#include "store/dbint.h"

int db_open(const char *url, int readonly, db_t **out, err_t *e)
{
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
        return db_pg_open(url, readonly, out, e);
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
/* The stmt layout is engine-private; it starts with a db_stmt_head_t. */
static db_stmt_head_t *head(db_stmt_t *st) { return (db_stmt_head_t *)st; }
static db_t *owner(db_stmt_t *st) { return head(st)->db; }

db_stmt_t *db_prepare(db_t *db, const char *sql)
{
    db_stmt_t *st = db->ops->prepare(db, sql);
    if (st) {
        head(st)->bound = 0;
        head(st)->stepped = 0;
    }
    return st;
}

/* A wrong parameter index or count is a programming error: stop at the first test that runs
 * the query, with the SQL in the log, rather than run it with a value in the wrong place. */
static void bound(db_stmt_t *st, int idx)
{
    db_stmt_head_t *h = head(st);
    if (idx >= 1 && idx <= h->nparams) {
        h->bound |= 1ull << (idx - 1);
        return;
    }
    log_fatal("db: parameter %d bound, the statement has %d: %s", idx, h->nparams, h->sql);
}

void db_bind_i64(db_stmt_t *st, int idx, int64_t v)
{
    bound(st, idx);
    owner(st)->ops->bind_i64(st, idx, v);
}
void db_bind_text(db_stmt_t *st, int idx, const char *s, ssize_t len)
{
    bound(st, idx);
    owner(st)->ops->bind_text(st, idx, s, len);
}
void db_bind_null(db_stmt_t *st, int idx)
{
    bound(st, idx);
    owner(st)->ops->bind_null(st, idx);
}

int db_step(db_stmt_t *st)
{
    db_stmt_head_t *h = head(st);
    if (!h->stepped) {
        uint64_t all = h->nparams ? (~0ull >> (64 - h->nparams)) : 0;
        if (h->bound != all)
            log_fatal("db: %d of %d parameters bound: %s", __builtin_popcountll(h->bound),
                      h->nparams, h->sql);
        h->stepped = 1;
    }
    return owner(st)->ops->step(st);
}
int64_t db_col_i64(db_stmt_t *st, int col) { return owner(st)->ops->col_i64(st, col); }
const char *db_col_text(db_stmt_t *st, int col) { return owner(st)->ops->col_text(st, col); }
int db_col_isnull(db_stmt_t *st, int col) { return owner(st)->ops->col_isnull(st, col); }
int64_t db_changes(db_stmt_t *st) { return owner(st)->ops->changes(st); }
void db_reset(db_stmt_t *st)
{
    if (st) {
        owner(st)->ops->reset(st);
        head(st)->bound = 0;
        head(st)->stepped = 0;
    }
}
int db_exec(db_t *db, const char *sql) { return db->ops->exec(db, sql); }
int db_in_txn(db_t *db) { return db->ops->in_txn(db); }
int64_t db_total_changes(db_t *db) { return db->ops->total_changes(db); }

void db_note_full(db_t *db, const char *why)
{
    if (!db->full)
        snprintf(db->full_why, sizeof db->full_why, "%s", why);
    db->full = 1;
}

int db_take_full(db_t *db, char *why, size_t cap)
{
    int full = db->full;
    if (why && cap)
        snprintf(why, cap, "%s", full ? db->full_why : "");
    db->full = 0;
    return full;
}

static void bind_vals(db_stmt_t *st, const db_val_t *v, int n)
{
    if (n != head(st)->nparams)
        log_fatal("db: %d values for %d parameters: %s", n, head(st)->nparams, head(st)->sql);
    for (int i = 0; i < n; i++) {
        switch (v[i].kind) {
        case DBV_I64: db_bind_i64(st, i + 1, v[i].i); break;
        case DBV_TEXT: db_bind_text(st, i + 1, v[i].s, -1); break;
        case DBV_NULL: db_bind_null(st, i + 1); break;
        }
    }
}

db_stmt_t *db_query_v(db_t *db, const char *sql, const db_val_t *v, int n)
{
    db_stmt_t *st = db_prepare(db, sql);
    if (st)
        bind_vals(st, v, n);
    return st;
}

int db_run_v(db_t *db, const char *sql, const db_val_t *v, int n)
{
    db_stmt_t *st = db_query_v(db, sql, v, n);
    if (!st)
        return ERR_IO;
    int rc = db_step(st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int db_one_i64_v(db_t *db, const char *sql, int64_t *out, int *found, const db_val_t *v, int n)
{
    db_stmt_t *st = db_query_v(db, sql, v, n);
    if (!st)
        return ERR_IO;
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
