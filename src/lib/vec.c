#include "lib/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

#define VEC_FIRST 16 /* elements of the first allocation */

/* Unit tests replace this to make an allocation fail. */
static void *(*vec_realloc)(void *, size_t) = realloc;

void vec_init(vec_t *v, size_t size, size_t max)
{
    v->p = NULL;
    v->len = 0;
    v->cap = 0;
    v->size = size ? size : 1;
    v->max = max > SIZE_MAX / v->size ? SIZE_MAX / v->size : max;
}

/* Room for one more element: doubling, never past max (so cap * size cannot overflow). */
static int reserve_one(vec_t *v)
{
    if (v->len >= v->max)
        return ERR_TOOLARGE;
    if (v->len < v->cap)
        return 0;
    size_t ncap = v->cap ? (v->cap > v->max / 2 ? v->max : v->cap * 2) : VEC_FIRST;
    if (ncap > v->max)
        ncap = v->max;
    void *np = vec_realloc(v->p, ncap * v->size);
    if (!np)
        return ERR_NOMEM;
    v->p = np;
    v->cap = ncap;
    return 0;
}

int vec_push(vec_t *v, const void *elem)
{
    int rc = reserve_one(v);
    if (rc)
        return rc;
    memcpy((char *)v->p + v->len * v->size, elem, v->size);
    v->len++;
    return 0;
}

void vec_remove(vec_t *v, size_t i)
{
    if (i >= v->len)
        return;
    char *at = (char *)v->p + i * v->size;
    memmove(at, at + v->size, (v->len - i - 1) * v->size);
    v->len--;
}

void vec_clear(vec_t *v) { v->len = 0; }

void vec_free(vec_t *v)
{
    free(v->p);
    v->p = NULL;
    v->len = 0;
    v->cap = 0;
}
