/* buf.h — a growable byte buffer with a hard size cap (after curl's dynbuf), for response
 * bodies, SQL fragments and any output whose size a client can influence.
 * A buf_t belongs to one thread at a time. After any successful add, p is NUL-terminated (the
 * NUL is not counted in len); a failed add leaves the contents exactly as they were. */
#ifndef JICENG_LIB_BUF_H
#define JICENG_LIB_BUF_H

#include <stddef.h>

typedef struct {
    char *p;    /* NULL until the first add; owned by the buffer */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* len may never exceed this */
} buf_t;

/* Start empty with a cap of max content bytes. Allocates nothing. */
void buf_init(buf_t *b, size_t max);

/* Append n bytes (may contain NULs). 0, or ERR_TOOLARGE if len would pass max.
 * Running out of memory aborts the process with a message (sizes are bounded by max). */
int buf_add(buf_t *b, const void *data, size_t n);

/* Append a NUL-terminated string. As buf_add. */
int buf_addstr(buf_t *b, const char *s);

/* Append printf-formatted text (vsnprintf). 0; ERR_TOOLARGE past max; ERR_INVALID if the
 * format cannot be rendered. */
int buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append s[0..len) as a JSON string literal, quotes included: " \ and control characters are
 * escaped (\n \t ... or \u00XX), DEL as \u007f; valid UTF-8 passes through unchanged; each
 * byte of invalid UTF-8 becomes U+FFFD so the output is always valid JSON. As buf_add. */
int buf_add_json_string(buf_t *b, const char *s, size_t len);

/* Make the buffer empty, keeping its memory (p stays valid, "" if allocated). */
void buf_reset(buf_t *b);

/* Free the memory; the buffer is empty and reusable with the same max. */
void buf_free(buf_t *b);

/* Hand the contents to the caller (caller frees with free()); never NULL ("" when empty).
 * The buffer is left empty and reusable. */
char *buf_detach(buf_t *b);

#endif
