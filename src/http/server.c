/* server.c — the h2o adapter: N loop threads on one listening socket, the router, auth and
 * role checks, request contexts and their lifetime, writes answered through a per-loop queue,
 * static files, access log, metrics counters and graceful shutdown. */
#define H2O_USE_LIBUV 0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <h2o.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "http/guard.h"
#include "http/http.h"
#include "http/idle.h"
#include "http/metrics.h"
#include "http/sse.h"
#include "lib/crypto.h"
#include "lib/jsonw.h"
#include "lib/log.h"

#define MAX_PARAMS 4
#define SERVER_MAX_ENTITY (16 * 1024 * 1024) /* h2o's own cap; routes check tighter limits */

typedef struct loop_thread {
    h2o_context_t ctx; /* first: a request's conn->ctx leads back here */
    int index;
    pthread_t tid;
    h2o_evloop_t *loop;
    h2o_accept_ctx_t accept;
    h2o_socket_t *listener;
    http_idle_t *idle;
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t receiver;
    int inflight;
    int fd;
} loop_thread_t;

struct http_ctx {
    h2o_req_t *req; /* NULL once h2o disposed the request (client gone) */
    loop_thread_t *thread;
    const http_route_t *route;
    h2o_mem_pool_t arena;
    int refs;
    int replied;
    int status;
    int64_t now;
    struct timespec started;
    const char *params[MAX_PARAMS];
    int nparams;
    account_session_t sess;
    int has_user;
    char ip[64];
};

typedef struct {
    h2o_multithread_message_t msg; /* first: the receiver gets these back */
    store_job_t job;
    http_ctx_t *c;
    http_respond_fn respond;
} write_msg_t;

static const http_config_t *cfg;
static h2o_globalconf_t globalconf;
static volatile sig_atomic_t stopping;
static int access_fd = -1;
static atomic_int inflight_total;

/* ---------- context lifetime ---------- */

static void ctx_unref(http_ctx_t *c)
{
    if (--c->refs > 0)
        return;
    c->thread->inflight--;
    atomic_fetch_sub(&inflight_total, 1);
    h2o_mem_clear_pool(&c->arena);
    free(c);
}

static void on_req_dispose(void *p)
{
    http_ctx_t *c = *(http_ctx_t **)p;
    c->req = NULL;
    ctx_unref(c);
}

void *http_alloc(http_ctx_t *c, size_t n)
{
    void *p = h2o_mem_alloc_pool(&c->arena, n);
    memset(p, 0, n);
    return p;
}

char *http_strdup(http_ctx_t *c, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *p = h2o_mem_alloc_pool(&c->arena, n + 1);
    memcpy(p, s, n + 1);
    return p;
}

static void json_dispose(void *p) { json_decref(*(json_t **)p); }

void http_keep_json(http_ctx_t *c, json_t *j)
{
    json_t **slot = h2o_mem_alloc_shared(&c->arena, sizeof *slot, json_dispose);
    *slot = j;
}

/* ---------- accessors ---------- */

store_t *http_store(http_ctx_t *c)
{
    (void)c;
    return cfg->store;
}
db_t *http_db(http_ctx_t *c) { return store_reader(cfg->store, c->thread->index); }
int http_thread(http_ctx_t *c) { return c->thread->index; }
const actor_t *http_user(http_ctx_t *c) { return c->has_user ? &c->sess.actor : NULL; }
const account_session_t *http_session(http_ctx_t *c) { return c->has_user ? &c->sess : NULL; }
const char *http_param(http_ctx_t *c, int i) { return i < c->nparams ? c->params[i] : ""; }
const char *http_ip(http_ctx_t *c) { return c->ip; }
int64_t http_now(http_ctx_t *c) { return c->now; }

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Percent-decode (and '+' → space) into arena memory. */
static char *url_decode(http_ctx_t *c, const char *s, size_t n)
{
    char *out = h2o_mem_alloc_pool(&c->arena, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = 0;
    return out;
}

const char *http_query(http_ctx_t *c, const char *name)
{
    if (!c->req || c->req->query_at == SIZE_MAX)
        return NULL;
    const char *q = c->req->path.base + c->req->query_at + 1;
    const char *end = c->req->path.base + c->req->path.len;
    size_t nl = strlen(name);
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        if (!amp)
            amp = end;
        const char *eq = memchr(q, '=', (size_t)(amp - q));
        const char *kend = eq ? eq : amp;
        if ((size_t)(kend - q) == nl && memcmp(q, name, nl) == 0)
            return eq ? url_decode(c, eq + 1, (size_t)(amp - eq - 1)) : "";
        q = amp + 1;
    }
    return NULL;
}

