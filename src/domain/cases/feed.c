/* feed.c — positions and scoped queries of live-update streams.
 *
 * Why a look-back window and a "seen" set: rows become visible in commit order, not in the order
 * of their keys. An inbox ID or an event's `at` is taken inside the transaction (at: when the
 * request arrived), and a transaction that started earlier may commit later — several loop
 * threads or instances on PostgreSQL, a group commit on SQLite. So each poll reads again the last
 * LOOKBACK_MS and skips the rows it has sent; a transaction taking longer than that is the one
 * case a stream can miss (the client reloads its lists on reconnect anyway). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/cases/cases.h"
#include "domain/common/inbox.h"
#include "domain/registry/registry.h"
#include "lib/idgen.h"
#include "lib/log.h"

#define LOOKBACK_MS 15000
#define FUTURE_MS 5000 /* clocks of instances differ a little */
#define SEEN_MAX 512
#define PAGE 100

typedef struct {
    int64_t a, b; /* inbox: id, 0; case event: case id, seq */
    int64_t at;   /* ordering key for pruning: inbox id, event time */
} seen_t;

typedef struct {
    seen_t v[SEEN_MAX];
    int n;
} seenset_t;

struct feed {
    int64_t start;    /* when the stream opened: older case events are not new */
    int64_t inbox_lo; /* next inbox query: id > inbox_lo */
    int64_t inbox_floor;
    int64_t ev_at, ev_case, ev_seq; /* next event query: (at, case_id, seq) > this */
    seenset_t inbox_seen, ev_seen;
};

static int seen_has(const seenset_t *s, int64_t a, int64_t b)
{
    for (int i = 0; i < s->n; i++)
        if (s->v[i].a == a && s->v[i].b == b)
            return 1;
    return 0;
}

/* Full: forget the oldest. Its row is past the window unless more than SEEN_MAX rows arrived in
 * one window, when that row may be sent twice (clients key by id and seq). */
static void seen_add(seenset_t *s, int64_t a, int64_t b, int64_t at)
{
    int slot = s->n;
    if (s->n == SEEN_MAX) {
        slot = 0;
        for (int i = 1; i < s->n; i++)
            if (s->v[i].at < s->v[slot].at)
                slot = i;
    } else {
        s->n++;
    }
    s->v[slot] = (seen_t){a, b, at};
}

/* Drop what the next query cannot return again (at <= lo). */
static void seen_prune(seenset_t *s, int64_t lo)
{
    int k = 0;
    for (int i = 0; i < s->n; i++)
        if (s->v[i].at > lo)
            s->v[k++] = s->v[i];
    s->n = k;
}

feed_t *feed_new(int64_t now, int64_t last_inbox_id)
{
    feed_t *f = log_check_alloc(calloc(1, sizeof *f));
    f->start = now;
    f->inbox_floor = idgen_floor(now) - 1;
    f->inbox_lo = last_inbox_id > 0 ? last_inbox_id : f->inbox_floor;
    f->ev_at = now - 1;
    f->ev_case = INT64_MAX;
    f->ev_seq = INT32_MAX; /* seq is an INTEGER column */
    return f;
}

void feed_free(feed_t *f) { free(f); }

/* ---------- inbox ---------- */

static const char SQL_INBOX[] =
    "SELECT id, at, kind, case_id, title, body, read_at FROM inbox WHERE user_id = ? AND id > ?"
    " ORDER BY id LIMIT ?";

static int poll_inbox(db_t *db, const actor_t *who, feed_t *f, int64_t now, feed_emit_fn emit,
                      void *ctx)
{
    for (;;) {
        db_stmt_t *st = db_query(db, SQL_INBOX, I(who->id), I(f->inbox_lo), I((int64_t)PAGE));
        if (!st)
            return ERR_IO;
        int s, rows = 0, full = 0;
        while ((s = db_step(st)) == DB_ROW) {
            rows++;
            int64_t id = db_col_i64(st, 0);
            if (!seen_has(&f->inbox_seen, id, 0)) {
                char ids[24];
                snprintf(ids, sizeof ids, "%" PRId64, id);
                json_t *m = inbox_message_json(st);
                int refused = emit(ctx, "inbox", ids, m);
                json_decref(m);
                if (refused) {
                    full = 1;
                    break;
                }
                seen_add(&f->inbox_seen, id, 0, id);
            }
            f->inbox_lo = id;
        }
        db_reset(st);
        if (s < 0)
            return s;
        if (full)
            return 1;
        if (rows < PAGE)
            break;
    }
    /* All caught up: next time look back over the window again, never before the start. */
    int64_t lo = idgen_floor(now - LOOKBACK_MS) - 1;
    f->inbox_lo = lo > f->inbox_floor ? lo : f->inbox_floor;
    seen_prune(&f->inbox_seen, f->inbox_lo);
    return 0;
}

