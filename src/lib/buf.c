#include "lib/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/utf8.h"

static _Noreturn void out_of_memory(size_t n)
{
    fprintf(stderr, "jiceng: 内存不足 (out of memory allocating %zu bytes)\n", n);
    abort();
}

/* Make room for `extra` more content bytes plus the NUL. */
static int reserve(buf_t *b, size_t extra)
{
    if (extra > b->max - b->len)
        return ERR_TOOLARGE;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    if (b->max < SIZE_MAX && ncap > b->max + 1)
        ncap = b->max + 1 > need ? b->max + 1 : need;
    char *np = realloc(b->p, ncap);
    if (!np)
        out_of_memory(ncap);
    b->p = np;
    b->cap = ncap;
    return 0;
}

void buf_init(buf_t *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

int buf_add(buf_t *b, const void *data, size_t n)
{
    int rc = reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int buf_addstr(buf_t *b, const char *s) { return buf_add(b, s, strlen(s)); }

int buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    int rc = reserve(b, 0);
    if (rc)
        return rc;

    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->p[b->len] = '\0';
        return ERR_INVALID;
    }
    if ((size_t)n >= b->cap - b->len) {
        /* did not fit: grow, then render again from the start of the piece */
        b->p[b->len] = '\0';
        rc = reserve(b, (size_t)n);
        if (rc)
            return rc;
        va_start(ap, fmt);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= b->cap - b->len) {
            b->p[b->len] = '\0';
            return ERR_INVALID;
        }
    }
    b->len += (size_t)n;
    return 0;
}

int buf_add_json_string(buf_t *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t saved = b->len;
    int rc = buf_add(b, "\"", 1);
    size_t i = 0;

    while (!rc && i < len) {
        unsigned char c = (unsigned char)s[i];
        char esc[6];
        if (c >= 0x80) {
            size_t n = utf8_char_len(s + i, len - i);
            if (n) {
                rc = buf_add(b, s + i, n);
                i += n;
            } else {
                rc = buf_add(b, "\xEF\xBF\xBD", 3); /* U+FFFD for one bad byte */
                i++;
            }
            continue;
        }
        /* run of plain ASCII: copy in one go */
        size_t j = i;
        while (j < len && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x7F &&
               s[j] != '"' && s[j] != '\\')
            j++;
        if (j > i) {
            rc = buf_add(b, s + i, j - i);
            i = j;
            continue;
        }
        switch (c) {
        case '"': rc = buf_add(b, "\\\"", 2); break;
        case '\\': rc = buf_add(b, "\\\\", 2); break;
        case '\b': rc = buf_add(b, "\\b", 2); break;
        case '\f': rc = buf_add(b, "\\f", 2); break;
        case '\n': rc = buf_add(b, "\\n", 2); break;
        case '\r': rc = buf_add(b, "\\r", 2); break;
        case '\t': rc = buf_add(b, "\\t", 2); break;
        default:
            esc[0] = '\\';
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            rc = buf_add(b, esc, 6);
            break;
        }
        i++;
    }
    if (!rc)
        rc = buf_add(b, "\"", 1);
    if (rc && b->p) {
        b->len = saved; /* all or nothing */
        b->p[saved] = '\0';
    }
    return rc;
}

void buf_reset(buf_t *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void buf_free(buf_t *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

char *buf_detach(buf_t *b)
{
    char *p = b->p;
    if (!p) {
        p = malloc(1);
        if (!p)
            out_of_memory(1);
        p[0] = '\0';
    }
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