int http_limit(http_ctx_t *c, int *limit)
{
    const char *s = http_query(c, "limit");
    *limit = 20;
    if (!s)
        return 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == 0 || *end || v < 1 || v > 200) {
        http_reply_fail(c, ERR_INVALID, "invalid", "limit 应为 1 到 200 之间的整数", "limit");
        return ERR_INVALID;
    }
    *limit = (int)v;
    return 0;
}

const char *http_header(http_ctx_t *c, const char *lname)
{
    if (!c->req)
        return NULL;
    ssize_t i = h2o_find_header_by_str(&c->req->headers, lname, strlen(lname), -1);
    if (i < 0)
        return NULL;
    h2o_iovec_t v = c->req->headers.entries[i].value;
    char *s = h2o_mem_alloc_pool(&c->arena, v.len + 1);
    memcpy(s, v.base, v.len);
    s[v.len] = 0;
    return s;
}

#define BODY_MAX_JSON (1024 * 1024)

int http_body(http_ctx_t *c, json_t **obj)
{
    if (!c->req)
        return ERR_IO;
    if (c->req->entity.len > BODY_MAX_JSON) {
        http_reply_fail(c, ERR_TOOLARGE, "too_large", "请求内容过大（上限 1 MB）", NULL);
        return ERR_TOOLARGE;
    }
    json_error_t jerr;
    json_t *j = json_loadb(c->req->entity.base ? c->req->entity.base : "", c->req->entity.len,
                           JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        http_reply_fail(c, ERR_INVALID, "bad_json", "请求内容不是有效的 JSON", NULL);
        return ERR_INVALID;
    }
    json_t **slot = h2o_mem_alloc_shared(&c->arena, sizeof *slot, json_dispose);
    *slot = j;
    if (!json_is_object(j)) {
        http_reply_fail(c, ERR_INVALID, "bad_json", "请求内容应为 JSON 对象", NULL);
        return ERR_INVALID;
    }
    *obj = j;
    return 0;
}

int http_raw_body(http_ctx_t *c, const char **body, size_t *len)
{
    if (!c->req)
        return ERR_IO;
    if (c->req->entity.len > BODY_MAX_JSON) {
        http_reply_fail(c, ERR_TOOLARGE, "too_large", "请求内容过大（上限 1 MB）", NULL);
        return ERR_TOOLARGE;
    }
    *body = c->req->entity.base ? c->req->entity.base : "";
    *len = c->req->entity.len;
    return 0;
}

int http_upload_body(http_ctx_t *c, size_t max, const char **body, size_t *len)
{
    if (!c->req)
        return ERR_IO;
    if (c->req->entity.len > max) {
        http_reply_fail(c, ERR_TOOLARGE, "too_large", "上传内容过大", NULL);
        return ERR_TOOLARGE;
    }
    if (!c->req->entity.base || c->req->entity.len == 0) {
        http_reply_fail(c, ERR_INVALID, "invalid", "上传内容为空", NULL);
        return ERR_INVALID;
    }
    *body = c->req->entity.base;
    *len = c->req->entity.len;
    return 0;
}

char *http_url_decode(http_ctx_t *c, const char *s, size_t n) { return url_decode(c, s, n); }

int http_only_fields(http_ctx_t *c, json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        int ok = 0;
        for (int i = 0; allowed[i] && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok) {
            http_reply_fail(c, ERR_INVALID, "unknown_field", "请求包含未知字段",
                            http_strdup(c, key));
            return ERR_INVALID;
        }
    }
    return 0;
}

/* ---------- replies ---------- */

