/* backup.h — consistent online copies of the database and their restoration.
 * SQLite: the online backup API (a snapshot, safe while the server writes). PostgreSQL: pg_dump
 * in its custom format, restored with pg_restore --clean. */
#ifndef JICENG_STORE_BACKUP_H
#define JICENG_STORE_BACKUP_H

#include "lib/err.h"

typedef struct {
    long long bytes;
    double seconds;
} backup_stats_t;

typedef void (*backup_progress_fn)(const char *what, long done, long total);

/* Copy the database (DATA_DIR/jiceng.db, or url) to out. Returns 0 or ERR_IO. */
int backup_make(const char *data_dir, const char *url, const char *out, backup_progress_fn progress,
                backup_stats_t *st, err_t *e);
/* Replace the database's content with the backup in `from`. The server must be stopped
 * (SQLite). The file is checked first: a non-backup is refused and nothing changes. */
int backup_restore(const char *data_dir, const char *url, const char *from,
                   backup_progress_fn progress, backup_stats_t *st, err_t *e);

#endif
