/* jsonw.h — a small streaming JSON writer: values go straight into a capped buf_t, with no tree
 * in between (DESIGN.md: hot list replies). The caller writes keys and values in order; the
 * writer adds commas and colons, escapes strings (UTF-8 passes through, control characters and
 * invalid bytes as buf_add_json_string does) and writes 64-bit IDs as strings.
 * A jsonw_t belongs to one thread. Errors are sticky: after the first failure (the buffer's cap
 * reached, or nesting deeper than JSONW_MAX_DEPTH) every call does nothing and jsonw_finish
 * reports it, so call sites need no checks in between. */
#ifndef JICENG_LIB_JSONW_H
#define JICENG_LIB_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include "lib/buf.h"

#define JSONW_MAX_DEPTH 32
enum { JSONW_OBJECT = 1, JSONW_NONEMPTY = 2 };

typedef struct {
    buf_t *b;
    int rc;                               /* first error, 0 while all is well */
    int depth;                            /* open objects and arrays */
    int after_key;                        /* a key was written: its value comes next */
    unsigned char level[JSONW_MAX_DEPTH]; /* each open container: JSONW_OBJECT, JSONW_NONEMPTY */
} jsonw_t;

/* Write into b (appending to what it holds). b stays owned by the caller. */
void jsonw_init(jsonw_t *w, buf_t *b);

void jsonw_object(jsonw_t *w);     /* { */
void jsonw_object_end(jsonw_t *w); /* } */
void jsonw_array(jsonw_t *w);      /* [ */
void jsonw_array_end(jsonw_t *w);  /* ] */
/* An object's key; the next call writes its value. */
void jsonw_key(jsonw_t *w, const char *key);

void jsonw_string(jsonw_t *w, const char *s); /* NULL writes null */
void jsonw_stringn(jsonw_t *w, const char *s, size_t len);
void jsonw_int(jsonw_t *w, int64_t v);
void jsonw_id(jsonw_t *w, int64_t v);  /* as a string: "123" (JavaScript numbers lose digits) */
void jsonw_real(jsonw_t *w, double v); /* as jansson writes reals (%.17g, always with . or e);
                                          NaN and infinities, which JSON lacks, as null */
void jsonw_bool(jsonw_t *w, int v);
void jsonw_null(jsonw_t *w);

/* Key and value in one call. */
void jsonw_kstring(jsonw_t *w, const char *key, const char *s);
void jsonw_kint(jsonw_t *w, const char *key, int64_t v);
void jsonw_kid(jsonw_t *w, const char *key, int64_t v);
void jsonw_kreal(jsonw_t *w, const char *key, double v);
void jsonw_knull(jsonw_t *w, const char *key);

/* 0 if the document is complete (every container closed) and fit; else ERR_TOOLARGE (the cap)
 * or ERR_INVALID (misuse: unclosed, unbalanced, too deep, a key outside an object or an
 * object value without its key). */
int jsonw_finish(jsonw_t *w);

#endif
