/* cases_int.h — what the files of domain/cases/ share; not part of the public surface (cases.h). */
#ifndef JICENG_DOMAIN_CASES_INT_H
#define JICENG_DOMAIN_CASES_INT_H

#include <jansson.h>
#include <stdint.h>
#include "domain/cases/cases.h"

/* Attach checked photo ids (photos_check) to event seq of a case, in the event's transaction. */
int cases_photos_attach(db_t *db, const char *county, int64_t case_id, int seq, json_t *ids);
/* The photos of a case by event seq: {"<seq>": [{id,url,thumb_url}], ...}. */
json_t *cases_photos_of(db_t *db, const char *county, int64_t case_id);

#endif
