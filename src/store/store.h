/* store.h — the database as the server uses it: one read connection per thread and one way to
 * write. On SQLite all writes go through a single writer thread that runs queued jobs in one
 * transaction, each job in its own SAVEPOINT, and commits once (group commit, synchronous=FULL).
 * On PostgreSQL each thread writes on its own connection. Domain code sees only db_t.
 * When storage is full a write fails with ERR_FULL ("storage_full", 507) whatever the job made
 * of the engine's error, the cause is logged once, and the store reports itself not ready
 * (store_ready) until a write succeeds again. */
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
    int rc;    /* result, set before done() is called; ERR_FULL when storage is full */
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
/* As store_open for commands that only read (`jiceng check`): no writer, no migration, no
 * checkpoint; SQLite files opened read-only (nothing is created or changed, not even -wal),
 * PostgreSQL sessions read-only. Writes fail with ERR_IO. */
int store_open_readonly(const char *data_dir, const char *url, int nthreads, store_t **out,
                        err_t *e);
/* Stop the writer after it drains its queue, close every connection. SQLite: a store opened for
 * writing ends with a TRUNCATE checkpoint; a read-only one touches nothing. */
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
/* Readiness for the load balancer: 0, ERR_IO if thread t's connection does not answer, or
 * ERR_FULL while storage is full (the last write failed for want of space and none has
 * succeeded since; SQLite: and 16 MB are free again, see store.c). While full it also tries a
 * one-row write at most once a second (SQLite: queued to the writer, seen by the next call;
 * PostgreSQL: at once on thread t's connection), so the store turns ready again when space is
 * freed even if no client writes. Thread-safe. */
int store_ready(store_t *s, int t);
/* Writes committed so far and group commits made (for /metrics). */
void store_stats(store_t *s, long long *writes, long long *commits);

#endif
