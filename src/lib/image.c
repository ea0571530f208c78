/* image.c — libvips behind image.h. The whole decode → upright → shrink → re-encode runs on
 * the calling thread (vips concurrency 1: we already run one job per worker) with vips'
 * operation cache off, so memory is bounded by the image being handled; JPEGs shrink while they
 * load (libjpeg's DCT scaling, through vips_thumbnail), and all decodes together stay within
 * IMAGE_DECODE_BUDGET. */
#include "lib/image.h"
#include <malloc.h>
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
    /* Image buffers are tens of MB: have malloc map each one and unmap it when freed. glibc's
     * moving threshold would otherwise serve them from per-thread heaps after the first free,
     * and the process would keep the peak of a burst of uploads (measured: 162 MB → 108 MB
     * for 16 parallel 50 MP uploads, scripts/bench-photos). */
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
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

/* ---------- the decode budget ---------- */

static pthread_mutex_t budget_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t budget_cv = PTHREAD_COND_INITIALIZER;
static size_t budget_used;

/* Wait until `need` fits beside the decodes running (one alone always fits: it was checked
 * against the whole budget). */
static void budget_take(size_t need)
{
    pthread_mutex_lock(&budget_mu);
    while (budget_used > 0 && budget_used + need > IMAGE_DECODE_BUDGET)
        pthread_cond_wait(&budget_cv, &budget_mu);
    budget_used += need;
    pthread_mutex_unlock(&budget_mu);
}

static void budget_give(size_t need)
{
    /* Give the decoder's memory back to the system, not only to malloc: uploads come in bursts
     * and the process should not keep the peak. */
    malloc_trim(0);
    pthread_mutex_lock(&budget_mu);
    budget_used -= need;
    pthread_cond_broadcast(&budget_cv);
    pthread_mutex_unlock(&budget_mu);
}

/* A JPEG whose frame is progressive (SOF2, or SOF6/SOF10/SOF14): libjpeg then keeps every
 * coefficient of the image until the last scan. Walks the segments up to the first frame. */
static int jpeg_progressive(const unsigned char *b, size_t len)
{
    size_t i = 2;
    while (i + 4 <= len && b[i] == 0xFF) {
        unsigned char m = b[i + 1];
        if (m == 0xC2 || m == 0xC6 || m == 0xCA || m == 0xCE)
            return 1;
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC)
            return 0; /* another frame type: sequential */
        if (m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) {
            i += 2;
            continue;
        }
        i += 2 + ((size_t)b[i + 2] << 8 | b[i + 3]);
    }
    return 0;
}

/* A PNG with Adam7 interlacing (IHDR's interlace byte): it is decoded whole. */
static int png_interlaced(const unsigned char *b, size_t len) { return len > 28 && b[28] == 1; }

size_t image_decode_estimate(int w, int h, int whole)
{
    /* Fitted to peaks measured on libvips 8.14 (Debian 12), decoding JPEG and PNG of 1, 6, 12
     * and 50 MP: ~8 MB of fixed cost, two copies of the shrunk RGB result, ~0.4 byte per input
     * pixel for the pipeline's strips, and ~3 bytes per pixel when the decoder keeps the whole
     * image (progressive JPEG coefficients: 61 MB for 12 MP, 195 MB for 50 MP). */
    int edge = w > h ? w : h;
    double scale = edge > IMAGE_FULL_EDGE ? (double)IMAGE_FULL_EDGE / edge : 1;
    double in = (double)w * h, out = in * scale * scale;
    double need = 8.0 * 1024 * 1024 + out * 3 * 2 + in * 0.4 + (whole ? in * 3 : 0);
    return need > (double)SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)need;
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
    int w = vips_image_get_width(hdr), h = vips_image_get_height(hdr);
    uint64_t pixels = (uint64_t)w * (uint64_t)h;
    g_object_unref(hdr);
    if (pixels == 0 || pixels > IMAGE_MAX_PIXELS)
        return err_set(e, ERR_INVALID, "bad_image", "图片尺寸过大（上限 5000 万像素）", "photo");
    int jpeg = strcmp(out->source_kind, "jpeg") == 0;
    int whole = jpeg ? jpeg_progressive(buf, len)
                     : strcmp(out->source_kind, "png") == 0 && png_interlaced(buf, len);
    size_t need = image_decode_estimate(w, h, whole);
    if (need > IMAGE_DECODE_BUDGET)
        return err_set(e, ERR_TOOLARGE, "too_large",
                       "图片像素过多，无法处理：请用手机相机直接拍摄，或缩小后再上传", "photo");
    budget_take(need);

    /* Shrink on load, upright by EXIF orientation (vips_thumbnail does both); fail on decode
     * errors instead of keeping a half-grey picture of a truncated upload. For JPEG libjpeg's
     * warnings count too: a truncated file with an end marker glued on only warns ("premature
     * end of data segment"), and its missing rows would be stored grey. */
    VipsImage *lazy = NULL, *full = NULL, *flat = NULL, *thumb = NULL;
    if (vips_thumbnail_buffer((void *)buf, len, &lazy, IMAGE_FULL_EDGE, "height", IMAGE_FULL_EDGE,
                              "size", VIPS_SIZE_DOWN, "option_string",
                              jpeg ? "fail_on=warning" : "fail_on=error", NULL) != 0) {
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
    budget_give(need);
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

int image_render_svg(const void *svg, size_t len, int edge, unsigned char **png, size_t *png_len,
                     err_t *e)
{
    *png = NULL;
    *png_len = 0;
    if (image_init() != 0)
        return err_set(e, ERR_IO, "io", "图片处理库无法启动", NULL);
    int inner = edge * 3 / 5, rc = 0;
    VipsImage *icon = NULL, *flat = NULL, *framed = NULL;
    VipsArrayDouble *bg = vips_array_double_newv(3, 248.0, 243.0, 232.0);
    void *buf = NULL;
    if (vips_thumbnail_buffer((void *)svg, len, &icon, inner, "height", inner, NULL) != 0 ||
        vips_flatten(icon, &flat, "background", bg, NULL) != 0 ||
        vips_embed(flat, &framed, (edge - vips_image_get_width(flat)) / 2,
                   (edge - vips_image_get_height(flat)) / 2, edge, edge, "extend",
                   VIPS_EXTEND_BACKGROUND, "background", bg, NULL) != 0 ||
        vips_pngsave_buffer(framed, &buf, png_len, NULL) != 0)
        rc = vips_failed("svg", e);
    else
        *png = buf;
    vips_area_unref(VIPS_AREA(bg));
    if (framed)
        g_object_unref(framed);
    if (flat)
        g_object_unref(flat);
    if (icon)
        g_object_unref(icon);
    return rc;
}

void image_png_free(unsigned char *png) { g_free(png); }

int image_concurrency(int n)
{
    if (image_init() != 0)
        return 0;
    int was = vips_concurrency_get();
    vips_concurrency_set(n);
    return was;
}
