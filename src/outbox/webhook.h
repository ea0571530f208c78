/* webhook.h — case events for outside systems (a 12345 hotline, a city platform): each event
 * becomes an outbox row in the event's own transaction; a delivery thread POSTs the rows, signed
 * with HMAC-SHA256, and retries with exponential backoff driven by the stored next_at. Also the
 * process-wide count of case events written, which wakes live-update streams. */
#ifndef JICENG_DOMAIN_WEBHOOK_H
#define JICENG_DOMAIN_WEBHOOK_H

#include <stdint.h>
#include "lib/err.h"
#include "store/store.h"

#define WEBHOOK_MAX_ATTEMPTS 10
#define WEBHOOK_BACKOFF_MS (10 * 1000)       /* first retry after 10 s, then 20 s, 40 s … */
#define WEBHOOK_BACKOFF_MAX_MS (3600 * 1000) /* … capped at 1 h */

typedef struct {
    const char *url;         /* http(s) URL to POST to; NULL or "": webhooks off */
    const char *secret_file; /* NULL: DATA/keys/webhook.key, made on first use (0600) */
    const char *data_dir;
    int64_t backoff_ms; /* first retry delay; 0: WEBHOOK_BACKOFF_MS (tests use less) */
} webhook_config_t;

/* Turn outbox writing on for this process and load (or create) the secret. Call once at start-up,
 * before any write. 0; ERR_INVALID (URL not http(s), secret file empty or too long) or ERR_IO
 * (secret unreadable, group/other permissions) with a Chinese message in e. */
int webhook_configure(const webhook_config_t *cfg, err_t *e);
/* 1 if a URL is configured. */
int webhook_enabled(void);

/* The hook of every case event, in its transaction (cases.c add_event): counts the event and,
 * with a URL configured, writes its outbox row with the payload (no personal data: category,
 * region, state, deadlines; details via Open311). Returns 0 or the store's error. */
int webhook_case_event(db_t *db, const char *county, int64_t case_id, int seq, int64_t at,
                       const char *event, const char *from, const char *to);

/* Case events written by this process so far (committed or not): a change means live-update
 * streams should look again. Thread-safe. */
long webhook_events_made(void);

/* Start the delivery thread on store slot `slot` (its own: nobody else may use it). Does nothing
 * when no URL is configured. 0 or ERR_IO. */
int webhook_start(store_t *store, int slot);
/* Tell the delivery thread new rows may be due (after a commit). Thread-safe, cheap. */
void webhook_kick(void);
/* Stop the delivery thread (a POST in flight is abandoned; its row is retried after its lease). */
void webhook_stop(void);

/* Outbox rows by state, for `jiceng webhook status`. 0 or the store's error. */
int webhook_counts(db_t *db, int64_t *pending, int64_t *delivered, int64_t *failed);

/* Sign body as delivered: "t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>.<body>")>". out must
 * hold 96 bytes. Exposed for tests. */
void webhook_sign(const char *secret, size_t secret_len, long long unix_s, const char *body,
                  size_t len, char out[96]);

#endif
