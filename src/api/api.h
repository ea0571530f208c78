/* api.h — the HTTP/JSON face of each domain module: one file per resource, validation of
 * requests, no SQL. The route table in app/routes.c names which handler serves which path. */
#ifndef JICENG_API_API_H
#define JICENG_API_API_H

#include "http/http.h"

/* common.c */
/* Reply with obj (200) or, when obj is NULL, the error for rc (notfound: Chinese message). */
int api_reply(http_ctx_t *c, json_t *obj, int rc, const char *notfound);
/* Parse a 64-bit ID from a path parameter; replies 404 and returns 0 if it is not one. */
int64_t api_path_id(http_ctx_t *c, int i);
/* A required/optional string member of a JSON body; replies 400 on a wrong type. */
int api_str(http_ctx_t *c, json_t *obj, const char *key, int required, const char **out);
json_t *api_id_json(int64_t id);
/* The Idempotency-Key header (1..100 characters) and a hash of the body's canonical form, so a
 * retry with the same key and another body can be told apart (409 in the domain). Both NULL
 * without the header. Replies 400 itself and returns non-zero on a bad key. */
int api_idempotency(http_ctx_t *c, json_t *body, const char **key, const char **body_hash);
/* ?cursor= of a list: NULL or a string of digits; replies 400 and returns non-zero otherwise. */
int api_cursor(http_ctx_t *c, const char **out);

/* system.c */
int api_healthz(http_ctx_t *c);
int api_readyz(http_ctx_t *c);
int api_metrics(http_ctx_t *c);
int api_openapi(http_ctx_t *c);
void api_system_init(long long started_ms, const char *openapi_path);

/* auth.c */
int api_auth_login(http_ctx_t *c);
int api_auth_logout(http_ctx_t *c);
int api_auth_me(http_ctx_t *c);
int api_auth_password(http_ctx_t *c);
int api_auth_login_totp(http_ctx_t *c);

/* twofactor.c — enrolling and turning off one's own second factor (两步验证) */
int api_auth_totp_setup(http_ctx_t *c);
int api_auth_totp_enable(http_ctx_t *c);
int api_auth_totp_disable(http_ctx_t *c);

/* regions.c */
int api_region_get(http_ctx_t *c);
int api_region_children(http_ctx_t *c);
int api_region_households(http_ctx_t *c);
int api_grid_get(http_ctx_t *c);

/* people.c */
/* Is the caller department staff reading only the people of their department's cases (the
 * county's default, domain/cases/reach.c)? 1 yes, 0 no, -1 after replying with the store error. */
int api_registry_narrowed(http_ctx_t *c);
/* For such a caller: is household (is_person 0) or person id linked to their cases? 1 yes; 0
 * after replying 404 with notfound (as for anything outside scope) or the store error. */
int api_registry_linked(http_ctx_t *c, int is_person, int64_t id, const char *notfound);
int api_household_get(http_ctx_t *c);
int api_people_list(http_ctx_t *c);
int api_people_create(http_ctx_t *c);
int api_person_get(http_ctx_t *c);
int api_person_update(http_ctx_t *c);
int api_person_sensitive(http_ctx_t *c);
int api_me_household(http_ctx_t *c);
int api_me_profile(http_ctx_t *c);

/* cases.c */
int api_case_categories(http_ctx_t *c);
int api_cases_create(http_ctx_t *c);
int api_cases_list(http_ctx_t *c);
int api_case_get(http_ctx_t *c);
int api_case_similar(http_ctx_t *c);
int api_case_map(http_ctx_t *c);
int api_case_event(http_ctx_t *c);
int api_case_stats(http_ctx_t *c);
int api_departments(http_ctx_t *c);
int api_department_stats(http_ctx_t *c);
int api_case_part(http_ctx_t *c);
int api_inbox_list(http_ctx_t *c);
int api_inbox_read(http_ctx_t *c);

/* events.c */
int api_events(http_ctx_t *c);

/* categories.c */
int api_category_create(http_ctx_t *c);
int api_category_update(http_ctx_t *c);

/* photos.c */
int api_photo_upload(http_ctx_t *c);
int api_photo_get(http_ctx_t *c);
int api_photo_thumb(http_ctx_t *c);

/* points.c — 积分制: settings, catalogue, awards and 互检, corrections, rules, reads */
int api_points_settings_get(http_ctx_t *c);
int api_points_settings_put(http_ctx_t *c);
int api_points_flags(http_ctx_t *c);
int api_indicators_list(http_ctx_t *c);
int api_indicators_create(http_ctx_t *c);
int api_indicators_copy_template(http_ctx_t *c);
int api_indicator_update(http_ctx_t *c);
int api_indicator_template_list(http_ctx_t *c);
int api_indicator_template_create(http_ctx_t *c);
int api_points_rules_list(http_ctx_t *c);
int api_points_rules_create(http_ctx_t *c);
int api_county_points_rules_list(http_ctx_t *c);
int api_county_points_rules_create(http_ctx_t *c);
int api_points_rule_update(http_ctx_t *c);
int api_points_award(http_ctx_t *c);
int api_points_pending_list(http_ctx_t *c);
int api_points_pending_confirm(http_ctx_t *c);
int api_points_pending_reject(http_ctx_t *c);
int api_points_reverse(http_ctx_t *c);
int api_points_adjust(http_ctx_t *c);
int api_household_points(http_ctx_t *c);
int api_me_points(http_ctx_t *c);
int api_points_board(http_ctx_t *c);

/* points_store.c — 积分超市 and the county's points overview */
int api_goods_list(http_ctx_t *c);
int api_goods_create(http_ctx_t *c);
int api_goods_update(http_ctx_t *c);
int api_points_order_create(http_ctx_t *c);
int api_points_orders_list(http_ctx_t *c);
int api_points_order_qr(http_ctx_t *c);
int api_points_order_handover(http_ctx_t *c);
int api_points_order_cancel(http_ctx_t *c);
int api_points_overview(http_ctx_t *c);
int api_points_overview_xlsx(http_ctx_t *c);

/* settings.c — a county's settings (county admin) */
int api_county_settings_get(http_ctx_t *c);
int api_county_settings_put(http_ctx_t *c);

/* users.c */
int api_users_list(http_ctx_t *c);
int api_users_create(http_ctx_t *c);
int api_user_disable(http_ctx_t *c);
int api_user_enable(http_ctx_t *c);
int api_user_reset(http_ctx_t *c);
int api_user_reset_totp(http_ctx_t *c);
int api_audit_list(http_ctx_t *c);
int api_audit_actions(http_ctx_t *c);
int api_audit_export(http_ctx_t *c);

/* open311.c — Open311 GeoReport v2 (public routes; API keys are checked here) */
int api_open311_discovery(http_ctx_t *c);
int api_open311_services(http_ctx_t *c);
int api_open311_service(http_ctx_t *c);
int api_open311_create(http_ctx_t *c);
int api_open311_requests(http_ctx_t *c);
int api_open311_request(http_ctx_t *c);
int api_open311_token(http_ctx_t *c);

#endif
