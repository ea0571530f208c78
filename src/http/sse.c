/* sse.c — event streams on h2o 2.2.5.
 *
 * h2o sends a streamed response through a generator: h2o_send() hands it bytes, and until h2o
 * calls the generator's proceed() (the bytes are written) the next h2o_send must wait and the
 * bytes must stay put. So a stream keeps two buffers: `inflight` (handed to h2o) and `pending`
 * (frames made since); proceed() frees the first and sends the second. Both are capped, so a
 * client that does not read makes its stream stop polling, not grow: its position in the feed
 * waits, and it catches up once the client reads again.
 *
 * Each loop thread owns the streams of its requests (a list, a 2 s timer, a receiver on its
 * h2o_multithread queue for wake-ups from other threads). A stream ends when its client goes
 * (h2o disposes the request: the only place a stream is freed), when its session ends (checked
 * at every wake), or when the server stops. */
#define H2O_USE_LIBUV 0
#include "http/sse.h"
#include <h2o.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "domain/common/change.h"
#include "http/idle.h"
#include "lib/log.h"
#include "outbox/webhook.h"

#define MAX_THREADS 64

typedef struct {
    h2o_loop_t *loop;
    db_t *db;
    h2o_multithread_receiver_t receiver;
    atomic_int ready;
    atomic_int wake_pending; /* a wake message is on its way: do not send another */
    h2o_timeout_t tick_timeout;
    h2o_timeout_entry_t tick;
    h2o_linklist_t streams;
} sse_thread_t;

typedef struct {
    h2o_generator_t gen; /* first: h2o hands it back to proceed/stop */
    h2o_req_t *req;      /* NULL once h2o disposed the request */
    h2o_socket_t *sock;  /* the connection, watched for the client going away */
    sse_thread_t *t;
    h2o_linklist_t link; /* in t->streams until the final chunk is sent */
    const http_sse_ops_t *ops;
    void *state;
    int64_t user_id;
    char token_hash[65];
    buf_t pending, inflight;
    int writing;  /* inflight handed to h2o, proceed() not yet called */
    int closing;  /* end after what is pending */
    int finished; /* the final chunk was handed to h2o */
    int more;     /* the last poll stopped on a full buffer */
    int64_t last_sent;
} sse_stream_t;

static sse_thread_t threads[MAX_THREADS];
static _Thread_local sse_thread_t *this_thread; /* set on each loop thread */

/* Streams per account and in all, across loop threads. */
typedef struct {
    int64_t user;
    int n;
} user_count_t;
static struct {
    pthread_mutex_t mu;
    int total;
    int nusers;
    user_count_t users[HTTP_SSE_TOTAL];
} lim = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int limit_take(int64_t user)
{
    int ok = 0;
    pthread_mutex_lock(&lim.mu);
    int i = 0;
    while (i < lim.nusers && lim.users[i].user != user)
        i++;
    if (lim.total < HTTP_SSE_TOTAL && (i == lim.nusers || lim.users[i].n < HTTP_SSE_PER_USER)) {
        if (i == lim.nusers)
            lim.users[lim.nusers++] = (user_count_t){user, 0};
        lim.users[i].n++;
        lim.total++;
        ok = 1;
    }
    pthread_mutex_unlock(&lim.mu);
    return ok;
}

static void limit_give(int64_t user)
{
    pthread_mutex_lock(&lim.mu);
    for (int i = 0; i < lim.nusers; i++)
        if (lim.users[i].user == user) {
            lim.total--;
            if (--lim.users[i].n == 0)
                lim.users[i] = lim.users[--lim.nusers];
            break;
        }
    pthread_mutex_unlock(&lim.mu);
}

int http_sse_frame(buf_t *out, const char *event, const char *id, const char *data)
{
    buf_t f;
    buf_init(&f, out->max);
    int rc = buf_printf(&f, "event: %s\n", event);
    if (rc == 0 && id)
        rc = buf_printf(&f, "id: %s\n", id);
    if (rc == 0)
        rc = buf_printf(&f, "data: %s\n\n", data);
    if (rc == 0)
        rc = buf_add(out, f.p, f.len);
    buf_free(&f);
    return rc;
}

/* ---------- one stream ---------- */

/* Hand what is pending (and, when closing, the end of the response) to h2o. */
static void flush(sse_stream_t *s)
{
    if (!s->req || s->writing || s->finished)
        return;
    if (s->pending.len == 0 && !s->closing)
        return;
    buf_t tmp = s->inflight;
    s->inflight = s->pending;
    s->pending = tmp;
    buf_reset(&s->pending);
    h2o_iovec_t v = h2o_iovec_init(s->inflight.p, s->inflight.len);
    s->writing = 1;
    s->last_sent = wall_ms();
    if (s->closing) {
        s->finished = 1;
        if (h2o_linklist_is_linked(&s->link))
            h2o_linklist_unlink(&s->link);
        h2o_send(s->req, &v, v.len ? 1 : 0, H2O_SEND_STATE_FINAL);
    } else {
        h2o_send(s->req, &v, 1, H2O_SEND_STATE_IN_PROGRESS);
    }
}

