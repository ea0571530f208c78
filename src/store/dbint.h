/* dbint.h — internals shared by db.c, sqlite.c and pg.c. Not for use outside src/store/. */
#ifndef JICENG_STORE_DBINT_H
#define JICENG_STORE_DBINT_H

#include "store/db.h"

#define DB_MAX_PARAMS 64 /* = the bits of db_stmt_head_t.bound */
#define DB_CACHE_SLOTS 256

/* The first member of every engine's statement: what db.c needs to check bindings. */
typedef struct {
    db_t *db;        /* the owning connection */
    const char *sql; /* as given to db_prepare, for messages */
    int nparams;     /* the statement's parameter count (at most DB_MAX_PARAMS) */
    int stepped;     /* stepped since the last prepare/reset: bindings were checked */
    uint64_t bound;  /* bit i-1: parameter i bound since the last prepare/reset */
} db_stmt_head_t;

typedef struct db_ops {
    db_stmt_t *(*prepare)(db_t *db, const char *sql);
    void (*bind_i64)(db_stmt_t *st, int idx, int64_t v);
    void (*bind_text)(db_stmt_t *st, int idx, const char *s, ssize_t len);
    void (*bind_null)(db_stmt_t *st, int idx);
    int (*step)(db_stmt_t *st);
    int64_t (*col_i64)(db_stmt_t *st, int col);
    const char *(*col_text)(db_stmt_t *st, int col);
    int (*col_isnull)(db_stmt_t *st, int col);
    int64_t (*changes)(db_stmt_t *st);
    void (*reset)(db_stmt_t *st);
    int (*exec)(db_t *db, const char *sql);
    const char *(*errmsg)(db_t *db);
    void (*close)(db_t *db);
    int (*in_txn)(db_t *db);
    int64_t (*total_changes)(db_t *db);
} db_ops_t;

/* Statement cache: open addressing on the SQL text's address (callers pass static strings). */
typedef struct {
    const char *sql;
    db_stmt_t *st;
} db_cache_slot_t;

struct db {
    const db_ops_t *ops;
    int engine;
    int depth; /* savepoint nesting */
    int full;  /* a statement failed because storage is full, since the last db_take_full */
    char full_why[256]; /* the engine's own words for it, taken when it happened */
    db_cache_slot_t cache[DB_CACHE_SLOTS];
};

/* Called by an engine when a statement fails because storage is full: remembers why (the
 * engine's message at that moment, before any rollback replaces it) for db_take_full. */
void db_note_full(db_t *db, const char *why);

db_stmt_t *db_cache_get(db_t *db, const char *sql);
void db_cache_put(db_t *db, const char *sql, db_stmt_t *st);

int db_sqlite_open(const char *path, int readonly, db_t **out, err_t *e);
int db_pg_open(const char *url, int readonly, db_t **out, err_t *e);

#endif
