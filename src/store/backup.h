/* backup.h — consistent online copies of the database, reading a copy without restoring it, and
 * restoring one. SQLite: VACUUM INTO from a read-only connection (one read transaction on a WAL
 * snapshot, so the server's commits never restart it). PostgreSQL: pg_dump in its custom format,
 * read with pg_restore, restored with pg_restore --clean. The keys that travel with a backup are
 * the caller's business (app/backupkeys.h): this module knows only the database. */
#ifndef JICENG_STORE_BACKUP_H
#define JICENG_STORE_BACKUP_H

#include "lib/err.h"

typedef struct {
    long long bytes;
    double seconds;
} backup_stats_t;

/* Progress of a long copy: done of total (units named in what); total 0 if unknown. */
typedef void (*backup_progress_fn)(const char *what, long done, long total);

/* Copy the database (DATA_DIR/jiceng.db, or url) to out, safe while the server writes: the copy
 * is one snapshot and takes a time bounded by the database's size, however busy the server is.
 * It is written to out.part (created 0600, so never readable by others), fsync'd, then renamed
 * to out. progress (may be NULL) is called at most ten times a second (SQLite; MiB written of
 * the database's size). Returns 0 or ERR_IO with a Chinese message in e. */
int backup_make(const char *data_dir, const char *url, const char *out, backup_progress_fn progress,
                backup_stats_t *st, err_t *e);

/* 0 if `from` is a jiceng backup of the engine (pg: PostgreSQL dump, else SQLite file) that
 * restore can use: SQLite, a database that passes quick_check and has our schema; PostgreSQL, a
 * dump pg_restore lists with our schema's tables in it. Else ERR_INVALID ("不是有效的 jiceng
 * 备份文件"). Reads only. */
int backup_check(const char *from, int pg, err_t *e);

/* The values of cols (NULL for SQL NULL; valid during the call only), for each row. */
typedef void (*backup_row_fn)(void *ud, const char *const *vals);

/* Every row of table in the backup `from`, without restoring it (SQLite: opened read-only;
 * PostgreSQL: pg_restore --data-only --table, COPY text parsed). A column the table lacks is an
 * error. 0, or ERR_INVALID / ERR_IO with a message. */
int backup_read_table(const char *from, int pg, const char *table, const char *const *cols,
                      int ncols, backup_row_fn fn, void *ud, err_t *e);

/* Replace the database's content with the backup in `from`. The server must be stopped
 * (SQLite). The file is checked first (backup_check): a non-backup is refused and nothing
 * changes. A SQLite database made here is created 0600. */
int backup_restore(const char *data_dir, const char *url, const char *from,
                   backup_progress_fn progress, backup_stats_t *st, err_t *e);

#endif
