/* Unit tests for src/lib/image.c: what is accepted by its first bytes, and what comes out of
 * libvips for each accepted kind (WebP included, which the API tests cannot make by hand). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vips/vips.h>
#include <cmocka.h>

#include "lib/image.h"

/* A w × h picture with some structure, encoded by libvips as `suffix` (".png", ".webp"...). */
static void *encode(int w, int h, int bands, const char *suffix, size_t *len)
{
    VipsImage *x = NULL, *img = NULL, *u = NULL;
    assert_int_equal(vips_xyz(&x, w, h, NULL), 0);
    /* Two bands (x, y) → `bands` bands of 8-bit values. */
    VipsImage *b[4] = {0};
    assert_int_equal(vips_extract_band(x, &b[0], 0, NULL), 0);
    assert_int_equal(vips_extract_band(x, &b[1], 1, NULL), 0);
    b[2] = b[0];
    g_object_ref(b[2]);
    b[3] = b[1];
    g_object_ref(b[3]);
    assert_int_equal(vips_bandjoin(b, &img, bands, NULL), 0);
    assert_int_equal(vips_cast_uchar(img, &u, NULL), 0);
    void *buf = NULL;
    assert_int_equal(vips_image_write_to_buffer(u, suffix, &buf, len, NULL), 0);
    for (int i = 0; i < 4; i++)
        g_object_unref(b[i]);
    g_object_unref(x);
    g_object_unref(img);
    g_object_unref(u);
    return buf;
}

static void test_sniff(void **state)
{
    (void)state;
    assert_string_equal(image_sniff("\xFF\xD8\xFF\xE0", 4), "jpeg");
    assert_string_equal(image_sniff("\x89PNG\r\n\x1a\n", 8), "png");
    assert_string_equal(image_sniff("RIFF\0\0\0\0WEBPVP8 ", 16), "webp");
    assert_string_equal(image_sniff("\0\0\0\x18"
                                    "ftypheic",
                                    12),
                        "heic");
    assert_string_equal(image_sniff("\0\0\0\x18"
                                    "ftypmif1",
                                    12),
                        "heic");
    assert_string_equal(image_sniff("GIF89a", 6), "gif");
    assert_null(image_sniff("RIFF\0\0\0\0WAVE", 12));
    assert_null(image_sniff("<svg xmlns=", 11));
    assert_null(image_sniff("\xFF\xD8", 2)); /* too short to tell */
    assert_null(image_sniff("", 0));
}

static void test_refusals(void **state)
{
    (void)state;
    image_t im;
    err_t e = {0};
    assert_int_equal(image_process("\0\0\0\x18"
                                   "ftypheic\0\0\0\0",
                                   16, &im, &e),
                     ERR_INVALID);
    assert_string_equal(e.code, "unsupported_image");
    assert_non_null(strstr(e.message, "HEIC"));
    assert_int_equal(image_process("<svg/>", 6, &im, &e), ERR_INVALID);
    assert_string_equal(e.code, "unsupported_image");
    /* Right first bytes, rubbish after: refused, nothing allocated. */
    char junk[64];
    memset(junk, 0x42, sizeof junk);
    memcpy(junk, "\xFF\xD8\xFF\xE0", 4);
    assert_int_equal(image_process(junk, sizeof junk, &im, &e), ERR_INVALID);
    assert_string_equal(e.code, "bad_image");
    assert_null(im.full);
    assert_int_equal(image_process(junk, IMAGE_MAX_BYTES + 1, &im, &e), ERR_TOOLARGE);
}

/* Each accepted kind comes out as a JPEG of the same size (small ones are not enlarged) and a
 * thumbnail within 320 px. */
static void roundtrip(const char *suffix, int bands)
{
    size_t len;
    void *in = encode(800, 400, bands, suffix, &len);
    image_t im;
    err_t e = {0};
    assert_int_equal(image_process(in, len, &im, &e), 0);
    assert_int_equal(im.width, 800);
    assert_int_equal(im.height, 400);
    assert_true(im.full_len > 100 && memcmp(im.full, "\xFF\xD8\xFF", 3) == 0);
    assert_true(im.thumb_len > 100 && memcmp(im.thumb, "\xFF\xD8\xFF", 3) == 0);
    assert_true(im.thumb_len < im.full_len);
    VipsImage *t = vips_image_new_from_buffer(im.thumb, im.thumb_len, "", NULL);
    assert_non_null(t);
    assert_int_equal(vips_image_get_width(t), 320);
    assert_int_equal(vips_image_get_height(t), 160);
    assert_int_equal(vips_image_get_bands(t), 3); /* alpha flattened, grey made colour-ready */
    g_object_unref(t);
    image_free(&im);
    assert_null(im.full);
    g_free(in);
}

static void test_png(void **state)
{
    (void)state;
    roundtrip(".png", 3);
}
static void test_png_alpha(void **state)
{
    (void)state;
    roundtrip(".png", 4);
}
static void test_webp(void **state)
{
    (void)state;
    roundtrip(".webp", 3);
}
static void test_jpeg(void **state)
{
    (void)state;
    roundtrip(".jpg", 3);
}

static void test_shrinks_big(void **state)
{
    (void)state;
    size_t len;
    void *in = encode(4000, 1000, 3, ".jpg", &len);
    image_t im;
    err_t e = {0};
    assert_int_equal(image_process(in, len, &im, &e), 0);
    assert_int_equal(im.width, IMAGE_FULL_EDGE);
    assert_int_equal(im.height, 512);
    image_free(&im);
    g_free(in);
}

static void test_truncated(void **state)
{
    (void)state;
    size_t len;
    void *in = encode(600, 600, 3, ".jpg", &len);
    image_t im;
    err_t e = {0};
    assert_int_equal(image_process(in, len / 2, &im, &e), ERR_INVALID);
    assert_string_equal(e.code, "bad_image");
    g_free(in);
}

int main(void)
{
    assert_int_equal(image_init(), 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff),       cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_png),         cmocka_unit_test(test_png_alpha),
        cmocka_unit_test(test_webp),        cmocka_unit_test(test_jpeg),
        cmocka_unit_test(test_shrinks_big), cmocka_unit_test(test_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
