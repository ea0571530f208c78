#include "lib/mask.h"

#include <string.h>

#include "lib/utf8.h"

/* Bounded writer: appends while there is room, keeps out NUL-terminated. */
typedef struct {
    char *p;
    size_t cap, len;
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    if (o->cap == 0 || o->len + n + 1 > o->cap)
        return; /* whole pieces only, so a character is never cut */
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void stars(out_t *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(o, "*", 1);
}

/* Shared by ID and phone: ASCII values, so bytes are characters. */
static void keep_ends(const char *s, size_t head, size_t tail, char *out, size_t cap)
{
    out_t o = {out, cap, 0};
    if (cap)
        out[0] = '\0';
    if (!s)
        return;
    size_t n = strlen(s);
    if (n <= head + tail) {
        stars(&o, n);
        return;
    }
    put(&o, s, head);
    stars(&o, n - head - tail);
    put(&o, s + n - tail, tail);
}

void mask_id(const char *id, char *out, size_t cap) { keep_ends(id, 4, 4, out, cap); }

void mask_phone(const char *phone, char *out, size_t cap) { keep_ends(phone, 3, 4, out, cap); }

void mask_name(const char *utf8name, char *out, size_t cap)
{
    out_t o = {out, cap, 0};
    if (cap)
        out[0] = '\0';
    if (!utf8name || !*utf8name)
        return;
    size_t n = strlen(utf8name);
    size_t first = utf8_prefix(utf8name, n, 1);
    put(&o, utf8name, first);
    if (o.len == 0)
        return; /* first character did not fit: show nothing rather than a broken byte */
    stars(&o, utf8_count(utf8name + first, n - first));
}
