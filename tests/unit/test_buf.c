/* Unit tests for src/lib/buf.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/buf.h"
#include "lib/err.h"

#define S(lit) lit, sizeof(lit) - 1

static void assert_terminated(const buf_t *b)
{
    assert_non_null(b->p);
    assert_int_equal(b->p[b->len], '\0');
    assert_true(b->len <= b->max);
    assert_true(b->len < b->cap);
}

static void test_cap_enforced(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 10);
    assert_int_equal(buf_addstr(&b, "12345"), 0);
    assert_terminated(&b);
    assert_int_equal(buf_addstr(&b, "678901"), ERR_TOOLARGE); /* 11 > 10 */
    assert_int_equal(b.len, 5);
    assert_string_equal(b.p, "12345"); /* failed add changed nothing */
    assert_int_equal(buf_addstr(&b, "67890"), 0);
    assert_string_equal(b.p, "1234567890");
    assert_int_equal(buf_add(&b, "", 0), 0);
    assert_int_equal(buf_add(&b, "x", 1), ERR_TOOLARGE);
    assert_int_equal(buf_printf(&b, "%d", 1), ERR_TOOLARGE);
    assert_int_equal(buf_add_json_string(&b, "", 0), ERR_TOOLARGE);
    assert_string_equal(b.p, "1234567890");
    assert_true(b.cap <= 11); /* never allocates past max + NUL */
    buf_free(&b);
    assert_null(b.p);
}

static void test_growth_and_binary(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 1 << 20);
    char chunk[1000];
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = (char)('a' + i % 26);
    for (int i = 0; i < 300; i++)
        assert_int_equal(buf_add(&b, chunk, sizeof chunk), 0);
    assert_int_equal(b.len, 300000);
    assert_terminated(&b);
    assert_memory_equal(b.p + 299000, chunk, sizeof chunk);
    assert_int_equal(buf_add(&b, "a\0b", 3), 0); /* NUL bytes are data */
    assert_int_equal(b.len, 300003);
    assert_memory_equal(b.p + 300000, "a\0b", 3);
    buf_free(&b);
}

static void test_printf(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 4096);
    assert_int_equal(buf_printf(&b, "id=%lld name=%s", 42LL, "张三"), 0);
    assert_string_equal(b.p, "id=42 name=张三");
    /* longer than the first allocation: must grow and render the whole piece */
    char big[300];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(buf_printf(&b, "[%s]", big), 0);
    assert_int_equal(b.len, strlen("id=42 name=张三") + 301);
    assert_int_equal(b.p[b.len - 1], ']');
    assert_int_equal(b.p[strlen("id=42 name=张三")], '[');
    assert_terminated(&b);
    buf_free(&b);

    buf_init(&b, 8);
    assert_int_equal(buf_addstr(&b, "abc"), 0);
    assert_int_equal(buf_printf(&b, "%s", "123456"), ERR_TOOLARGE);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.p, "abc");
    assert_int_equal(buf_printf(&b, "%s", "12345"), 0);
    assert_string_equal(b.p, "abc12345");
    buf_free(&b);
}

static void test_json_escaping(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 4096);

    assert_int_equal(buf_add_json_string(&b, S("say \"hi\" \\ ok")), 0);
    assert_string_equal(b.p, "\"say \\\"hi\\\" \\\\ ok\"");
    buf_reset(&b);
    assert_string_equal(b.p, "");

    assert_int_equal(buf_add_json_string(&b, S("a\nb\tc\rd\be\ff")), 0);
    assert_string_equal(b.p, "\"a\\nb\\tc\\rd\\be\\ff\"");
    buf_reset(&b);

    assert_int_equal(buf_add_json_string(&b, S("\x01\x1f\x7f")), 0);
    assert_string_equal(b.p, "\"\\u0001\\u001f\\u007f\"");
    buf_reset(&b);

    assert_int_equal(buf_add_json_string(&b, S("x\0y")), 0); /* embedded NUL */
    assert_string_equal(b.p, "\"x\\u0000y\"");
    buf_reset(&b);

    assert_int_equal(buf_add_json_string(&b, S("网格员 张三 😀 </script>")), 0);
    assert_string_equal(b.p, "\"网格员 张三 😀 </script>\"");
    buf_reset(&b);

    /* invalid UTF-8 is replaced, one U+FFFD per bad byte */
    assert_int_equal(buf_add_json_string(&b, S("a\xFF\xE5\xBC"
                                               "b")),
                     0);
    assert_string_equal(b.p, "\"a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                             "b\"");
    buf_reset(&b);

    assert_int_equal(buf_add_json_string(&b, "", 0), 0);
    assert_string_equal(b.p, "\"\"");
    buf_free(&b);
}

static void test_json_all_or_nothing(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 12);
    assert_int_equal(buf_addstr(&b, "{\"k\":"), 0);
    /* "\"" + 5 chars + escapes would pass 12: nothing of it may remain */
    assert_int_equal(buf_add_json_string(&b, S("a\"b\"c")), ERR_TOOLARGE);
    assert_string_equal(b.p, "{\"k\":");
    assert_int_equal(b.len, 5);
    assert_int_equal(buf_add_json_string(&b, S("abc")), 0);
    assert_string_equal(b.p, "{\"k\":\"abc\"");
    buf_free(&b);
}

static void test_detach_reset(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 100);
    char *s = buf_detach(&b); /* empty: still a string */
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);

    assert_int_equal(buf_addstr(&b, "hello"), 0);
    s = buf_detach(&b);
    assert_string_equal(s, "hello");
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.max, 100);
    free(s);

    assert_int_equal(buf_addstr(&b, "again"), 0); /* reusable after detach */
    assert_string_equal(b.p, "again");
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_addstr(&b, "x"), 0);
    assert_string_equal(b.p, "x");
    buf_free(&b);
    buf_free(&b); /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_enforced),
        cmocka_unit_test(test_growth_and_binary),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_json_all_or_nothing),
        cmocka_unit_test(test_detach_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
