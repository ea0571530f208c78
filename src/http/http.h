/* http.h — what API handlers see of a request: path parameters, query, body, the signed-in user,
 * replies in the JSON shape of DESIGN.md, and writes queued to the store. h2o stays inside http/.
 * Everything here runs on the request's loop thread; nothing is thread-safe across loops. */
#ifndef JICENG_HTTP_HTTP_H
#define JICENG_HTTP_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "domain/accounts/accounts.h"
#include "lib/err.h"
#include "store/store.h"

typedef struct http_ctx http_ctx_t;
typedef int (*http_handler_fn)(http_ctx_t *c);

/* HTTP_PASSIVE: a background poll (e.g. the unread count) — it does not count as activity, so
 * an open but idle app still ends its session after 10 minutes (等保). HTTP_ALLOW_ENROL: open
 * to a session that must first set up its second factor (account_session_t.must_enrol). */
enum { HTTP_PUBLIC = 1, HTTP_ALLOW_MUST_CHANGE = 2, HTTP_PASSIVE = 4, HTTP_ALLOW_ENROL = 8 };

typedef struct {
    const char *method;  /* "GET", "POST"... */
    const char *pattern; /* "/api/v1/regions/{code}/children" */
    http_handler_fn fn;
    unsigned roles; /* role bits admitted; ignored with HTTP_PUBLIC */
    int flags;
    const char *summary; /* one line, for `jiceng routes` */
} http_route_t;

typedef struct {
    const char *host;
    int port;
    int threads;
    const char *web_root;   /* built front end (web/dist), may be NULL */
    const char *access_log; /* JSON lines file, may be NULL */
    int secure_cookies;     /* the session cookie gets Secure (served over TLS by a proxy) */
    size_t max_body;
    store_t *store;
    const http_route_t *routes;
    size_t nroutes;
} http_config_t;

/* Serve until SIGTERM/SIGINT, then stop accepting, finish in-flight requests and return 0.
 * Returns ERR_IO if the port cannot be bound. */
int http_serve(const http_config_t *cfg);

/* --- request --- */
store_t *http_store(http_ctx_t *c);
db_t *http_db(http_ctx_t *c);   /* this loop thread's read connection */
int http_thread(http_ctx_t *c); /* this loop thread's store slot (store_reader, store_ready) */
const actor_t *http_user(http_ctx_t *c);              /* NULL on public routes without a session */
const account_session_t *http_session(http_ctx_t *c); /* the same, with the session's fields */
/* The attributes of the session cookie after its value: "; Path=/; HttpOnly; SameSite=Strict"
 * and "; Secure" when the server runs behind TLS (http_config_t.secure_cookies). */
const char *http_cookie_attrs(void);
const char *http_param(http_ctx_t *c, int i); /* i-th {param} of the pattern, NUL-terminated */
/* Decoded query parameter or NULL. Valid until the request ends. */
const char *http_query(http_ctx_t *c, const char *name);
/* ?limit= (default 20, 1..200) — ERR_INVALID reply done by caller on failure. */
int http_limit(http_ctx_t *c, int *limit);
const char *http_ip(http_ctx_t *c);
const char *http_header(http_ctx_t *c, const char *lname); /* lower-case name; NUL-terminated */
int64_t http_now(http_ctx_t *c);                           /* ms, taken when the request arrived */
/* Parse the body as a JSON object (duplicate keys refused). The object lives as long as the
 * request. On failure replies 400 itself and returns non-zero: the handler just returns. */
int http_body(http_ctx_t *c, json_t **obj);
/* The raw request body (valid until the request ends), e.g. a form-urlencoded Open311 POST.
 * Bodies over 1 MB: replies 413 itself and returns non-zero. */
int http_raw_body(http_ctx_t *c, const char **body, size_t *len);
/* The raw body of an upload (a photo), up to max bytes: over it replies 413 itself and returns
 * non-zero; an empty body replies 400. */
int http_upload_body(http_ctx_t *c, size_t max, const char **body, size_t *len);
/* Percent-decode (with '+' as space) into request memory; NUL-terminated. */
char *http_url_decode(http_ctx_t *c, const char *s, size_t n);
/* Check obj's keys are all in `allowed` (NULL-terminated); replies 400 unknown_field if not. */
int http_only_fields(http_ctx_t *c, json_t *obj, const char *const *allowed);
/* Arena memory that lives until the request and its pending writes are done. */
void *http_alloc(http_ctx_t *c, size_t n);
char *http_strdup(http_ctx_t *c, const char *s);
/* Hand a JSON reference to the request: released when the request and its writes are done. */
void http_keep_json(http_ctx_t *c, json_t *j);

/* --- reply (exactly one per request) --- */
void http_reply_json(http_ctx_t *c, int status, json_t *body); /* steals the reference */
void http_reply_error(http_ctx_t *c, const err_t *e);          /* status from e->rc */
void http_reply_fail(http_ctx_t *c, int rc, const char *code, const char *message,
                     const char *field);
void http_reply_raw(http_ctx_t *c, int status, const char *ctype, const char *body, size_t len);
void http_reply_empty(http_ctx_t *c, int status);
/* Add a response header before replying. name lower-case static; value copied. */
void http_set_header(http_ctx_t *c, const char *name, const char *value);

/* --- writes --- */
typedef void (*http_respond_fn)(http_ctx_t *c, int rc, const err_t *e, void *arg);
/* Queue fn(arg) as a durable write; respond() runs on this loop thread after the commit (or the
 * failure), unless the client went away. arg must come from http_alloc. */
void http_write(http_ctx_t *c, store_fn fn, void *arg, http_respond_fn respond);

/* Run fn(NULL, arg, e) on a worker thread (CPU work too slow for a loop thread, e.g. argon2id);
 * then() runs on this loop thread with its result, unless the client went away. arg must come
 * from http_alloc; fn must not touch the request. */
void http_defer(http_ctx_t *c, store_fn fn, void *arg, http_respond_fn then);

/* Status for an ERR_* code. */
int http_status_of(int rc);

#endif
