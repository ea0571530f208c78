/* image.c — libvips behind image.h. The whole decode → upright → shrink → re-encode runs on
 * the calling thread (vips concurrency 1: we already run one job per worker) with vips'
 * operation cache off, so memory is bounded by the image being handled. */
#include "lib/image.h"
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <vips/vips.h>
#include "lib/log.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

static void init_once(void)
{
    if (VIPS_INIT("jiceng") != 0) {
        log_error("libvips: %s", vips_error_buffer());
        init_rc = ERR_IO;
        return;
    }
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
}

int image_init(void)
{
    pthread_once(&once, init_once);
    return init_rc;
}

const char *image_sniff(const void *buf, size_t len)
{
    const unsigned char *b = buf;
    if (len >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        return "jpeg";
    if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "png";
    if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
        return "webp";
    /* ISO BMFF: "....ftyp" then a brand; HEIC/HEIF from iPhones and many Android phones. */
    if (len >= 12 && memcmp(b + 4, "ftyp", 4) == 0) {
        static const char *const brands[] = {"heic", "heix", "hevc", "heim", "heis",
                                             "hevm", "mif1", "msf1", "avif", "avis"};
        for (size_t i = 0; i < sizeof brands / sizeof *brands; i++)
            if (memcmp(b + 8, brands[i], 4) == 0)
                return "heic";
    }
    if (len >= 6 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0))
        return "gif";
    return NULL;
}

int image_accepts(const void *buf, size_t len, err_t *e)
{
    const char *kind = image_sniff(buf, len);
    if (kind && strcmp(kind, "heic") == 0)
        return err_set(e, ERR_INVALID, "unsupported_image",
                       "暂不支持 HEIC 格式：请在手机相机设置中选择“兼容性最佳”（JPEG）后重新拍摄",
                       "photo");
    if (!kind || strcmp(kind, "gif") == 0)
        return err_set(e, ERR_INVALID, "unsupported_image", "只能上传 JPEG、PNG 或 WebP 格式的图片",
                       "photo");
    return 0;
}

/* A JPEG of `in` without metadata. 0 or -1. */
static int save_jpeg(VipsImage *in, unsigned char **out, size_t *len)
{
    void *buf = NULL;
    if (vips_jpegsave_buffer(in, &buf, len, "Q", 82, "strip", TRUE, "optimize_coding", TRUE,
                             NULL) != 0)
        return -1;
    *out = buf;
    return 0;
}

static int vips_failed(const char *what, err_t *e)
{
    log_warn("image: %s: %s", what, vips_error_buffer());
    vips_error_clear();
    return err_set(e, ERR_INVALID, "bad_image", "图片已损坏或无法识别，请重新拍摄后上传", "photo");
}

int image_process(const void *buf, size_t len, image_t *out, err_t *e)
{
    memset(out, 0, sizeof *out);
    if (len > IMAGE_MAX_BYTES)
        return err_set(e, ERR_TOOLARGE, "too_large", "图片过大（上限 10 MB）", "photo");
    int rc = image_accepts(buf, len, e);
    if (rc)
        return rc;
    if (image_init() != 0)
        return err_set(e, ERR_IO, "image", "图片处理组件不可用", NULL);
    out->source_kind = image_sniff(buf, len);

    /* Header first: refuse what would take too much memory to decode. */
    VipsImage *hdr = vips_image_new_from_buffer(buf, len, "", NULL);
    if (!hdr)
        return vips_failed("header", e);
    uint64_t pixels = (uint64_t)vips_image_get_width(hdr) * (uint64_t)vips_image_get_height(hdr);
    g_object_unref(hdr);
    if (pixels == 0 || pixels > IMAGE_MAX_PIXELS)
        return err_set(e, ERR_INVALID, "bad_image", "图片尺寸过大（上限 5000 万像素）", "photo");

    /* Shrink on load, upright by EXIF orientation (vips_thumbnail does both); fail on decode
     * errors instead of keeping a half-grey picture of a truncated upload. */
    VipsImage *lazy = NULL, *full = NULL, *flat = NULL, *thumb = NULL;
    if (vips_thumbnail_buffer((void *)buf, len, &lazy, IMAGE_FULL_EDGE, "height", IMAGE_FULL_EDGE,
                              "size", VIPS_SIZE_DOWN, "option_string", "fail_on=error",
                              NULL) != 0) {
        rc = vips_failed("decode", e);
        goto done;
    }
    /* Decode once into memory: both encodes below read it. */
    if (!(full = vips_image_copy_memory(lazy))) {
        rc = vips_failed("decode", e);
        goto done;
    }
    if (vips_image_hasalpha(full)) {
        VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
        int f = vips_flatten(full, &flat, "background", white, NULL);
        vips_area_unref(VIPS_AREA(white));
        if (f != 0) {
            rc = vips_failed("flatten", e);
            goto done;
        }
    } else {
        flat = full;
        g_object_ref(flat);
    }
    if (save_jpeg(flat, &out->full, &out->full_len) != 0) {
        rc = vips_failed("encode", e);
        goto done;
    }
    out->width = vips_image_get_width(flat);
    out->height = vips_image_get_height(flat);
    if (vips_thumbnail_image(flat, &thumb, IMAGE_THUMB_EDGE, "height", IMAGE_THUMB_EDGE, "size",
                             VIPS_SIZE_DOWN, NULL) != 0 ||
        save_jpeg(thumb, &out->thumb, &out->thumb_len) != 0) {
        rc = vips_failed("thumbnail", e);
        goto done;
    }
done:
    if (thumb)
        g_object_unref(thumb);
    if (flat)
        g_object_unref(flat);
    if (full)
        g_object_unref(full);
    if (lazy)
        g_object_unref(lazy);
    if (rc)
        image_free(out);
    return rc;
}

void image_free(image_t *im)
{
    g_free(im->full);
    g_free(im->thumb);
    im->full = im->thumb = NULL;
    im->full_len = im->thumb_len = 0;
}
