/* mask.h — de-identified forms of personal data for screens and logs (PIPL Art. 51; the
 * assessors' usual forms: ID 1522**********123X, phone 138****1234, name 张*).
 * All functions write a NUL-terminated string into the caller's out[cap] (nothing if cap is 0),
 * truncating at cap without cutting a UTF-8 character; NULL input gives "". Pure and thread-safe;
 * they cannot fail. A value too short to mask safely comes out as all stars. */
#ifndef JICENG_LIB_MASK_H
#define JICENG_LIB_MASK_H

#include <stddef.h>

/* Keep the first 4 and last 4 characters, a star for each one between: an 18-character ID gives
 * 1522**********123X. Inputs of 8 characters or fewer become all stars. cap 19 fits an ID. */
void mask_id(const char *id, char *out, size_t cap);

/* Keep the first 3 and last 4 characters: 13812341234 gives 138****1234. Inputs of 7 characters
 * or fewer become all stars. cap 12 fits a mobile number. */
void mask_phone(const char *phone, char *out, size_t cap);

/* Keep the first UTF-8 character, a star for each remaining character: 张三 → 张*, 欧阳娜娜 →
 * 欧***. A one-character name is returned as is. Needs at most strlen(name)+1 bytes. */
void mask_name(const char *utf8name, char *out, size_t cap);

#endif
