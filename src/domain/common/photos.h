/* photos.h — photos (issue 3, part 5): kept content-addressed under DATA/photos/ (the SHA-256 of
 * the cleaned JPEG is the photo's id), recorded per uploader, and readable only by their uploader
 * and by those a practice's reader admits (e.g. who can see a case the photo is attached to). */
#ifndef JICENG_DOMAIN_PHOTOS_H
#define JICENG_DOMAIN_PHOTOS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "domain/common/actor.h"
#include "lib/image.h"
#include "store/db.h"

#define PHOTOS_PER_EVENT 6 /* a report carries up to 6 photos, as does each later step */

/* Where the files live: app_open sets DATA/photos; `serve --photos DIR` may set another (one
 * directory shared by every instance of a PostgreSQL deployment). Set before serving. */
void photos_set_dir(const char *dir);

/* Write a processed image's two files (full and thumbnail) under its content address, durably
 * (temporary file, fsync, rename); a file already there is kept. id_out gets the 64 hex digits.
 * Runs on a worker thread. 0, ERR_FULL ("storage_full": no space left) or ERR_IO. */
int photos_store_files(const image_t *im, char id_out[65], err_t *e);

/* Record that who uploaded photo id (in the caller's transaction). */
int photos_record(db_t *db, const actor_t *who, const char *id, size_t bytes, int width, int height,
                  int64_t now);

/* Check a client's list of photo ids (a JSON array of strings, or NULL = none): at most
 * PHOTOS_PER_EVENT, each well-formed, distinct, and uploaded by who. ERR_INVALID with a message
 * otherwise. */
int photos_check(db_t *db, const actor_t *who, json_t *ids, err_t *e);
/* May who read photo id? Its uploader, or anyone a registered reader admits (each practice
 * registers one for the records it attaches photos to: cases, points evidence, store goods). */
int photos_readable(db_t *db, const actor_t *who, const char *id);

/* A reader: non-zero when who may read photo id because of a record of its practice. */
typedef int (*photos_reader_fn)(db_t *db, const actor_t *who, const char *id);
#define PHOTOS_MAX_READERS 8
/* Register a reader (start-up only, before any thread reads). */
void photos_readers_add(photos_reader_fn fn);
void photos_readers_reset(void);

/* Path of the file (thumb != 0: the thumbnail) into out; 0, or ERR_INVALID for a malformed id. */
int photos_path(const char *id, int thumb, char *out, size_t cap);

/* A well-formed id: 64 lower-case hex digits. */
int photos_id_valid(const char *id);

#endif
