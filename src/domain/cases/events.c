/* events.c — a case's history: each change is an append-only row of case_events, announced to
 * the listeners of change.h in the same transaction. */
#include "domain/cases/cases_int.h"
#include "domain/common/change.h"

static const char SQL_EVENT[] =
    "INSERT INTO case_events (county, case_id, seq, at, actor_id, actor_name, actor_role, event,"
    " from_state, to_state, note, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";

int cases_event_add(db_t *db, const char *county, int64_t case_id, int seq, int64_t at,
                    const actor_t *who, const char *event, const char *from, const char *to,
                    const char *note, const char *detail)
{
    db_stmt_t *st = db_prepare(db, SQL_EVENT);
    if (!st)
        return ERR_IO;
    db_bind_text(st, 1, county, -1);
    db_bind_i64(st, 2, case_id);
    db_bind_i64(st, 3, seq);
    db_bind_i64(st, 4, at);
    if (who && who->id)
        db_bind_i64(st, 5, who->id);
    else
        db_bind_null(st, 5);
    db_bind_text(st, 6, who ? who->name : "系统", -1);
    db_bind_text(st, 7, who && who->role ? role_name(who->role) : NULL, -1);
    db_bind_text(st, 8, event, -1);
    db_bind_text(st, 9, from, -1);
    db_bind_text(st, 10, to, -1);
    db_bind_text(st, 11, note, -1);
    db_bind_text(st, 12, detail, -1);
    int rc = db_step(st);
    db_reset(st);
    if (rc < 0)
        return rc;
    /* KPI counters and the webhook outbox move with the event, in its transaction. */
    change_t c = {.kind = CHANGE_CASE_EVENT,
                  .county = county,
                  .id = case_id,
                  .seq = seq,
                  .at = at,
                  .event = event,
                  .from = from,
                  .to = to};
    return change_announce(db, &c);
}
