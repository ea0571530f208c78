/* open311.c — the Open311 GeoReport v2 API under /open311/v2 (STANDARDS.md §1): discovery,
 * services, requests (create, list, one) and tokens, each as {fmt} = json or xml.
 *
 * Decisions where the spec leaves room or where we depart from it (docs/openapi.yaml says the
 * same to clients):
 * - jurisdiction_id is a 6-digit county code: one server hosts many counties. Keyless reads of
 *   services need it (400 without it, 404 for an unknown county); with an api_key the key's county
 *   is used, and a jurisdiction_id naming another county is refused (403).
 * - api_key is required for every read of requests and tokens, not only for POST: cases hold
 *   residents' own words and whereabouts (PIPL Art. 28), and a key confines a client to its county.
 * - type is "realtime": POST answers service_request_id at once and never a token; GET /tokens
 *   answers a token that equals a request ID of the key's county (404 otherwise).
 * - The person's first/last name, phone, e-mail, device_id and account_id are accepted and not
 *   stored (phone must still be a mobile number); attribute[...] and media_url are ignored.
 * - The description may have 4000 characters by the spec; cases keep 1000, longer is a 400.
 * - An unknown {fmt} is 400 with a JSON error body. Errors: 404 not found (also an unknown
 *   service_code on POST, as the spec lists it), 403 key, 400 for everything else (store errors
 *   included: the spec's "general service error").
 * - JSON leaves null fields out; XML writes them as empty elements, as the spec's examples do. */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "api/api.h"
#include "domain/accounts/accounts.h"
#include "domain/cases/cases.h"
#include "domain/registry/registry.h"
#include "lib/buf.h"
#include "lib/ids.h"
#include "lib/log.h"
#include "lib/utf8.h"

enum { FMT_JSON, FMT_XML };

#define DAY_MS (24LL * 3600 * 1000)
#define MAX_SPAN_MS (90 * DAY_MS)
#define XML_MAX (64u * 1024 * 1024)
/* The discovery document's changeset never goes below the day this API appeared. */
#define OPEN311_SINCE_MS INT64_C(1795968000000) /* 2026-11-30T00:00:00+08:00 */

/* ---------- writing JSON and XML ---------- */

/* Remove null members of objects, recursively (JSON leaves unknown fields out). */
static void drop_nulls(json_t *v)
{
    if (json_is_object(v)) {
        const char *key;
        json_t *m;
        void *tmp;
        json_object_foreach_safe(v, tmp, key, m)
        {
            if (json_is_null(m))
                json_object_del(v, key);
            else
                drop_nulls(m);
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m) drop_nulls(m);
    }
}

/* Element names of the items of a list, as the spec's XML has them. */
static const char *item_name(const char *list)
{
    static const struct {
        const char *list, *item;
    } names[] = {{"services", "service"},     {"service_requests", "request"},
                 {"attributes", "attribute"}, {"values", "value"},
                 {"endpoints", "endpoint"},   {"formats", "format"},
                 {"errors", "error"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].list, list) == 0)
            return names[i].item;
    return "item";
}

/* Text content: & < > " ' as entities; characters XML 1.0 forbids (C0 controls but tab, LF, CR;
 * U+FFFE, U+FFFF) and bytes that are not UTF-8 become U+FFFD, so the document is always
 * well-formed. */
static int xml_text(buf_t *b, const char *s, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0;) {
        unsigned char ch = (unsigned char)s[i];
        size_t cl = utf8_char_len(s + i, n - i);
        const char *rep = NULL;
        switch (ch) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        default:
            if (cl == 0 || (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') ||
                (cl == 3 && ch == 0xEF && (unsigned char)s[i + 1] == 0xBF &&
                 (unsigned char)s[i + 2] >= 0xBE))
                rep = "\xEF\xBF\xBD";
        }
        if (cl == 0)
            cl = 1;
        rc = rep ? buf_addstr(b, rep) : buf_add(b, s + i, cl);
        i += cl;
    }
    return rc;
}

