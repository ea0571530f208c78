/* webhook.c — the outbox of case events and its delivery thread.
 *
 * A row's life:  pending --2xx--> delivered
 *                pending --else--> pending (attempts+1, next_at = now + backoff)
 *                pending --10th failure--> failed
 * A claimed row gets next_at = now + LEASE_MS before its POST, so on PostgreSQL another instance
 * (claiming with FOR UPDATE SKIP LOCKED) does not take it too, and a row whose deliverer died is
 * due again once the lease has passed. Delivery is at least once: receivers dedupe by
 * X-Jiceng-Delivery. */
#include "outbox/webhook.h"
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lib/idgen.h"
#include "lib/log.h"

#define SECRET_MAX 512
#define BATCH 16
#define LEASE_MS (60 * 1000) /* longer than one POST can take (timeout below) */
#define POST_TIMEOUT_MS 10000
#define CONNECT_TIMEOUT_MS 5000
#define IDLE_POLL_MS 1000 /* look for due rows at least this often */

static struct {
    int enabled;
    char url[2048];
    unsigned char secret[SECRET_MAX];
    size_t secret_len;
    int64_t backoff_ms;
    atomic_long events;
    /* the delivery thread */
    pthread_t tid;
    int running;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int kicked;
    atomic_int stop;
    store_t *store;
    int slot;
} wh = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------- the secret ---------- */

/* A fresh secret: 32 random bytes as 64 hex digits, so it can be pasted into a receiver's
 * configuration. Written to a temporary name and link()ed into place, as crypto.c does with the
 * keys: two processes racing both end up with the one that won. */
static int create_secret(const char *path, err_t *e)
{
    unsigned char raw[32];
    char hex[65], tmp[4200];
    int rc = 0;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    hex[64] = '\n';
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, hex, 65) != 65 || fsync(fd) != 0 ||
        (link(tmp, path) != 0 && errno != EEXIST))
        rc = err_set(e, ERR_IO, "webhook_secret", "无法创建 webhook 密钥文件", NULL);
    sodium_memzero(hex, sizeof hex);
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    return rc;
}

/* Read the secret: a regular file, owner-only (like the keys), 1..SECRET_MAX bytes after the
 * trailing whitespace is dropped. The bytes themselves are the HMAC key. */
static int load_secret(const char *path, err_t *e)
{
    struct stat st;
    int rc = 0;
    ssize_t n = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        rc = err_set(e, ERR_IO, "webhook_secret", "无法读取 webhook 密钥文件", NULL);
        goto out;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = err_set(e, ERR_IO, "webhook_secret", "webhook 密钥文件不是普通文件", NULL);
        goto out;
    }
    if (st.st_mode & 077) {
        rc = err_set(e, ERR_IO, "webhook_secret",
                     "webhook 密钥文件权限过宽，应为 0600（仅属主可读写）", NULL);
        goto out;
    }
    n = read(fd, wh.secret, sizeof wh.secret);
    while (n > 0 && (wh.secret[n - 1] == '\n' || wh.secret[n - 1] == '\r' ||
                     wh.secret[n - 1] == ' ' || wh.secret[n - 1] == '\t'))
        n--;
    if (n <= 0 || (size_t)n >= sizeof wh.secret) {
        rc = err_set(e, ERR_INVALID, "webhook_secret",
                     "webhook 密钥文件为空或过长（上限 511 字节）", NULL);
        goto out;
    }
    wh.secret_len = (size_t)n;
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

int webhook_configure(const webhook_config_t *cfg, err_t *e)
{
    char path[4096];
    if (!cfg->url || !*cfg->url)
        return 0;
    if ((strncmp(cfg->url, "http://", 7) != 0 && strncmp(cfg->url, "https://", 8) != 0) ||
        strlen(cfg->url) >= sizeof wh.url)
        return err_set(e, ERR_INVALID, "webhook_url", "webhook 地址应以 http:// 或 https:// 开头",
                       "webhook-url");
    if (sodium_init() < 0)
        return err_set(e, ERR_IO, "crypto", "libsodium 初始化失败", NULL);
    int rc;
    if (cfg->secret_file) {
        rc = load_secret(cfg->secret_file, e);
    } else {
        snprintf(path, sizeof path, "%s/keys/webhook.key", cfg->data_dir);
        rc = access(path, F_OK) == 0 ? 0 : create_secret(path, e);
        if (rc == 0)
            rc = load_secret(path, e);
    }
    if (rc)
        return rc;
    snprintf(wh.url, sizeof wh.url, "%s", cfg->url);
    wh.backoff_ms = cfg->backoff_ms > 0 ? cfg->backoff_ms : WEBHOOK_BACKOFF_MS;
    wh.enabled = 1;
    return 0;
}

