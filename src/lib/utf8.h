/* utf8.h — counting and checking UTF-8 text.
 * Limits for people (names, descriptions) are in characters, not bytes; these helpers count them.
 * All functions are pure: thread-safe, no allocation, never fail (NULL with len 0 is allowed). */
#ifndef JICENG_LIB_UTF8_H
#define JICENG_LIB_UTF8_H

#include <stddef.h>

/* Number of characters in s[0..len). Every byte that is not a continuation byte (10xxxxxx)
 * starts a character, so invalid input still gets a finite, sensible count; check with
 * utf8_valid first where that matters. */
size_t utf8_count(const char *s, size_t len);

/* 1 if s[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF), else 0. NUL bytes are valid UTF-8; callers that forbid them check apart. */
int utf8_valid(const char *s, size_t len);

/* Byte length of the well-formed character at s[0..len): 1..4, or 0 if len is 0 or the bytes
 * there are not a well-formed character. */
size_t utf8_char_len(const char *s, size_t len);

/* Byte length of the first n characters of s[0..len) (all of it if it has fewer), never cutting
 * a character in half. Counts characters as utf8_count does. Use it to truncate text safely. */
size_t utf8_prefix(const char *s, size_t len, size_t n);

#endif