int http_status_of(int rc)
{
    switch (rc) {
    case 0: return 200;
    case ERR_INVALID: return 400;
    case ERR_UNAUTH: return 401;
    case ERR_FORBIDDEN: return 403;
    case ERR_NOTFOUND: return 404;
    case ERR_CONFLICT: return 409;
    case ERR_TOOLARGE: return 413;
    case ERR_LOCKED: return 423;
    case ERR_BUSY: return 503;
    case ERR_FULL: return 507;
    default: return 500;
    }
}

static const char *reason_of(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 423: return "Locked";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    case 507: return "Insufficient Storage";
    default: return status >= 500 ? "Internal Server Error" : "OK";
    }
}

static void access_log(http_ctx_t *c)
{
    if (access_fd < 0 || !c->req)
        return;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    double ms = (double)(t.tv_sec - c->started.tv_sec) * 1e3 +
                (double)(t.tv_nsec - c->started.tv_nsec) / 1e6;
    /* Keys in query strings (Open311's api_key) never reach the log: the value is masked. */
    char path[2048];
    size_t pl = c->req->path.len < sizeof path - 1 ? c->req->path.len : sizeof path - 1;
    memcpy(path, c->req->path.base, pl);
    path[pl] = 0;
    for (char *k = strstr(path, "api_key="); k; k = strstr(k, "api_key=")) {
        k += strlen("api_key=");
        for (; *k && *k != '&'; k++)
            *k = '*';
    }
    /* Written with jsonw, not a jansson tree: this runs for every request. */
    buf_t line;
    buf_init(&line, 16384);
    jsonw_t w;
    jsonw_init(&w, &line);
    jsonw_object(&w);
    jsonw_kint(&w, "ts", c->now);
    jsonw_kstring(&w, "ip", c->ip);
    jsonw_key(&w, "method");
    jsonw_stringn(&w, c->req->method.base, c->req->method.len);
    jsonw_kstring(&w, "path", path);
    jsonw_kint(&w, "status", c->status);
    jsonw_kreal(&w, "ms", ms);
    jsonw_kstring(&w, "user", c->has_user ? c->sess.actor.username : NULL);
    jsonw_object_end(&w);
    if (jsonw_finish(&w) == 0 && buf_add(&line, "\n", 1) == 0) {
        ssize_t n = write(access_fd, line.p, line.len); /* O_APPEND: one write per line */
        (void)n;
    }
    buf_free(&line);
}

const char *http_cookie_attrs(void)
{
    return cfg && cfg->secure_cookies ? "; Path=/; HttpOnly; SameSite=Strict; Secure"
                                      : "; Path=/; HttpOnly; SameSite=Strict";
}

void http_set_header(http_ctx_t *c, const char *name, const char *value)
{
    if (!c->req)
        return;
    h2o_iovec_t v = h2o_strdup(&c->req->pool, value, strlen(value));
    /* A header h2o knows as a token is set through it, so that the headers filter sees it (a
     * Cache-Control added by name got h2o's "no-cache" appended beside it). */
    const h2o_token_t *t = h2o_lookup_token(name, strlen(name));
    if (t)
        h2o_set_header(&c->req->pool, &c->req->res.headers, t, v.base, v.len, 1);
    else
        h2o_add_header_by_str(&c->req->pool, &c->req->res.headers, name, strlen(name), 0, NULL,
                              v.base, v.len);
}

void http_reply_raw(http_ctx_t *c, int status, const char *ctype, const char *body, size_t len)
{
    if (c->replied)
        return;
    c->replied = 1;
    c->status = status;
    metrics_count_status(status);
    if (!c->req)
        return;
    h2o_req_t *req = c->req;
    req->res.status = status;
    req->res.reason = reason_of(status);
    if (ctype)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ctype,
                       strlen(ctype));
    /* Nothing is cached unless the handler said otherwise (photos: private, immutable). */
    if (h2o_find_header_by_str(&req->res.headers, H2O_STRLIT("cache-control"), -1) == -1)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                       H2O_STRLIT("no-store"));
    access_log(c);
    h2o_send_inline(req, body, len);
}

void http_reply_empty(http_ctx_t *c, int status) { http_reply_raw(c, status, NULL, "", 0); }

