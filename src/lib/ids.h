/* ids.h — checks for the identifiers people and merchants give us: resident ID numbers
 * (GB 11643-1999), unified social credit codes (GB 32100-2015) and mobile numbers.
 * Pure functions: thread-safe, no allocation. Checks return 0 or ERR_INVALID with a Chinese
 * message in *e (e may be NULL). */
#ifndef JICENG_LIB_IDS_H
#define JICENG_LIB_IDS_H

#include <stddef.h>

#include "lib/err.h"

/* Resident ID: 18 characters, 17 digits then a check character (0-9, X or x), a real birth
 * date from 1800 up to today (today in China, UTC+8), and the right check character. Unknown
 * or retired address codes are accepted. Field "id_number". */
int ids_resident_check(const char *s, size_t len, err_t *e);

/* As ids_resident_check, with "today" given as yyyymmdd (for tests and batch imports). */
int ids_resident_check_on(const char *s, size_t len, int today_yyyymmdd, err_t *e);

/* Check s and write its canonical form (upper-case X) to out, NUL-terminated. Store this form:
 * lookups hash exact bytes. As ids_resident_check. */
int ids_resident_normalize(const char *s, size_t len, char out[19], err_t *e);

/* Birth date of a checked ID (characters 7-14). Any of y, m, d may be NULL. 0, or ERR_INVALID
 * if those characters are not a real date. */
int ids_resident_birth(const char *id18, int *y, int *m, int *d);

/* 'M' if the 17th character is odd, 'F' if even, '\0' if it is not a digit. */
char ids_resident_sex(const char *id18);

/* Check character ('0'-'9' or 'X') for the first 17 characters, which must be digits. */
char ids_resident_check_char(const char *first17);

/* Build a synthetic ID for demo data: addr6 (6 digits, not NUL-terminated), birth date,
 * sequence seq3 (0..999, taken mod 1000; odd = male), computed check character. out gets 18
 * characters and a NUL. The date is not validated: pass a real one. */
void ids_resident_make(const char addr6[6], int y, int m, int d, int seq3, char out[19]);

/* Unified social credit code: 18 characters from 0123456789ABCDEFGHJKLMNPQRTUWXY (lower case
 * accepted) with a correct check character. Field "uscc". A wrong check character sets
 * e->code to "uscc_check" (other failures "invalid"), because some early real codes fail it:
 * callers may turn that one case into a warning (STANDARDS.md 3). */
int ids_uscc_check(const char *s, size_t len, err_t *e);

/* Check and write the upper-case form to out, NUL-terminated. As ids_uscc_check; on a
 * "uscc_check" failure out is still written, so a caller that only warns can store it. */
int ids_uscc_normalize(const char *s, size_t len, char out[19], err_t *e);

/* Mobile number ^1[3-9]\d{9}$, optionally prefixed by +86 or 86 (nothing else: no spaces or
 * dashes). Writes the 11 digits and a NUL to out. 0, or ERR_INVALID with field "phone" and
 * message 手机号码格式不正确 (out is then ""). */
int ids_mobile_normalize(const char *s, size_t len, char out[12], err_t *e);

#endif