int webhook_enabled(void) { return wh.enabled; }

long webhook_events_made(void) { return atomic_load(&wh.events); }

void webhook_sign(const char *secret, size_t secret_len, long long unix_s, const char *body,
                  size_t len, char out[96])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char t[24], hex[2 * sizeof mac + 1];
    int tl = snprintf(t, sizeof t, "%lld", unix_s);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, secret_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)t, (unsigned long long)tl);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(out, 96, "t=%s,v1=%s", t, hex);
}

/* ---------- the outbox row, in the event's transaction ---------- */

static const char SQL_CASE[] =
    "SELECT c.category_code, k.name, c.region_code, r.name, c.assignee_code, c.source, c.slip,"
    " c.created_at, c.respond_due, c.complete_due, c.outcome, c.rating"
    " FROM cases c LEFT JOIN categories k ON k.county = c.county AND k.code = c.category_code"
    " LEFT JOIN regions r ON r.code = c.region_code WHERE c.county = ? AND c.id = ?";
static const char SQL_PUT[] =
    "INSERT INTO outbox (county, id, case_id, seq, event, at, payload, next_at)"
    " VALUES (?,?,?,?,?,?,?,?)";

static json_t *opt_i64(db_stmt_t *st, int col)
{
    return db_col_isnull(st, col) ? json_null() : json_integer(db_col_i64(st, col));
}

int webhook_case_event(db_t *db, const char *county, int64_t case_id, int seq, int64_t at,
                       const char *event, const char *from, const char *to)
{
    atomic_fetch_add(&wh.events, 1);
    if (!wh.enabled)
        return 0;
    db_stmt_t *st = db_query(db, SQL_CASE, S(county), I(case_id));
    int s = st ? db_step(st) : ERR_IO;
    if (s != DB_ROW) {
        db_reset(st);
        return s < 0 ? s : ERR_IO; /* the event's case is written first: it must be there */
    }
    int64_t id = idgen_next();
    char ids[24], cids[24], type[48];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    snprintf(cids, sizeof cids, "%" PRId64, case_id);
    snprintf(type, sizeof type, "case.%s", event);
    /* What a 12345 system needs to follow the case, nothing about the people in it: the reporter,
     * description, address and location stay here (Open311 GET requests/{id} with an api key
     * gives the case's own text to those entitled to it). */
    json_t *c =
        json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:s?,s:s?,s:o,s:o,s:o,s:s?,s:o}", "id", cids,
                  "county", county, "state", to, "category", db_col_text(st, 0), "category_name",
                  db_col_text(st, 1), "region", db_col_text(st, 2), "region_name",
                  db_col_text(st, 3), "assignee", db_col_text(st, 4), "source", db_col_text(st, 5),
                  "created_at", opt_i64(st, 7), "respond_due", opt_i64(st, 8), "complete_due",
                  opt_i64(st, 9), "outcome", db_col_text(st, 10), "rating", opt_i64(st, 11));
    if (c && db_col_text(st, 6))
        json_object_set_new(c, "slip", json_string(db_col_text(st, 6)));
    db_reset(st);
    json_t *p = c ? json_pack("{s:s,s:s,s:I,s:o,s:{s:i,s:s,s:s?,s:s}}", "id", ids, "type", type,
                              "at", (json_int_t)at, "case", c, "event", "seq", seq, "name", event,
                              "from", from, "to", to)
                  : NULL;
    char *body = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    if (!body)
        return ERR_NOMEM;
    int rc = db_run(db, SQL_PUT, S(county), I(id), I(case_id), I((int64_t)seq), S(event), I(at),
                    S(body), I(now_ms()));
    free(body);
    return rc;
}

/* ---------- delivery ---------- */

typedef struct {
    char county[8];
    int64_t id;
    char event[40];
    int attempts;
    char *payload; /* malloc'd */
} row_t;

typedef struct {
    int64_t now;
    int n;
    row_t rows[BATCH];
} claim_t;

static const char SQL_DUE[] = "SELECT county, id, event, attempts, payload FROM outbox"
                              " WHERE state = 'pending' AND next_at <= ? ORDER BY next_at LIMIT 16";
/* Several instances on one PostgreSQL: a row another instance is claiming is skipped, not
 * waited for, and never claimed twice. */
static const char SQL_DUE_PG[] =
    "SELECT county, id, event, attempts, payload FROM outbox"
    " WHERE state = 'pending' AND next_at <= ? ORDER BY next_at LIMIT 16 FOR UPDATE SKIP LOCKED";
static const char SQL_LEASE[] = "UPDATE outbox SET next_at = ? WHERE county = ? AND id = ?";