static int xml_value(buf_t *b, const char *name, json_t *v)
{
    int rc = buf_printf(b, "<%s>", name);
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *m;
        json_object_foreach(v, key, m)
        {
            if (rc == 0)
                rc = xml_value(b, key, m);
        }
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m)
        {
            if (rc == 0)
                rc = xml_value(b, item_name(name), m);
        }
        break;
    }
    case JSON_STRING:
        if (rc == 0)
            rc = xml_text(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        if (rc == 0)
            rc = buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        if (rc == 0)
            rc = buf_printf(b, "%.12g", json_real_value(v));
        break;
    case JSON_TRUE:
        if (rc == 0)
            rc = buf_addstr(b, "true");
        break;
    case JSON_FALSE:
        if (rc == 0)
            rc = buf_addstr(b, "false");
        break;
    case JSON_NULL: break; /* an empty element */
    }
    if (rc == 0)
        rc = buf_printf(b, "</%s>", name);
    return rc;
}

/* Reply with doc (stolen) as JSON, or as XML under the root element `root` (for an array, the
 * list's name: its items are named by item_name()). */
static void reply_doc(http_ctx_t *c, int status, int fmt, json_t *doc, const char *root)
{
    if (fmt == FMT_JSON) {
        drop_nulls(doc);
        char *s = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(12));
        json_decref(doc);
        if (!s) {
            static const char fail[] =
                "[{\"code\":400,\"description\":\"服务内部错误 / service error\"}]";
            http_reply_raw(c, 400, "application/json; charset=utf-8", fail, sizeof fail - 1);
            return;
        }
        http_reply_raw(c, status, "application/json; charset=utf-8", s, strlen(s));
        free(s);
        return;
    }
    buf_t b;
    buf_init(&b, XML_MAX);
    int rc = buf_addstr(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if (rc == 0)
        rc = xml_value(&b, root, doc);
    json_decref(doc);
    if (rc) {
        static const char fail[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors><error>"
                                   "<code>400</code><description>服务内部错误 / service error"
                                   "</description></error></errors>";
        http_reply_raw(c, 400, "text/xml; charset=utf-8", fail, sizeof fail - 1);
    } else {
        http_reply_raw(c, status, "text/xml; charset=utf-8", b.p, b.len);
    }
    buf_free(&b);
}

/* The spec's error document: [{code, description}]. status 403, 404 or 400. */
static int reply_error(http_ctx_t *c, int fmt, int status, const char *description)
{
    reply_doc(c, status, fmt, json_pack("[{s:i,s:s}]", "code", status, "description", description),
              "errors");
    return 0;
}

/* An ERR_* from the domain: 404 not found, 403 key, 400 for everything else. */
static int reply_rc(http_ctx_t *c, int fmt, int rc, const char *message)
{
    if (rc == ERR_NOTFOUND)
        return reply_error(c, fmt, 404, message ? message : "对象不存在 / not found");
    if (rc == ERR_UNAUTH || rc == ERR_FORBIDDEN)
        return reply_error(c, fmt, 403, message ? message : "api_key 无效 / invalid api_key");
    if (rc == ERR_INVALID && message)
        return reply_error(c, fmt, 400, message);
    log_error("open311: store error %d", rc);
    return reply_error(c, fmt, 400,
                       "服务暂时无法处理，请稍后重试 / service error, try again later");
}

/* ---------- request parts ---------- */

/* The {fmt} path parameter i: json or xml; anything else is answered 400 (in JSON). */
static int format_of(http_ctx_t *c, int i, int *fmt)
{
    const char *f = http_param(c, i);
    if (strcmp(f, "json") == 0)
        *fmt = FMT_JSON;
    else if (strcmp(f, "xml") == 0)
        *fmt = FMT_XML;
    else {
        reply_error(c, FMT_JSON, 400,
                    "不支持的格式，请用 .json 或 .xml / format must be json or xml");
        return ERR_INVALID;
    }
    return 0;
}

/* The key's county into k; replies 403 for a missing or unknown key. */
static int need_key(http_ctx_t *c, int fmt, const char *key, apikey_t *k)
{
    int rc = key && *key ? apikey_check(http_db(c), key, k) : ERR_UNAUTH;
    if (rc == ERR_UNAUTH)
        reply_error(c, fmt, 403, "缺少或无效的 api_key / missing or invalid api_key");
    else if (rc)
        reply_rc(c, fmt, rc, NULL);
    return rc;
}

/* jurisdiction_id, when given, must be the key's county (a key never reaches another one). */
static int same_jurisdiction(http_ctx_t *c, int fmt, const char *j, const apikey_t *k)
{
    if (!j || !*j || strcmp(j, k->county) == 0)
        return 0;
    reply_error(c, fmt, 403,
                "该 api_key 不属于此 jurisdiction_id / the api_key is not valid for this "
                "jurisdiction_id");
    return ERR_FORBIDDEN;
}

/* A request that needs a key: ?api_key= and ?jurisdiction_id= checked, k filled. */
static int keyed_read(http_ctx_t *c, int fmt, apikey_t *k)
{
    if (need_key(c, fmt, http_query(c, "api_key"), k))
        return ERR_UNAUTH;
    return same_jurisdiction(c, fmt, http_query(c, "jurisdiction_id"), k);
}

/* The county a keyless read is about: the key's when api_key is given, else jurisdiction_id. */
static int read_county(http_ctx_t *c, int fmt, char county[8])
{
    const char *key = http_query(c, "api_key"), *j = http_query(c, "jurisdiction_id");
    if (key && *key) {
        apikey_t k;
        if (keyed_read(c, fmt, &k))
            return ERR_UNAUTH;
        snprintf(county, 8, "%s", k.county);
        return 0;
    }
    if (!j || !*j) {
        reply_error(c, fmt, 400,
                    "请提供 jurisdiction_id（县级区划代码，如 152531）/ jurisdiction_id (a 6-digit "
                    "county code) is required: this server serves several counties");
        return ERR_INVALID;
    }
    int exists = 0, rc = 0;
    if (region_level_of(j) == REGION_COUNTY && region_code_valid(j))
        rc = region_exists(http_db(c), j, &exists);
    if (rc) {
        reply_rc(c, fmt, rc, NULL);
        return rc;
    }
    if (!exists) {
        reply_error(c, fmt, 404, "jurisdiction_id 不存在 / jurisdiction_id not found");
        return ERR_NOTFOUND;
    }
    snprintf(county, 8, "%s", j);
    return 0;
}

/* A positive 64-bit decimal ID, or 0. */
static int64_t parse_id(const char *s, size_t n)
{
    if (n == 0 || n > 19)
        return 0;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (INT64_MAX - (s[i] - '0')) / 10)
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int take_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (!isdigit((unsigned char)**p))
            return -1;
        v = v * 10 + (**p - '0');
    }
    *out = v;
    return 0;
}

