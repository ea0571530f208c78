/* app.c — open and close what every command needs. */
#include "app/app.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "app/listeners.h"
#include "domain/cases/cases.h"
#include "domain/common/photos.h"
#include "domain/registry/registry.h"
#include "lib/idgen.h"
#include "lib/log.h"
#include "lib/workday.h"

/* The official calendar (npm chinese-days), built into the binary so deadlines never depend on
 * what is installed where the server runs. */
#ifndef JICENG_ROOT
#define JICENG_ROOT "."
#endif
__asm__(".section .rodata\n.global jiceng_chinese_days\njiceng_chinese_days:\n"
        ".incbin \"" JICENG_ROOT "/node_modules/chinese-days/dist/chinese-days.json\"\n"
        ".byte 0\n.previous\n");
extern const char jiceng_chinese_days[];
static workday_cal_t *calendar;

int64_t app_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A node number for the ID generator. SQLite: one process, node 0. PostgreSQL: each instance
 * takes the next free number in `instances`, so IDs made by several instances never collide. */
static int claim_node(store_t *s, int slot, unsigned *node)
{
    *node = 0;
    if (store_engine(s) != DB_PG)
        return 0;
    db_t *db = store_reader(s, slot);
    static const char SQL_NEXT[] = "SELECT COALESCE(MAX(id), -1) + 1 FROM instances";
    static const char SQL_CLAIM[] = "INSERT INTO instances (id, started_at) VALUES (?, ?)";
    static const char SQL_OLDEST[] = "SELECT id FROM instances ORDER BY started_at LIMIT 1";
    static const char SQL_REUSE[] = "UPDATE instances SET started_at = ? WHERE id = ?";
    for (int attempt = 0; attempt < 20; attempt++) {
        int64_t next = 0;
        int found = 0;
        if (db_one_i64(db, SQL_NEXT, &next, &found) != 0)
            return ERR_IO;
        if (next < 256) {
            if (db_run(db, SQL_CLAIM, I(next), I(app_now_ms())) == 0) {
                *node = (unsigned)next;
                return 0;
            }
            continue; /* another instance took it: try again */
        }
        /* All 256 used over time: reuse the one started longest ago. */
        int64_t old = 0;
        if (db_one_i64(db, SQL_OLDEST, &old, &found) == 0 && found &&
            db_run(db, SQL_REUSE, I(app_now_ms()), I(old)) == 0) {
            *node = (unsigned)old;
            return 0;
        }
    }
    return ERR_IO;
}

int app_open(app_t *a, const app_opts_t *o, int nthreads, err_t *e)
{
    char keys[4096];
    memset(a, 0, sizeof *a);
    a->opt = *o;
    a->nthreads = nthreads;
    if (crypto_init() != 0)
        return err_set(e, ERR_IO, "crypto", "libsodium 初始化失败", NULL);
    app_listen();
    if (!o->readonly && mkdir(o->data_dir, 0700) != 0 && access(o->data_dir, W_OK) != 0)
        return err_set(e, ERR_IO, "data_dir", "无法创建数据目录", NULL);
    snprintf(keys, sizeof keys, "%s/photos", o->data_dir);
    photos_set_dir(keys);
    snprintf(keys, sizeof keys, "%s/keys", o->data_dir);
    err_t ke = {0};
    int rc = crypto_keys_load(keys, !o->readonly, &a->keys, &ke);
    if (rc && !o->readonly) {
        err_copy(e, &ke);
        return rc;
    }
    a->keys_error = rc ? ke.message : NULL; /* static strings (crypto.c) */
    registry_init(a->keys);
    if (!calendar) {
        err_t ce = {0};
        if (workday_load(jiceng_chinese_days, strlen(jiceng_chinese_days), &calendar, &ce) != 0) {
            log_error("calendar (chinese-days): %s", ce.message ? ce.message : "?");
            return err_set(e, ERR_IO, "calendar", "工作日历数据无法读取", NULL);
        }
        cases_set_calendar(calendar);
    }
    rc = o->readonly ? store_open_readonly(o->data_dir, o->db_url, nthreads, &a->store, e)
                     : store_open(o->data_dir, o->db_url, nthreads, &a->store, e);
    if (rc)
        return rc;
    unsigned node = 0;
    if (!o->readonly && claim_node(a->store, nthreads - 1, &node) != 0)
        return err_set(e, ERR_IO, "node", "无法登记实例编号", NULL);
    idgen_init(node);
    return 0;
}

void app_close(app_t *a)
{
    store_close(a->store);
    crypto_keys_free(a->keys);
    a->store = NULL;
    a->keys = NULL;
}

static int tty = -1;
static char last_what[64];

void app_progress(const char *what, long done, long total)
{
    if (tty < 0)
        tty = isatty(2);
    if (tty) {
        if (total > 0)
            fprintf(stderr, "\r  %-28s %8ld / %ld (%3ld%%)", what, done, total, done * 100 / total);
        else
            fprintf(stderr, "\r  %-28s %8ld", what, done);
        fflush(stderr);
        snprintf(last_what, sizeof last_what, "%s", what);
    } else if (total > 0) {
        log_info("%s: %ld / %ld", what, done, total);
    } else {
        log_info("%s: %ld", what, done);
    }
}

void app_progress_end(void)
{
    if (tty > 0 && last_what[0]) {
        fputc('\n', stderr);
        last_what[0] = 0;
    }
}
