/* Unit tests for src/lib/ids.c */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "lib/err.h"
#include "lib/ids.h"

static int check(const char *s, err_t *e) { return ids_resident_check(s, strlen(s), e); }

static void assert_fails(int rc, const err_t *e, const char *message, const char *field)
{
    assert_int_equal(rc, ERR_INVALID);
    assert_int_equal(e->rc, ERR_INVALID);
    assert_string_equal(e->message, message);
    assert_string_equal(e->field, field);
}

static void test_resident_vectors(void **state)
{
    (void)state;
    err_t e = {0};
    assert_int_equal(check("11010519491231002X", &e), 0);
    assert_int_equal(check("440524188001010014", &e), 0);
    assert_int_equal(check("370101190102039973", &e), 0);
    assert_int_equal(check("11010519491231002x", &e), 0); /* lower-case x accepted */
    assert_int_equal(check("11010519491231002X", NULL), 0);

    char out[19];
    assert_int_equal(ids_resident_normalize("11010519491231002x", 18, out, &e), 0);
    assert_string_equal(out, "11010519491231002X");
}

static void test_resident_bad_check_digit(void **state)
{
    (void)state;
    err_t e = {0};
    assert_fails(check("110105194912310021", &e), &e, "身份证号码校验位错误", "id_number");
    assert_fails(check("440524188001010015", &e), &e, "身份证号码校验位错误", "id_number");
    assert_fails(check("37010119010203997X", &e), &e, "身份证号码校验位错误", "id_number");
    /* a changed digit in the body is caught by the check character */
    assert_fails(check("11010519491231012X", &e), &e, "身份证号码校验位错误", "id_number");
    char out[19] = "junk";
    assert_int_equal(ids_resident_normalize("110105194912310021", 18, out, &e), ERR_INVALID);
    assert_string_equal(out, "");
}

static void test_resident_length_and_chars(void **state)
{
    (void)state;
    err_t e = {0};
    assert_fails(check("11010519491231002", &e), &e, "身份证号码应为18位", "id_number");
    assert_fails(check("11010519491231002X1", &e), &e, "身份证号码应为18位", "id_number");
    assert_fails(check("", &e), &e, "身份证号码应为18位", "id_number");
    assert_fails(ids_resident_check(NULL, 0, &e), &e, "身份证号码应为18位", "id_number");
    /* len counts: a NUL-terminated 18-char prefix of a longer buffer is fine */
    assert_int_equal(ids_resident_check("11010519491231002X99", 18, &e), 0);
    assert_fails(check("1101051949123100XX", &e), &e, "身份证号码前17位应为数字", "id_number");
    assert_fails(check("11010519491231002Y", &e), &e, "身份证号码最后一位应为数字或X", "id_number");
    assert_fails(check("X10105194912310021", &e), &e, "身份证号码前17位应为数字", "id_number");
}

static void test_resident_dates(void **state)
{
    (void)state;
    err_t e = {0};
    char id[19];

    ids_resident_make("110105", 2001, 2, 30, 123, id); /* Feb 30, check char correct */
    assert_fails(check(id, &e), &e, "出生日期无效", "id_number");
    ids_resident_make("110105", 2001, 2, 29, 123, id); /* 2001 not a leap year */
    assert_fails(check(id, &e), &e, "出生日期无效", "id_number");
    ids_resident_make("110105", 1900, 2, 29, 123, id); /* century, not leap */
    assert_fails(check(id, &e), &e, "出生日期无效", "id_number");
    ids_resident_make("110105", 2000, 2, 29, 123, id); /* 400-year leap */
    assert_int_equal(check(id, &e), 0);
    ids_resident_make("110105", 2004, 2, 29, 123, id);
    assert_int_equal(check(id, &e), 0);
    ids_resident_make("110105", 1990, 13, 1, 123, id);
    assert_fails(check(id, &e), &e, "出生日期无效", "id_number");
    ids_resident_make("110105", 1990, 0, 1, 123, id);
    assert_fails(check(id, &e), &e, "出生日期无效", "id_number");
    ids_resident_make("110105", 1990, 4, 31, 123, id);
    assert_fails(check(id, &e), &e, "出生日期无效", "id_number");
    ids_resident_make("110105", 1990, 1, 0, 123, id);
    assert_fails(check(id, &e), &e, "出生日期无效", "id_number");
    ids_resident_make("110105", 1799, 12, 31, 123, id);
    assert_fails(check(id, &e), &e, "出生日期无效", "id_number");
}

