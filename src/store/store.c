/* store.c — connections per thread and the SQLite writer thread with group commit. */
#include "store/store.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/log.h"
#include "store/migrate.h"

#define GROUP_MAX 512

struct store {
    int engine;
    int nthreads;
    db_t **conns; /* per thread */
    db_t *writer; /* SQLite only */
    pthread_t writer_thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    store_job_t *head, *tail;
    int stopping;
    atomic_llong writes, commits;
};

static void *writer_main(void *p);

int store_open(const char *data_dir, const char *url, int nthreads, store_t **out, err_t *e)
{
    store_t *s = log_check_alloc(calloc(1, sizeof *s));
    char path[4096];
    int rc = 0;
    s->nthreads = nthreads;
    s->conns = log_check_alloc(calloc((size_t)nthreads, sizeof *s->conns));
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (url && *url) {
        s->engine = DB_PG;
        for (int i = 0; i < nthreads && rc == 0; i++)
            rc = db_open(url, 0, &s->conns[i], e);
        if (rc == 0)
            rc = migrate_run(s->conns[0], NULL, e);
    } else {
        s->engine = DB_SQLITE;
        if (mkdir(data_dir, 0700) != 0 && access(data_dir, W_OK) != 0) {
            rc = err_set(e, ERR_IO, "data_dir", "无法创建数据目录", NULL);
            goto out;
        }
        snprintf(path, sizeof path, "%s/jiceng.db", data_dir);
        rc = db_open(path, 0, &s->writer, e);
        if (rc == 0)
            rc = migrate_run(s->writer, NULL, e);
        for (int i = 0; i < nthreads && rc == 0; i++)
            rc = db_open(path, 1, &s->conns[i], e);
        if (rc == 0 && pthread_create(&s->writer_thread, NULL, writer_main, s) != 0)
            rc = err_set(e, ERR_IO, "thread", "无法启动写线程", NULL);
    }
out:
    if (rc != 0) {
        store_close(s);
        return rc;
    }
    *out = s;
    return 0;
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

/* PostgreSQL: write on the caller's own connection, one transaction per job. A serialization
 * failure or deadlock is retried a few times before it is reported. */
static void run_direct(store_t *s, db_t *db, store_job_t *job)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        memset(&job->err, 0, sizeof job->err);
        job->rc = db_begin(db);
        if (job->rc == 0)
            job->rc = job->fn(db, job->arg, &job->err);
        if (job->rc == 0)
            job->rc = db_commit(db);
        if (job->rc != 0)
            db_rollback(db);
        if (job->rc != ERR_BUSY)
            break;
    }
    if (job->rc == 0)
        atomic_fetch_add(&s->writes, 1), atomic_fetch_add(&s->commits, 1);
    if (job->rc != 0 && !job->err.message)
        err_set(&job->err, job->rc, NULL,
                job->rc == ERR_BUSY ? "系统繁忙，请稍后重试" : "数据库写入失败", NULL);
}

void store_submit(store_t *s, int t, store_job_t *job)
{
    job->next = NULL;
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

/* Writer thread: take everything queued (up to GROUP_MAX), run each job in a savepoint, commit
 * once, then report. A job that fails rolls back to its savepoint alone; if the commit itself
 * fails every job of the group is reported failed, none half-written. */
static void *writer_main(void *p)
{
    store_t *s = p;
    store_job_t *group[GROUP_MAX];
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
            group[n++] = s->head;
            s->head = s->head->next;
        }
        if (!s->head)
            s->tail = NULL;
        pthread_mutex_unlock(&s->mu);

        db_t *db = s->writer;
        int rc = db_begin(db);
        for (int i = 0; i < n; i++) {
            store_job_t *job = group[i];
            memset(&job->err, 0, sizeof job->err);
            if (rc != 0) {
                job->rc = rc;
                continue;
            }
            job->rc = db_savepoint(db);
            if (job->rc == 0)
                job->rc = job->fn(db, job->arg, &job->err);
            if (job->rc == 0)
                job->rc = db_release(db);
            else
                db_rollback_to(db);
        }
        int crc = rc == 0 ? db_commit(db) : rc;
        if (crc != 0) {
            if (rc == 0)
                db_rollback(db);
            log_error("store: group commit of %d writes failed: %s", n, db_errmsg(db));
        } else {
            atomic_fetch_add(&s->commits, 1);
        }
        for (int i = 0; i < n; i++) {
            store_job_t *job = group[i];
            if (crc != 0 && job->rc == 0)
                job->rc = crc;
            if (job->rc == 0)
                atomic_fetch_add(&s->writes, 1);
            else if (!job->err.message)
                err_set(&job->err, job->rc, NULL,
                        job->rc == ERR_BUSY ? "系统繁忙，请稍后重试" : "数据库写入失败", NULL);
            if (job->done)
                job->done(job);
        }
    }
    return NULL;
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
