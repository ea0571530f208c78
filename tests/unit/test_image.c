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

/* A truncated JPEG with an end marker glued on: libjpeg only warns ("premature end of data
 * segment") and would fill the missing rows grey. Refused, whatever the cut. */
static void test_truncated_with_eoi(void **state)
{
    (void)state;
    size_t len;
    unsigned char *in = encode(800, 600, 3, ".jpg", &len);
    for (int k = 2; k <= 8; k++) {
        size_t cut = len * (size_t)(k - 1) / 8;
        in[cut] = 0xFF;
        in[cut + 1] = 0xD9;
        image_t im;
        err_t e = {0};
        assert_int_equal(image_process(in, cut + 2, &im, &e), ERR_INVALID);
        assert_string_equal(e.code, "bad_image");
    }
    g_free(in);
}

/* A 1.3 KB "JPEG" whose header claims 7000 × 7000: its data cannot be there. Refused. */
static void test_header_lies(void **state)
{
    (void)state;
    size_t len;
    unsigned char *in = encode(64, 64, 3, ".jpg", &len);
    /* Rewrite the frame's height and width (SOF0: FF C0, len, precision, h, w). */
    for (size_t i = 2; i + 9 < len; i++) {
        if (in[i] == 0xFF && in[i + 1] == 0xC0) {
            in[i + 5] = 7000 >> 8, in[i + 6] = 7000 & 0xFF;
            in[i + 7] = 7000 >> 8, in[i + 8] = 7000 & 0xFF;
            break;
        }
    }
    image_t im;
    err_t e = {0};
    assert_int_equal(image_process(in, len < 1300 ? len : 1300, &im, &e), ERR_INVALID);
    g_free(in);
}

/* Memory: a progressive JPEG is decoded whole by libjpeg; one of 50 megapixels would need more
 * than the whole decode budget and is refused as too large, before any decoding. A baseline one
 * of the same size shrinks while it loads and fits. A small progressive one is accepted. */
static void test_decode_budget(void **state)
{
    (void)state;
    assert_true(image_decode_estimate(8000, 6250, 1) > IMAGE_DECODE_BUDGET);
    assert_true(image_decode_estimate(8000, 6250, 0) < IMAGE_DECODE_BUDGET);
    assert_true(image_decode_estimate(8000, 6250, 0) < IMAGE_DECODE_BUDGET);
    assert_true(image_decode_estimate(4000, 3000, 1) < IMAGE_DECODE_BUDGET);
    /* Two 12 MP phone photos decode side by side; two of 50 MP take turns. */
    assert_true(2 * image_decode_estimate(4000, 3000, 0) < IMAGE_DECODE_BUDGET);
    assert_true(2 * image_decode_estimate(8000, 6250, 0) > IMAGE_DECODE_BUDGET);
    assert_true(image_decode_estimate(4000, 3000, 0) < IMAGE_DECODE_BUDGET);
    assert_true(image_decode_estimate(2000, 1500, 1) < IMAGE_DECODE_BUDGET);

    VipsImage *black = NULL;
    assert_int_equal(vips_black(&black, 8000, 6250, "bands", 3, NULL), 0);
    void *big = NULL;
    size_t len = 0;
    assert_int_equal(vips_jpegsave_buffer(black, &big, &len, "interlace", TRUE, NULL), 0);
    g_object_unref(black);
    image_t im;
    err_t e = {0};
    assert_int_equal(image_process(big, len, &im, &e), ERR_TOOLARGE);
    assert_string_equal(e.code, "too_large");
    g_free(big);

    VipsImage *small = NULL;
    assert_int_equal(vips_black(&small, 1200, 900, "bands", 3, NULL), 0);
    assert_int_equal(vips_jpegsave_buffer(small, &big, &len, "interlace", TRUE, NULL), 0);
    g_object_unref(small);
    assert_int_equal(image_process(big, len, &im, &e), 0);
    assert_int_equal(im.width, 1200);
    image_free(&im);
    g_free(big);
}

int main(void)
{
    assert_int_equal(image_init(), 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_png),
        cmocka_unit_test(test_png_alpha),
        cmocka_unit_test(test_webp),
        cmocka_unit_test(test_jpeg),
        cmocka_unit_test(test_shrinks_big),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_truncated_with_eoi),
        cmocka_unit_test(test_header_lies),
        cmocka_unit_test(test_decode_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