static void test_resident_future(void **state)
{
    (void)state;
    err_t e = {0};
    char id[19];

    ids_resident_make("150221", 2024, 1, 2, 5, id);
    assert_fails(ids_resident_check_on(id, 18, 20240101, &e), &e, "出生日期不能晚于今天",
                 "id_number");
    assert_int_equal(ids_resident_check_on(id, 18, 20240102, &e), 0); /* born today */
    assert_int_equal(ids_resident_check_on(id, 18, 20240103, &e), 0);

    /* against the real clock: far future refused, yesterday accepted */
    ids_resident_make("150221", 2999, 1, 1, 5, id);
    assert_fails(check(id, &e), &e, "出生日期不能晚于今天", "id_number");
    time_t t = time(NULL) - 2 * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    ids_resident_make("150221", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, 5, id);
    assert_int_equal(check(id, &e), 0);
}

static void test_resident_unknown_address_accepted(void **state)
{
    (void)state;
    char id[19];
    ids_resident_make("000000", 1980, 6, 15, 1, id);
    assert_int_equal(check(id, NULL), 0);
    ids_resident_make("999999", 1980, 6, 15, 1, id);
    assert_int_equal(check(id, NULL), 0);
}

static void test_resident_sex_and_birth(void **state)
{
    (void)state;
    int y = 0, m = 0, d = 0;
    assert_int_equal(ids_resident_sex("11010519491231002X"), 'F');
    assert_int_equal(ids_resident_sex("440524188001010014"), 'M');
    assert_int_equal(ids_resident_sex("370101190102039973"), 'M');
    assert_int_equal(ids_resident_birth("11010519491231002X", &y, &m, &d), 0);
    assert_int_equal(y, 1949);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
    assert_int_equal(ids_resident_birth("440524188001010014", &y, NULL, NULL), 0);
    assert_int_equal(y, 1880);
    assert_int_equal(ids_resident_birth("110105200102300011", &y, &m, &d), ERR_INVALID);
    assert_int_equal(ids_resident_sex("1101051949123100AX"), '\0');
}

static void test_resident_make_round_trip(void **state)
{
    (void)state;
    static const char *addrs[] = {"110105", "152201", "440524", "370101"};
    int n = 0;
    for (int a = 0; a < 4; a++) {
        for (int y = 1901; y <= 2020; y += 7) {
            for (int m = 1; m <= 12; m += 1) {
                int dmax = m == 2 ? 28 : 30;
                for (int d = 1; d <= dmax; d += 9) {
                    int seq = (y * 31 + m * 7 + d) % 1000;
                    char id[19];
                    int yy, mm, dd;
                    ids_resident_make(addrs[a], y, m, d, seq, id);
                    assert_int_equal(strlen(id), 18);
                    assert_memory_equal(id, addrs[a], 6);
                    assert_int_equal(check(id, NULL), 0);
                    assert_int_equal(ids_resident_birth(id, &yy, &mm, &dd), 0);
                    assert_int_equal(yy, y);
                    assert_int_equal(mm, m);
                    assert_int_equal(dd, d);
                    assert_int_equal(ids_resident_sex(id), seq % 2 ? 'M' : 'F');
                    n++;
                }
            }
        }
    }
    assert_true(n > 1000);
    /* and make() reproduces a published vector */
    char id[19];
    ids_resident_make("110105", 1949, 12, 31, 2, id);
    assert_string_equal(id, "11010519491231002X");
    ids_resident_make("370101", 1901, 2, 3, 997, id);
    assert_string_equal(id, "370101190102039973");
}