static void end(sse_stream_t *s)
{
    s->closing = 1;
    flush(s);
}

/* Check the session, then poll for what is new and send it. */
static void refresh(sse_stream_t *s, int64_t now)
{
    if (!s->req || s->finished)
        return;
    if (s->closing) {
        flush(s);
        return;
    }
    account_session_t u;
    if (account_session_load(s->t->db, s->token_hash, now, &u) != 0 || u.actor.id != s->user_id) {
        end(s); /* logged out, disabled, idle too long */
        return;
    }
    s->more = 1;
    if (s->pending.len < s->pending.max) {
        int rc = s->ops->poll(s->t->db, &u.actor, s->state, now, &s->pending);
        if (rc < 0) {
            log_warn("events: poll failed (%d); ending the stream of user %lld", rc,
                     (long long)s->user_id);
            end(s);
            return;
        }
        s->more = rc == 1;
    }
    flush(s);
}

static void on_proceed(h2o_generator_t *g, h2o_req_t *req)
{
    (void)req;
    sse_stream_t *s = (sse_stream_t *)g;
    s->writing = 0;
    buf_reset(&s->inflight);
    if (s->more)
        refresh(s, wall_ms()); /* the client took what was sent: catch up */
    else
        flush(s);
}

static void on_stop(h2o_generator_t *g, h2o_req_t *req)
{
    (void)req;
    sse_stream_t *s = (sse_stream_t *)g;
    s->finished = 1; /* the connection is going: nothing more may be sent */
    if (h2o_linklist_is_linked(&s->link))
        h2o_linklist_unlink(&s->link);
}

/* HTTP/1 stops reading a connection while it answers, so a client that goes away would only be
 * noticed at the next write (a ping, up to 25 s later) and would hold one of its account's
 * streams until then. Reading it shows the close at once. The connection is not kept alive after
 * the stream, so HTTP/1 never needs to read it again. */
static void on_client_read(h2o_socket_t *sock, const char *err)
{
    sse_stream_t *s = NULL;
    sse_thread_t *t = this_thread; /* the socket's loop is this thread's */
    for (h2o_linklist_t *n = t ? t->streams.next : NULL; n && n != &t->streams; n = n->next) {
        sse_stream_t *x = H2O_STRUCT_FROM_MEMBER(sse_stream_t, link, n);
        if (x->sock == sock) {
            s = x;
            break;
        }
    }
    h2o_buffer_consume(&sock->input, sock->input->size); /* a client sends nothing on a stream */
    if (err) {
        h2o_socket_read_stop(sock);
        if (s)
            end(s);
    }
}

/* The request's memory is going: the stream goes with it. */
static void on_dispose(void *p)
{
    sse_stream_t *s = *(sse_stream_t **)p;
    s->req = NULL;
    if (h2o_linklist_is_linked(&s->link))
        h2o_linklist_unlink(&s->link);
    limit_give(s->user_id);
    s->ops->free(s->state);
    buf_free(&s->pending);
    buf_free(&s->inflight);
    free(s);
}

void http_sse_open(http_ctx_t *c, const http_sse_ops_t *ops, void *state)
{
    const actor_t *u = http_user(c);
    if (!u) {
        ops->free(state);
        http_reply_fail(c, ERR_UNAUTH, "unauthenticated", "未登录或登录已过期，请重新登录", NULL);
        return;
    }
    sse_thread_t *t = this_thread; /* handlers run on their loop thread */
    if (!t || !atomic_load(&t->ready)) {
        ops->free(state);
        http_reply_fail(c, ERR_BUSY, "unavailable", "服务正在停止，请稍后重连", NULL);
        return;
    }
    if (!limit_take(u->id)) {
        ops->free(state);
        http_set_header(c, "retry-after", "30");
        http_reply_json(c, 429,
                        json_pack("{s:{s:s,s:s}}", "error", "code", "too_many_streams", "message",
                                  "实时连接过多，请关闭其他页面后重试"));
        return;
    }
    int index = 0;
    h2o_req_t *req = http__sse_begin(c, &index);
    if (!req || &threads[index] != t) {
        limit_give(u->id);
        ops->free(state);
        return;
    }
    sse_stream_t *s = log_check_alloc(calloc(1, sizeof *s));
    s->gen.proceed = on_proceed;
    s->gen.stop = on_stop;
    s->req = req;
    s->t = t;
    s->ops = ops;
    s->state = state;
    s->user_id = u->id;
    memcpy(s->token_hash, http_session(c)->token_hash, sizeof s->token_hash);
    buf_init(&s->pending, HTTP_SSE_BUF_MAX);
    buf_init(&s->inflight, HTTP_SSE_BUF_MAX);
    sse_stream_t **slot = h2o_mem_alloc_shared(&req->pool, sizeof *slot, on_dispose);
    *slot = s;
    h2o_linklist_insert(&s->t->streams, &s->link);

    req->http1_is_persistent = 0;
    s->sock = req->conn->callbacks->get_socket ? req->conn->callbacks->get_socket(req->conn) : NULL;
    if (s->sock) {
        h2o_socket_read_start(s->sock, on_client_read);
        http_idle_exempt(s->sock); /* a quiet client of a stream is not an idle request */
    }
    req->res.status = 200;
    req->res.reason = "OK";
    /* gzip would hold events back until its block fills */
    req->compress_hint = H2O_COMPRESS_HINT_DISABLE;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("text/event-stream; charset=utf-8"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   H2O_STRLIT("no-store"));
    /* nginx in front (docs/deploy): pass events through at once */
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-accel-buffering"), 0, NULL,
                          H2O_STRLIT("no"));
    h2o_start_response(req, &s->gen);
    buf_addstr(&s->pending, "retry: 3000\n\n");
    refresh(s, http_now(c));
}

