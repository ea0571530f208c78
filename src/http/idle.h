/* idle.h — the connections a loop thread accepted, closed after a spell of silence while the
 * server waits for them to send (issue 9 part 4). h2o 2.2.5 times a request from its first byte
 * to its last: a 1.4 MB photo at 60 KB/s on a village 4G link was cut off at 15 s while it was
 * still arriving. Here the limit is on inactivity instead: a connection h2o is reading from (a
 * request on its way, or an idle keep-alive) that has sent nothing for HTTP_IDLE_MS is shut
 * down, however long it has been sending; h2o's own timer stays as the outer bound for one
 * request (HTTP_REQUEST_MAX_MS). A connection whose reply is being made or sent is never
 * touched. One watcher per loop thread; everything here runs on that thread. */
#ifndef JICENG_HTTP_IDLE_H
#define JICENG_HTTP_IDLE_H

#include <h2o.h>

#define HTTP_IDLE_MS 15000               /* silence allowed while the server is reading */
#define HTTP_REQUEST_MAX_MS (300 * 1000) /* one request in all: 10 MB at ~35 KB/s */

typedef struct http_idle http_idle_t;

/* A watcher for loop (its timer ticks once a second); it lives as long as the process. Out of
 * memory aborts. */
http_idle_t *http_idle_new(h2o_evloop_t *loop);

/* A connection turned into a live stream (SSE): it stays open while the client is silent. Call on
 * the connection's loop thread. */
void http_idle_exempt(h2o_socket_t *sock);

/* Accept one connection from the listening socket fd (non-blocking) and watch it. NULL when
 * there is nothing to accept. */
h2o_socket_t *http_idle_accept(http_idle_t *w, int listen_fd);

#endif
