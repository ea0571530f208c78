/* audit.h — the audit log (等保 GB/T 22239 §5; PIPL Art. 55–56): who did what, when, from where,
 * with what outcome. Append-only; written in the same transaction as the act it records. */
#ifndef JICENG_DOMAIN_AUDIT_H
#define JICENG_DOMAIN_AUDIT_H

#include <jansson.h>
#include <stdint.h>
#include "domain/account.h"
#include "store/db.h"

typedef struct {
    const account_user_t *who; /* may be NULL (anonymous, e.g. a failed login) */
    const char *username;      /* when who is NULL: the name that was tried */
    const char *county;        /* when who is NULL; defaults to "000000" */
    const char *action;        /* login, login_failed, logout, password_change, user_create,
                                  user_disable, user_enable, password_reset, sensitive_read... */
    const char *object;        /* what it touched, e.g. "user:123", "person:456" */
    const char *outcome;       /* ok | denied | failed */
    const char *ip;
    const char *detail;        /* short free text, never a secret or a full ID number */
    int64_t now;
} audit_entry_t;

/* Append one row. Returns 0 or the store error. */
int audit_write(db_t *db, const audit_entry_t *a);

/* Rows of the caller's county scope, newest first, keyset by id (cursor "" = from the newest).
 * Returns {items, next_cursor} (new reference) or NULL on a store error. */
json_t *audit_list(db_t *db, const account_user_t *who, const char *cursor, int limit);

#endif