/* W3C/ISO 8601 date-time to UTC ms: YYYY-MM-DD, then optionally THH:MM[:SS[.fff]] and a zone
 * (Z, ±HH:MM, ±HHMM, ±HH). Without a zone (and for a date alone: its midnight) China time is
 * meant. A '+' the query string decoded to a space is taken back. 0, or -1 if malformed. */
static int parse_time(const char *s, int64_t *ms)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 8 * 3600;
    if (take_digits(&p, 4, &y) || *p++ != '-' || take_digits(&p, 2, &mo) || *p++ != '-' ||
        take_digits(&p, 2, &d))
        return -1;
    if (*p == 'T' || *p == 't' || (*p == ' ' && isdigit((unsigned char)p[1]))) {
        p++;
        if (take_digits(&p, 2, &h) || *p++ != ':' || take_digits(&p, 2, &mi))
            return -1;
        if (*p == ':') {
            p++;
            if (take_digits(&p, 2, &sec))
                return -1;
            if (*p == '.' || *p == ',') {
                p++;
                if (!isdigit((unsigned char)*p))
                    return -1;
                /* Milliseconds from the first three digits; finer ones are dropped. */
                for (int k = 0, scale = 100; isdigit((unsigned char)*p); k++, p++, scale /= 10)
                    if (k < 3)
                        frac += (*p - '0') * scale;
            }
        }
        if (*p == 'Z' || *p == 'z') {
            off = 0;
            p++;
        } else if (*p == '+' || *p == '-' || *p == ' ') {
            int sign = *p == '-' ? -1 : 1, oh, om = 0;
            p++;
            if (take_digits(&p, 2, &oh))
                return -1;
            if (*p == ':')
                p++;
            if (*p && take_digits(&p, 2, &om))
                return -1;
            if (oh > 14 || om > 59)
                return -1;
            off = sign * (oh * 3600 + om * 60);
        }
    }
    if (*p)
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 ||
        mi > 59 || sec > 59)
        return -1;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    *ms = ((int64_t)timegm(&tm) - off) * 1000 + frac;
    return 0;
}