void http_reply_json(http_ctx_t *c, int status, json_t *body)
{
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!s) {
        http_reply_raw(c, 500, "application/json; charset=utf-8",
                       H2O_STRLIT("{\"error\":{\"code\":\"internal\",\"message\":\"内部错误\"}}"));
        return;
    }
    http_reply_raw(c, status, "application/json; charset=utf-8", s, strlen(s));
    free(s);
}

void http_reply_fail(http_ctx_t *c, int rc, const char *code, const char *message,
                     const char *field)
{
    err_t e;
    err_set(&e, rc, code, message, field);
    http_reply_error(c, &e);
}

void http_reply_error(http_ctx_t *c, const err_t *e)
{
    int status = http_status_of(e->rc);
    const char *msg = e->message;
    if (!msg)
        msg = status >= 500 ? "服务器内部错误，请稍后重试" : "请求无法处理";
    json_t *err =
        json_pack("{s:s,s:s}", "code", e->code ? e->code : err_code_name(e->rc), "message", msg);
    if (e->field)
        json_object_set_new(err, "field", json_string(e->field));
    http_reply_json(c, status, json_pack("{s:o}", "error", err));
}

/* ---------- writes ---------- */

static void on_write_done(store_job_t *job)
{
    write_msg_t *m = job->done_data;
    sse__after_write(); /* committed: live-update streams look for new case events */
    if (store_engine(cfg->store) == DB_PG) {
        /* PostgreSQL wrote on this very loop thread: answer now. */
        h2o_linklist_t list;
        h2o_linklist_init_anchor(&list);
        h2o_linklist_insert(&list, &m->msg.link);
        extern void http__deliver(h2o_multithread_receiver_t *, h2o_linklist_t *);
        http__deliver(&m->c->thread->receiver, &list);
        return;
    }
    h2o_multithread_send_message(&m->c->thread->receiver, &m->msg);
}

void http__deliver(h2o_multithread_receiver_t *r, h2o_linklist_t *messages)
{
    (void)r;
    while (!h2o_linklist_is_empty(messages)) {
        write_msg_t *m = H2O_STRUCT_FROM_MEMBER(write_msg_t, msg.link, messages->next);
        h2o_linklist_unlink(&m->msg.link);
        http_ctx_t *c = m->c;
        if (c->req && m->respond)
            m->respond(c, m->job.rc, &m->job.err, m->job.arg);
        free(m);
        ctx_unref(c);
    }
}

void http_write(http_ctx_t *c, store_fn fn, void *arg, http_respond_fn respond)
{
    write_msg_t *m = log_check_alloc(calloc(1, sizeof *m));
    m->c = c;
    m->respond = respond;
    m->job.fn = fn;
    m->job.arg = arg;
    m->job.done = on_write_done;
    m->job.done_data = m;
    c->refs++;
    store_submit(cfg->store, c->thread->index, &m->job);
}

/* The request becomes an event stream (sse.c): answered, as far as logs and metrics go. */
h2o_req_t *http__sse_begin(http_ctx_t *c, int *thread)
{
    *thread = c->thread->index;
    if (c->replied || !c->req)
        return NULL;
    c->replied = 1;
    c->status = 200;
    metrics_count_status(200);
    access_log(c);
    return c->req;
}

/* ---------- deferred CPU work (argon2id and the like) ---------- */

/* A few worker threads for work too slow for a loop thread. Jobs reuse write_msg_t: job.fn runs
 * with db == NULL, then the result travels back to the loop like a write's. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    store_job_t *head, *tail;
    int stopping, n;
    pthread_t tids[8];
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *pool_main(void *unused)
{
    (void)unused;
    for (;;) {
        pthread_mutex_lock(&pool.mu);
        while (!pool.head && !pool.stopping)
            pthread_cond_wait(&pool.cv, &pool.mu);
        store_job_t *job = pool.head;
        if (job) {
            pool.head = job->next;
            if (!pool.head)
                pool.tail = NULL;
        }
        pthread_mutex_unlock(&pool.mu);
        if (!job)
            return NULL; /* stopping and drained */
        memset(&job->err, 0, sizeof job->err);
        job->rc = job->fn(NULL, job->arg, &job->err);
        write_msg_t *m = job->done_data;
        h2o_multithread_send_message(&m->c->thread->receiver, &m->msg);
    }
}

