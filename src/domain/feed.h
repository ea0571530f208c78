/* feed.h — what a live-update stream (GET /api/v1/events) sends one account: its new inbox
 * messages, and the new events of the cases it may see (the rule of cases_get: a resident their
 * own reports, staff cases located or assigned in their scope, department staff the cases their
 * department is summoned onto). Each poll runs two scoped queries from the stream's position. */
#ifndef JICENG_DOMAIN_FEED_H
#define JICENG_DOMAIN_FEED_H

#include <jansson.h>
#include <stdint.h>
#include "domain/account.h"
#include "store/db.h"

typedef struct feed feed_t;

/* A stream's position at time now: items made from now on are new; with last_inbox_id > 0
 * (Last-Event-ID) also the inbox messages after that one. Caller frees with feed_free. Out of
 * memory aborts. */
feed_t *feed_new(int64_t now, int64_t last_inbox_id);
void feed_free(feed_t *f);

/* Receives one item: event "inbox" (id: the message id, data: the message as GET /api/v1/inbox
 * lists it) or "case" (id NULL, data {id,state,seq,event}). data is borrowed. Returns 0 when it
 * took the item, non-zero when there is no room now (the item is offered again next poll). */
typedef int (*feed_emit_fn)(void *ctx, const char *event, const char *id, json_t *data);

/* Offer who everything new since the last poll, in order, once each. 0: all offered; 1: emit
 * refused one (poll again when there is room); or a store error. Commits that land late (up to
 * 15 s, e.g. several PostgreSQL instances) are still found: each poll looks back that far and
 * skips what it sent already. Events dated ahead of now (a `jiceng tick --now` in the future)
 * wait until their time. */
int feed_poll(db_t *db, const account_user_t *who, feed_t *f, int64_t now, feed_emit_fn emit,
              void *ctx);

#endif
