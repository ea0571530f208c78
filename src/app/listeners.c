/* listeners.c — the wiring of change.h and of photos.h's readers. Each listener is a thin adapter
 * from a change_t to the module that follows it; the order of registration is the order they run
 * in. */
#include "app/listeners.h"
#include <stdio.h>
#include <string.h>
#include "domain/cases/cases.h"
#include "domain/common/change.h"
#include "domain/common/inbox.h"
#include "domain/common/photos.h"
#include "domain/points/points.h"
#include "outbox/webhook.h"

/* KPI counters move with each case event (casestats.c). */
static int counters_follow(db_t *db, const change_t *c)
{
    return casestats_case_event(db, c->county, c->id, c->event);
}

/* Every case event goes to the outbound webhook's outbox. */
static int outbox_follow(db_t *db, const change_t *c)
{
    return webhook_case_event(db, c->county, c->id, c->seq, c->at, c->event, c->from, c->to);
}

/* The reporter and whoever now holds the case hear of each act and reminder. */
static int inbox_follow(db_t *db, const change_t *c)
{
    return inbox_case_event(db, c->county, c->id, c->event, c->label, c->actor_id, c->at);
}

static int inbox_part_late(db_t *db, const change_t *c)
{
    return inbox_part_overdue(db, c->county, c->id, c->dept, c->dept_name, c->at);
}

/* 积分超市: the household hears at once that its goods were handed over (its phone's order list
 * follows the message on the live stream). */
static int inbox_order_follow(db_t *db, const change_t *c)
{
    return inbox_order_handed(db, c->county, c->id, c->household, c->label, c->actor_id, c->at);
}

/* 积分制 (issue 4): a report closed as fixed earns what the village's rule says, once. */
static int points_follow(db_t *db, const change_t *c)
{
    if (strcmp(c->event, "close") != 0 || !c->outcome || strcmp(c->outcome, "fixed") != 0 ||
        !c->household)
        return 0;
    char ref[24];
    snprintf(ref, sizeof ref, "%lld", (long long)c->id);
    return points_on_event(db, "case.fixed", c->county, c->household, ref, c->at);
}

void app_listen(void)
{
    change_reset();
    change_listen(CHANGE_CASE_EVENT, counters_follow);
    change_listen(CHANGE_CASE_EVENT, outbox_follow);
    change_listen(CHANGE_CASE_ACT, inbox_follow);
    change_listen(CHANGE_CASE_ACT, points_follow);
    change_listen(CHANGE_CASE_REMIND, inbox_follow);
    change_listen(CHANGE_CASE_PART_LATE, inbox_part_late);
    change_listen(CHANGE_ORDER_HANDOVER, inbox_order_follow);

    /* Who may read a photo, besides its uploader: each practice for the records it owns. */
    photos_readers_reset();
    photos_readers_add(cases_photo_readable);
    photos_readers_add(points_store_photo_readable); /* goods: everyone of the village */
    photos_readers_add(points_photo_readable);       /* evidence: the household and the cadres */
}
