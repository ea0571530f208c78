/* store.c — connections per thread, the SQLite writer thread with group commit, and what the
 * store knows of storage being full. */
#include "store/store.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include "lib/log.h"
#include "store/migrate.h"

#define GROUP_MAX 512
#define FULL_PROBE_MS 1000 /* while full, store_ready tries a write at most this often */
#define FULL_LOG_MS 60000  /* while full, a reminder in the log at most this often */
/* SQLite: after storage was full, a successful commit clears it only with this much free space
 * left on the database's file system: room for a whole WAL between checkpoints
 * (wal_autocheckpoint=4000 pages of 4 KiB). A one-row commit can succeed in the WAL space a
 * failed one left behind while every real write still fails: readiness would flap. */
#define FULL_HEADROOM (16ll << 20)

static const char FULL_MESSAGE[] = "服务器存储空间已满，请联系管理员";

struct store {
    int engine;
    int nthreads;
    int readonly;
    char dir[4096]; /* SQLite: the data directory (free space, see FULL_HEADROOM) */
    db_t **conns;   /* per thread */
    db_t *writer;   /* SQLite only */
    pthread_t writer_thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    store_job_t *head, *tail;
    int stopping;
    atomic_llong writes, commits;
    /* Storage full: set by a write refused for want of space, cleared by the next commit that
     * wrote rows (a commit that wrote nothing proves nothing: it needs no space). */
    atomic_int full;
    atomic_llong refused;   /* writes refused since storage became full */
    atomic_llong logged_ms; /* when the last "full" line went to the log */
    atomic_llong probe_ms;  /* store_ready's next write attempt, while full */
    atomic_int probing;     /* SQLite: the probe job is queued */
    store_job_t probe;
};

static void *writer_main(void *p);

static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int open_sqlite(store_t *s, const char *data_dir, err_t *e)
{
    char path[4096];
    int rc = 0;
    if (!s->readonly && mkdir(data_dir, 0700) != 0 && access(data_dir, W_OK) != 0)
        return err_set(e, ERR_IO, "data_dir", "无法创建数据目录", NULL);
    snprintf(path, sizeof path, "%s/jiceng.db", data_dir);
    snprintf(s->dir, sizeof s->dir, "%s", data_dir);
    if (!s->readonly) {
        rc = db_open(path, 0, &s->writer, e);
        if (rc == 0)
            rc = migrate_run(s->writer, NULL, e);
    }
    for (int i = 0; i < s->nthreads && rc == 0; i++)
        rc = db_open(path, 1, &s->conns[i], e);
    if (rc == 0 && !s->readonly && pthread_create(&s->writer_thread, NULL, writer_main, s) != 0)
        rc = err_set(e, ERR_IO, "thread", "无法启动写线程", NULL);
    return rc;
}

