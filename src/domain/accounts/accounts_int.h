/* accounts_int.h — what the files of domain/accounts/ share (account.c, login.c, twofactor.c);
 * no file outside the folder includes it. */
#ifndef JICENG_DOMAIN_ACCOUNTS_INT_H
#define JICENG_DOMAIN_ACCOUNTS_INT_H

#include "domain/accounts/accounts.h"

/* snprintf "%s" of s (NULL → ""), truncating to cap. */
void account_copy(char *dst, size_t cap, const char *s);

/* --- lockout (login.c): one rule for every way of guessing — password, old password, code --- */

/* *locked = 1 if the account is locked at now. 0 or a store error. */
int account_lock_state(db_t *db, int64_t user_id, int64_t now, int *locked);
/* Count one failed attempt on the account (5 within a day lock it for 10 minutes; the counter
 * then starts over). *locked = 1 if it is locked afterwards. 0 or a store error. */
int account_count_failure(db_t *db, int64_t user_id, int64_t now, int *locked);

/* --- second factor (twofactor.c) --- */

/* Check `code` for the account: a 6-digit code of its authenticator (each time step accepted
 * once: the step is recorded) or one of its unused recovery codes (used up). *ok = 1 on a match;
 * *how says which ("totp" / "recovery code") for the audit row. 0 or a store error. */
int account_second_factor_check(db_t *db, int64_t user_id, const char *code, int64_t now, int *ok,
                                const char **how);
/* Drop the account's second factor, pending setup and recovery codes. */
int account_totp_clear(db_t *db, int64_t user_id);

/* --- management (account.c) --- */

/* Find the target of an administrator's act by id (if > 0) or username and check `by` may
 * manage it (by NULL: the command line, no check). ERR_NOTFOUND outside by's scope. */
int account_find_target(db_t *db, const actor_t *by, int64_t id, const char *username,
                        int64_t *out_id, char county[8], err_t *e);

#endif
