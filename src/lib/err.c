#include "lib/err.h"
#include <stdarg.h>
#include <stdio.h>

int err_set(err_t *e, int rc, const char *code, const char *message, const char *field)
{
    if (e) {
        e->rc = rc;
        e->code = code ? code : err_code_name(rc);
        e->message = message;
        e->field = field;
    }
    return rc;
}

int err_setf(err_t *e, int rc, const char *code, const char *field, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->text, sizeof e->text, fmt, ap);
        va_end(ap);
        err_set(e, rc, code, e->text, field);
    }
    return rc;
}

void err_copy(err_t *dst, const err_t *src)
{
    if (dst == src)
        return;
    *dst = *src;
    if (src->message == src->text)
        dst->message = dst->text;
}

const char *err_code_name(int rc)
{
    switch (rc) {
    case ERR_OK: return "ok";
    case ERR_INVALID: return "invalid";
    case ERR_NOTFOUND: return "not_found";
    case ERR_CONFLICT: return "conflict";
    case ERR_FORBIDDEN: return "forbidden";
    case ERR_UNAUTH: return "unauthenticated";
    case ERR_LOCKED: return "locked";
    case ERR_TOOLARGE: return "too_large";
    case ERR_BUSY: return "busy";
    case ERR_FULL: return "storage_full";
    case ERR_NOMEM:
    case ERR_IO:
    default: return "internal";
    }
}