static void pool_start(int n)
{
    pool.n = n < 1 ? 1 : n > 8 ? 8 : n;
    for (int i = 0; i < pool.n; i++)
        pthread_create(&pool.tids[i], NULL, pool_main, NULL);
}

static void pool_stop(void)
{
    pthread_mutex_lock(&pool.mu);
    pool.stopping = 1;
    pthread_cond_broadcast(&pool.cv);
    pthread_mutex_unlock(&pool.mu);
    for (int i = 0; i < pool.n; i++)
        pthread_join(pool.tids[i], NULL);
}

void http_defer(http_ctx_t *c, store_fn fn, void *arg, http_respond_fn then)
{
    write_msg_t *m = log_check_alloc(calloc(1, sizeof *m));
    m->c = c;
    m->respond = then;
    m->job.fn = fn;
    m->job.arg = arg;
    m->job.done_data = m;
    c->refs++;
    pthread_mutex_lock(&pool.mu);
    if (pool.tail)
        pool.tail->next = &m->job;
    else
        pool.head = &m->job;
    pool.tail = &m->job;
    pthread_cond_signal(&pool.cv);
    pthread_mutex_unlock(&pool.mu);
}

/* ---------- auth ---------- */

static int touch_session(db_t *db, void *arg, err_t *e)
{
    (void)e;
    http_ctx_t *c = arg;
    return account_session_touch(db, c->sess.token_hash, c->now);
}

/* The token from "Authorization: Bearer …" or the jiceng_session cookie; *by_cookie set. */
static const char *session_token(http_ctx_t *c, int *by_cookie)
{
    *by_cookie = 0;
    const char *a = http_header(c, "authorization");
    if (a && strncasecmp(a, "Bearer ", 7) == 0)
        return a + 7;
    const char *ck = http_header(c, "cookie");
    if (!ck)
        return NULL;
    const char *p = ck;
    while ((p = strstr(p, "jiceng_session=")) != NULL) {
        if (p == ck || p[-1] == ' ' || p[-1] == ';') {
            p += strlen("jiceng_session=");
            size_t n = strcspn(p, "; ");
            char *t = h2o_mem_alloc_pool(&c->arena, n + 1);
            memcpy(t, p, n);
            t[n] = 0;
            *by_cookie = 1;
            return t;
        }
        p++;
    }
    return NULL;
}

static int is_safe_method(h2o_req_t *req)
{
    return h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) ||
           h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
}

/* 0 to go on; otherwise a reply has been sent. */
static int authenticate(http_ctx_t *c)
{
    const http_route_t *r = c->route;
    int by_cookie = 0;
    const char *token = session_token(c, &by_cookie);
    if (token && *token) {
        char h[65];
        crypto_token_hash(token, h);
        if (account_session_load(http_db(c), h, c->now, &c->sess) == 0)
            c->has_user = 1;
    }
    if (r->flags & HTTP_PUBLIC)
        return 0;
    if (!c->has_user) {
        http_reply_fail(c, ERR_UNAUTH, "unauthenticated", "未登录或登录已过期，请重新登录", NULL);
        return ERR_UNAUTH;
    }
    /* A cross-site form can send the cookie but not a custom header (DESIGN.md, API conventions).
     */
    if (by_cookie && !is_safe_method(c->req)) {
        const char *x = http_header(c, "x-requested-with");
        if (!x || strcmp(x, "jiceng") != 0) {
            http_reply_fail(c, ERR_FORBIDDEN, "csrf", "请求缺少 X-Requested-With 头，已拒绝", NULL);
            return ERR_FORBIDDEN;
        }
    }
    if (c->now - c->sess.last_seen_at > ACCOUNT_TOUCH_MS && !(r->flags & HTTP_PASSIVE))
        http_write(c, touch_session, c, NULL);
    if (c->sess.must_change && !(r->flags & HTTP_ALLOW_MUST_CHANGE)) {
        http_reply_fail(c, ERR_FORBIDDEN, "password_change_required", "请先修改初始密码", NULL);
        return ERR_FORBIDDEN;
    }
    if (c->sess.must_enrol && !(r->flags & HTTP_ALLOW_ENROL)) {
        http_reply_fail(c, ERR_FORBIDDEN, "second_factor_required", "请先设置两步验证", NULL);
        return ERR_FORBIDDEN;
    }
    if (!(c->sess.actor.role & r->roles)) {
        http_reply_fail(c, ERR_FORBIDDEN, "forbidden", "当前角色无权进行此操作", NULL);
        return ERR_FORBIDDEN;
    }
    return 0;
}

