/* photos.c — upload a photo (the raw JPEG/PNG/WebP bytes as the body) and read one back.
 * An upload is decoded and cleaned on a worker thread (libvips is CPU-heavy), its files written
 * there, and then recorded by the writer; its id goes into a case report or step ("photos"). */
#include "domain/common/photos.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "api/api.h"
#include "lib/image.h"

typedef struct {
    const char *body;
    size_t len;
    image_t im;
    char id[65];
    size_t bytes;
    int width, height;
} upload_t;

/* Worker thread: decode, clean, write the files. */
static int upload_process(db_t *db, void *arg, err_t *e)
{
    (void)db;
    upload_t *u = arg;
    int rc = image_process(u->body, u->len, &u->im, e);
    if (rc == 0) {
        rc = photos_store_files(&u->im, u->id, e);
        u->bytes = u->im.full_len;
        u->width = u->im.width;
        u->height = u->im.height;
    }
    image_free(&u->im);
    return rc;
}

typedef struct {
    http_ctx_t *c;
    upload_t *u;
} record_t;

static int upload_record(db_t *db, void *arg, err_t *e)
{
    (void)e;
    record_t *r = arg;
    return photos_record(db, http_user(r->c), r->u->id, r->u->bytes, r->u->width, r->u->height,
                         http_now(r->c));
}

static void upload_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    record_t *r = arg;
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    char url[96], thumb[112];
    snprintf(url, sizeof url, "/api/v1/photos/%s", r->u->id);
    snprintf(thumb, sizeof thumb, "/api/v1/photos/%s/thumb", r->u->id);
    http_reply_json(c, 201,
                    json_pack("{s:s,s:s,s:s,s:I,s:i,s:i}", "id", r->u->id, "url", url, "thumb_url",
                              thumb, "bytes", (json_int_t)r->u->bytes, "width", r->u->width,
                              "height", r->u->height));
}

static void processed(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    if (rc) {
        http_reply_error(c, e);
        return;
    }
    record_t *r = http_alloc(c, sizeof *r);
    r->c = c;
    r->u = arg;
    http_write(c, upload_record, r, upload_done);
}

int api_photo_upload(http_ctx_t *c)
{
    upload_t *u = http_alloc(c, sizeof *u);
    memset(u, 0, sizeof *u);
    if (http_upload_body(c, IMAGE_MAX_BYTES, &u->body, &u->len))
        return 0;
    /* Refuse what is plainly not a picture before queueing any work. */
    err_t e = {0};
    if (image_accepts(u->body, u->len, &e) != 0) {
        http_reply_error(c, &e);
        return 0;
    }
    http_defer(c, upload_process, u, processed);
    return 0;
}

#define PHOTO_CACHE "private, max-age=31536000, immutable"

static void photo_cache_headers(http_ctx_t *c, const char *etag)
{
    http_set_header(c, "etag", etag);
    http_set_header(c, "cache-control", PHOTO_CACHE);
}

/* GET /api/v1/photos/{id}[/thumb]: 404 for anyone who may not see it (as for cases). */
static int photo_get(http_ctx_t *c, int thumb)
{
    const char *id = http_param(c, 0);
    if (!photos_id_valid(id) || !photos_readable(http_db(c), http_user(c), id)) {
        http_reply_fail(c, ERR_NOTFOUND, "not_found", "图片不存在或不在您的管辖范围内", NULL);
        return 0;
    }
    /* Content-addressed: the id is the ETag, and the bytes never change. The picture (200) and
     * its confirmation (304) say so with one Cache-Control; every error is no-store (the
     * default of http_reply_raw), so a missing file is never cached for a year. */
    char etag[70];
    snprintf(etag, sizeof etag, "\"%s%s\"", id, thumb ? "t" : "");
    const char *inm = http_header(c, "if-none-match");
    if (inm && strcmp(inm, etag) == 0) {
        photo_cache_headers(c, etag);
        http_reply_raw(c, 304, NULL, "", 0);
        return 0;
    }
    char path[4096];
    photos_path(id, thumb, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size <= 0 || sb.st_size > (off_t)IMAGE_MAX_BYTES) {
        if (fd >= 0)
            close(fd);
        http_reply_fail(c, ERR_NOTFOUND, "not_found", "图片文件缺失", NULL);
        return 0;
    }
    char *buf = http_alloc(c, (size_t)sb.st_size);
    size_t off = 0;
    while (off < (size_t)sb.st_size) {
        ssize_t n = read(fd, buf + off, (size_t)sb.st_size - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    close(fd);
    if (off != (size_t)sb.st_size) {
        http_reply_fail(c, ERR_IO, "io", "图片读取失败", NULL);
        return 0;
    }
    photo_cache_headers(c, etag);
    http_reply_raw(c, 200, "image/jpeg", buf, off);
    return 0;
}

int api_photo_get(http_ctx_t *c) { return photo_get(c, 0); }
int api_photo_thumb(http_ctx_t *c) { return photo_get(c, 1); }
