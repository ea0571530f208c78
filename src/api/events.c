/* events.c — GET /api/v1/events: the signed-in account's live updates as Server-Sent Events.
 *   event: inbox  id: <message id>  data: the message as GET /api/v1/inbox lists it
 *   event: case                     data: {"id","state","seq","event"} of a case it may see
 * Last-Event-ID (sent by EventSource when it reconnects) replays the messages after that one. */
#include <stdlib.h>
#include "api/api.h"
#include "domain/cases/cases.h"
#include "http/sse.h"

static int emit(void *ctx, const char *event, const char *id, json_t *data)
{
    buf_t *out = ctx;
    char *s = json_dumps(data, JSON_COMPACT);
    int rc = s ? http_sse_frame(out, event, id, s) : ERR_NOMEM;
    free(s);
    return rc != 0;
}

static int poll(db_t *db, const actor_t *who, void *state, int64_t now, buf_t *out)
{
    return feed_poll(db, who, state, now, emit, out);
}

static void feed_dispose(void *state) { feed_free(state); }

static const http_sse_ops_t ops = {poll, feed_dispose};

int api_events(http_ctx_t *c)
{
    int64_t last = 0;
    const char *h = http_header(c, "last-event-id");
    if (h && *h) {
        char *end;
        long long v = strtoll(h, &end, 10);
        if (*end || v <= 0) {
            http_reply_fail(c, ERR_INVALID, "invalid", "Last-Event-ID 应为消息编号",
                            "Last-Event-ID");
            return 0;
        }
        last = v;
    }
    http_sse_open(c, &ops, feed_new(http_now(c), last));
    return 0;
}