/* ---------- GET /discovery ---------- */

/* The host the client called, if a proxy names it and it looks like a host name (it ends up in
 * a document); NULL otherwise. (h2o keeps an HTTP/1.1 Host apart from the headers.) */
static const char *public_host(http_ctx_t *c)
{
    const char *h = http_header(c, "x-forwarded-host");
    if (!h || !*h)
        h = http_header(c, "host");
    if (!h || !*h || strlen(h) > 255)
        return NULL;
    for (const char *p = h; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr(".-:[]", *p))
            return NULL;
    return h;
}

int api_open311_discovery(http_ctx_t *c)
{
    int fmt;
    if (format_of(c, 0, &fmt))
        return 0;
    int64_t ms;
    int rc = open311_changeset(http_db(c), &ms);
    if (rc)
        return reply_rc(c, fmt, rc, NULL);
    char changeset[32], url[320];
    open311_time(ms > OPEN311_SINCE_MS ? ms : OPEN311_SINCE_MS, changeset);
    /* Absolute when the host is known, else relative to this document (same server). */
    const char *proto = http_header(c, "x-forwarded-proto"), *host = public_host(c);
    if (host)
        snprintf(url, sizeof url, "%s://%s/open311/v2",
                 proto && strcmp(proto, "https") == 0 ? "https" : "http", host);
    else
        snprintf(url, sizeof url, "/open311/v2");
    json_t *doc = json_pack(
        "{s:s,s:s,s:s,s:[{s:s,s:s,s:s,s:s,s:[s,s]}]}", "changeset", changeset, "contact",
        "请联系所在县（区）综治中心或系统管理员 / contact the county's governance center or the "
        "system administrator",
        "key_service",
        "api_key 由县级管理员签发，每个 key 只属于一个县：jiceng apikey add --county 县代码 --name "
        "名称 / keys are issued by the county administrator, one county per key",
        "endpoints", "specification", "http://wiki.open311.org/GeoReport_v2", "url", url,
        "changeset", changeset, "type", "production", "formats", "text/xml", "application/json");
    reply_doc(c, 200, fmt, doc, "discovery");
    return 0;
}

/* ---------- GET /services, /services/{code} ---------- */

int api_open311_services(http_ctx_t *c)
{
    int fmt, rc;
    char county[8];
    if (format_of(c, 0, &fmt) || read_county(c, fmt, county))
        return 0;
    json_t *list = open311_services(http_db(c), county, &rc);
    if (!list)
        return reply_rc(c, fmt, rc, NULL);
    reply_doc(c, 200, fmt, list, "services");
    return 0;
}

int api_open311_service(http_ctx_t *c)
{
    int fmt, rc;
    char county[8];
    if (format_of(c, 1, &fmt) || read_county(c, fmt, county))
        return 0;
    json_t *def = open311_service_definition(http_db(c), county, http_param(c, 0), &rc);
    if (!def)
        return reply_rc(c, fmt, rc, "服务类型不存在 / service_code not found");
    reply_doc(c, 200, fmt, def, "service_definition");
    return 0;
}

/* ---------- POST /requests ---------- */

typedef struct {
    const char *api_key, *jurisdiction_id, *service_code, *lat, *lon, *address_string, *address_id,
        *email, *device_id, *account_id, *first_name, *last_name, *phone, *description, *media_url;
} form_t;

static const struct {
    const char *name;
    size_t off;
} form_fields[] = {
    {"api_key", offsetof(form_t, api_key)},
    {"jurisdiction_id", offsetof(form_t, jurisdiction_id)},
    {"service_code", offsetof(form_t, service_code)},
    {"lat", offsetof(form_t, lat)},
    {"long", offsetof(form_t, lon)},
    {"address_string", offsetof(form_t, address_string)},
    {"address_id", offsetof(form_t, address_id)},
    {"email", offsetof(form_t, email)},
    {"device_id", offsetof(form_t, device_id)},
    {"account_id", offsetof(form_t, account_id)},
    {"first_name", offsetof(form_t, first_name)},
    {"last_name", offsetof(form_t, last_name)},
    {"phone", offsetof(form_t, phone)},
    {"description", offsetof(form_t, description)},
    {"media_url", offsetof(form_t, media_url)},
};

