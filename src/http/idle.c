/* idle.c — see idle.h. The watched connections are a small array per thread; a connection
 * leaves it through h2o's on_close hook. Silence is judged from the size of the socket's input
 * buffer (it grows as a request arrives and shrinks when h2o consumes one; h2o 2.2.5's
 * bytes_read only counts the last read), and a connection is "being read" while h2o has a read
 * callback on it. It is ended with
 * shutdown(2), never close(2): h2o then sees the end of the stream and frees the connection
 * itself, so no pointer of h2o's is left dangling. */
#include "http/idle.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lib/log.h"

#define TICK_MS 1000

typedef struct {
    h2o_socket_t *sock;
    int fd;
    size_t seen; /* the size of its input buffer at the last tick */
    int exempt;  /* a live stream reads only to see the client leave: never judged */
    uint64_t quiet_since;
} watched_t;

struct http_idle {
    h2o_evloop_t *loop;
    h2o_timeout_t tick_timeout;
    h2o_timeout_entry_t tick;
    watched_t *conns;
    size_t n, cap;
};

/* h2o's on_close hook carries one pointer: the watcher and the fd travel in a small cell. */
typedef struct {
    http_idle_t *w;
    int fd;
} close_cell_t;

static uint64_t now_ms(http_idle_t *w) { return h2o_now(w->loop); }

static __thread http_idle_t *this_thread; /* the watcher of the calling loop thread */

void http_idle_exempt(h2o_socket_t *sock)
{
    http_idle_t *w = this_thread;
    for (size_t i = 0; w && i < w->n; i++)
        if (w->conns[i].sock == sock)
            w->conns[i].exempt = 1;
}

static void forget(void *data)
{
    close_cell_t *cell = data;
    http_idle_t *w = cell->w;
    for (size_t i = 0; i < w->n; i++) {
        if (w->conns[i].fd == cell->fd) {
            w->conns[i] = w->conns[--w->n];
            break;
        }
    }
    free(cell);
}

static void on_tick(h2o_timeout_entry_t *entry)
{
    http_idle_t *w = H2O_STRUCT_FROM_MEMBER(http_idle_t, tick, entry);
    uint64_t now = now_ms(w);
    for (size_t i = 0; i < w->n; i++) {
        watched_t *c = &w->conns[i];
        size_t size = c->sock->input ? c->sock->input->size : 0;
        if (c->exempt || size != c->seen || c->sock->_cb.read == NULL) {
            /* It sent something, or the server is busy with its reply: not silent. */
            c->seen = size;
            c->quiet_since = now;
        } else if (now - c->quiet_since >= HTTP_IDLE_MS) {
            shutdown(c->fd, SHUT_RDWR);
            c->quiet_since = UINT64_MAX / 2; /* once: h2o closes it on its next read */
        }
    }
    h2o_timeout_link(w->loop, &w->tick_timeout, &w->tick);
}

http_idle_t *http_idle_new(h2o_evloop_t *loop)
{
    http_idle_t *w = log_check_alloc(calloc(1, sizeof *w));
    w->loop = loop;
    this_thread = w;
    h2o_timeout_init(loop, &w->tick_timeout, TICK_MS);
    w->tick.cb = on_tick;
    h2o_timeout_link(loop, &w->tick_timeout, &w->tick);
    return w;
}

h2o_socket_t *http_idle_accept(http_idle_t *w, int listen_fd)
{
    int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return NULL;
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    h2o_socket_t *sock =
        h2o_evloop_socket_create(w->loop, fd, H2O_SOCKET_FLAG_IS_ACCEPTED_CONNECTION);
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        watched_t *grown = realloc(w->conns, w->cap * sizeof *w->conns);
        w->conns = log_check_alloc(grown);
    }
    close_cell_t *cell = log_check_alloc(malloc(sizeof *cell));
    cell->w = w;
    cell->fd = fd;
    sock->on_close.cb = forget;
    sock->on_close.data = cell;
    w->conns[w->n++] = (watched_t){.sock = sock, .fd = fd, .seen = 0, .quiet_since = now_ms(w)};
    return sock;
}
