/* sse.h — Server-Sent Events streams (text/event-stream) on the loop threads. A handler turns its
 * request into a stream with a poll callback; the stream polls when woken (a commit in this
 * process that added case events), every 2 s (other instances' commits), and when its client
 * has taken what was sent. Each wake first checks that the session still lives (logout, disable,
 * idle expiry end the stream) without counting as activity. A stream sends a ": ping" comment
 * after 25 s of silence. Memory is bounded: at most 64 KB waits per stream, at most 5 streams
 * per account and 2048 per process. */
#ifndef JICENG_HTTP_SSE_H
#define JICENG_HTTP_SSE_H

#include <stdint.h>
#include "domain/accounts/accounts.h"
#include "http/http.h"
#include "lib/buf.h"
#include "store/db.h"

#define HTTP_SSE_PER_USER 5
#define HTTP_SSE_TOTAL 2048
#define HTTP_SSE_BUF_MAX (64 * 1024)
#define HTTP_SSE_TICK_MS 2000
#define HTTP_SSE_PING_MS 25000

typedef struct {
    /* Append the frames (http_sse_frame) of what is new for who to out, whose cap is the room
     * left. 0: all is out; 1: out is full, call again once the client has read; negative: end
     * the stream. Runs on the stream's loop thread, on that thread's read connection. */
    int (*poll)(db_t *db, const actor_t *who, void *state, int64_t now, buf_t *out);
    void (*free)(void *state);
} http_sse_ops_t;

/* Turn the request into a stream for the signed-in user: 200 text/event-stream, "retry: 3000",
 * the first poll at once. Takes ownership of state (ops->free frees it, also when refused).
 * Refuses with 429 too_many_streams when the account or the process is at its cap. */
void http_sse_open(http_ctx_t *c, const http_sse_ops_t *ops, void *state);

/* Append one event: "event: E\n" ["id: I\n"] "data: D\n\n". data must hold no newline (compact
 * JSON has none). 0, or ERR_TOOLARGE with out unchanged. */
int http_sse_frame(buf_t *out, const char *event, const char *id, const char *data);

/* Make every stream of this process poll now. Thread-safe; cheap when called often. */
void http_events_wake(void);

/* --- hooks for server.c (h2o types stay opaque here) --- */
struct st_h2o_evloop_t;
struct st_h2o_multithread_queue_t;
struct st_h2o_req_t;
/* On loop thread `index` once its loop and queue exist; db is that thread's read connection. */
void sse__thread_start(int index, struct st_h2o_evloop_t *loop,
                       struct st_h2o_multithread_queue_t *queue, db_t *db);
/* On loop thread `index` when the server stops: end its streams. */
void sse__thread_stop(int index);
/* After any write committed (any thread): wakes the streams if case events were written or any
 * change was announced (change.h). */
void sse__after_write(void);
/* Implemented by server.c: the request is answered by a stream from now on (status 200 logged
 * and counted). Returns the h2o request, or NULL if the client is gone; *thread its loop. */
struct st_h2o_req_t *http__sse_begin(http_ctx_t *c, int *thread);

#endif