#define FORM_MAX_PAIRS 500

/* Split an application/x-www-form-urlencoded body into f. attribute[...] and names the spec
 * does not have are skipped (clients send extras); a field given twice, a NUL (%00) or text
 * that is not UTF-8 is refused: *bad names it. */
static int parse_form(http_ctx_t *c, const char *body, size_t len, form_t *f, const char **bad)
{
    const char *p = body, *end = body + len;
    int pairs = 0;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        if (!amp)
            amp = end;
        if (amp > p) {
            if (++pairs > FORM_MAX_PAIRS) {
                *bad = "（字段过多 / too many fields）";
                return ERR_INVALID;
            }
            const char *eq = memchr(p, '=', (size_t)(amp - p));
            const char *kend = eq ? eq : amp;
            char *key = http_url_decode(c, p, (size_t)(kend - p));
            for (size_t i = 0; i < sizeof form_fields / sizeof form_fields[0]; i++) {
                if (strcmp(key, form_fields[i].name) != 0)
                    continue;
                const char **slot = (const char **)((char *)f + form_fields[i].off);
                const char *raw = eq ? eq + 1 : amp;
                size_t rn = (size_t)(amp - raw);
                char *val = http_url_decode(c, raw, rn);
                int has_nul = 0; /* %00 would cut the decoded text short unseen */
                for (size_t k = 0; k + 2 < rn; k++)
                    if (raw[k] == '%' && raw[k + 1] == '0' && raw[k + 2] == '0')
                        has_nul = 1;
                if (*slot || has_nul || !utf8_valid(val, strlen(val))) {
                    *bad = form_fields[i].name;
                    return ERR_INVALID;
                }
                *slot = val;
                break;
            }
        }
        p = amp + 1;
    }
    return 0;
}

static int is_form(const char *ctype)
{
    static const char want[] = "application/x-www-form-urlencoded";
    if (!ctype)
        return 1; /* some clients send none: read the body as a form anyway */
    while (*ctype == ' ')
        ctype++;
    return strncasecmp(ctype, want, sizeof want - 1) == 0 &&
           (ctype[sizeof want - 1] == 0 || ctype[sizeof want - 1] == ';' ||
            ctype[sizeof want - 1] == ' ');
}

