/* points_int.h — what the points_*.c files share (not part of the public surface, points.h). */
#ifndef JICENG_DOMAIN_POINTS_INT_H
#define JICENG_DOMAIN_POINTS_INT_H

#include "domain/points/points.h"

typedef struct {
    char village[16], county[8];
    int64_t fen_per_point, pair_threshold, expired_year;
    int mutual_check;
    char expiry[24];
} pts_settings_t;

/* The village's settings: 0 with *found set, or a store error. */
int pts_settings_load(db_t *db, const char *village, pts_settings_t *s, int *found);
/* 1 if code is a village/community (level 5) that exists. */
int pts_is_village(db_t *db, const char *code);
/* The village admin: the community_admin whose scope is the village, or its county's admin. */
int pts_is_admin(const actor_t *who, const char *village);
/* Does who's scope cover code or lie inside it? */
int pts_reaches(const actor_t *who, const char *code);
/* The household's region code (building or grid) within county; 0, ERR_NOTFOUND or a store
 * error. */
int pts_household_region(db_t *db, const char *county, int64_t id, char region[32]);
/* The household of who's own person record into *hh (0 when none): 0 or a store error, so a
 * check that depends on it ("not your own household") never passes on a failed read. */
int pts_own_household(db_t *db, const actor_t *who, int64_t *hh);
json_t *pts_id(int64_t v);
/* Parse a JSON string holding a positive 64-bit id; 0 if it is not one. */
int64_t pts_parse_id(json_t *v);
/* One audit row for a points change (detail cut to 200 characters). */
int pts_audit(db_t *db, const actor_t *who, const char *action, const char *object,
              const char *detail, const char *ip, int64_t now);
/* Photos JSON text (an array of ids) to [{id,url,thumb_url}]. */
json_t *pts_photos_json(const char *text);
/* The star thresholds of a village into min[POINTS_MAX_STARS]; *n levels. */
int pts_stars(db_t *db, const char *village, int64_t *min, int *n);

/* ---------- the store's one-time codes (handover.c) ---------- */

/* A new code: POINTS_CODE_DIGITS random digits (libsodium), NUL-terminated. */
void pts_code_new(char out[POINTS_CODE_DIGITS + 1]);
/* The keyed hash (hash.key) under which a code is looked up, 64 hex + NUL. */
void pts_code_hash(const char *code, char out[65]);
/* The 409 for an order that is no longer issued (state handed_over, cancelled or expired). */
int pts_order_closed(const char *state, err_t *e);

#endif
