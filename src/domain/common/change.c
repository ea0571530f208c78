/* change.c — the listener table of change.h. Written only at start-up, read by every thread. */
#include "domain/common/change.h"
#include <stdatomic.h>
#include "lib/log.h"

static atomic_long announced;

static change_fn listeners[CHANGE_KINDS][CHANGE_MAX_LISTENERS];
static int counts[CHANGE_KINDS];

void change_listen(change_kind_t kind, change_fn fn)
{
    if ((unsigned)kind >= CHANGE_KINDS || counts[kind] >= CHANGE_MAX_LISTENERS)
        log_fatal("change: cannot add a listener of kind %d", (int)kind);
    listeners[kind][counts[kind]++] = fn;
}

void change_reset(void)
{
    for (int k = 0; k < CHANGE_KINDS; k++)
        counts[k] = 0;
}

long change_count(void) { return atomic_load(&announced); }

int change_announce(db_t *db, const change_t *c)
{
    atomic_fetch_add(&announced, 1);
    for (int i = 0; i < counts[c->kind]; i++) {
        int rc = listeners[c->kind][i](db, c);
        if (rc)
            return rc;
    }
    return 0;
}
