/* guard.h — requests refused before any handler sees them (issue 9 part 6, HTTP edge cases that
 * h2o 2.2.5 lets through): two Content-Length headers that differ, or Content-Length beside
 * Transfer-Encoding (a proxy in front could read the body otherwise than we do: request
 * smuggling); a NUL in the path, raw or as %00 (`/index.html%00.js` was served as index.html);
 * HTTP/1.1 without Host. Each gets 400 in the JSON error shape. */
#ifndef JICENG_HTTP_GUARD_H
#define JICENG_HTTP_GUARD_H

#include <h2o.h>
#include <stddef.h>

/* Register the guard as the first handler of pc (before the API and the files). */
void http_guard_register(h2o_pathconf_t *pc);

/* The check itself, on a raw request head (request line and headers, up to the blank line), its
 * path and whether it is HTTP/1.1: NULL when acceptable, else the reason (English, for the
 * log). Pure. */
const char *http_guard_check(const char *head, size_t len, const char *path, size_t path_len,
                             int http11);

#endif
