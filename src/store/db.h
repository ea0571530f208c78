/* db.h — one small interface over SQLite and PostgreSQL, so domain modules write each query once.
 * SQL uses `?` placeholders (rewritten to $n for PostgreSQL) and text/integer values only.
 * A db_t is one connection: use it from one thread at a time. */
#ifndef JICENG_STORE_DB_H
#define JICENG_STORE_DB_H

#include <stdint.h>
#include <sys/types.h>
#include "lib/err.h"

typedef struct db db_t;
typedef struct db_stmt db_stmt_t;

enum { DB_SQLITE = 1, DB_PG = 2 };
enum { DB_DONE = 0, DB_ROW = 1 };

/* Open a connection. url is "postgres://…" / "postgresql://…" or a SQLite file path.
 * readonly: SQLite opens the file read-only and never checkpoints on close; PostgreSQL makes
 * every transaction of the session read-only. Returns 0 or ERR_IO (message in e). *out owned
 * by caller. */
int db_open(const char *url, int readonly, db_t **out, err_t *e);
void db_close(db_t *db);
int db_engine(const db_t *db);
const char *db_errmsg(db_t *db); /* last error text of this connection; valid until next call */

/* Values for the parameters of a statement, typed so that the compiler checks each one:
 * I(x) an integer (int64_t), S(x) a NUL-terminated text (NULL binds SQL NULL), NUL a SQL NULL.
 * Passing a pointer to I() or an integer to S() does not compile (-Werror). */
typedef enum { DBV_NULL, DBV_I64, DBV_TEXT } db_val_kind_t;
typedef struct {
    db_val_kind_t kind;
    int64_t i;
    const char *s;
} db_val_t;
#define I(x) ((db_val_t){.kind = DBV_I64, .i = (x)})
#define S(x) ((db_val_t){.kind = DBV_TEXT, .s = (x)})
#define NUL ((db_val_t){.kind = DBV_NULL})
/* The values of a call as an array and its length, counted by the compiler. */
#define DB_VALS(...)                                                                               \
    (const db_val_t[]){__VA_ARGS__}, (int)(sizeof((db_val_t[]){__VA_ARGS__}) / sizeof(db_val_t))

/* Prepare (once per connection, cached by the address of sql: pass static strings) and reset.
 * Returns NULL on a SQL error (a programming error: logged). Valid until db_close.
 * Every parameter of the statement must be bound before its first step, each index at most
 * once per use, none beyond the statement's count: anything else is a programming error and
 * ends the process with the SQL in the log (log_fatal), so the first test that runs the query
 * finds it, on either engine. */
db_stmt_t *db_prepare(db_t *db, const char *sql);
/* Prepare and bind in one go: db_query(db, sql, S(county), I(id)). The number of values must be
 * the statement's parameter count (checked, fatal otherwise). */
#define db_query(db, sql, ...) db_query_v((db), (sql), DB_VALS(__VA_ARGS__))
db_stmt_t *db_query_v(db_t *db, const char *sql, const db_val_t *v, int n);
void db_bind_i64(db_stmt_t *st, int idx, int64_t v); /* idx is 1-based */
void db_bind_text(db_stmt_t *st, int idx, const char *s,
                  ssize_t len); /* len<0: strlen; s NULL: null */
void db_bind_null(db_stmt_t *st, int idx);

/* Step: DB_ROW, DB_DONE, or negative: ERR_CONFLICT on a uniqueness/constraint violation,
 * ERR_BUSY if the database is locked, ERR_FULL if storage is full (SQLITE_FULL, ENOSPC,
 * PostgreSQL's 53100 disk_full: also remembered for db_take_full), ERR_IO otherwise. */
int db_step(db_stmt_t *st);
int64_t db_col_i64(db_stmt_t *st, int col);      /* 0-based; NULL reads as 0 */
const char *db_col_text(db_stmt_t *st, int col); /* NULL if SQL NULL; valid until next step/reset */
int db_col_isnull(db_stmt_t *st, int col);
int64_t db_changes(db_stmt_t *st); /* rows changed by the last step of a write */
void db_reset(db_stmt_t *st);      /* release results; bindings are cleared */

/* Run a statement to completion (writes). Returns 0, or db_step's error. Resets the stmt. */
#define db_run(db, sql, ...) db_run_v((db), (sql), DB_VALS(__VA_ARGS__))
int db_run_v(db_t *db, const char *sql, const db_val_t *v, int n);
/* Single int64 result of a query (first column of first row); *found=0 if no row. */
#define db_one_i64(db, sql, out, found, ...)                                                       \
    db_one_i64_v((db), (sql), (out), (found), DB_VALS(__VA_ARGS__))
int db_one_i64_v(db_t *db, const char *sql, int64_t *out, int *found, const db_val_t *v, int n);

/* Raw SQL, possibly several statements, no parameters (migrations, pragmas). */
int db_exec(db_t *db, const char *sql);

/* Transactions. db_begin is BEGIN IMMEDIATE on SQLite. Savepoints nest inside a transaction.
 * After an error a transaction may be gone already (SQLite rolls the whole transaction back on
 * SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM): look with db_in_txn before rolling back. */
int db_begin(db_t *db);
int db_commit(db_t *db);
int db_rollback(db_t *db);
int db_savepoint(db_t *db);
int db_release(db_t *db);
int db_rollback_to(db_t *db);
/* 1 while a transaction is open on db (PostgreSQL: also one that failed and awaits ROLLBACK). */
int db_in_txn(db_t *db);
/* Rows inserted, updated or deleted on this connection since it was opened. */
int64_t db_total_changes(db_t *db);
/* 1 if a statement failed because storage was full since the last call (then clears it), with
 * the engine's words for it copied to why[0..cap) (e.g. "database or disk is full (No space
 * left on device)"); 0 otherwise. why may be NULL. */
int db_take_full(db_t *db, char *why, size_t cap);

/* Internal: implemented by sqlite.c and pg.c, dispatched by db.c. */
#endif
