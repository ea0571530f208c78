/* backup.c — VACUUM INTO and pg_dump; reading a backup's table (SQLite, or pg_restore's COPY
 * text); restoring with the SQLite backup API or pg_restore. */
#include "store/backup.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/log.h"

static const char NOT_BACKUP[] = "不是有效的 jiceng 备份文件";

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

/* ---------- files ---------- */

/* Create path empty and 0600, replacing what an interrupted run left there: the copy is never
 * readable by others, not even for a moment (no umask or chmod window). */
static int create_private(const char *path)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return ERR_IO;
    close(fd);
    return 0;
}

/* tmp's content to disk, then renamed to final, then the directory entry to disk. */
static int commit_file(const char *tmp, const char *final)
{
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    int ok = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok || rename(tmp, final) != 0)
        return ERR_IO;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", final);
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

/* ---------- child processes (pg_dump, pg_restore) ---------- */

/* Start argv with its stdout on a pipe (*out, to read) or /dev/null (out NULL), files it
 * creates private (umask 077). Returns the pid, or -1. */
static pid_t spawn(char *const argv[], FILE **out)
{
    int p[2] = {-1, -1};
    if (out && pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        umask(077);
        int fd = out ? p[1] : open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, 1);
        if (out)
            close(p[0]);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (out) {
        close(p[1]);
        *out = pid > 0 ? fdopen(p[0], "r") : NULL;
        if (!*out) {
            close(p[0]);
            if (pid > 0)
                kill(pid, SIGTERM), waitpid(pid, NULL, 0);
            return -1;
        }
    }
    return pid;
}

/* Wait for pid; 0 if it exited 0. */
static int reap(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ERR_IO;
}

static int run(char *const argv[])
{
    pid_t pid = spawn(argv, NULL);
    return pid < 0 ? ERR_IO : reap(pid);
}

/* ---------- making a backup ---------- */

typedef struct {
    backup_progress_fn fn;
    const char *part;
    long total_mib;
    struct timespec last;
} copy_progress_t;

/* SQLite's progress handler (every few thousand VM steps of the VACUUM): the size of the copy
 * so far, at most ten times a second. Never interrupts. */
static int on_steps(void *p)
{
    copy_progress_t *c = p;
    if (since(&c->last) >= 0.1) {
        clock_gettime(CLOCK_MONOTONIC, &c->last);
        c->fn("backup (MiB)", (long)(file_size(c->part) >> 20), c->total_mib);
    }
    return 0;
}

/* The database's size in MiB as SQLite counts it (page_count * page_size). */
static long db_mib(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    long long n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return (long)(n >> 20);
}

/* VACUUM INTO from a read-only connection: a single read transaction on a WAL snapshot, so
 * commits by the server go on beside it and never restart it (the backup API restarted its
 * page-by-page copy at every commit of another process, and under a steady load never ended). */
static int sqlite_backup(const char *data_dir, const char *tmp, backup_progress_fn progress,
                         err_t *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/jiceng.db", data_dir);
    if (access(path, R_OK) != 0)
        return err_set(e, ERR_IO, "backup", "数据库文件不存在", NULL);
    if (create_private(tmp) != 0)
        return err_set(e, ERR_IO, "backup", "无法创建备份文件", NULL);
    sqlite3 *src = NULL;
    int rc = ERR_IO;
    if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(src, 5000);
        sqlite3_db_config(src, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        copy_progress_t cp = {.fn = progress, .part = tmp};
        if (progress) {
            cp.total_mib = db_mib(src);
            clock_gettime(CLOCK_MONOTONIC, &cp.last);
            sqlite3_progress_handler(src, 4000, on_steps, &cp);
        }
        char *sql = sqlite3_mprintf("VACUUM INTO %Q", tmp);
        char *msg = NULL;
        rc = sqlite3_exec(src, sql, NULL, NULL, &msg) == SQLITE_OK ? 0 : ERR_IO;
        if (rc)
            log_error("backup: VACUUM INTO %s: %s", tmp, msg ? msg : sqlite3_errmsg(src));
        else if (progress)
            progress("backup (MiB)", (long)(file_size(tmp) >> 20), (long)(file_size(tmp) >> 20));
        sqlite3_free(msg);
        sqlite3_free(sql);
    }
    sqlite3_close(src);
    return rc ? err_set(e, ERR_IO, "backup", "备份写入失败", NULL) : 0;
}

int backup_make(const char *data_dir, const char *url, const char *out, backup_progress_fn progress,
                backup_stats_t *st, err_t *e)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.part", out);
    int rc;
    if (url) {
        /* pg_dump writes into the file we made 0600 (it truncates, keeping the mode). */
        char *argv[] = {"pg_dump",   "--format=custom", "--no-owner", "--file",
                        (char *)tmp, "--dbname",        (char *)url,  NULL};
        rc = create_private(tmp) == 0 ? run(argv) : ERR_IO;
        if (rc)
            err_set(e, ERR_IO, "backup", "pg_dump 执行失败", NULL);
    } else {
        rc = sqlite_backup(data_dir, tmp, progress, e);
    }
    /* Only a complete copy gets the final name. */
    if (rc == 0 && commit_file(tmp, out) != 0)
        rc = err_set(e, ERR_IO, "backup", "备份写入失败", NULL);
    if (rc) {
        unlink(tmp);
        return rc;
    }
    st->bytes = file_size(out);
    st->seconds = since(&t0);
    return 0;
}

