/* backup.c — SQLite backup API and pg_dump/pg_restore. */
#include "store/backup.h"
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/log.h"

static double since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static long long file_size(const char *p)
{
    struct stat s;
    return stat(p, &s) == 0 ? (long long)s.st_size : 0;
}

/* Copy src → dst page by page, in steps, so a live writer is not blocked for long. */
static int sqlite_copy(sqlite3 *src, sqlite3 *dst, backup_progress_fn progress, const char *what)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b)
        return ERR_IO;
    int rc;
    do {
        rc = sqlite3_backup_step(b, 1024);
        if (progress)
            progress(what, sqlite3_backup_pagecount(b) - sqlite3_backup_remaining(b),
                     sqlite3_backup_pagecount(b));
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    return rc == SQLITE_DONE ? 0 : ERR_IO;
}

/* Run argv, wait; 0 if it exited 0. */
static int run(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0)
        return ERR_IO;
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ERR_IO;
}

int backup_make(const char *data_dir, const char *url, const char *out, backup_progress_fn progress,
                backup_stats_t *st, err_t *e)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc;
    if (url) {
        char *argv[] = {"pg_dump",   "--format=custom", "--no-owner", "--file",
                        (char *)out, "--dbname",        (char *)url,  NULL};
        rc = run(argv);
        if (rc)
            return err_set(e, ERR_IO, "backup", "pg_dump 执行失败", NULL);
    } else {
        char path[4096], tmp[4096];
        snprintf(path, sizeof path, "%s/jiceng.db", data_dir);
        snprintf(tmp, sizeof tmp, "%s.part", out);
        if (access(path, R_OK) != 0)
            return err_set(e, ERR_IO, "backup", "数据库文件不存在", NULL);
        sqlite3 *src = NULL, *dst = NULL;
        rc = ERR_IO;
        if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
            sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) ==
                SQLITE_OK) {
            sqlite3_busy_timeout(src, 5000);
            rc = sqlite_copy(src, dst, progress, "backup");
        }
        sqlite3_close(src);
        if (rc == 0 &&
            sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK)
            rc = ERR_IO;
        sqlite3_close(dst);
        /* Only a complete copy gets the final name. */
        if (rc == 0 && rename(tmp, out) != 0)
            rc = ERR_IO;
        if (rc) {
            unlink(tmp);
            return err_set(e, ERR_IO, "backup", "备份写入失败", NULL);
        }
        chmod(out, 0600);
    }
    st->bytes = file_size(out);
    st->seconds = since(&t0);
    return 0;
}

/* A jiceng SQLite backup: a readable database that passes integrity_check and has our schema. */
static int sqlite_valid_backup(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    int ok = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        ok = strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0;
    sqlite3_finalize(s);
    if (ok && sqlite3_prepare_v2(db, "SELECT MAX(version) FROM schema_migrations", -1, &s, NULL) ==
                  SQLITE_OK)
        ok = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) > 0;
    else
        ok = 0;
    sqlite3_finalize(s);
    return ok;
}

int backup_restore(const char *data_dir, const char *url, const char *from,
                   backup_progress_fn progress, backup_stats_t *st, err_t *e)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (access(from, R_OK) != 0)
        return err_set(e, ERR_IO, "restore", "备份文件不存在或不可读", NULL);
    int rc;
    if (url) {
        char *argv[] = {
            "pg_restore", "--clean",   "--if-exists", "--no-owner", "--single-transaction",
            "--dbname",   (char *)url, (char *)from,  NULL};
        rc = run(argv);
        if (rc)
            return err_set(e, ERR_IO, "restore", "pg_restore 执行失败", NULL);
    } else {
        char path[4096];
        snprintf(path, sizeof path, "%s/jiceng.db", data_dir);
        sqlite3 *src = NULL, *dst = NULL;
        if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
            !sqlite_valid_backup(src)) {
            sqlite3_close(src);
            return err_set(e, ERR_INVALID, "restore", "不是有效的 jiceng 备份文件", NULL);
        }
        mkdir(data_dir, 0700);
        rc = ERR_IO;
        if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) ==
            SQLITE_OK) {
            sqlite3_busy_timeout(dst, 2000);
            rc = sqlite_copy(src, dst, progress, "restore");
            if (rc == 0)
                sqlite3_exec(dst, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        }
        sqlite3_close(src);
        sqlite3_close(dst);
        if (rc)
            return err_set(e, ERR_IO, "restore", "恢复失败：数据库正被使用？请先停止服务", NULL);
    }
    st->bytes = file_size(from);
    st->seconds = since(&t0);
    return 0;
}