/* ---------- routing ---------- */

/* Match path against pattern; fills params (arena copies). 1 on match. */
static int match(http_ctx_t *c, const char *pattern, const char *path, size_t plen)
{
    const char *p = pattern, *s = path, *end = path + plen;
    int n = 0;
    while (*p && s < end) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *se = memchr(s, '/', (size_t)(end - s));
            if (!se)
                se = end;
            /* "{code}.{fmt}": a parameter followed by a literal within the segment ends at the
             * last occurrence of that literal (Open311's /services/0301.json). */
            if (pe[1] && pe[1] != '/') {
                const char *q = se;
                while (q > s && q[-1] != pe[1])
                    q--;
                if (q == s)
                    return 0;
                se = q - 1;
            }
            if (se == s || n >= MAX_PARAMS)
                return 0;
            if (c)
                c->params[n] = url_decode(c, s, (size_t)(se - s));
            n++;
            p = pe + 1;
            s = se;
        } else {
            if (*p != *s)
                return 0;
            p++, s++;
        }
    }
    if (*p || s != end)
        return 0;
    if (c)
        c->nparams = n;
    return 1;
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    h2o_iovec_t path = req->path_normalized;
    const http_route_t *route = NULL;
    int path_known = 0;
    for (size_t i = 0; i < cfg->nroutes; i++) {
        if (!match(NULL, cfg->routes[i].pattern, path.base, path.len))
            continue;
        path_known = 1;
        if (h2o_memis(req->method.base, req->method.len, cfg->routes[i].method,
                      strlen(cfg->routes[i].method)) ||
            (strcmp(cfg->routes[i].method, "GET") == 0 &&
             h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")))) {
            route = &cfg->routes[i];
            break;
        }
    }
    int api = h2o_memis(path.base, path.len < 8 ? path.len : 8, H2O_STRLIT("/api/v1/")) ||
              (path.len >= 9 && memcmp(path.base, "/open311/", 9) == 0);
    if (!route && !path_known && !api)
        return -1; /* static files */

    loop_thread_t *t = (loop_thread_t *)req->conn->ctx;
    http_ctx_t *c = log_check_alloc(calloc(1, sizeof *c));
    h2o_mem_init_pool(&c->arena);
    c->req = req;
    c->thread = t;
    c->route = route;
    c->refs = 1;
    t->inflight++;
    atomic_fetch_add(&inflight_total, 1);
    clock_gettime(CLOCK_MONOTONIC, &c->started);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    c->now = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    struct sockaddr_storage ss;
    socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    if (sl && ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, c->ip, sizeof c->ip);
    else if (sl && ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, c->ip, sizeof c->ip);
    http_ctx_t **slot = h2o_mem_alloc_shared(&req->pool, sizeof *slot, on_req_dispose);
    *slot = c;

    if (!route) {
        if (path.len >= 9 && memcmp(path.base, "/open311/", 9) == 0) {
            /* Open311 clients expect the spec's error shape (STANDARDS.md §1). */
            static const char body[] = "[{\"code\":404,\"description\":\"接口不存在 / no such "
                                       "resource (use .json or .xml)\"}]";
            http_reply_raw(c, 404, "application/json; charset=utf-8", body, sizeof body - 1);
        } else if (path_known)
            http_reply_json(c, 405,
                            json_pack("{s:{s:s,s:s}}", "error", "code", "method_not_allowed",
                                      "message", "不支持的请求方法"));
        else
            http_reply_fail(c, ERR_NOTFOUND, "not_found", "接口不存在", NULL);
        return 0;
    }
    match(c, route->pattern, path.base, path.len);
    metrics_count_request();
    if (authenticate(c) == 0) {
        int rc = route->fn(c);
        if (rc != 0 && !c->replied)
            http_reply_fail(c, rc, NULL, NULL, NULL);
    }
    return 0;
}