static int claim(db_t *db, void *arg, err_t *e)
{
    (void)e;
    claim_t *c = arg;
    c->n = 0;
    db_stmt_t *st = db_query(db, db_engine(db) == DB_PG ? SQL_DUE_PG : SQL_DUE, I(c->now));
    int s;
    while (st && c->n < BATCH && (s = db_step(st)) == DB_ROW) {
        row_t *r = &c->rows[c->n++];
        snprintf(r->county, sizeof r->county, "%s", db_col_text(st, 0));
        r->id = db_col_i64(st, 1);
        snprintf(r->event, sizeof r->event, "%s", db_col_text(st, 2));
        r->attempts = (int)db_col_i64(st, 3);
        r->payload = log_check_alloc(strdup(db_col_text(st, 4)));
    }
    db_reset(st);
    int rc = st ? 0 : ERR_IO;
    for (int i = 0; rc == 0 && i < c->n; i++)
        rc = db_run(db, SQL_LEASE, I(c->now + LEASE_MS), S(c->rows[i].county), I(c->rows[i].id));
    return rc;
}

typedef struct {
    const row_t *row;
    int64_t now;
    long status; /* HTTP status, 0: no answer */
    char error[200];
} outcome_t;

static const char SQL_OK[] =
    "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?,"
    " last_status = ?, last_error = NULL WHERE county = ? AND id = ?";
static const char SQL_RETRY[] =
    "UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_status = ?, last_error = ?"
    " WHERE county = ? AND id = ?";
static const char SQL_FAILED[] =
    "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_status = ?,"
    " last_error = ? WHERE county = ? AND id = ?";

/* Delay before attempt n+1 after n failures: base, 2 base, 4 base … capped. */
static int64_t backoff(int failures)
{
    int64_t d = wh.backoff_ms;
    for (int i = 1; i < failures && d < WEBHOOK_BACKOFF_MAX_MS; i++)
        d *= 2;
    return d < WEBHOOK_BACKOFF_MAX_MS ? d : WEBHOOK_BACKOFF_MAX_MS;
}

static int record(db_t *db, void *arg, err_t *e)
{
    (void)e;
    outcome_t *o = arg;
    const row_t *r = o->row;
    if (o->status >= 200 && o->status < 300)
        return db_run(db, SQL_OK, I(o->now), I((int64_t)o->status), S(r->county), I(r->id));
    int failures = r->attempts + 1;
    if (failures >= WEBHOOK_MAX_ATTEMPTS)
        return db_run(db, SQL_FAILED, I((int64_t)o->status), S(o->error), S(r->county), I(r->id));
    return db_run(db, SQL_RETRY, I(o->now + backoff(failures)), I((int64_t)o->status), S(o->error),
                  S(r->county), I(r->id));
}

static size_t discard(char *p, size_t size, size_t n, void *unused)
{
    (void)p;
    (void)unused;
    return size * n;
}

/* Abandon a POST in flight when the server is stopping. */
static int on_progress(void *unused, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)unused, (void)a, (void)b, (void)c, (void)d;
    return atomic_load(&wh.stop) ? 1 : 0;
}

/* POST one row. 0 with o->status (0 and o->error when there was no answer); ERR_IO when the
 * attempt was abandoned because the server is stopping. */
static int post(CURL *h, const row_t *r, outcome_t *o)
{
    char hdr_event[80], hdr_id[64], hdr_sig[128], sig[96];
    size_t len = strlen(r->payload);
    webhook_sign((const char *)wh.secret, wh.secret_len, (long long)(now_ms() / 1000), r->payload,
                 len, sig);
    snprintf(hdr_event, sizeof hdr_event, "X-Jiceng-Event: case.%s", r->event);
    snprintf(hdr_id, sizeof hdr_id, "X-Jiceng-Delivery: %" PRId64, r->id);
    snprintf(hdr_sig, sizeof hdr_sig, "X-Jiceng-Signature: %s", sig);
    struct curl_slist *hs = NULL;
    hs = curl_slist_append(hs, "Content-Type: application/json; charset=utf-8");
    hs = curl_slist_append(hs, "Expect:");
    hs = curl_slist_append(hs, hdr_event);
    hs = curl_slist_append(hs, hdr_id);
    hs = curl_slist_append(hs, hdr_sig);
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, wh.url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->payload);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode cc = curl_easy_perform(h);
    curl_slist_free_all(hs);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    if (cc == CURLE_ABORTED_BY_CALLBACK)
        return ERR_IO;
    o->status = 0;
    if (cc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &o->status);
        snprintf(o->error, sizeof o->error, "HTTP %ld", o->status);
    } else {
        snprintf(o->error, sizeof o->error, "%.199s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
    }
    return 0;
}

