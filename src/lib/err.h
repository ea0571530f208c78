/* err.h — the one error convention of jiceng.
 * Functions return int: 0 on success, a negative ERR_* code on failure. Details for people
 * (a Chinese message and the offending field) travel in an err_t owned by the caller. */
#ifndef JICENG_LIB_ERR_H
#define JICENG_LIB_ERR_H

#include <stddef.h>

enum {
    ERR_OK = 0,
    ERR_INVALID = -1,   /* bad input: 400 */
    ERR_NOTFOUND = -2,  /* 404, also for objects outside the caller's scope */
    ERR_CONFLICT = -3,  /* 409: state or uniqueness */
    ERR_FORBIDDEN = -4, /* 403: role may not do this */
    ERR_UNAUTH = -5,    /* 401 */
    ERR_LOCKED = -6,    /* 423: account locked */
    ERR_TOOLARGE = -7,  /* 413 */
    ERR_IO = -8,        /* 500: disk, database, network */
    ERR_NOMEM = -9,     /* 500 */
    ERR_BUSY = -10,     /* 503: try again */
    ERR_FULL = -11,     /* 507: storage full (disk, quota, PostgreSQL disk_full) */
};

/* Details of a failure. code is a stable English word for programs ("invalid", "bad_json"...);
 * message is for people, in Chinese. Both point to static strings or to memory that lives as
 * long as the err_t's owner (a request). field may be NULL. */
typedef struct {
    int rc;
    const char *code;
    const char *message;
    const char *field;
    char text[192]; /* a message made by err_setf lives here, as long as the err_t */
} err_t;

/* Fill *e (if non-NULL) and return rc, so callers can write `return err_set(e, ...)`. */
int err_set(err_t *e, int rc, const char *code, const char *message, const char *field);

/* As err_set, with a message formatted into e->text (e.g. with figures in it). */
int err_setf(err_t *e, int rc, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* *dst = *src, keeping a formatted message valid (it lives in the err_t itself). */
void err_copy(err_t *dst, const err_t *src);

/* Default English code for an ERR_* value ("invalid", "not_found"...). Never NULL. */
const char *err_code_name(int rc);

#endif