/* ---------- the loop thread's side ---------- */

static void refresh_all(sse_thread_t *t, int ping)
{
    int64_t now = wall_ms();
    h2o_linklist_t *node = t->streams.next;
    while (node != &t->streams) {
        sse_stream_t *s = H2O_STRUCT_FROM_MEMBER(sse_stream_t, link, node);
        node = node->next; /* s may leave the list below */
        if (ping && !s->writing && s->pending.len == 0 && now - s->last_sent >= HTTP_SSE_PING_MS)
            buf_addstr(&s->pending, ": ping\n\n");
        refresh(s, now);
    }
}

static void on_tick(h2o_timeout_entry_t *entry)
{
    sse_thread_t *t = H2O_STRUCT_FROM_MEMBER(sse_thread_t, tick, entry);
    refresh_all(t, 1);
    h2o_timeout_link(t->loop, &t->tick_timeout, &t->tick);
}

static void on_wake(h2o_multithread_receiver_t *r, h2o_linklist_t *messages)
{
    sse_thread_t *t = H2O_STRUCT_FROM_MEMBER(sse_thread_t, receiver, r);
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *m =
            H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        h2o_linklist_unlink(&m->link);
        free(m);
    }
    atomic_store(&t->wake_pending, 0); /* wakes from now on send a new message */
    refresh_all(t, 0);
}

void sse__thread_start(int index, struct st_h2o_evloop_t *loop,
                       struct st_h2o_multithread_queue_t *queue, db_t *db)
{
    if (index < 0 || index >= MAX_THREADS)
        return;
    sse_thread_t *t = &threads[index];
    this_thread = t;
    t->loop = loop;
    t->db = db;
    h2o_linklist_init_anchor(&t->streams);
    h2o_multithread_register_receiver(queue, &t->receiver, on_wake);
    h2o_timeout_init(loop, &t->tick_timeout, HTTP_SSE_TICK_MS);
    t->tick.cb = on_tick;
    h2o_timeout_link(loop, &t->tick_timeout, &t->tick);
    atomic_store(&t->ready, 1);
}

void sse__thread_stop(int index)
{
    if (index < 0 || index >= MAX_THREADS || !atomic_load(&threads[index].ready))
        return;
    sse_thread_t *t = &threads[index];
    atomic_store(&t->ready, 0);
    if (h2o_timeout_is_linked(&t->tick))
        h2o_timeout_unlink(&t->tick);
    h2o_linklist_t *node = t->streams.next;
    while (node != &t->streams) {
        sse_stream_t *s = H2O_STRUCT_FROM_MEMBER(sse_stream_t, link, node);
        node = node->next;
        end(s);
    }
}

void http_events_wake(void)
{
    for (int i = 0; i < MAX_THREADS; i++) {
        sse_thread_t *t = &threads[i];
        if (!atomic_load(&t->ready) || atomic_exchange(&t->wake_pending, 1))
            continue;
        h2o_multithread_message_t *m = log_check_alloc(calloc(1, sizeof *m));
        h2o_multithread_send_message(&t->receiver, m);
    }
}

void sse__after_write(void)
{
    static atomic_long seen, seen_changes;
    long n = webhook_events_made(), m = change_count();
    if (atomic_exchange(&seen, n) != n) {
        http_events_wake();
        webhook_kick();
    } else if (atomic_exchange(&seen_changes, m) != m) {
        http_events_wake(); /* e.g. an order handed over: its household's inbox has a message */
    }
}