static int parse_coord(const char *s, double lo, double hi, double *out)
{
    char *end;
    if (!s || !*s)
        return -1;
    double v = strtod(s, &end);
    if (*end || !isfinite(v) || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

typedef struct {
    apikey_t key;
    open311_new_t n;
    int fmt;
} create_arg_t;

static int create_write(db_t *db, void *arg, err_t *e)
{
    create_arg_t *a = arg;
    return open311_create(db, &a->key, &a->n, e);
}

static void create_done(http_ctx_t *c, int rc, const err_t *e, void *arg)
{
    create_arg_t *a = arg;
    if (rc) {
        reply_rc(c, a->fmt, e && e->rc ? e->rc : rc, e ? e->message : NULL);
        return;
    }
    /* Say where the case stands now (it may have been placed and dispatched at once). */
    char notice[256];
    int r;
    json_t *rec = open311_request(http_db(c), a->key.county, a->n.id, &r);
    const char *label =
        rec ? json_string_value(json_object_get(json_array_get(rec, 0), "service_notice")) : NULL;
    snprintf(notice, sizeof notice,
             "已受理%s%s，可用 GET requests/{id} 查询办理进度 / received; follow it with GET "
             "requests/{id}",
             label ? "：" : "", label ? label : "");
    json_decref(rec);
    char id[24];
    snprintf(id, sizeof id, "%" PRId64, a->n.id);
    reply_doc(c, 200, a->fmt,
              json_pack("[{s:s,s:s}]", "service_request_id", id, "service_notice", notice),
              "service_requests");
}

int api_open311_create(http_ctx_t *c)
{
    int fmt;
    if (format_of(c, 0, &fmt))
        return 0;
    if (!is_form(http_header(c, "content-type")))
        return reply_error(c, fmt, 400,
                           "请求体应为 application/x-www-form-urlencoded / the body must be "
                           "application/x-www-form-urlencoded");
    const char *body;
    size_t len;
    if (http_raw_body(c, &body, &len))
        return 0; /* 413 answered */
    form_t f = {0};
    const char *bad = NULL;
    int bad_form = parse_form(c, body, len, &f, &bad);
    create_arg_t *a = http_alloc(c, sizeof *a);
    a->fmt = fmt;
    /* The key first: without one nothing is said about the rest. */
    if (need_key(c, fmt, f.api_key ? f.api_key : http_query(c, "api_key"), &a->key) ||
        same_jurisdiction(c, fmt, f.jurisdiction_id, &a->key))
        return 0;
    char msg[160];
    if (bad_form) {
        snprintf(msg, sizeof msg,
                 "字段重复或不是有效的 UTF-8 文本：%s / field repeated or not valid text: %s", bad,
                 bad);
        return reply_error(c, fmt, 400, http_strdup(c, msg));
    }
    if (!f.service_code || !*f.service_code || strlen(f.service_code) > 64)
        return reply_error(c, fmt, 400, "缺少 service_code / service_code is required");
    open311_new_t *n = &a->n;
    if ((f.lat && *f.lat) || (f.lon && *f.lon)) {
        if (parse_coord(f.lat, -90, 90, &n->lat) || parse_coord(f.lon, -180, 180, &n->lon))
            return reply_error(c, fmt, 400,
                               "lat 与 long 须同时给出且为有效的 WGS84 坐标 / lat and long must "
                               "both be given as WGS84 degrees");
        n->has_location = 1;
    }
    if (!n->has_location && !(f.address_string && *f.address_string) &&
        !(f.address_id && *f.address_id))
        return reply_error(c, fmt, 400,
                           "缺少位置：lat+long、address_string 或 address_id 至少一项 / a "
                           "location is required: lat+long, address_string or address_id");
    if (f.address_id && utf8_count(f.address_id, strlen(f.address_id)) > 64)
        return reply_error(c, fmt, 400, "address_id 不能超过 64 字 / address_id is too long");
    if (f.description && utf8_count(f.description, strlen(f.description)) > 4000)
        return reply_error(c, fmt, 400,
                           "description 不能超过 4000 字 / description is limited to 4000 "
                           "characters");
    if (f.phone && *f.phone) {
        /* Checked, then dropped: contact details are not kept (see the file comment). */
        char mobile[12];
        if (ids_mobile_normalize(f.phone, strlen(f.phone), mobile, NULL))
            return reply_error(c, fmt, 400,
                               "手机号码格式不正确 / phone is not a valid mobile number");
    }
    n->service_code = f.service_code;
    n->description = f.description;
    n->address = f.address_string;
    n->address_id = f.address_id;
    n->ip = http_strdup(c, http_ip(c));
    n->now = http_now(c);
    http_write(c, create_write, a, create_done);
    return 0;
}

/* ---------- GET /requests, /requests/{id}, /tokens/{token} ---------- */

/* ?service_request_id=1,2,3 into f (deduplicated); replies 400 when malformed. */
static int parse_ids(http_ctx_t *c, int fmt, const char *s, open311_filter_t *f)
{
    int64_t *ids = http_alloc(c, OPEN311_MAX_IDS * sizeof *ids);
    int n = 0;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        if (b > a) {
            int64_t id = parse_id(a, (size_t)(b - a));
            if (!id) {
                reply_error(c, fmt, 400,
                            "service_request_id 应为逗号分隔的数字 / service_request_id must be "
                            "a comma-separated list of IDs");
                return ERR_INVALID;
            }
            int dup = 0;
            for (int i = 0; i < n && !dup; i++)
                dup = ids[i] == id;
            if (!dup && n == OPEN311_MAX_IDS) {
                reply_error(c, fmt, 400,
                            "service_request_id 一次最多 100 个 / at most 100 service_request_id "
                            "per call");
                return ERR_INVALID;
            }
            if (!dup)
                ids[n++] = id;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    f->ids = ids;
    f->nids = n;
    return 0;
}

/* service_code=0101,0202: codes of letters, digits, '-' and '_' (at most 50). */
static int valid_codes(const char *s)
{
    int n = 1;
    if (strlen(s) > 50 * 33)
        return 0;
    for (const char *p = s; *p; p++) {
        if (*p == ',')
            n++;
        else if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return 0;
    }
    return n <= 50;
}

int api_open311_requests(http_ctx_t *c)
{
    int fmt;
    apikey_t k;
    if (format_of(c, 0, &fmt) || keyed_read(c, fmt, &k))
        return 0;
    open311_filter_t f = {0};
    const char *ids = http_query(c, "service_request_id");
    if (ids && *ids) {
        /* The list overrides every other argument (spec). */
        if (parse_ids(c, fmt, ids, &f))
            return 0;
    } else {
        const char *codes = http_query(c, "service_code");
        if (codes && *codes) {
            if (!valid_codes(codes))
                return reply_error(c, fmt, 400,
                                   "service_code 应为逗号分隔的服务代码 / service_code must be a "
                                   "comma-separated list of codes");
            f.service_codes = codes;
        }
        const char *status = http_query(c, "status");
        if (status && *status) {
            int open = 0, closed = 0;
            for (const char *p = status; *p;) {
                size_t n = strcspn(p, ",");
                if (n == 4 && strncmp(p, "open", 4) == 0)
                    open = 1;
                else if (n == 6 && strncmp(p, "closed", 6) == 0)
                    closed = 1;
                else if (n)
                    return reply_error(c, fmt, 400,
                                       "status 只能是 open 或 closed / status must be open or "
                                       "closed");
                p += n + (p[n] == ',');
            }
            f.status = open && closed ? OPEN311_ANY : open ? OPEN311_OPEN : OPEN311_CLOSED;
        }
        const char *sd = http_query(c, "start_date"), *ed = http_query(c, "end_date");
        int has_start = sd && *sd, has_end = ed && *ed;
        if ((has_start && parse_time(sd, &f.start)) || (has_end && parse_time(ed, &f.end)))
            return reply_error(c, fmt, 400,
                               "日期应为 ISO 8601 格式，如 2026-11-01T00:00:00+08:00 / dates must "
                               "be ISO 8601, e.g. 2026-11-01T00:00:00+08:00");
        /* Default: the last 90 days; one end given: 90 days from (or to) it. */
        if (!has_start && !has_end) {
            f.end = http_now(c);
            f.start = f.end - MAX_SPAN_MS;
        } else if (!has_end) {
            f.end = f.start + MAX_SPAN_MS;
        } else if (!has_start) {
            f.start = f.end - MAX_SPAN_MS;
        }
        if (f.end < f.start)
            return reply_error(c, fmt, 400,
                               "end_date 早于 start_date / end_date is before start_date");
        if (f.end - f.start > MAX_SPAN_MS)
            return reply_error(c, fmt, 400,
                               "查询跨度不能超过 90 天 / the date range may not span more than "
                               "90 days");
    }
    int rc;
    json_t *list = open311_requests(http_db(c), k.county, &f, &rc);
    if (!list)
        return reply_rc(c, fmt, rc, NULL);
    reply_doc(c, 200, fmt, list, "service_requests");
    return 0;
}

int api_open311_request(http_ctx_t *c)
{
    int fmt, rc;
    apikey_t k;
    if (format_of(c, 1, &fmt) || keyed_read(c, fmt, &k))
        return 0;
    const char *p = http_param(c, 0);
    int64_t id = parse_id(p, strlen(p));
    json_t *rec = id ? open311_request(http_db(c), k.county, id, &rc) : NULL;
    if (!rec)
        return reply_rc(c, fmt, id ? rc : ERR_NOTFOUND,
                        "诉求不存在 / service_request_id not found");
    reply_doc(c, 200, fmt, rec, "service_requests");
    return 0;
}

int api_open311_token(http_ctx_t *c)
{
    int fmt, rc;
    apikey_t k;
    if (format_of(c, 1, &fmt) || keyed_read(c, fmt, &k))
        return 0;
    const char *token = http_param(c, 0);
    int64_t id = parse_id(token, strlen(token));
    json_t *rec = id ? open311_request(http_db(c), k.county, id, &rc) : NULL;
    if (!rec)
        return reply_rc(c, fmt, id ? rc : ERR_NOTFOUND, "token 不存在 / token not found");
    json_decref(rec);
    reply_doc(c, 200, fmt, json_pack("[{s:s,s:s}]", "service_request_id", token, "token", token),
              "service_requests");
    return 0;
}
