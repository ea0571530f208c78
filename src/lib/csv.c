#include "lib/csv.h"
#include <string.h>

int csv_split(char *line, char *fields[CSV_MAX_FIELDS])
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    int nf = 0;
    char *r = line, *w = line;
    for (;;) {
        if (nf == CSV_MAX_FIELDS)
            return nf;
        fields[nf++] = w;
        if (*r == '"') {
            r++;
            for (;;) {
                if (!*r)
                    return -1;
                if (*r == '"') {
                    if (r[1] == '"') {
                        *w++ = '"';
                        r += 2;
                        continue;
                    }
                    r++;
                    break;
                }
                *w++ = *r++;
            }
        }
        while (*r && *r != ',')
            *w++ = *r++;
        if (!*r) {
            *w = 0;
            return nf;
        }
        r++;
        *w++ = 0;
    }
}
