/* fuzz_input.c — libFuzzer target over the validators and parsers that see untrusted input:
 * ID numbers, USCC, phones, CSV lines, masking, UTF-8 counting and JSON string escaping.
 * The first byte picks the function; the rest is the input. Any crash, sanitizer report or
 * broken invariant (asserted below) is a finding. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/buf.h"
#include "lib/csv.h"
#include "lib/ids.h"
#include "lib/mask.h"
#include "lib/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = 0;
    size_t n = size - 1;
    err_t e = {0};
    char out[64];
    switch (data[0] % 7) {
    case 0:
        if (ids_resident_check(s, n, &e) == 0) {
            /* A valid ID has a real birth date and a sex. */
            int y, m, d;
            assert(ids_resident_birth(s, &y, &m, &d) == 0);
            assert(ids_resident_sex(s) == 'M' || ids_resident_sex(s) == 'F');
        } else {
            assert(e.message && e.field);
        }
        break;
    case 1: ids_uscc_check(s, n, &e); break;
    case 2: {
        char ph[12];
        if (ids_mobile_normalize(s, n, ph, &e) == 0)
            assert(strlen(ph) == 11 && ph[0] == '1');
        break;
    }
    case 3: {
        char *f[CSV_MAX_FIELDS];
        int k = csv_split(s, f);
        assert(k >= -1 && k <= CSV_MAX_FIELDS);
        break;
    }
    case 4:
        mask_id(s, out, sizeof out);
        mask_phone(s, out, sizeof out);
        mask_name(s, out, sizeof out);
        assert(strlen(out) < sizeof out);
        break;
    case 5:
        if (utf8_valid(s, n))
            assert(utf8_count(s, n) <= n);
        break;
    default: {
        buf_t b;
        buf_init(&b, 1 << 16);
        if (buf_add_json_string(&b, s, n) == 0)
            assert(b.len >= 2 && b.p[0] == '"' && b.p[b.len - 1] == '"');
        buf_free(&b);
        break;
    }
    }
    free(s);
    return 0;
}
