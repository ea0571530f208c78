/* password.h — the password policy of GB/T 22239-2019 level 3 (等保 2.0) as assessors apply it:
 * 8-64 bytes, at least three of upper case, lower case, digits and symbols, not containing the
 * username. Pure: thread-safe, no allocation. */
#ifndef JICENG_LIB_PASSWORD_H
#define JICENG_LIB_PASSWORD_H

#include "lib/err.h"

/* Limits in bytes: 64 keeps argon2 input and request bodies small. */
#define PASSWORD_MIN_LEN 8
#define PASSWORD_MAX_LEN 64

/* 0 if pw may be used by username, else ERR_INVALID with a Chinese message and field
 * "new_password". Symbols are any printable character other than ASCII letters and digits
 * (including non-ASCII text); control characters and invalid UTF-8 are refused. The username
 * test is ASCII case-insensitive and applies to usernames of 3 or more bytes (a one-letter name
 * would forbid that letter everywhere). username may be NULL. */
int password_policy_check(const char *pw, const char *username, err_t *e);

#endif