/* ---------- threads ---------- */

static void on_accept(h2o_socket_t *listener, const char *err)
{
    if (err)
        return;
    loop_thread_t *t = listener->data;
    h2o_socket_t *sock = http_idle_accept(t->idle, t->fd);
    if (sock)
        h2o_accept(&t->accept, sock);
}

/* A non-blocking listening socket on host:port with SO_REUSEPORT, or -1 (logged). */
static int open_listener(const char *host, int port, int reuseport)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int on = 1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (fd < 0 || inet_pton(AF_INET, host, &addr.sin_addr) != 1 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) ||
        bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, SOMAXCONN) != 0) {
        log_error("cannot listen on %s:%d: %s", host, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static void *loop_main(void *p)
{
    loop_thread_t *t = p;
    /* h2o keeps thread-local allocators (socket buffers, memory pools): set up this loop's state
     * on its own thread. */
    t->loop = h2o_evloop_create();
    h2o_context_init(&t->ctx, t->loop, &globalconf);
    t->accept.ctx = &t->ctx;
    t->accept.hosts = globalconf.hosts;
    t->queue = h2o_multithread_create_queue(t->loop);
    h2o_multithread_register_receiver(t->queue, &t->receiver, http__deliver);
    sse__thread_start(t->index, t->loop, t->queue, store_reader(cfg->store, t->index));
    t->idle = http_idle_new(t->loop);
    t->listener = h2o_evloop_socket_create(t->loop, t->fd, H2O_SOCKET_FLAG_DONT_READ);
    t->listener->data = t;
    h2o_socket_read_start(t->listener, on_accept);
    while (!stopping)
        h2o_evloop_run(t->loop, 200);
    /* Graceful: stop accepting, end event streams, let in-flight requests finish (up to 10 s). */
    h2o_socket_read_stop(t->listener);
    sse__thread_stop(t->index);
    for (int i = 0; i < 100 && t->inflight > 0; i++)
        h2o_evloop_run(t->loop, 100);
    return NULL;
}

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static const char *index_files[] = {"index.html", NULL};

static h2o_pathconf_t *add_files(h2o_hostconf_t *host, const char *url, const char *dir)
{
    h2o_pathconf_t *pc = h2o_config_register_path(host, url, 0);
    http_guard_register(pc);
    h2o_file_register(pc, dir, index_files, NULL, 0);
    return pc;
}

/* What every reply carries, pages and API alike (issue 9 part 6). The policy is what the three
 * front ends need and no more: their own scripts and styles (Element Plus and Vant set inline
 * styles), photos and previews of picked pictures (blob:), the live stream; never framed. */
#define CSP                                                                                        \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"                     \
    " img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self';"                      \
    " object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
static const struct {
    const char *name, *value;
} security_headers[] = {
    {"x-content-type-options", "nosniff"},
    {"content-security-policy", CSP},
    {"referrer-policy", "same-origin"},
    {"x-frame-options", "DENY"},
};
#define NSECURITY (sizeof security_headers / sizeof security_headers[0])

/* Register the security headers (set) and a Cache-Control (cmd: set, or set if empty) on pc. */
static void add_headers(h2o_pathconf_t *pc, const char *cache_control, int cmd)
{
    h2o_headers_command_t *cmds = log_check_alloc(calloc(NSECURITY + 2, sizeof *cmds));
    for (size_t i = 0; i < NSECURITY; i++) {
        h2o_iovec_t *name = log_check_alloc(malloc(sizeof *name));
        *name = h2o_iovec_init(security_headers[i].name, strlen(security_headers[i].name));
        cmds[i].cmd = H2O_HEADERS_CMD_SET;
        cmds[i].name = name;
        cmds[i].value =
            h2o_iovec_init(security_headers[i].value, strlen(security_headers[i].value));
    }
    cmds[NSECURITY].cmd = cmd;
    cmds[NSECURITY].name = (h2o_iovec_t *)&H2O_TOKEN_CACHE_CONTROL->buf;
    cmds[NSECURITY].value = h2o_iovec_init(cache_control, strlen(cache_control));
    cmds[NSECURITY + 1].cmd = H2O_HEADERS_CMD_NULL;
    h2o_headers_register(pc, cmds);
}

int http_serve(const http_config_t *config)
{
    cfg = config;
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    if (cfg->access_log) {
        access_fd = open(cfg->access_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (access_fd < 0)
            log_warn("cannot open access log %s: %s", cfg->access_log, strerror(errno));
    }

    h2o_config_init(&globalconf);
    globalconf.max_request_entity_size = SERVER_MAX_ENTITY;
    globalconf.http1.upgrade_to_http2 = 0; /* DESIGN.md: h2o 2.2.5 has no HTTP/2 DoS fixes */
    /* The outer bound of one request; silence is judged by idle.c (HTTP_IDLE_MS). */
    globalconf.http1.req_timeout = HTTP_REQUEST_MAX_MS;
    globalconf.server_name = h2o_iovec_init(H2O_STRLIT("jiceng"));
    h2o_hostconf_t *host =
        h2o_config_register_host(&globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_compress_args_t ca = {.min_size = 512, .gzip = {.quality = 1}, .brotli = {.quality = -1}};

    char dir[4096];
    if (cfg->web_root) {
        /* Vite puts content-hashed files under assets/: cache them forever. */
        snprintf(dir, sizeof dir, "%s/assets", cfg->web_root);
        h2o_pathconf_t *pa = add_files(host, "/assets", dir);
        add_headers(pa, "public, max-age=31536000, immutable", H2O_HEADERS_CMD_SET);
        h2o_compress_register(pa, &ca);
    }
    h2o_pathconf_t *root = h2o_config_register_path(host, "/", 0);
    http_guard_register(root);
    h2o_handler_t *handler = h2o_create_handler(root, sizeof *handler);
    handler->on_req = on_req;
    if (cfg->web_root)
        h2o_file_register(root, cfg->web_root, index_files, NULL, 0);
    /* index.html must be revalidated so a new release is picked up; API replies set no-store. */
    add_headers(root, "no-cache", H2O_HEADERS_CMD_SETIFEMPTY);
    h2o_compress_register(root, &ca);

    int n = cfg->threads;
    /* One listening socket per loop thread with SO_REUSEPORT: the kernel spreads new connections
     * evenly, where one shared socket let a busy thread take most of them. */
    const char *bind_host = cfg->host ? cfg->host : "127.0.0.1";
    /* SO_REUSEPORT would also let a second jiceng share the port silently: first make sure the
     * port is free with a plain bind. */
    int probe = open_listener(bind_host, cfg->port, 0);
    if (probe < 0)
        return ERR_IO;
    close(probe);
    int *fds = log_check_alloc(calloc((size_t)n, sizeof *fds));
    for (int i = 0; i < n; i++) {
        if ((fds[i] = open_listener(bind_host, cfg->port, 1)) < 0) {
            for (int k = 0; k < i; k++)
                close(fds[k]);
            free(fds);
            return ERR_IO;
        }
    }

    loop_thread_t *threads = log_check_alloc(calloc((size_t)n, sizeof *threads));
    for (int i = 0; i < n; i++) {
        loop_thread_t *t = &threads[i];
        t->index = i;
        t->fd = fds[i];
    }
    log_info("listening on http://%s:%d with %d threads", cfg->host ? cfg->host : "127.0.0.1",
             cfg->port, n);
    pool_start(n);
    for (int i = 0; i < n; i++)
        pthread_create(&threads[i].tid, NULL, loop_main, &threads[i]);
    for (int i = 0; i < n; i++)
        pthread_join(threads[i].tid, NULL);
    pool_stop();
    log_info("stopped: %d requests still in flight", atomic_load(&inflight_total));
    for (int i = 0; i < n; i++)
        close(fds[i]);
    free(fds);
    free(threads);
    if (access_fd >= 0)
        close(access_fd);
    return 0;
}
