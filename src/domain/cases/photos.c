/* photos.c (cases) — which event of which case shows which photo (`case_photos`), and who may
 * read a photo because of the cases it is attached to (a reader registered with photos.h). */
#include <stdio.h>
#include <string.h>
#include "domain/cases/cases.h"
#include "domain/cases/cases_int.h"

static const char SQL_ATTACH[] =
    "INSERT INTO case_photos (county, case_id, seq, pos, photo_id) VALUES (?,?,?,?,?)";

int cases_photos_attach(db_t *db, const char *county, int64_t case_id, int seq, json_t *ids)
{
    size_t i;
    json_t *v;
    if (!ids || !json_is_array(ids))
        return 0;
    json_array_foreach(ids, i, v)
    {
        int rc = db_run(db, SQL_ATTACH, S(county), I(case_id), I((int64_t)seq), I((int64_t)i),
                        S(json_string_value(v)));
        if (rc)
            return rc;
    }
    return 0;
}

static json_t *photo_json(const char *id)
{
    char url[128], thumb[128];
    snprintf(url, sizeof url, "/api/v1/photos/%s", id);
    snprintf(thumb, sizeof thumb, "/api/v1/photos/%s/thumb", id);
    return json_pack("{s:s,s:s,s:s}", "id", id, "url", url, "thumb_url", thumb);
}

static const char SQL_OF_CASE[] = "SELECT seq, photo_id FROM case_photos"
                                  " WHERE county = ? AND case_id = ? ORDER BY seq, pos";

json_t *cases_photos_of(db_t *db, const char *county, int64_t case_id, int *rc)
{
    json_t *o = json_object();
    db_stmt_t *st = db_query(db, SQL_OF_CASE, S(county), I(case_id));
    int s = ERR_IO;
    while (st && (s = db_step(st)) == DB_ROW) {
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)db_col_i64(st, 0));
        json_t *arr = json_object_get(o, key);
        if (!arr) {
            arr = json_array();
            json_object_set_new(o, key, arr);
        }
        json_array_append_new(arr, photo_json(db_col_text(st, 1)));
    }
    db_reset(st);
    if (s < 0) {
        json_decref(o);
        *rc = s;
        return NULL;
    }
    return o;
}

static const char SQL_CASES_WITH[] =
    "SELECT DISTINCT county, case_id FROM case_photos WHERE photo_id = ? LIMIT 50";

int cases_photo_readable(db_t *db, const actor_t *who, const char *id)
{
    struct {
        char county[8];
        int64_t id;
    } hits[50];
    int n = 0;
    db_stmt_t *st = db_query(db, SQL_CASES_WITH, S(id));
    while (st && n < 50 && db_step(st) == DB_ROW) {
        snprintf(hits[n].county, sizeof hits[n].county, "%s", db_col_text(st, 0));
        hits[n++].id = db_col_i64(st, 1);
    }
    db_reset(st);
    for (int i = 0; i < n; i++)
        if (cases_visible(db, who, hits[i].county, hits[i].id))
            return 1;
    return 0;
}
