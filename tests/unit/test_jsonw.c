/* test_jsonw.c — the streaming writer writes what jansson would: same documents, strings escaped
 * (quotes, backslashes, control characters, UTF-8 through, bad bytes as U+FFFD), 64-bit IDs as
 * strings, reals as jansson prints them; the cap and misuse are reported, never half-written. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "lib/err.h"
#include "lib/jsonw.h"

/* The writer's output must parse and equal `expect`; byte for byte as jansson writes it when
 * `exact` (jansson writes \u escapes in capitals, the writer in small letters). */
static void same_as(buf_t *b, json_t *expect, int exact)
{
    char *want = json_dumps(expect, JSON_COMPACT | JSON_ENCODE_ANY);
    assert_non_null(b->p);
    if (exact)
        assert_string_equal(b->p, want);
    json_error_t err;
    json_t *back = json_loads(b->p, JSON_DECODE_ANY, &err);
    assert_non_null(back);
    assert_true(json_equal(back, expect));
    json_decref(back);
    free(want);
    json_decref(expect);
}

static void a_list_page(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 1 << 20);
    jsonw_t w;
    jsonw_init(&w, &b);
    jsonw_object(&w);
    jsonw_key(&w, "items");
    jsonw_array(&w);
    for (int i = 0; i < 3; i++) {
        jsonw_object(&w);
        jsonw_kid(&w, "id", 7421000000000000001LL + i);
        jsonw_kstring(&w, "title", "楼道堆放杂物 \"急\"");
        jsonw_kstring(&w, "address", NULL);
        jsonw_kint(&w, "created_at", 1796001575647LL);
        jsonw_kint(&w, "rating", -3);
        jsonw_key(&w, "location");
        jsonw_object(&w);
        jsonw_kreal(&w, "lat", 42.1234567);
        jsonw_kreal(&w, "lon", 116.5);
        jsonw_object_end(&w);
        jsonw_key(&w, "mine");
        jsonw_bool(&w, i == 1);
        jsonw_key(&w, "empty");
        jsonw_array(&w);
        jsonw_array_end(&w);
        jsonw_object_end(&w);
    }
    jsonw_array_end(&w);
    jsonw_knull(&w, "next_cursor");
    jsonw_object_end(&w);
    assert_int_equal(jsonw_finish(&w), 0);

    json_t *items = json_array();
    for (int i = 0; i < 3; i++) {
        char id[24];
        snprintf(id, sizeof id, "%lld", 7421000000000000001LL + i);
        json_array_append_new(items,
                              json_pack("{s:s,s:s,s:n,s:I,s:i,s:{s:f,s:f},s:b,s:[]}", "id", id,
                                        "title", "楼道堆放杂物 \"急\"", "address", "created_at",
                                        (json_int_t)1796001575647LL, "rating", -3, "location",
                                        "lat", 42.1234567, "lon", 116.5, "mine", i == 1, "empty"));
    }
    same_as(&b, json_pack("{s:o,s:n}", "items", items, "next_cursor"), 1);
    buf_free(&b);
}

