/* seed_goods.h — pictures for the demo's store goods (大米, 食用油, 香皂, 毛巾…): emoji drawings of
 * the npm package @twemoji/svg (Twemoji, graphics CC-BY 4.0), rendered with libvips at seed time
 * and kept through the photos module like any upload — no image file lives in git. */
#ifndef JICENG_DEMO_SEED_GOODS_H
#define JICENG_DEMO_SEED_GOODS_H

#include <stddef.h>
#include "lib/err.h"

typedef struct {
    char id[65]; /* the photo's id (content address) */
    size_t bytes;
    int width, height;
} seed_picture_t;

/* The picture of goods named `name` (the first keyword of the table found in the name picks the
 * emoji), drawn and stored once per emoji for the process. 0 and *out filled; ERR_NOTFOUND when
 * no emoji fits the name or the package is not installed (the goods go without a picture: the
 * seeder warns once); else the photos module's error. Not thread-safe (the seeder is one
 * thread). */
int seed_goods_picture(const char *name, seed_picture_t *out, err_t *e);

#endif
