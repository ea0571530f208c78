/* pg.c — the PostgreSQL engine of db.h (libpq). Statements are prepared once per connection as
 * "s<N>", `?` placeholders rewritten to $n; all values travel as text. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "store/dbint.h"

typedef struct {
    db_stmt_head_t h; /* must be first: see dbint.h */
    char name[16];
    char *vals[DB_MAX_PARAMS];
    PGresult *res;
    int row; /* next row to return */
    int cur; /* current row, -1 before first */
    int64_t changes;
} pg_stmt_t;

typedef struct {
    db_t base;
    PGconn *c;
    int nstmts;
    int64_t total_changes;
    char err[512];
} pg_db_t;

/* `?` → `$n`, leaving quoted strings and identifiers alone. Caller frees. */
static char *rewrite(const char *sql, int *nparams)
{
    size_t n = strlen(sql);
    char *out = log_check_alloc(malloc(n * 4 + 1));
    size_t o = 0;
    int k = 0;
    char quote = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = sql[i];
        if (quote) {
            if (ch == quote)
                quote = 0;
        } else if (ch == '\'' || ch == '"') {
            quote = ch;
        } else if (ch == '?') {
            o += (size_t)snprintf(out + o, 8, "$%d", ++k);
            continue;
        }
        out[o++] = ch;
    }
    out[o] = 0;
    *nparams = k;
    return out;
}

static void clear_vals(pg_stmt_t *st)
{
    for (int i = 0; i < DB_MAX_PARAMS; i++) {
        free(st->vals[i]);
        st->vals[i] = NULL;
    }
}

static void pg_reset(db_stmt_t *s)
{
    pg_stmt_t *st = (pg_stmt_t *)s;
    if (st->res)
        PQclear(st->res);
    st->res = NULL;
    st->row = 0;
    st->cur = -1;
    clear_vals(st);
}

static db_stmt_t *pg_prepare(db_t *db, const char *sql)
{
    pg_stmt_t *st = (pg_stmt_t *)db_cache_get(db, sql);
    if (st) {
        pg_reset((db_stmt_t *)st);
        return (db_stmt_t *)st;
    }
    pg_db_t *d = (pg_db_t *)db;
    int np = 0;
    char *q = rewrite(sql, &np);
    if (np > DB_MAX_PARAMS)
        log_fatal("pg: too many parameters in %s", sql);
    st = log_check_alloc(calloc(1, sizeof *st));
    st->h.db = db;
    st->h.sql = sql;
    st->h.nparams = np;
    st->cur = -1;
    snprintf(st->name, sizeof st->name, "s%d", ++d->nstmts);
    PGresult *r = PQprepare(d->c, st->name, q, np, NULL);
    free(q);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        log_error("pg prepare: %s: %s", PQresultErrorMessage(r), sql);
        PQclear(r);
        free(st);
        return NULL;
    }
    PQclear(r);
    db_cache_put(db, sql, (db_stmt_t *)st);
    return (db_stmt_t *)st;
}

static void set_val(pg_stmt_t *st, int idx, char *v)
{
    if (idx >= 1 && idx <= DB_MAX_PARAMS) {
        free(st->vals[idx - 1]);
        st->vals[idx - 1] = v;
        return;
    }
    log_fatal("pg: bind index %d out of range", idx);
}

static void pg_bind_i64(db_stmt_t *s, int idx, int64_t v)
{
    char *b = log_check_alloc(malloc(24));
    snprintf(b, 24, "%" PRId64, v);
    set_val((pg_stmt_t *)s, idx, b);
}
static void pg_bind_text(db_stmt_t *s, int idx, const char *v, ssize_t len)
{
    if (!v) {
        set_val((pg_stmt_t *)s, idx, NULL);
        return;
    }
    size_t n = len < 0 ? strlen(v) : (size_t)len;
    char *b = log_check_alloc(malloc(n + 1));
    memcpy(b, v, n);
    b[n] = 0;
    set_val((pg_stmt_t *)s, idx, b);
}
static void pg_bind_null(db_stmt_t *s, int idx) { set_val((pg_stmt_t *)s, idx, NULL); }

static int map_state(pg_db_t *d, PGresult *r)
{
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (state && strcmp(state, "53100") == 0) { /* disk_full: the store logs it once */
        const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
        db_note_full(&d->base, m ? m : "disk full (53100)");
        return ERR_FULL;
    }
    if (state && strncmp(state, "23", 2) == 0)
        return ERR_CONFLICT; /* integrity constraint violation */
    if (state &&
        (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0))
        return ERR_BUSY; /* serialization failure, deadlock, lock not available */
    return ERR_IO;
}

