/* routes.c — method, path, handler, admitted roles. Scope (object level) is checked inside each
 * handler's domain call; this table is the function-level check. */
#include "app/routes.h"
#include "api/api.h"

#define PUB HTTP_PUBLIC
#define MC HTTP_ALLOW_MUST_CHANGE
#define ADMINS (ROLE_MANAGERS)

const http_route_t app_routes[] = {
    {"GET", "/healthz", api_healthz, 0, PUB, "liveness"},
    {"GET", "/readyz", api_readyz, 0, PUB, "readiness: the store answers"},
    {"GET", "/metrics", api_metrics, 0, PUB, "Prometheus metrics"},
    {"GET", "/api/v1/openapi.yaml", api_openapi, 0, PUB, "this API in OpenAPI 3.1"},

    {"POST", "/api/v1/auth/login", api_auth_login, 0, PUB, "sign in"},
    {"POST", "/api/v1/auth/logout", api_auth_logout, ROLE_ANY, MC, "sign out"},
    {"GET", "/api/v1/auth/me", api_auth_me, ROLE_ANY, MC, "the signed-in account"},
    {"POST", "/api/v1/auth/password", api_auth_password, ROLE_ANY, MC, "change own password"},

    {"GET", "/api/v1/regions/{code}", api_region_get, ROLE_STAFF | ROLE_AUDITOR, 0,
     "a region with counts"},
    {"GET", "/api/v1/regions/{code}/children", api_region_children, ROLE_STAFF | ROLE_AUDITOR, 0,
     "child regions with counts"},
    {"GET", "/api/v1/regions/{code}/households", api_region_households, ROLE_STAFF, 0,
     "households under a region"},
    {"GET", "/api/v1/grids/{code}", api_grid_get, ROLE_STAFF, 0, "a grid and its iron triangle"},

    {"GET", "/api/v1/households/{id}", api_household_get, ROLE_STAFF | ROLE_PERSONS, 0,
     "a household and its members"},
    {"GET", "/api/v1/people", api_people_list, ROLE_STAFF, 0, "people in scope (masked)"},
    {"POST", "/api/v1/people", api_people_create, ROLE_SENSITIVE, 0, "register a person"},
    {"GET", "/api/v1/people/{id}", api_person_get, ROLE_STAFF, 0, "a person (masked)"},
    {"PATCH", "/api/v1/people/{id}", api_person_update, ROLE_SENSITIVE, 0, "change a person"},
    {"GET", "/api/v1/people/{id}/sensitive", api_person_sensitive, ROLE_SENSITIVE, 0,
     "full ID number and phone (audited)"},
    {"GET", "/api/v1/me/household", api_me_household, ROLE_PERSONS | ROLE_GRID, 0,
     "own household"},
    {"GET", "/api/v1/me/profile", api_me_profile, ROLE_ANY, 0, "own person record"},

    {"GET", "/api/v1/case-categories", api_case_categories, ROLE_ANY, 0,
     "the county's case categories (all=1: retired ones too, for county admins)"},
    {"POST", "/api/v1/case-categories", api_category_create, ROLE_COUNTY_ADMIN, 0,
     "add a category group or a category"},
    {"PATCH", "/api/v1/case-categories/{code}", api_category_update, ROLE_COUNTY_ADMIN, 0,
     "change or retire a category (audited)"},
    {"POST", "/api/v1/cases", api_cases_create,
     ROLE_PERSONS | ROLE_GRID | ROLE_MANAGERS | ROLE_CENTER_OPERATOR, 0,
     "report a case (随手拍); Idempotency-Key"},
    {"GET", "/api/v1/cases", api_cases_list, ROLE_ANY, 0, "cases visible to the caller"},
    {"GET", "/api/v1/case-stats", api_case_stats, ROLE_STAFF | ROLE_AUDITOR, 0,
     "live KPIs of the caller's scope"},
    {"GET", "/api/v1/cases/{id}", api_case_get, ROLE_ANY, 0, "a case with its timeline"},
    {"GET", "/api/v1/cases/{id}/similar", api_case_similar, ROLE_MANAGERS | ROLE_CENTER_OPERATOR,
     0, "open cases that look like duplicates of this one (疑似重复)"},
    {"POST", "/api/v1/cases/{id}/events", api_case_event, ROLE_ANY, 0,
     "act on a case: accept, resolve, rate..."},
    {"POST", "/api/v1/cases/{id}/parts/{dept}", api_case_part, ROLE_DEPARTMENT_STAFF, 0,
     "a summoned department reports in (报到) or finishes its part"},
    {"GET", "/api/v1/departments", api_departments, ROLE_STAFF | ROLE_AUDITOR, 0,
     "the county's departments (whistle targets)"},
    {"GET", "/api/v1/inbox", api_inbox_list, ROLE_ANY, HTTP_PASSIVE,
     "the caller's messages (polling it is not activity)"},
    {"POST", "/api/v1/inbox/{id}/read", api_inbox_read, ROLE_ANY, 0, "mark a message read"},
    {"GET", "/api/v1/events", api_events, ROLE_ANY, HTTP_PASSIVE,
     "live updates (Server-Sent Events): new messages and case events in scope"},
    {"POST", "/api/v1/photos", api_photo_upload, ROLE_ANY, 0,
     "upload a photo (JPEG/PNG/WebP body, ≤ 10 MB): cleaned, EXIF stripped, thumbnail made"},
    {"GET", "/api/v1/photos/{id}", api_photo_get, ROLE_ANY, 0,
     "a photo, to its uploader and those who see its case"},
    {"GET", "/api/v1/photos/{id}/thumb", api_photo_thumb, ROLE_ANY, 0, "a photo's thumbnail"},

    {"GET", "/api/v1/users", api_users_list, ADMINS, 0, "accounts in scope"},
    {"POST", "/api/v1/users", api_users_create, ADMINS, 0, "create an account"},
    {"POST", "/api/v1/users/{id}/disable", api_user_disable, ADMINS, 0, "disable an account"},
    {"POST", "/api/v1/users/{id}/enable", api_user_enable, ADMINS, 0, "enable an account"},
    {"POST", "/api/v1/users/{id}/reset-password", api_user_reset, ADMINS, 0,
     "reset a password"},
    {"GET", "/api/v1/audit", api_audit_list, ROLE_COUNTY_ADMIN | ROLE_AUDITOR, 0, "audit log"},

    /* Open311 GeoReport v2 (STANDARDS.md §1): public routes; api_key is checked in the handlers
     * (required for POST and for every read of requests), {fmt} is json or xml. */
    {"GET", "/open311/v2/discovery.{fmt}", api_open311_discovery, 0, PUB,
     "Open311 service discovery"},
    {"GET", "/open311/v2/services.{fmt}", api_open311_services, 0, PUB,
     "Open311 services: a county's case categories"},
    {"GET", "/open311/v2/services/{code}.{fmt}", api_open311_service, 0, PUB,
     "Open311 service definition"},
    {"POST", "/open311/v2/requests.{fmt}", api_open311_create, 0, PUB,
     "Open311: report a case (api_key)"},
    {"GET", "/open311/v2/requests.{fmt}", api_open311_requests, 0, PUB,
     "Open311: cases of the key's county (api_key)"},
    {"GET", "/open311/v2/requests/{id}.{fmt}", api_open311_request, 0, PUB,
     "Open311: one case (api_key)"},
    {"GET", "/open311/v2/tokens/{token}.{fmt}", api_open311_token, 0, PUB,
     "Open311: request id from a token (api_key)"},
};

const size_t app_nroutes = sizeof app_routes / sizeof app_routes[0];