static void test_uscc(void **state)
{
    (void)state;
    err_t e = {0};
    assert_int_equal(ids_uscc_check("91512081MA62K0260E", 18, &e), 0);
    assert_int_equal(ids_uscc_check("11320000MB151840XJ", 18, &e), 0);
    assert_int_equal(ids_uscc_check("91512081ma62k0260e", 18, &e), 0);
    /* the edges of the check: sum mod 31 == 0 gives '0' (31 -> 0), 1 gives 'Y' (30) */
    assert_int_equal(ids_uscc_check("91110108MA01000010", 18, &e), 0);
    assert_int_equal(ids_uscc_check("91110108MA010000BY", 18, &e), 0);
    assert_int_equal(ids_uscc_check("91110108MA0100001Y", 18, &e), ERR_INVALID);

    /* Z is not in the alphabet */
    assert_fails(ids_uscc_check("91350100M000100Y4Z", 18, &e), &e, "统一社会信用代码含有无效字符",
                 "uscc");
    assert_string_equal(e.code, "invalid");
    /* wrong check character: its own code so callers can downgrade to a warning */
    assert_fails(ids_uscc_check("91512081MA62K0260F", 18, &e), &e, "统一社会信用代码校验位错误",
                 "uscc");
    assert_string_equal(e.code, "uscc_check");
    assert_fails(ids_uscc_check("91512081MA62K0261E", 18, &e), &e, "统一社会信用代码校验位错误",
                 "uscc");
    assert_fails(ids_uscc_check("91512081MA62K026", 16, &e), &e, "统一社会信用代码应为18位",
                 "uscc");
    assert_fails(ids_uscc_check("91512081MA62KO260E", 18, &e), &e, "统一社会信用代码含有无效字符",
                 "uscc"); /* letter O */
    assert_fails(ids_uscc_check(NULL, 0, &e), &e, "统一社会信用代码应为18位", "uscc");

    char out[19];
    assert_int_equal(ids_uscc_normalize("11320000mb151840xj", 18, out, &e), 0);
    assert_string_equal(out, "11320000MB151840XJ");
    assert_int_equal(ids_uscc_normalize("91512081ma62k0260f", 18, out, &e), ERR_INVALID);
    assert_string_equal(e.code, "uscc_check");
    assert_string_equal(out, "91512081MA62K0260F");
    assert_int_equal(ids_uscc_normalize("91350100M000100Y4Z", 18, out, &e), ERR_INVALID);
    assert_string_equal(out, "");
}

static int mobile(const char *s, char out[12], err_t *e)
{
    return ids_mobile_normalize(s, strlen(s), out, e);
}

static void test_mobile(void **state)
{
    (void)state;
    err_t e = {0};
    char out[12];
    assert_int_equal(mobile("13812341234", out, &e), 0);
    assert_string_equal(out, "13812341234");
    assert_int_equal(mobile("+8619912345678", out, &e), 0);
    assert_string_equal(out, "19912345678");
    assert_int_equal(mobile("8615012345678", out, &e), 0);
    assert_string_equal(out, "15012345678");

    static const char *bad[] = {
        "12812341234",     "10012345678",     "23812341234",   "1381234123",
        "138123412345",    "138 1234 1234",   "138-1234-1234", "+86 13812341234",
        "+8513812341234",  "+86138123412",    "1381234123a",   "",
        "008613812341234", "８６13812341234",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(out, "junk", 5);
        assert_fails(mobile(bad[i], out, &e), &e, "手机号码格式不正确", "phone");
        assert_string_equal(out, "");
    }
    assert_int_equal(ids_mobile_normalize(NULL, 0, out, &e), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resident_vectors),
        cmocka_unit_test(test_resident_bad_check_digit),
        cmocka_unit_test(test_resident_length_and_chars),
        cmocka_unit_test(test_resident_dates),
        cmocka_unit_test(test_resident_future),
        cmocka_unit_test(test_resident_unknown_address_accepted),
        cmocka_unit_test(test_resident_sex_and_birth),
        cmocka_unit_test(test_resident_make_round_trip),
        cmocka_unit_test(test_uscc),
        cmocka_unit_test(test_mobile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
