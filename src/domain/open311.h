/* open311.h — cases as Open311 GeoReport v2 sees them (STANDARDS.md §1): a county's services are
 * its second-level case categories, its requests are its cases. Every call names the county an
 * API key is bound to (apikey.h); nothing here crosses it. Records come back as JSON in the
 * spec's field order, with JSON null for what is unknown; api/open311.c writes them as JSON or
 * XML. All functions take the caller's connection and are as thread-safe as it is. */
#ifndef JICENG_DOMAIN_OPEN311_H
#define JICENG_DOMAIN_OPEN311_H

#include <jansson.h>
#include <stdint.h>
#include "domain/apikey.h"
#include "store/db.h"

/* Most records GET /requests returns (the spec's default cap), and most IDs one call may list. */
#define OPEN311_MAX_RECORDS 1000
#define OPEN311_MAX_IDS 100

/* ms (UTC epoch) as ISO 8601 in China time, "2026-11-30T08:00:00+08:00". Pure. */
void open311_time(int64_t ms, char out[32]);

/* The county's services: [{service_code, service_name, description, metadata:false,
 * type:"realtime", keywords, group}] for its active second-level categories (the ones a case can
 * be filed under), ordered by code. New reference, or NULL with *rc set on a store error. */
json_t *open311_services(db_t *db, const char *county, int *rc);

/* {service_code, attributes:[]} (our categories ask nothing beyond the standard fields), or NULL
 * with *rc = ERR_NOTFOUND for a code that is not one of the county's services. */
json_t *open311_service_definition(db_t *db, const char *county, const char *code, int *rc);

/* When any county's categories last changed (discovery's changeset), ms; 0 if there are none. */
int open311_changeset(db_t *db, int64_t *ms);

enum { OPEN311_ANY = 0, OPEN311_OPEN = 1, OPEN311_CLOSED = 2 };

typedef struct {
    const int64_t *ids;        /* service_request_id list (overrides everything else) */
    int nids;                  /* 0..OPEN311_MAX_IDS */
    const char *service_codes; /* comma list of codes, or NULL for all */
    int64_t start, end;        /* requested_datetime within [start, end], ms */
    int status;                /* OPEN311_ANY, OPEN311_OPEN or OPEN311_CLOSED */
} open311_filter_t;

/* The county's requests matching f, newest first, at most OPEN311_MAX_RECORDS: an array of
 * {service_request_id, status, status_notes, service_name, service_code, description,
 * agency_responsible, service_notice, requested_datetime, updated_datetime, expected_datetime,
 * address, address_id, zipcode, lat, long, media_url}. status is "closed" for the final states
 * (closed, merged, cancelled) and "open" for every other. Listed IDs not in the county are left
 * out. New reference, or NULL with *rc set on a store error. */
json_t *open311_requests(db_t *db, const char *county, const open311_filter_t *f, int *rc);

/* One request as above, or NULL with *rc = ERR_NOTFOUND (also when it is another county's). */
json_t *open311_request(db_t *db, const char *county, int64_t id, int *rc);

typedef struct {
    const char *service_code;
    const char *description;    /* NULL or "": the service's name stands in (cases need one) */
    const char *address;        /* address_string, may be NULL */
    const char *address_id;     /* may be NULL; kept in the case's address text */
    int has_location;
    double lat, lon;
    const char *ip;             /* for the audit row */
    int64_t now;
    int64_t id;                 /* out: the new case */
} open311_new_t;

/* Report a case for key k through cases_create (source "open311", the key's name as reporter,
 * its county as scope: it waits at county level for triage unless its location places it), and
 * audit it. In a write transaction. ERR_NOTFOUND for a service_code that is not one of the
 * county's services; ERR_INVALID with a message for input the case rules refuse (a description
 * over 1000 characters, an address over 200...). The person's name, phone, e-mail, device and
 * account never reach this function: they are not stored. */
int open311_create(db_t *db, const apikey_t *k, open311_new_t *n, err_t *e);

#endif
