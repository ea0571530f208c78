/* vec.h — a growable array of fixed-size elements with a hard cap on their number: buf.h's
 * counterpart for rows a function collects before it uses them (query results, events). Unlike
 * buf_t it never aborts: growing past the cap or running out of memory is an error the caller
 * passes on, so a read fails cleanly instead of answering with part of its rows.
 * A vec_t belongs to one thread at a time. A failed add leaves the contents exactly as they
 * were. Elements are plain bytes, copied with memcpy; the vector frees only its own array. */
#ifndef JICENG_LIB_VEC_H
#define JICENG_LIB_VEC_H

#include <stddef.h>

typedef struct {
    void *p;     /* the elements, p[0..len): NULL until the first add; owned by the vector */
    size_t len;  /* elements in use */
    size_t cap;  /* elements allocated */
    size_t size; /* bytes per element (> 0) */
    size_t max;  /* len may never exceed this */
} vec_t;

/* Start empty, for elements of `size` bytes, at most `max` of them (lowered to what fits in
 * SIZE_MAX bytes). Allocates nothing. */
void vec_init(vec_t *v, size_t size, size_t max);

/* Append a copy of the element at elem (size bytes). 0; ERR_TOOLARGE when len is already max;
 * ERR_NOMEM when the array cannot grow. The array may move: pointers into p from before an add
 * are stale after it. */
int vec_push(vec_t *v, const void *elem);

/* Remove element i (< len), moving the later ones down one place; order is kept. */
void vec_remove(vec_t *v, size_t i);

/* Make the vector empty, keeping its memory. */
void vec_clear(vec_t *v);

/* Free the array; the vector is empty and reusable with the same size and max. */
void vec_free(vec_t *v);

#endif
