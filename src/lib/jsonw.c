/* jsonw.c — streaming JSON writer over buf_t. */
#include "lib/jsonw.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "lib/err.h"
#include "lib/utf8.h"

void jsonw_init(jsonw_t *w, buf_t *b)
{
    memset(w, 0, sizeof *w);
    w->b = b;
}

/* buf_add, with the common case — room already there — done inline: a list reply makes
 * thousands of small appends. Keeps buf_t's promises (NUL after the content, never past max:
 * cap is at most max + 1). */
static inline void add(jsonw_t *w, const char *s, size_t n)
{
    buf_t *b = w->b;
    if (w->rc)
        return;
    if (b->p && b->cap - b->len > n) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
        b->p[b->len] = '\0';
    } else {
        w->rc = buf_add(b, s, n);
    }
}

static void put_string(jsonw_t *w, const char *s, size_t len);

/* Before any value: the comma between items, unless it follows its key. */
static int value_start(jsonw_t *w)
{
    if (w->rc)
        return 0;
    if (w->after_key) {
        w->after_key = 0;
        return 1;
    }
    if (w->depth > 0) {
        unsigned char *l = &w->level[w->depth - 1];
        if (*l & JSONW_OBJECT) {
            w->rc = ERR_INVALID; /* an object's value comes after its key */
            return 0;
        }
        if (*l & JSONW_NONEMPTY)
            add(w, ",", 1);
        *l |= JSONW_NONEMPTY;
    }
    return !w->rc;
}

static void begin(jsonw_t *w, const char *c)
{
    if (!value_start(w))
        return;
    if (w->depth >= JSONW_MAX_DEPTH) {
        w->rc = ERR_INVALID;
        return;
    }
    add(w, c, 1);
    w->level[w->depth++] = *c == '{' ? JSONW_OBJECT : 0;
}

static void end(jsonw_t *w, const char *c)
{
    if (w->rc)
        return;
    if (w->depth == 0 || w->after_key) {
        w->rc = ERR_INVALID;
        return;
    }
    w->depth--;
    add(w, c, 1);
}

void jsonw_object(jsonw_t *w) { begin(w, "{"); }
void jsonw_object_end(jsonw_t *w) { end(w, "}"); }
void jsonw_array(jsonw_t *w) { begin(w, "["); }
void jsonw_array_end(jsonw_t *w) { end(w, "]"); }

void jsonw_key(jsonw_t *w, const char *key)
{
    if (w->rc)
        return;
    if (w->after_key || w->depth == 0 || !(w->level[w->depth - 1] & JSONW_OBJECT)) {
        w->rc = ERR_INVALID;
        return;
    }
    unsigned char *l = &w->level[w->depth - 1];
    if (*l & JSONW_NONEMPTY)
        add(w, ",", 1);
    *l |= JSONW_NONEMPTY;
    if (!w->rc)
        put_string(w, key, strlen(key));
    add(w, ":", 1);
    w->after_key = 1;
}

/* The string with its quotes. The common case — text with nothing to escape, Chinese or not —
 * is one copy; anything else goes through buf_add_json_string. */
static void put_string(jsonw_t *w, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = u[i];
        if (c < 0x80) {
            if (c < 0x20 || c == '"' || c == '\\' || c == 0x7F)
                break;
            i++;
        } else if ((c & 0xF0) == 0xE0 && i + 2 < len && (u[i + 1] & 0xC0) == 0x80 &&
                   (u[i + 2] & 0xC0) == 0x80 && (c != 0xE0 || u[i + 1] >= 0xA0) &&
                   (c != 0xED || u[i + 1] < 0xA0)) {
            i += 3; /* a well-formed three-byte character: all of CJK */
        } else {
            size_t n = utf8_char_len(s + i, len - i);
            if (!n)
                break;
            i += n;
        }
    }
    if (i < len) {
        w->rc = buf_add_json_string(w->b, s, len);
        return;
    }
    add(w, "\"", 1);
    add(w, s, len);
    add(w, "\"", 1);
}

void jsonw_stringn(jsonw_t *w, const char *s, size_t len)
{
    if (value_start(w))
        put_string(w, s, len);
}

void jsonw_string(jsonw_t *w, const char *s)
{
    if (!s)
        jsonw_null(w);
    else
        jsonw_stringn(w, s, strlen(s));
}

/* Decimal digits of v into the end of out[24]; returns where they start. */
static char *digits(int64_t v, char out[24])
{
    /* One past the end: the digits are written backwards from there. */
    // cppcheck-suppress ctuPointerArith
    char *p = out + 24;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return p;
}

void jsonw_int(jsonw_t *w, int64_t v)
{
    char t[24];
    char *p = digits(v, t);
    if (value_start(w))
        add(w, p, (size_t)(t + 24 - p));
}

void jsonw_id(jsonw_t *w, int64_t v)
{
    char t[26];
    char *p = digits(v, t + 1);
    *--p = '"';
    t[25] = '"';
    if (value_start(w))
        add(w, p, (size_t)(t + 26 - p));
}

void jsonw_real(jsonw_t *w, double v)
{
    if (!isfinite(v)) {
        jsonw_null(w);
        return;
    }
    char t[40];
    int n = snprintf(t, sizeof t - 2, "%.17g", v);
    if (n < 0 || (size_t)n >= sizeof t - 2) {
        w->rc = w->rc ? w->rc : ERR_INVALID;
        return;
    }
    if (!strpbrk(t, ".eE")) {
        t[n++] = '.';
        t[n++] = '0';
    }
    if (value_start(w))
        add(w, t, (size_t)n);
}

void jsonw_bool(jsonw_t *w, int v)
{
    if (value_start(w))
        add(w, v ? "true" : "false", v ? 4 : 5);
}

void jsonw_null(jsonw_t *w)
{
    if (value_start(w))
        add(w, "null", 4);
}

void jsonw_kstring(jsonw_t *w, const char *key, const char *s)
{
    jsonw_key(w, key);
    jsonw_string(w, s);
}
void jsonw_kint(jsonw_t *w, const char *key, int64_t v)
{
    jsonw_key(w, key);
    jsonw_int(w, v);
}
void jsonw_kid(jsonw_t *w, const char *key, int64_t v)
{
    jsonw_key(w, key);
    jsonw_id(w, v);
}
void jsonw_kreal(jsonw_t *w, const char *key, double v)
{
    jsonw_key(w, key);
    jsonw_real(w, v);
}
void jsonw_knull(jsonw_t *w, const char *key)
{
    jsonw_key(w, key);
    jsonw_null(w);
}

int jsonw_finish(jsonw_t *w)
{
    if (!w->rc && (w->depth != 0 || w->after_key))
        w->rc = ERR_INVALID;
    return w->rc;
}
