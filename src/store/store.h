/* store.h — the database as the server uses it: one read connection per thread and one way to
 * write. On SQLite all writes go through a single writer thread that runs queued jobs in one
 * transaction, each job in its own SAVEPOINT, and commits once (group commit, synchronous=FULL).
 * On PostgreSQL each thread writes on its own connection. Domain code sees only db_t. */
#ifndef JICENG_STORE_STORE_H
#define JICENG_STORE_STORE_H

#include "store/db.h"

typedef struct store store_t;

/* A write: runs inside a transaction (SQLite: a savepoint of a group). Returning non-zero rolls
 * back everything it did. Must not block on anything but the database. */
typedef int (*store_fn)(db_t *db, void *arg, err_t *e);

typedef struct store_job {
    store_fn fn;
    void *arg;
    int rc;    /* result, set before done() is called */
    err_t err; /* details when rc != 0 */
    /* Called once the job's outcome is durable (or rolled back): on the writer thread (SQLite) or
     * the submitting thread (PostgreSQL). Must be quick and thread-safe. */
    void (*done)(struct store_job *job);
    void *done_data;
    struct store_job *next; /* queue link, owned by the store */
} store_job_t;

/* Open the store: url is a PostgreSQL URL or NULL for DATA_DIR/jiceng.db. nthreads read/write
 * slots are made (thread indexes 0..nthreads-1). Runs migrations. Returns 0 or ERR_IO. */
int store_open(const char *data_dir, const char *url, int nthreads, store_t **out, err_t *e);
/* Stop the writer after it drains its queue, close every connection. */
void store_close(store_t *s);

int store_engine(const store_t *s);
/* The read connection of thread t (on PostgreSQL also its write connection). */
db_t *store_reader(store_t *s, int t);
/* Queue a write from thread t; job->done is called when it has committed or failed. */
void store_submit(store_t *s, int t, store_job_t *job);
/* Write and wait for the commit. Returns the job's rc; details in e. */
int store_write(store_t *s, int t, store_fn fn, void *arg, err_t *e);
/* 0 if the database answers a trivial query on thread t's connection. */
int store_ping(store_t *s, int t);
/* Writes committed so far and group commits made (for /metrics). */
void store_stats(store_t *s, long long *writes, long long *commits);

#endif
