/* photos.c — files under DATA/photos/<first two hex digits>/<id>.jpg and <id>.t.jpg; rows in
 * `photos` (who uploaded what). Which record shows a photo is its practice's business (cases:
 * case_photos; points: evidence and goods), told here through the readers it registers. */
#include "domain/common/photos.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/log.h"

static char photos_dir[PATH_MAX - 80] = "data/photos";

void photos_set_dir(const char *dir) { snprintf(photos_dir, sizeof photos_dir, "%s", dir); }

int photos_id_valid(const char *id)
{
    if (!id || strlen(id) != 64)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

int photos_path(const char *id, int thumb, char *out, size_t cap)
{
    if (!photos_id_valid(id))
        return ERR_INVALID;
    int n = snprintf(out, cap, "%s/%.2s/%s%s", photos_dir, id, id, thumb ? ".t.jpg" : ".jpg");
    return n < 0 || (size_t)n >= cap ? ERR_INVALID : 0;
}

/* The error for a failed file write: ERR_FULL when the disk (or quota) is full. */
static int write_error(int err) { return err == ENOSPC || err == EDQUOT ? ERR_FULL : ERR_IO; }

/* Write bytes to path durably unless a file is there already (same content: same name).
 * 0, ERR_FULL (no space; errno kept) or ERR_IO. */
static int write_once(const char *path, const unsigned char *b, size_t len)
{
    if (access(path, F_OK) == 0)
        return 0;
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)gettid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return write_error(errno);
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, b + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    int ok = off == len && fsync(fd) == 0;
    int err = errno;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        err = ok ? errno : err;
        unlink(tmp);
        errno = err;
        return write_error(err);
    }
    return 0;
}

int photos_store_files(const image_t *im, char id_out[65], err_t *e)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, im->full, im->full_len);
    sodium_bin2hex(id_out, 65, h, sizeof h);
    char dir[PATH_MAX], full[PATH_MAX], thumb[PATH_MAX];
    int rc = 0;
    snprintf(dir, sizeof dir, "%s/%.2s", photos_dir, id_out);
    if ((mkdir(photos_dir, 0700) != 0 && errno != EEXIST) ||
        (mkdir(dir, 0700) != 0 && errno != EEXIST))
        rc = write_error(errno);
    else if (photos_path(id_out, 0, full, sizeof full) ||
             photos_path(id_out, 1, thumb, sizeof thumb))
        rc = ERR_IO;
    else if ((rc = write_once(thumb, im->thumb, im->thumb_len)) == 0)
        rc = write_once(full, im->full, im->full_len);
    if (rc) {
        log_error("photos: cannot write under %s: %s", dir, strerror(errno));
        return rc == ERR_FULL
                   ? err_set(e, ERR_FULL, "storage_full", "服务器存储空间已满，请联系管理员", NULL)
                   : err_set(e, ERR_IO, "io", "图片保存失败，请稍后重试", NULL);
    }
    /* The directory entries too, so an acknowledged upload survives a power cut. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

static const char SQL_RECORD[] =
    "INSERT INTO photos (id, uploader_id, county, bytes, width, height, created_at)"
    " VALUES (?,?,?,?,?,?,?) ON CONFLICT (id, uploader_id) DO NOTHING";

int photos_record(db_t *db, const actor_t *who, const char *id, size_t bytes, int width, int height,
                  int64_t now)
{
    char county[8];
    snprintf(county, sizeof county, "%.6s", who->scope);
    return db_run(db, SQL_RECORD, S(id), I(who->id), S(county), I((int64_t)bytes),
                  I((int64_t)width), I((int64_t)height), I(now));
}

static const char SQL_MINE[] = "SELECT 1 FROM photos WHERE id = ? AND uploader_id = ?";

int photos_check(db_t *db, const actor_t *who, json_t *ids, err_t *e)
{
    if (!ids || json_is_null(ids))
        return 0;
    if (!json_is_array(ids))
        return err_set(e, ERR_INVALID, "invalid", "photos 应为图片编号的数组", "photos");
    if (json_array_size(ids) > PHOTOS_PER_EVENT)
        return err_set(e, ERR_INVALID, "invalid", "每次最多附 6 张图片", "photos");
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *id = json_string_value(v);
        if (!photos_id_valid(id))
            return err_set(e, ERR_INVALID, "invalid", "图片编号不正确", "photos");
        for (size_t k = 0; k < i; k++)
            if (strcmp(json_string_value(json_array_get(ids, k)), id) == 0)
                return err_set(e, ERR_INVALID, "invalid", "同一张图片附了两次", "photos");
        int64_t one;
        int found = 0;
        int rc = db_one_i64(db, SQL_MINE, &one, &found, S(id), I(who->id));
        if (rc)
            return rc;
        if (!found)
            return err_set(e, ERR_INVALID, "invalid", "图片不存在，请重新上传", "photos");
    }
    return 0;
}

static photos_reader_fn readers[PHOTOS_MAX_READERS];
static int nreaders;

void photos_readers_add(photos_reader_fn fn)
{
    if (nreaders >= PHOTOS_MAX_READERS)
        log_fatal("photos: too many readers");
    readers[nreaders++] = fn;
}

void photos_readers_reset(void) { nreaders = 0; }

int photos_readable(db_t *db, const actor_t *who, const char *id)
{
    if (!photos_id_valid(id))
        return 0;
    int64_t one;
    int found = 0;
    if (db_one_i64(db, SQL_MINE, &one, &found, S(id), I(who->id)) == 0 && found)
        return 1;
    for (int i = 0; i < nreaders; i++)
        if (readers[i](db, who, id))
            return 1;
    return 0;
}