/* ---------- case events ---------- */

/* Scope as in cases.c (visible, has_part): the reporter; staff (not residents, informants or
 * departments) when the case is located or assigned in their scope; department staff when
 * their department holds it (dept:<code>) or is summoned onto it. The (county, at) index bounds
 * the scan to the window. */
static const char SQL_EVENTS[] =
    "SELECT e.case_id, e.seq, e.event, e.to_state, e.at FROM case_events e"
    " JOIN cases c ON c.county = e.county AND c.id = e.case_id"
    " WHERE e.county = ? AND e.at >= ? AND e.at <= ?"
    " AND (e.at > ? OR (e.at = ? AND (e.case_id > ? OR (e.case_id = ? AND e.seq > ?))))"
    " AND (c.reporter_id = ?"
    "  OR (? = 1 AND ((c.region_code >= ? AND c.region_code < ?)"
    "   OR (c.assignee_code >= ? AND c.assignee_code < ?)))"
    "  OR (? = 1 AND (c.assignee_code = ? OR EXISTS (SELECT 1 FROM case_parts p"
    "   WHERE p.county = c.county AND p.case_id = c.id AND p.dept_code = ?))))"
    " ORDER BY e.at, e.case_id, e.seq LIMIT ?";

static int poll_events(db_t *db, const actor_t *who, feed_t *f, int64_t now, feed_emit_fn emit,
                       void *ctx)
{
    char county[8], hi[32];
    snprintf(county, sizeof county, "%.6s", who->scope);
    region_scope_hi(who->scope, hi, sizeof hi);
    int64_t staff = !(who->role & (ROLE_RESIDENT | ROLE_INFORMANT | ROLE_DEPARTMENT_STAFF));
    int64_t dept = who->role == ROLE_DEPARTMENT_STAFF && who->department[0];
    char holder[32];
    snprintf(holder, sizeof holder, "dept:%s", who->department);
    for (;;) {
        db_stmt_t *st = db_query(
            db, SQL_EVENTS, S(county), I(f->ev_at), I(now + FUTURE_MS), I(f->ev_at), I(f->ev_at),
            I(f->ev_case), I(f->ev_case), I(f->ev_seq), I(who->id), I(staff), S(who->scope), S(hi),
            S(who->scope), S(hi), I(dept), S(holder), S(who->department), I((int64_t)PAGE));
        if (!st)
            return ERR_IO;
        int s, rows = 0, full = 0;
        while ((s = db_step(st)) == DB_ROW) {
            rows++;
            int64_t cid = db_col_i64(st, 0), seq = db_col_i64(st, 1), at = db_col_i64(st, 4);
            if (!seen_has(&f->ev_seen, cid, seq)) {
                char ids[24];
                snprintf(ids, sizeof ids, "%" PRId64, cid);
                json_t *d = json_pack("{s:s,s:s,s:I,s:s}", "id", ids, "state", db_col_text(st, 3),
                                      "seq", (json_int_t)seq, "event", db_col_text(st, 2));
                int refused = emit(ctx, "case", NULL, d);
                json_decref(d);
                if (refused) {
                    full = 1;
                    break;
                }
                seen_add(&f->ev_seen, cid, seq, at);
            }
            f->ev_at = at;
            f->ev_case = cid;
            f->ev_seq = seq;
        }
        db_reset(st);
        if (s < 0)
            return s;
        if (full)
            return 1;
        if (rows < PAGE)
            break;
    }
    int64_t lo = now - LOOKBACK_MS;
    f->ev_at = lo > f->start - 1 ? lo : f->start - 1;
    f->ev_case = INT64_MAX;
    f->ev_seq = INT32_MAX;
    seen_prune(&f->ev_seen, f->ev_at);
    return 0;
}

int feed_poll(db_t *db, const actor_t *who, feed_t *f, int64_t now, feed_emit_fn emit, void *ctx)
{
    int rc = poll_inbox(db, who, f, now, emit, ctx);
    if (rc == 0)
        rc = poll_events(db, who, f, now, emit, ctx);
    return rc;
}