static int pg_step(db_stmt_t *s)
{
    pg_stmt_t *st = (pg_stmt_t *)s;
    pg_db_t *d = (pg_db_t *)st->h.db;
    if (!st->res) {
        st->res = PQexecPrepared(d->c, st->name, st->h.nparams, (const char *const *)st->vals, NULL,
                                 NULL, 0);
        ExecStatusType t = PQresultStatus(st->res);
        if (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK) {
            int rc = map_state(d, st->res);
            if (rc == ERR_IO)
                log_error("pg step: %s: %s", PQresultErrorMessage(st->res), st->h.sql);
            snprintf(d->err, sizeof d->err, "%s", PQresultErrorMessage(st->res));
            PQclear(st->res);
            st->res = NULL;
            return rc;
        }
        const char *ct = PQcmdTuples(st->res);
        st->changes = (ct && *ct) ? strtoll(ct, NULL, 10) : 0;
        const char *cmd = PQcmdStatus(st->res);
        if (strncmp(cmd, "INSERT", 6) == 0 || strncmp(cmd, "UPDATE", 6) == 0 ||
            strncmp(cmd, "DELETE", 6) == 0 || strncmp(cmd, "MERGE", 5) == 0)
            d->total_changes += st->changes;
        st->row = 0;
    }
    if (st->row < PQntuples(st->res)) {
        st->cur = st->row++;
        return DB_ROW;
    }
    return DB_DONE;
}

static int64_t pg_col_i64(db_stmt_t *s, int col)
{
    pg_stmt_t *st = (pg_stmt_t *)s;
    if (!st->res || st->cur < 0 || PQgetisnull(st->res, st->cur, col))
        return 0;
    return strtoll(PQgetvalue(st->res, st->cur, col), NULL, 10);
}
static const char *pg_col_text(db_stmt_t *s, int col)
{
    pg_stmt_t *st = (pg_stmt_t *)s;
    if (!st->res || st->cur < 0 || PQgetisnull(st->res, st->cur, col))
        return NULL;
    return PQgetvalue(st->res, st->cur, col);
}
static int pg_col_isnull(db_stmt_t *s, int col)
{
    pg_stmt_t *st = (pg_stmt_t *)s;
    return !st->res || st->cur < 0 || PQgetisnull(st->res, st->cur, col);
}
static int64_t pg_changes(db_stmt_t *s) { return ((pg_stmt_t *)s)->changes; }

static int pg_exec(db_t *db, const char *sql)
{
    pg_db_t *d = (pg_db_t *)db;
    PGresult *r = PQexec(d->c, sql);
    ExecStatusType t = PQresultStatus(r);
    int rc = 0;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
        rc = map_state(d, r);
        snprintf(d->err, sizeof d->err, "%s", PQresultErrorMessage(r));
        if (rc != ERR_FULL)
            log_error("pg exec: %s", PQresultErrorMessage(r));
    }
    PQclear(r);
    return rc;
}

static const char *pg_errmsg(db_t *db)
{
    pg_db_t *d = (pg_db_t *)db;
    return d->err[0] ? d->err : PQerrorMessage(d->c);
}

static void pg_close(db_t *db)
{
    pg_db_t *d = (pg_db_t *)db;
    for (int i = 0; i < DB_CACHE_SLOTS; i++) {
        pg_stmt_t *st = (pg_stmt_t *)db->cache[i].st;
        if (st) {
            pg_reset((db_stmt_t *)st);
            free(st);
        }
    }
    PQfinish(d->c);
    free(d);
}

static int pg_in_txn(db_t *db) { return PQtransactionStatus(((pg_db_t *)db)->c) != PQTRANS_IDLE; }
static int64_t pg_total_changes(db_t *db) { return ((pg_db_t *)db)->total_changes; }

static const db_ops_t pg_ops = {pg_prepare, pg_bind_i64, pg_bind_text,    pg_bind_null,
                                pg_step,    pg_col_i64,  pg_col_text,     pg_col_isnull,
                                pg_changes, pg_reset,    pg_exec,         pg_errmsg,
                                pg_close,   pg_in_txn,   pg_total_changes};

int db_pg_open(const char *url, int readonly, db_t **out, err_t *e)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        log_error("pg connect: %s", PQerrorMessage(c));
        PQfinish(c);
        return err_set(e, ERR_IO, "db_open", "无法连接 PostgreSQL 数据库", NULL);
    }
    pg_db_t *d = log_check_alloc(calloc(1, sizeof *d));
    d->base.ops = &pg_ops;
    d->base.engine = DB_PG;
    d->c = c;
    /* Quiet NOTICEs (e.g. "relation already exists, skipping") and use UTC for any
     * server-side time function. */
    pg_exec(&d->base, "SET client_min_messages=warning; SET TIME ZONE 'UTC'");
    /* A reading command (`jiceng check`) cannot write even by mistake. */
    if (readonly && pg_exec(&d->base, "SET default_transaction_read_only = on") != 0) {
        pg_close(&d->base);
        return err_set(e, ERR_IO, "db_open", "无法以只读方式连接 PostgreSQL 数据库", NULL);
    }
    *out = &d->base;
    return 0;
}