static CURL *new_handle(void)
{
    CURL *h = curl_easy_init();
    if (!h)
        return NULL;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)POST_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "jiceng-webhook/1");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    return h;
}

static const char SQL_NEXT_DUE[] = "SELECT MIN(next_at) FROM outbox WHERE state = 'pending'";

/* Sleep until the next row is due, a kick, or IDLE_POLL_MS (other instances add rows too). */
static void wait_for_work(void)
{
    int64_t next = 0, now = now_ms();
    int found = 0;
    int64_t wait = IDLE_POLL_MS;
    if (db_one_i64(store_reader(wh.store, wh.slot), SQL_NEXT_DUE, &next, &found) == 0 && found &&
        next > 0)
        wait = next <= now ? 0 : next - now < IDLE_POLL_MS ? next - now : IDLE_POLL_MS;
    if (wait <= 0)
        return;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += wait / 1000;
    until.tv_nsec += (long)(wait % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&wh.mu);
    while (!wh.kicked && !atomic_load(&wh.stop) &&
           pthread_cond_timedwait(&wh.cv, &wh.mu, &until) != ETIMEDOUT)
        ;
    wh.kicked = 0;
    pthread_mutex_unlock(&wh.mu);
}

static void *deliver_main(void *unused)
{
    (void)unused;
    CURL *h = new_handle();
    if (!h) {
        log_error("webhook: curl could not start; no deliveries");
        return NULL;
    }
    claim_t *c = log_check_alloc(calloc(1, sizeof *c));
    while (!atomic_load(&wh.stop)) {
        err_t e = {0};
        c->now = now_ms();
        if (store_write(wh.store, wh.slot, claim, c, &e) != 0) {
            log_error("webhook: claim failed: %s", e.message ? e.message : "?");
            for (int i = 0; i < c->n; i++)
                free(c->rows[i].payload);
            c->n = 0;
        }
        for (int i = 0; i < c->n; i++) {
            outcome_t o = {.row = &c->rows[i]};
            if (!atomic_load(&wh.stop) && post(h, &c->rows[i], &o) == 0) {
                o.now = now_ms();
                err_t re = {0};
                if (store_write(wh.store, wh.slot, record, &o, &re) != 0)
                    log_error("webhook: cannot record delivery %" PRId64 ": %s", c->rows[i].id,
                              re.message ? re.message : "?");
                else if (o.status < 200 || o.status >= 300)
                    log_warn("webhook: delivery %" PRId64 " attempt %d failed: %s", c->rows[i].id,
                             c->rows[i].attempts + 1, o.error);
            }
            free(c->rows[i].payload);
        }
        if (c->n == 0)
            wait_for_work();
    }
    free(c);
    curl_easy_cleanup(h);
    return NULL;
}

int webhook_start(store_t *store, int slot)
{
    if (!wh.enabled)
        return 0;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return ERR_IO;
    wh.store = store;
    wh.slot = slot;
    atomic_store(&wh.stop, 0);
    if (pthread_create(&wh.tid, NULL, deliver_main, NULL) != 0) {
        curl_global_cleanup();
        return ERR_IO;
    }
    wh.running = 1;
    log_info("webhook: delivering case events to %s", wh.url);
    return 0;
}

void webhook_kick(void)
{
    if (!wh.running)
        return;
    pthread_mutex_lock(&wh.mu);
    wh.kicked = 1;
    pthread_cond_signal(&wh.cv);
    pthread_mutex_unlock(&wh.mu);
}

void webhook_stop(void)
{
    if (!wh.running)
        return;
    pthread_mutex_lock(&wh.mu);
    atomic_store(&wh.stop, 1);
    pthread_cond_signal(&wh.cv);
    pthread_mutex_unlock(&wh.mu);
    pthread_join(wh.tid, NULL);
    wh.running = 0;
    curl_global_cleanup();
}

static const char SQL_COUNTS[] = "SELECT state, COUNT(*) FROM outbox GROUP BY state";

int webhook_counts(db_t *db, int64_t *pending, int64_t *delivered, int64_t *failed)
{
    *pending = *delivered = *failed = 0;
    db_stmt_t *st = db_query(db, SQL_COUNTS);
    int s = st ? 0 : ERR_IO;
    while (st && (s = db_step(st)) == DB_ROW) {
        const char *k = db_col_text(st, 0);
        int64_t n = db_col_i64(st, 1);
        if (strcmp(k, "pending") == 0)
            *pending = n;
        else if (strcmp(k, "delivered") == 0)
            *delivered = n;
        else if (strcmp(k, "failed") == 0)
            *failed = n;
    }
    db_reset(st);
    return s < 0 ? s : 0;
}
