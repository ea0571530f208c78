/* guard.c — see guard.h. h2o keeps Content-Length out of req->headers and uses the first one, so
 * the raw head is read from the connection's input buffer, where h2o 2.2.5 keeps the request
 * until it is answered. */
#include "http/guard.h"
#include <string.h>
#include <strings.h>
#include "lib/log.h"

/* Value of a header line "name: value" when name matches (case-insensitive), trimmed. */
static int header_value(const char *line, size_t len, const char *name, const char **v,
                        size_t *vlen)
{
    size_t n = strlen(name);
    if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
        return 0;
    const char *p = line + n + 1, *end = line + len;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    *v = p;
    *vlen = (size_t)(end - p);
    return 1;
}

const char *http_guard_check(const char *head, size_t len, const char *path, size_t path_len,
                             int http11)
{
    for (size_t i = 0; i < path_len; i++) {
        if (path[i] == '\0')
            return "NUL in the path";
        if (path[i] == '%' && i + 2 < path_len && path[i + 1] == '0' && path[i + 2] == '0')
            return "%00 in the path";
    }
    const char *cl = NULL, *line = memchr(head, '\n', len);
    size_t cl_len = 0;
    int te = 0, host = 0;
    while (line && (size_t)(line - head) + 1 < len) {
        const char *start = line + 1;
        const char *eol = memchr(start, '\n', len - (size_t)(start - head));
        size_t n = eol ? (size_t)(eol - start) : len - (size_t)(start - head);
        if (n == 0 || (n == 1 && start[0] == '\r'))
            break; /* the blank line: end of the head */
        const char *v;
        size_t vlen;
        if (header_value(start, n, "content-length", &v, &vlen)) {
            if (cl && (vlen != cl_len || memcmp(v, cl, vlen) != 0))
                return "two different Content-Length headers";
            cl = v, cl_len = vlen;
        } else if (header_value(start, n, "transfer-encoding", &v, &vlen)) {
            te = 1;
        } else if (header_value(start, n, "host", &v, &vlen)) {
            host = 1;
        }
        line = eol;
    }
    if (cl && te)
        return "Content-Length with Transfer-Encoding";
    if (http11 && !host)
        return "HTTP/1.1 without Host";
    return NULL;
}

static int guard_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    const char *head = "";
    size_t len = 0;
    h2o_socket_t *sock =
        req->conn->callbacks->get_socket ? req->conn->callbacks->get_socket(req->conn) : NULL;
    if (sock && sock->input && req->version < 0x200) {
        head = sock->input->bytes;
        len = sock->input->size;
    }
    /* h2o fills in the default host when Host is missing: look at the head itself. */
    const char *why =
        http_guard_check(head, len, req->path.base, req->path.len, req->version == 0x101);
    if (!why)
        return -1; /* on to the API or the files */
    log_info("refused a malformed request: %s", why);
    static const char body[] =
        "{\"error\":{\"code\":\"bad_request\",\"message\":\"请求格式不正确\",\"field\":null}}";
    req->res.status = 400;
    req->res.reason = "Bad Request";
    req->http1_is_persistent = 0;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("application/json; charset=utf-8"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   H2O_STRLIT("no-store"));
    h2o_send_inline(req, body, sizeof body - 1);
    return 0;
}

void http_guard_register(h2o_pathconf_t *pc)
{
    h2o_handler_t *h = h2o_create_handler(pc, sizeof *h);
    h->on_req = guard_on_req;
}