static int open_store(const char *data_dir, const char *url, int nthreads, int readonly,
                      store_t **out, err_t *e)
{
    store_t *s = log_check_alloc(calloc(1, sizeof *s));
    int rc = 0;
    s->nthreads = nthreads;
    s->readonly = readonly;
    s->conns = log_check_alloc(calloc((size_t)nthreads, sizeof *s->conns));
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (url && *url) {
        s->engine = DB_PG;
        for (int i = 0; i < nthreads && rc == 0; i++)
            rc = db_open(url, readonly, &s->conns[i], e);
        if (rc == 0 && !readonly)
            rc = migrate_run(s->conns[0], NULL, e);
    } else {
        s->engine = DB_SQLITE;
        rc = open_sqlite(s, data_dir, e);
    }
    if (rc != 0) {
        store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

int store_open(const char *data_dir, const char *url, int nthreads, store_t **out, err_t *e)
{
    return open_store(data_dir, url, nthreads, 0, out, e);
}

int store_open_readonly(const char *data_dir, const char *url, int nthreads, store_t **out,
                        err_t *e)
{
    return open_store(data_dir, url, nthreads, 1, out, e);
}

void store_close(store_t *s)
{
    if (!s)
        return;
    if (s->engine == DB_SQLITE && s->writer_thread) {
        pthread_mutex_lock(&s->mu);
        s->stopping = 1;
        pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->writer_thread, NULL);
    }
    for (int i = 0; i < s->nthreads; i++)
        db_close(s->conns[i]);
    if (s->writer) {
        db_exec(s->writer, "PRAGMA wal_checkpoint(TRUNCATE)");
        db_close(s->writer);
    }
    free(s->conns);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

int store_engine(const store_t *s) { return s->engine; }
db_t *store_reader(store_t *s, int t) { return s->conns[t]; }

void store_stats(store_t *s, long long *writes, long long *commits)
{
    *writes = atomic_load(&s->writes);
    *commits = atomic_load(&s->commits);
}

int store_ping(store_t *s, int t)
{
    int64_t v = 0;
    int found = 0;
    static const char SQL[] = "SELECT 1";
    return db_one_i64(s->conns[t], SQL, &v, &found) == 0 && found && v == 1 ? 0 : ERR_IO;
}

/* ---------- storage full ---------- */

/* n writes were refused for want of space: the first time, one line with the engine's own
 * words for the cause; while it lasts, a reminder at most every FULL_LOG_MS. */
static void full_set(store_t *s, const char *why, int n)
{
    long long refused = atomic_fetch_add(&s->refused, n) + n;
    int64_t now = mono_ms();
    int was = 0;
    if (atomic_compare_exchange_strong(&s->full, &was, 1)) {
        atomic_store(&s->logged_ms, now);
        atomic_store(&s->probe_ms, now + FULL_PROBE_MS);
        log_error("store: storage full: %s; writes are refused (507 storage_full) and /readyz is "
                  "not ready until one succeeds",
                  why);
        return;
    }
    long long last = atomic_load(&s->logged_ms);
    if (now - last >= FULL_LOG_MS && atomic_compare_exchange_strong(&s->logged_ms, &last, now))
        log_error("store: storage still full: %s; %lld writes refused so far", why, refused);
}

/* A commit that wrote rows: there is space again (SQLite: and room to go on, FULL_HEADROOM). */
static void full_clear(store_t *s)
{
    struct statvfs fs;
    if (!atomic_load(&s->full))
        return;
    if (s->engine == DB_SQLITE && statvfs(s->dir, &fs) == 0 &&
        (long long)fs.f_bavail * (long long)fs.f_frsize < FULL_HEADROOM)
        return;
    int was = 1;
    if (atomic_compare_exchange_strong(&s->full, &was, 0))
        log_info("store: writes succeed again after storage was full (%lld writes refused)",
                 (long long)atomic_exchange(&s->refused, 0));
}

/* The job failed for want of space: its reply is 507 storage_full, whatever the job made of the
 * engine's error on its way up. */
static void job_full(store_job_t *job)
{
    job->rc = ERR_FULL;
    err_set(&job->err, ERR_FULL, "storage_full", FULL_MESSAGE, NULL);
}

static void job_default_err(store_job_t *job)
{
    if (job->rc != 0 && !job->err.message)
        err_set(&job->err, job->rc, NULL,
                job->rc == ERR_BUSY ? "系统繁忙，请稍后重试" : "数据库写入失败", NULL);
}

/* PostgreSQL: write on the caller's own connection, one transaction per job. A serialization
 * failure or deadlock is retried a few times before it is reported. */
static void run_direct(store_t *s, db_t *db, store_job_t *job)
{
    char why[256] = "";
    for (int attempt = 0; attempt < 5; attempt++) {
        memset(&job->err, 0, sizeof job->err);
        db_take_full(db, NULL, 0);
        int64_t changes = db_total_changes(db);
        job->rc = db_begin(db);
        if (job->rc == 0)
            job->rc = job->fn(db, job->arg, &job->err);
        if (job->rc == 0)
            job->rc = db_commit(db);
        int full = job->rc != 0 && db_take_full(db, why, sizeof why);
        if (job->rc != 0 && db_in_txn(db))
            db_rollback(db);
        if (full) {
            job_full(job);
            full_set(s, why, 1);
            break;
        }
        if (job->rc == 0 && db_total_changes(db) > changes)
            full_clear(s);
        if (job->rc != ERR_BUSY)
            break;
    }
    if (job->rc == 0)
        atomic_fetch_add(&s->writes, 1), atomic_fetch_add(&s->commits, 1);
    job_default_err(job);
}

static void refuse_readonly(store_job_t *job)
{
    job->rc = err_set(&job->err, ERR_IO, "readonly", "数据库以只读方式打开，不能写入", NULL);
    if (job->done)
        job->done(job);
}

void store_submit(store_t *s, int t, store_job_t *job)
{
    job->next = NULL;
    if (s->readonly) {
        refuse_readonly(job);
        return;
    }
    if (s->engine == DB_PG) {
        run_direct(s, s->conns[t], job);
        if (job->done)
            job->done(job);
        return;
    }
    pthread_mutex_lock(&s->mu);
    if (s->tail)
        s->tail->next = job;
    else
        s->head = job;
    s->tail = job;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* The writer's group: its jobs, how many ran, and the group's own failure. */
typedef struct {
    store_job_t **jobs;
    int n, ran;
    int rc;        /* nonzero: the transaction is gone, nothing of the group is written */
    int full;      /* ... because storage is full */
    char why[256]; /* the engine's words for the failure, taken before any rollback */
} group_t;

/* Run the jobs of g in one transaction, each in its own savepoint, and commit. A job that fails
 * rolls back to its savepoint alone, unless SQLite has already rolled the whole transaction back
 * (it does on SQLITE_FULL, SQLITE_IOERR and SQLITE_NOMEM): then the group has failed, and the
 * jobs left are not run, for outside a transaction each would commit on its own. */
static void run_group(store_t *s, group_t *g)
{
    db_t *db = s->writer;
    int64_t changes = db_total_changes(db);
    db_take_full(db, NULL, 0);
    g->rc = db_begin(db);
    for (g->ran = 0; g->rc == 0 && g->ran < g->n; g->ran++) {
        store_job_t *job = g->jobs[g->ran];
        memset(&job->err, 0, sizeof job->err);
        job->rc = db_savepoint(db);
        if (job->rc == 0)
            job->rc = job->fn(db, job->arg, &job->err);
        if (job->rc == 0)
            job->rc = db_release(db);
        if (job->rc == 0)
            continue;
        int full = db_take_full(db, g->why, sizeof g->why);
        if (full)
            job_full(job);
        if (db_in_txn(db)) {
            db_rollback_to(db);
            continue;
        }
        g->rc = job->rc;
        g->full = full;
        if (!full)
            snprintf(g->why, sizeof g->why, "%s", db_errmsg(db));
    }
    if (g->rc == 0) {
        g->rc = db_commit(db);
        if (g->rc != 0) {
            g->full = db_take_full(db, g->why, sizeof g->why);
            if (!g->full)
                snprintf(g->why, sizeof g->why, "%s", db_errmsg(db));
            if (db_in_txn(db)) /* a failed COMMIT may have rolled back already */
                db_rollback(db);
        }
    } else if (!g->full && g->ran == 0) {
        g->full = db_take_full(db, g->why, sizeof g->why); /* BEGIN itself failed */
        if (!g->full)
            snprintf(g->why, sizeof g->why, "%s", db_errmsg(db));
    }
    if (g->rc == 0) {
        atomic_fetch_add(&s->commits, 1);
        if (db_total_changes(db) > changes)
            full_clear(s);
    }
}

/* Every job of g gets its outcome: the group's failure for those it undid or never ran. The log
 * line comes first, so it is there by the time a client reads its reply. */
static void report_group(store_t *s, group_t *g)
{
    int refused = 0;
    for (int i = 0; i < g->n; i++) {
        store_job_t *job = g->jobs[i];
        if (g->rc != 0 && (i >= g->ran || job->rc == 0)) {
            memset(&job->err, 0, sizeof job->err);
            job->rc = g->rc;
            if (g->full)
                job_full(job);
        }
        refused += job->rc == ERR_FULL;
    }
    if (refused)
        full_set(s, g->why, refused);
    else if (g->rc != 0)
        log_error("store: group of %d writes failed: %s", g->n, g->why);
    for (int i = 0; i < g->n; i++) {
        store_job_t *job = g->jobs[i];
        if (job->rc == 0)
            atomic_fetch_add(&s->writes, 1);
        job_default_err(job);
        if (job->done)
            job->done(job);
    }
}

/* Writer thread: take everything queued (up to GROUP_MAX), run it as one group, report. */
static void *writer_main(void *p)
{
    store_t *s = p;
    store_job_t *jobs[GROUP_MAX];
    for (;;) {
        int n = 0;
        pthread_mutex_lock(&s->mu);
        while (!s->head && !s->stopping)
            pthread_cond_wait(&s->cv, &s->mu);
        if (!s->head && s->stopping) {
            pthread_mutex_unlock(&s->mu);
            break;
        }
        while (s->head && n < GROUP_MAX) {
            jobs[n++] = s->head;
            s->head = s->head->next;
        }
        if (!s->head)
            s->tail = NULL;
        pthread_mutex_unlock(&s->mu);
        group_t g = {.jobs = jobs, .n = n};
        run_group(s, &g);
        report_group(s, &g);
    }
    return NULL;
}

/* ---------- readiness ---------- */

/* A write of one row that changes nothing anyone reads: it needs space like any commit. */
static int probe_write(db_t *db, void *arg, err_t *e)
{
    (void)arg;
    (void)e;
    static const char SQL[] = "UPDATE schema_migrations SET applied_at = applied_at"
                              " WHERE version = (SELECT MAX(version) FROM schema_migrations)";
    return db_run(db, SQL);
}

static void probe_done(store_job_t *job)
{
    store_t *s = job->done_data;
    atomic_store(&s->probing, 0);
}

int store_ready(store_t *s, int t)
{
    if (store_ping(s, t) != 0)
        return ERR_IO;
    if (!atomic_load(&s->full))
        return 0;
    long long due = atomic_load(&s->probe_ms);
    int64_t now = mono_ms();
    if (now < due || !atomic_compare_exchange_strong(&s->probe_ms, &due, now + FULL_PROBE_MS))
        return ERR_FULL;
    if (s->engine == DB_PG) {
        store_job_t job = {.fn = probe_write};
        run_direct(s, s->conns[t], &job);
    } else {
        int idle = 0;
        if (atomic_compare_exchange_strong(&s->probing, &idle, 1)) {
            s->probe = (store_job_t){.fn = probe_write, .done = probe_done, .done_data = s};
            store_submit(s, t, &s->probe);
        }
    }
    return atomic_load(&s->full) ? ERR_FULL : 0;
}

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int finished;
} waiter_t;

static void wake(store_job_t *job)
{
    waiter_t *w = job->done_data;
    pthread_mutex_lock(&w->mu);
    w->finished = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int store_write(store_t *s, int t, store_fn fn, void *arg, err_t *e)
{
    store_job_t job = {.fn = fn, .arg = arg};
    if (s->engine == DB_PG) {
        store_submit(s, t, &job);
    } else {
        waiter_t w = {.finished = 0};
        pthread_mutex_init(&w.mu, NULL);
        pthread_cond_init(&w.cv, NULL);
        job.done = wake;
        job.done_data = &w;
        store_submit(s, t, &job);
        pthread_mutex_lock(&w.mu);
        while (!w.finished)
            pthread_cond_wait(&w.cv, &w.mu);
        pthread_mutex_unlock(&w.mu);
        pthread_mutex_destroy(&w.mu);
        pthread_cond_destroy(&w.cv);
    }
    if (job.rc != 0 && e)
        err_copy(e, &job.err);
    return job.rc;
}
