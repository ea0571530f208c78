/* image.h — photos from phones made safe to keep and show (issue 3, part 5), with libvips.
 * Only JPEG, PNG and WebP are accepted, recognised by their first bytes (not by what the client
 * says); HEIC and everything else is refused with a message a resident understands. Each accepted
 * image is decoded, turned upright by its EXIF orientation, shrunk to at most 2048 px, and
 * re-encoded as a fresh JPEG without any metadata (EXIF, GPS, XMP, ICC are all dropped), plus a
 * 320 px thumbnail. Thread-safe; runs on worker threads, never on a loop thread (CPU-heavy). */
#ifndef JICENG_LIB_IMAGE_H
#define JICENG_LIB_IMAGE_H

#include <stddef.h>
#include "lib/err.h"

#define IMAGE_MAX_BYTES (10u * 1024 * 1024)  /* an upload, as sent by the phone */
#define IMAGE_MAX_PIXELS (50u * 1000 * 1000) /* decoded size: refuse decompression bombs */
#define IMAGE_FULL_EDGE 2048
#define IMAGE_THUMB_EDGE 320
/* Memory all decodes of the process may hold at once (issue 9 part 5). Each decode is admitted
 * against its estimate (image_decode_estimate) and waits while the others hold the budget; one
 * that would need more than all of it alone (a progressive JPEG or interlaced PNG of many
 * megapixels: their decoders keep the whole image) is refused as too large. */
#define IMAGE_DECODE_BUDGET (80u * 1024 * 1024)

typedef struct {
    unsigned char *full, *thumb; /* JPEG bytes, owned: free with image_free */
    size_t full_len, thumb_len;
    int width, height;       /* of full */
    const char *source_kind; /* "jpeg" | "png" | "webp" */
} image_t;

/* Start libvips once per process (safe to call again). 0 or ERR_IO. */
int image_init(void);

/* The kind recognised from the first bytes: "jpeg", "png", "webp", "heic", "gif", or NULL. */
const char *image_sniff(const void *buf, size_t len);

/* 0 when the first bytes are of an accepted kind; else ERR_INVALID with the message to show
 * (HEIC gets its own: how to switch the phone's camera to JPEG). Cheap: no decoding. */
int image_accepts(const void *buf, size_t len, err_t *e);

/* Bytes a decode of a w × h image needs at its peak (whole: its decoder keeps the whole
 * image — progressive JPEG, interlaced PNG). A 50 MP baseline JPEG ~48 MB, a 12 MP progressive
 * one ~68 MB, a 50 MP progressive one ~200 MB (refused). */
size_t image_decode_estimate(int w, int h, int whole);

/* Decode, check and re-encode. ERR_INVALID (not an image, HEIC or another kind, broken or
 * truncated data — a JPEG's decoder warnings count —, too many pixels) or ERR_TOOLARGE (over
 * IMAGE_MAX_BYTES, or a decode over IMAGE_DECODE_BUDGET), with a Chinese message in e. May wait
 * for other decodes to finish (the budget). */
int image_process(const void *buf, size_t len, image_t *out, err_t *e);
void image_free(image_t *im);

/* A picture of an SVG drawing (an emoji of rice, soap…) for the demo's store goods: the drawing
 * rendered by librsvg at 60% of an edge × edge square on a warm light background, as PNG bytes
 * (caller frees *png with image_png_free). Feed it to image_process like
 * any upload. 0, or ERR_INVALID when the SVG cannot be drawn. */
int image_render_svg(const void *svg, size_t len, int edge, unsigned char **png, size_t *png_len,
                     err_t *e);
void image_png_free(unsigned char *png);

/* Set libvips' worker threads per image (0: its default); returns the previous setting. The
 * seeder draws its few small pictures with one: on two cores the thread pool's start-up costs
 * more than the drawing (16 pictures: 9 s with the default, 1 s with one). */
int image_concurrency(int n);

#endif