static void strings_and_numbers(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 4096);
    jsonw_t w;
    jsonw_init(&w, &b);
    const char ctl[] = "a\x01\x1f\b\f\n\r\t\\/\"z";
    jsonw_array(&w);
    jsonw_string(&w, ctl);
    jsonw_string(&w, "𠀀 emoji 😀 and 中文");
    jsonw_string(&w, "");
    jsonw_int(&w, INT64_MIN);
    jsonw_int(&w, INT64_MAX);
    jsonw_int(&w, 0);
    jsonw_id(&w, 0);
    jsonw_real(&w, 3.0);
    jsonw_real(&w, -0.1);
    jsonw_real(&w, 1e300);
    jsonw_array_end(&w);
    assert_int_equal(jsonw_finish(&w), 0);
    same_as(&b,
            json_pack("[s,s,s,I,I,i,s,f,f,f]", ctl, "𠀀 emoji 😀 and 中文", "",
                      (json_int_t)INT64_MIN, (json_int_t)INT64_MAX, 0, "0", 3.0, -0.1, 1e300),
            0);

    /* Invalid UTF-8 and DEL: still valid JSON; each bad byte one U+FFFD. */
    buf_reset(&b);
    jsonw_init(&w, &b);
    jsonw_stringn(&w, "x\xff\xc3y\x7f", 5);
    assert_int_equal(jsonw_finish(&w), 0);
    assert_string_equal(b.p, "\"x\xEF\xBF\xBD\xEF\xBF\xBDy\\u007f\"");
    json_t *back = json_loads(b.p, JSON_DECODE_ANY, NULL);
    assert_non_null(back);
    json_decref(back);

    /* Three-byte forms that are not characters: a surrogate, an overlong, a cut-off one. */
    static const char *const bad3[] = {"\xED\xA0\x80", "\xE0\x80\x80", "\xE4\xB8"};
    for (int i = 0; i < 3; i++) {
        buf_reset(&b);
        jsonw_init(&w, &b);
        jsonw_string(&w, bad3[i]);
        assert_int_equal(jsonw_finish(&w), 0);
        assert_non_null(strstr(b.p, "\xEF\xBF\xBD"));
        assert_null(strstr(b.p, bad3[i]));
    }
    buf_reset(&b);
    jsonw_init(&w, &b);
    jsonw_string(&w, "中\xE4\xB8\xAD文");
    assert_int_equal(jsonw_finish(&w), 0);
    assert_string_equal(b.p, "\"中中文\"");

    /* An embedded NUL with an explicit length. */
    buf_reset(&b);
    jsonw_init(&w, &b);
    jsonw_stringn(&w, "a\0b", 3);
    assert_int_equal(jsonw_finish(&w), 0);
    assert_string_equal(b.p, "\"a\\u0000b\"");

    /* Not a number JSON knows: null. */
    buf_reset(&b);
    jsonw_init(&w, &b);
    jsonw_real(&w, 0.0 / 0.0);
    assert_int_equal(jsonw_finish(&w), 0);
    assert_string_equal(b.p, "null");
    buf_free(&b);
}

static void cap_and_misuse(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, 64);
    jsonw_t w;
    jsonw_init(&w, &b);
    jsonw_array(&w);
    for (int i = 0; i < 100; i++)
        jsonw_string(&w, "0123456789");
    jsonw_array_end(&w);
    assert_int_equal(jsonw_finish(&w), ERR_TOOLARGE);
    assert_true(b.len <= 64);

    buf_t c;
    buf_init(&c, 1024);
    jsonw_init(&w, &c);
    jsonw_object(&w);
    jsonw_string(&w, "no key");
    jsonw_object_end(&w);
    assert_int_equal(jsonw_finish(&w), ERR_INVALID); /* an object's value without its key */
    jsonw_init(&w, &c);
    jsonw_array(&w);
    jsonw_key(&w, "k");
    assert_int_equal(jsonw_finish(&w), ERR_INVALID); /* a key in an array */
    jsonw_init(&w, &c);
    jsonw_object(&w);
    assert_int_equal(jsonw_finish(&w), ERR_INVALID); /* unclosed */
    jsonw_init(&w, &c);
    jsonw_array_end(&w);
    assert_int_equal(jsonw_finish(&w), ERR_INVALID); /* nothing to close */
    jsonw_init(&w, &c);
    jsonw_key(&w, "top");
    assert_int_equal(jsonw_finish(&w), ERR_INVALID); /* a key outside an object */
    jsonw_init(&w, &c);
    for (int i = 0; i < JSONW_MAX_DEPTH + 1; i++)
        jsonw_array(&w);
    assert_int_equal(jsonw_finish(&w), ERR_INVALID); /* too deep */
    buf_free(&b);
    buf_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_list_page),
        cmocka_unit_test(strings_and_numbers),
        cmocka_unit_test(cap_and_misuse),
    };
    return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