/* ---------- reading a backup ---------- */

/* A jiceng SQLite backup: a readable database that passes quick_check and has our schema. */
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

/* A dump whose table of contents has our schema's data (schema_migrations and people). */
static int pg_valid_backup(const char *from)
{
    char *argv[] = {"pg_restore", "--list", (char *)from, NULL};
    FILE *f = NULL;
    pid_t pid = spawn(argv, &f);
    if (pid < 0)
        return 0;
    char *line = NULL;
    size_t cap = 0;
    int seen = 0;
    /* "3405; 0 16390 TABLE DATA public people owner" */
    while (getline(&line, &cap, f) > 0) {
        char *t = strstr(line, " TABLE DATA ");
        char schema[128], name[128];
        if (t && sscanf(t, " TABLE DATA %127s %127s", schema, name) == 2)
            seen |= strcmp(name, "schema_migrations") == 0 ? 1
                    : strcmp(name, "people") == 0          ? 2
                                                           : 0;
    }
    free(line);
    fclose(f);
    return reap(pid) == 0 && seen == 3;
}

int backup_check(const char *from, int pg, err_t *e)
{
    if (access(from, R_OK) != 0)
        return err_set(e, ERR_IO, "restore", "备份文件不存在或不可读", NULL);
    int ok;
    if (pg) {
        ok = pg_valid_backup(from);
    } else {
        sqlite3 *db = NULL;
        ok = sqlite3_open_v2(from, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
             sqlite_valid_backup(db);
        sqlite3_close(db);
    }
    return ok ? 0 : err_set(e, ERR_INVALID, "restore", NOT_BACKUP, NULL);
}

static int sqlite_rows(const char *from, const char *table, const char *const *cols, int ncols,
                       backup_row_fn fn, void *ud, err_t *e)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    sqlite3_str *q = sqlite3_str_new(NULL);
    for (int i = 0; i < ncols; i++)
        sqlite3_str_appendf(q, "%s\"%w\"", i ? ", " : "SELECT ", cols[i]);
    sqlite3_str_appendf(q, " FROM \"%w\"", table);
    char *sql = sqlite3_str_finish(q);
    int rc = ERR_INVALID;
    if (sqlite3_open_v2(from, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        const char *vals[64];
        int s;
        while ((s = sqlite3_step(st)) == SQLITE_ROW) {
            for (int i = 0; i < ncols && i < 64; i++)
                vals[i] = (const char *)sqlite3_column_text(st, i);
            fn(ud, vals);
        }
        rc = s == SQLITE_DONE ? 0 : ERR_IO;
    }
    if (rc)
        log_error("backup: reading %s of %s: %s", table, from, db ? sqlite3_errmsg(db) : "?");
    sqlite3_finalize(st);
    sqlite3_close(db);
    sqlite3_free(sql);
    return rc ? err_set(e, rc, "restore", rc == ERR_IO ? "备份文件读取失败" : NOT_BACKUP, NULL) : 0;
}

/* Undo COPY text escapes in place (\\N was handled by the caller): \b \f \n \r \t \v, \\, \ooo
 * (octal), \xhh. */
static void copy_unescape(char *s)
{
    static const char from[] = "bfnrtv", to[] = "\b\f\n\r\t\v";
    char *o = s;
    while (*s) {
        if (*s != '\\' || !s[1]) {
            *o++ = *s++;
            continue;
        }
        s++;
        const char *k = strchr(from, *s);
        if (k && *s) {
            *o++ = to[k - from];
            s++;
        } else if (*s >= '0' && *s <= '7') {
            int v = 0;
            for (int n = 0; n < 3 && *s >= '0' && *s <= '7'; n++)
                v = v * 8 + (*s++ - '0');
            *o++ = (char)v;
        } else if (*s == 'x') {
            char hex[3] = {0};
            s++;
            for (int n = 0; n < 2 && strchr("0123456789abcdefABCDEF", *s) && *s; n++)
                hex[n] = *s++;
            *o++ = (char)strtol(hex, NULL, 16);
        } else {
            *o++ = *s++;
        }
    }
    *o = 0;
}

/* The position in the COPY line's column list "COPY public.people (a, b, "c") FROM stdin;" of
 * each of cols, into pos[]. 0, or -1 if one is missing. */
static int copy_columns(char *line, const char *const *cols, int ncols, int *pos)
{
    char *open = strchr(line, '('), *close = open ? strchr(open, ')') : NULL;
    if (!close)
        return -1;
    *close = 0;
    for (int i = 0; i < ncols; i++)
        pos[i] = -1;
    int n = 0;
    for (char *name = open + 1; name; n++) {
        char *comma = strchr(name, ',');
        if (comma)
            *comma = 0;
        name += strspn(name, " \"");
        name[strcspn(name, "\"")] = 0;
        for (int i = 0; i < ncols; i++)
            if (strcmp(name, cols[i]) == 0)
                pos[i] = n;
        name = comma ? comma + 1 : NULL;
    }
    for (int i = 0; i < ncols; i++)
        if (pos[i] < 0)
            return -1;
    return 0;
}

/* One data line of the COPY block: tab-separated fields, \N for NULL. */
static void copy_row(char *line, const int *pos, int ncols, backup_row_fn fn, void *ud)
{
    char *field[256] = {NULL};
    int n = 0;
    line[strcspn(line, "\n")] = 0;
    for (char *p = line; p && n < 256;) {
        field[n++] = p;
        p = strchr(p, '\t');
        if (p)
            *p++ = 0;
    }
    const char *vals[64];
    for (int i = 0; i < ncols && i < 64; i++) {
        char *v = pos[i] < n ? field[pos[i]] : NULL;
        if (v && strcmp(v, "\\N") == 0)
            v = NULL;
        if (v)
            copy_unescape(v);
        vals[i] = v;
    }
    fn(ud, vals);
}

static int pg_rows(const char *from, const char *table, const char *const *cols, int ncols,
                   backup_row_fn fn, void *ud, err_t *e)
{
    char opt[256];
    snprintf(opt, sizeof opt, "--table=%s", table);
    char *argv[] = {"pg_restore", "--data-only", opt, "--file=-", (char *)from, NULL};
    FILE *f = NULL;
    pid_t pid = spawn(argv, &f);
    if (pid < 0)
        return err_set(e, ERR_IO, "restore", "无法运行 pg_restore", NULL);
    char *line = NULL;
    size_t cap = 0;
    int pos[64], state = 0; /* 0 before the COPY block, 1 in it, 2 after it, -1 bad columns */
    while (getline(&line, &cap, f) > 0) {
        if (state == 0 && strncmp(line, "COPY ", 5) == 0 && strstr(line, " FROM stdin;"))
            state = ncols <= 64 && copy_columns(line, cols, ncols, pos) == 0 ? 1 : -1;
        else if (state == 1 && strcmp(line, "\\.\n") == 0)
            state = 2;
        else if (state == 1)
            copy_row(line, pos, ncols, fn, ud);
    }
    free(line);
    fclose(f);
    int rc = reap(pid);
    if (rc)
        return err_set(e, ERR_IO, "restore", "pg_restore 读取备份失败", NULL);
    return state == 2 ? 0 : err_set(e, ERR_INVALID, "restore", NOT_BACKUP, NULL);
}

int backup_read_table(const char *from, int pg, const char *table, const char *const *cols,
                      int ncols, backup_row_fn fn, void *ud, err_t *e)
{
    if (ncols < 1 || ncols > 64)
        return err_set(e, ERR_INVALID, "restore", "列数不正确", NULL);
    return pg ? pg_rows(from, table, cols, ncols, fn, ud, e)
              : sqlite_rows(from, table, cols, ncols, fn, ud, e);
}

/* ---------- restoring ---------- */

/* Copy src → dst page by page (nothing else writes either: the server is stopped). */
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

static int sqlite_restore(const char *data_dir, const char *from, backup_progress_fn progress,
                          err_t *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/jiceng.db", data_dir);
    mkdir(data_dir, 0700);
    /* A new database file private from the start (its -wal and -shm take its mode). */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0)
        close(fd);
    sqlite3 *src = NULL, *dst = NULL;
    int rc = ERR_IO;
    if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) ==
            SQLITE_OK) {
        sqlite3_busy_timeout(dst, 2000);
        rc = sqlite_copy(src, dst, progress, "restore");
        if (rc == 0)
            sqlite3_exec(dst, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    }
    sqlite3_close(src);
    sqlite3_close(dst);
    return rc ? err_set(e, ERR_IO, "restore", "恢复失败：数据库正被使用？请先停止服务", NULL) : 0;
}

int backup_restore(const char *data_dir, const char *url, const char *from,
                   backup_progress_fn progress, backup_stats_t *st, err_t *e)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = backup_check(from, url != NULL, e);
    if (rc)
        return rc;
    if (url) {
        char *argv[] = {
            "pg_restore", "--clean",   "--if-exists", "--no-owner", "--single-transaction",
            "--dbname",   (char *)url, (char *)from,  NULL};
        if (run(argv) != 0)
            return err_set(e, ERR_IO, "restore", "pg_restore 执行失败", NULL);
    } else if ((rc = sqlite_restore(data_dir, from, progress, e)) != 0) {
        return rc;
    }
    st->bytes = file_size(from);
    st->seconds = since(&t0);
    return 0;
}
