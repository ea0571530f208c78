/* inbox.h — each account's messages (issue 3, notifications). Case steps are written here in the
 * same transaction as the step itself, so a message never tells of a step that did not happen. */
#ifndef JICENG_DOMAIN_INBOX_H
#define JICENG_DOMAIN_INBOX_H

#include <jansson.h>
#include <stdint.h>
#include "domain/common/actor.h"
#include "store/db.h"

/* After a case event: tell the reporter (unless they acted themselves), and on a dispatch or an
 * escalation the accounts that now hold the case (grid workers of the grid, admins of the
 * community or street, staff of summoned departments). actor_id 0: the system. The event
 * "remind" (the scheduler: a deadline is near) tells only the holders. */
int inbox_case_event(db_t *db, const char *county, int64_t case_id, const char *event,
                     const char *state_label, int64_t actor_id, int64_t now);

/* A summoned department missed its 报到 deadline: tell its staff, the account that blew the
 * whistle, and the accounts holding the case. */
int inbox_part_overdue(db_t *db, const char *county, int64_t case_id, const char *dept,
                       const char *dept_name, int64_t now);

/* 积分超市: the keeper handed an order over; tell the accounts of the household's people (not
 * the keeper, if one of them): kind "order_update", no case. `what` names the goods. */
int inbox_order_handed(db_t *db, const char *county, int64_t order_id, int64_t household,
                       const char *what, int64_t keeper, int64_t now);

/* One message as the API shows it, from a row of (id, at, kind, case_id, title, body, read_at);
 * shared by the inbox list and the live stream (feed.c). */
json_t *inbox_message_json(db_stmt_t *st);

/* The caller's messages, newest first; unread_only. {items, next_cursor, unread}. */
json_t *inbox_list(db_t *db, const actor_t *who, int unread_only, const char *cursor, int limit,
                   int *rc);
/* Mark one message read (its own only): 0, or ERR_NOTFOUND. */
int inbox_mark_read(db_t *db, const actor_t *who, int64_t id, int64_t now, err_t *e);

#endif
