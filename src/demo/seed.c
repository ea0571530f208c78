/* seed.c — the demo data set (see seed.h). Figures from MISSION.md / the source article:
 * 多伦县 555 grids, 286 grid party groups, 1,557 building/household heads, 103,700 residents;
 * 牛眼睛村 5 grids × (1 party leader + 1 grid worker + 3 household heads); 三顺店社区 44 building
 * heads and 160 unit heads. Everything below the villages is synthetic. */
#include "demo/seed.h"
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "demo/seed_geo.h"
#include "demo/seed_points.h"
#include "domain/accounts/accounts.h"
#include "domain/cases/cases.h"
#include "domain/registry/registry.h"
#include "lib/crypto.h"
#include "lib/ids.h"
#include "lib/log.h"

/* ---------- deterministic randomness ---------- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static int rnd_in(int lo, int hi) { return lo + (int)(rnd() % (uint64_t)(hi - lo + 1)); }
static int chance(int percent) { return (int)(rnd() % 100) < percent; }

/* ---------- names ---------- */

static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高",
    "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
    "程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕", "苏", "卢", "蒋", "蔡", "贾",
    "丁", "魏", "薛", "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪", "田", "任", "姜",
    "范", "方", "石", "姚", "谭", "廖", "邹", "熊", "金", "陆", "郝", "孔", "白", "崔", "康",
    "毛", "邱", "秦", "江", "史", "顾", "侯", "邵", "孟", "龙", "万", "段", "雷", "钱", "汤",
    "尹", "黎", "易", "常", "武", "乔", "贺", "赖", "龚", "文", "包", "乌", "云", "敖", "额"};
static const char *const given_m[] = {
    "伟",   "强",   "磊",   "军",   "勇",   "杰",   "涛",   "斌",   "超",   "明",   "刚",   "平",
    "辉",   "鹏",   "华",   "飞",   "鑫",   "波",   "宇",   "浩",   "建国", "志强", "海军", "永军",
    "文博", "子轩", "俊杰", "国庆", "振华", "立新", "宏伟", "建平", "春生", "德胜"};
static const char *const given_f[] = {
    "芳",   "娜",   "敏",   "静",   "丽",   "艳",   "娟",   "霞",   "燕",   "玲",
    "桂英", "秀英", "玉兰", "淑珍", "丽娟", "海燕", "晓红", "春梅", "雪梅", "欣怡",
    "梓涵", "雨萱", "思琪", "佳怡", "秀兰", "凤英", "红梅", "晓燕", "金花", "美玲"};
/* Mongolian given names, used alone, as is common in Inner Mongolia. */
static const char *const mongol_m[] = {"巴特尔", "额尔敦", "苏和",   "宝音",    "朝鲁",
                                       "毕力格", "哈斯",   "孟和",   "图雅图",  "那顺",
                                       "阿拉坦", "巴雅尔", "特木尔", "吉日嘎拉"};
static const char *const mongol_f[] = {"其其格", "乌云",   "娜仁",   "萨仁",  "高娃",
                                       "图雅",   "斯琴",   "格日勒", "托娅",  "乌兰",
                                       "塔娜",   "阿茹娜", "敖敦",   "琪琪格"};
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void make_name(int male, char *out, size_t cap)
{
    if (chance(18)) {
        snprintf(out, cap, "%s",
                 male ? mongol_m[rnd() % N(mongol_m)] : mongol_f[rnd() % N(mongol_f)]);
        return;
    }
    snprintf(out, cap, "%s%s", surnames[rnd() % N(surnames)],
             male ? given_m[rnd() % N(given_m)] : given_f[rnd() % N(given_f)]);
}

void seed_name(uint64_t r, char *out, size_t cap)
{
    int male = (int)(r & 1);
    r >>= 1;
    if (r % 100 < 18) {
        r /= 100;
        snprintf(out, cap, "%s", male ? mongol_m[r % N(mongol_m)] : mongol_f[r % N(mongol_f)]);
        return;
    }
    r /= 100;
    uint64_t s = r % N(surnames);
    r /= N(surnames);
    snprintf(out, cap, "%s%s", surnames[s],
             male ? given_m[r % N(given_m)] : given_f[r % N(given_f)]);
}

/* ---------- unique synthetic ID numbers ---------- */

/* One bit per (birth day since 1930, sequence 0..999) keeps ID numbers unique in a county. */
#define ID_DAYS (100 * 366)
static unsigned char *id_used;

static int day_index(int y, int m, int d) { return (y - 1930) * 366 + (m - 1) * 31 + (d - 1); }

static int days_in(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static void make_id(const char *county, int y, int m, int d, int male, char out[19])
{
    int di = day_index(y, m, d);
    int seq = rnd_in(0, 998);
    if ((seq % 2 == 1) != male)
        seq++;
    for (int tries = 0; tries < 1000; tries++) {
        long bit = (long)di * 1000 + seq;
        if (!(id_used[bit / 8] & (1 << (bit % 8)))) {
            id_used[bit / 8] |= (unsigned char)(1 << (bit % 8));
            break;
        }
        seq = (seq + 2) % 1000; /* keep the parity: odd male, even female (GB 11643) */
    }
    ids_resident_make(county, y, m, d, seq, out);
}

/* ---------- places ---------- */

typedef struct {
    const char *slug, *county, *name;
    const char *main_village;            /* where the grid-level demo accounts live */
    const char *named[6];                /* villages populated in full */
    int all_villages;                    /* 1: every village of the county (多伦县) */
    int populate_first;                  /* populate the first N villages (临河区: none named) */
    long grids, party, heads, residents; /* exact targets when all_villages */
} place_t;

static const place_t places[] = {
    {"duolun",
     "152531",
     "多伦县",
     "152531202206",
     {"152531202206", "152531101004"},
     1,
     0,
     555,
     286,
     1557,
     103700},
    {"tuquan",
     "152224",
     "突泉县",
     "152224100209",
     {"152224100209", "152224102218", "152224200207", "152224201206"},
     0,
     0,
     0,
     0,
     0,
     0},
    {"huade", "150922", "化德县", "150922103009", {"150922103009"}, 0, 0, 0, 0, 0, 0},
    {"guyang", "150222", "固阳县", "150222102005", {"150222102005"}, 0, 0, 0, 0, 0, 0},
    {"huimin", "150103", "回民区", "150103006009", {"150103006009"}, 0, 0, 0, 0, 0, 0},
    {"linhe", "150802", "临河区", NULL, {NULL}, 0, 3, 0, 0, 0, 0},
};
#define NPLACES N(places)

static const struct {
    const char *suffix, *role;
} demo_roles[] = {
    {"admin", "county_admin"},        {"leader", "leader"},     {"center", "center_operator"},
    {"dept", "department_staff"},     {"audit", "auditor"},     {"street", "street_admin"},
    {"community", "community_admin"}, {"grid", "grid_worker"},  {"party", "party_leader"},
    {"head", "building_head"},        {"resident", "resident"}, {"informant", "informant"},
};
#define NROLES_DEMO N(demo_roles)

static seed_account_t accounts_table[NPLACES * NROLES_DEMO + SEED_POINTS_NAMED_ACCOUNTS];
static char account_names[NPLACES * NROLES_DEMO][48];

const seed_account_t *seed_accounts(int *n)
{
    int k = 0;
    for (int p = 0; p < NPLACES; p++)
        for (int r = 0; r < NROLES_DEMO; r++, k++) {
            snprintf(account_names[k], sizeof account_names[k], "%s.%s", places[p].slug,
                     demo_roles[r].suffix);
            accounts_table[k] =
                (seed_account_t){account_names[k], demo_roles[r].role, places[p].name, NULL};
        }
    *n = k + seed_points_accounts(accounts_table + k);
    return accounts_table;
}

int seed_present(db_t *db)
{
    static const char SQL[] = "SELECT 1 FROM users WHERE username = 'duolun.admin'";
    int64_t v;
    int found = 0;
    return db_one_i64(db, SQL, &v, &found) == 0 && found;
}

/* ---------- generation ---------- */

typedef struct {
    db_t *db;
    int64_t now;
    const char *county;
    const char *place_name; /* "多伦县 居民", for progress */
    seed_stats_t *st;
    seed_progress_fn progress;
    long people_target_total; /* for progress: people this place will have */
    long people_base;         /* people generated before this place */
    /* picks for the demo accounts of the current place */
    int64_t grid_worker, party_leader, head, resident, informant;
    char grid_code[48], head_code[48], resident_code[48];
} gen_t;

/* A household of `size` people; returns the first adult's person id via *adult. */
static int gen_household(gen_t *g, const char *region, const char *address, int unit,
                         const char *room, int size, int64_t *adult, int64_t *other)
{
    int64_t hid, pid, head = 0;
    int rc = registry_insert_household(g->db, region, unit, room, address, g->now, &hid);
    if (rc)
        return rc;
    g->st->households++;
    int head_age = rnd_in(25, 85);
    int head_male = chance(70);
    for (int i = 0; i < size && rc == 0; i++) {
        int male, age;
        const char *rel;
        if (i == 0)
            male = head_male, age = head_age, rel = "户主";
        else if (i == 1 && head_age >= 22)
            male = !head_male, age = head_age + rnd_in(-5, 5), rel = "配偶";
        else if (head_age > 40 && chance(75))
            male = chance(50), age = rnd_in(1, head_age - 20), rel = "子女";
        else
            male = chance(50), age = head_age + rnd_in(20, 28) > 100 ? 95 : head_age + 22,
            rel = "父母";
        if (age < 0)
            age = 1;
        int y = 2026 - age, m = rnd_in(1, 12), d = rnd_in(1, days_in(y, m));
        if (y < 1931)
            y = 1931;
        char name[64], id18[19], phone[12], tags[128] = "";
        make_name(male, name, sizeof name);
        if (i > 0 && !chance(18) && rel[0] != 0) {
            /* Children usually carry the head's surname (first UTF-8 character). */
        }
        make_id(g->county, y, m, d, male, id18);
        int has_phone = age >= 16 && chance(85);
        if (has_phone)
            snprintf(phone, sizeof phone, "1%d%09" PRIu64, rnd_in(3, 9),
                     (uint64_t)(rnd() % 1000000000u));
        size_t o = 0;
#define TAG(t) o += (size_t)snprintf(tags + o, sizeof tags - o, "%s%s", o ? "," : "", t)
        if (size == 1 && age >= 65)
            TAG("独居老人");
        else if (age >= 65 && size == 2 && chance(40))
            TAG("空巢老人");
        if (chance(2))
            TAG("残疾人");
        if (age < 16 && chance(4))
            TAG("留守儿童");
        if (age >= 18 && chance(6))
            TAG("党员");
        if (male && age >= 30 && age <= 75 && chance(3))
            TAG("退役军人");
        if (chance(1))
            TAG("重点关注");
        if (i == 0 && chance(3))
            TAG("低保户");
#undef TAG
        rc = registry_insert_person(g->db, region, hid, name, id18, has_phone ? phone : NULL, rel,
                                    tags, g->now, &pid);
        if (rc)
            break;
        g->st->people++;
        if (g->progress && g->st->people % 5000 == 0)
            g->progress(g->place_name, g->st->people - g->people_base, g->people_target_total);
        if (i == 0)
            head = pid;
        if (age >= 18 && adult && !*adult)
            *adult = pid;
        else if (age >= 18 && other && !*other && (!adult || *adult != pid))
            *other = pid;
    }
    if (rc == 0)
        rc = registry_set_head(g->db, g->county, hid, head);
    return rc;
}

/* One grid: its level-7 nodes (buildings or household groups) with households and heads. */
typedef struct {
    int urban;
    int nodes;       /* buildings or groups */
    int units_total; /* urban: units across the buildings (0: 2 per building) */
    int residents;   /* people to generate in this grid */
    int party;       /* has a party leader */
    int unit_heads;  /* urban: a unit head per unit */
} grid_plan_t;

static int household_size(void)
{
    static const int sizes[] = {1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5};
    return sizes[rnd() % N(sizes)];
}

static int gen_grid(gen_t *g, const char *village_code, const char *village_name, int no,
                    const grid_plan_t *p, int want_accounts)
{
    char code[24], name[128], ncode[48], nname[64], addr[256], room[16];
    snprintf(code, sizeof code, "%s%02d", village_code, no);
    snprintf(name, sizeof name, "%s第%d网格", village_name, no);
    int rc = region_put(g->db, code, village_code, name, REGION_GRID, p->urban ? "urban" : "rural",
                        0, g->now);
    if (rc)
        return rc;
    g->st->grids++;
    int people_left = p->residents;
    int64_t worker = 0, leader = 0;
    for (int b = 1; b <= p->nodes && rc == 0; b++) {
        int units = 0;
        if (p->urban) {
            units =
                p->units_total ? p->units_total / p->nodes + (b <= p->units_total % p->nodes) : 2;
            snprintf(nname, sizeof nname, "%d号楼", b);
        } else {
            snprintf(nname, sizeof nname, "第%d联户组", b);
        }
        snprintf(ncode, sizeof ncode, "%s%03d", code, b);
        rc = region_put(g->db, ncode, code, nname, REGION_BUILDING, p->urban ? "building" : "group",
                        units, g->now);
        if (rc)
            break;
        g->st->buildings++;
        /* People of this node: an even share of what is left. */
        int share = people_left / (p->nodes - b + 1);
        int64_t node_head = 0;
        int seats = p->urban ? units : 1;
        for (int u = 1; u <= seats && rc == 0; u++) {
            int unit_share = share / (seats - u + 1);
            share -= unit_share;
            int64_t unit_head = 0;
            for (int h = 1; unit_share > 0 && rc == 0; h++) {
                int size = household_size();
                if (size > unit_share)
                    size = unit_share;
                int64_t adult = 0, other = 0;
                if (p->urban) {
                    snprintf(room, sizeof room, "%d%02d", (h - 1) / 2 + 1, (h - 1) % 2 + 1);
                    snprintf(addr, sizeof addr, "%s%s%d单元%s室", village_name, nname, u, room);
                } else {
                    snprintf(room, sizeof room, "%d号", h);
                    snprintf(addr, sizeof addr, "%s%d组%d号", village_name, no, (b - 1) * 40 + h);
                }
                rc = gen_household(g, ncode, addr, p->urban ? u : 0, room, size, &adult, &other);
                unit_share -= size;
                people_left -= size;
                if (!adult)
                    continue;
                if (!node_head)
                    node_head = adult;
                else if (p->unit_heads && !unit_head)
                    unit_head = adult;
                else if (!worker)
                    worker = adult;
                else if (p->party && !leader)
                    leader = adult;
                if (want_accounts && b == 1 && g->resident == 0 && other && h >= 2) {
                    g->resident = other;
                    snprintf(g->resident_code, sizeof g->resident_code, "%s", ncode);
                } else if (want_accounts && g->informant == 0 && other && h >= 3) {
                    g->informant = other;
                }
            }
            if (rc == 0 && p->unit_heads && unit_head) {
                rc = registry_add_member(g->db, ncode, "unit_head", unit_head, u, g->now);
                g->st->memberships++;
            }
        }
        if (rc == 0 && node_head) {
            rc = registry_add_member(g->db, ncode, p->urban ? "building_head" : "household_head",
                                     node_head, 0, g->now);
            g->st->memberships++;
            if (want_accounts && b == 1) {
                g->head = node_head;
                snprintf(g->head_code, sizeof g->head_code, "%s", ncode);
            }
        }
    }
    if (rc == 0 && worker) {
        rc = registry_add_member(g->db, code, "grid_worker", worker, 0, g->now);
        g->st->memberships++;
    }
    if (rc == 0 && leader) {
        rc = registry_add_member(g->db, code, "party_leader", leader, 0, g->now);
        g->st->memberships++;
    }
    if (want_accounts) {
        g->grid_worker = worker;
        g->party_leader = leader;
        snprintf(g->grid_code, sizeof g->grid_code, "%s", code);
    }
    return rc;
}

/* Villages of a county from the imported divisions. */
typedef struct {
    char code[16];
    char name[96];
    int community;
} village_t;

static const char SQL_VILLAGES[] =
    "SELECT code, name, kind FROM regions WHERE code >= ? AND code < ? AND level = 5 ORDER BY code";

static int load_villages(db_t *db, const char *county, village_t **out, int *n)
{
    char hi[16];
    region_scope_hi(county, hi, sizeof hi);
    db_stmt_t *st = db_query(db, SQL_VILLAGES, S(county), S(hi));
    if (!st)
        return ERR_IO;
    int cap = 64, k = 0, s;
    village_t *v = log_check_alloc(malloc(sizeof *v * (size_t)cap));
    while ((s = db_step(st)) == DB_ROW) {
        if (k == cap)
            v = log_check_alloc(realloc(v, sizeof *v * (size_t)(cap *= 2)));
        snprintf(v[k].code, sizeof v[k].code, "%s", db_col_text(st, 0));
        snprintf(v[k].name, sizeof v[k].name, "%s", db_col_text(st, 1));
        v[k].community = db_col_text(st, 2) && strcmp(db_col_text(st, 2), "community") == 0;
        k++;
    }
    db_reset(st);
    *out = v;
    *n = k;
    return s < 0 ? s : 0;
}

/* Share `total` over n slots by weight, exactly (largest remainder). */
static void apportion(long total, const int *w, int n, long *out)
{
    long sw = 0, given = 0;
    for (int i = 0; i < n; i++)
        sw += w[i];
    for (int i = 0; i < n; i++) {
        out[i] = sw ? total * w[i] / sw : 0;
        given += out[i];
    }
    for (int i = 0; given < total; i = (i + 1) % n)
        if (w[i]) {
            out[i]++;
            given++;
        }
}

static int is_named(const place_t *p, const char *code)
{
    for (int i = 0; i < 6 && p->named[i]; i++)
        if (strcmp(p->named[i], code) == 0)
            return 1;
    return 0;
}

static int seed_place(gen_t *g, const place_t *p, char *main_village, size_t mvcap, err_t *e)
{
    village_t *v = NULL;
    int nv = 0, rc = load_villages(g->db, p->county, &v, &nv);
    if (rc == 0 && nv == 0)
        rc = err_set(e, ERR_INVALID, "no_divisions", "缺少行政区划数据：请先导入内蒙古（15）的区划",
                     NULL);
    for (int i = 0; rc == 0 && i < 6 && p->named[i]; i++) {
        int found = 0;
        for (int k = 0; k < nv; k++)
            found |= strcmp(v[k].code, p->named[i]) == 0;
        if (!found)
            rc = err_set(e, ERR_INVALID, "no_divisions", "区划数据中缺少示范村/社区", NULL);
    }
    if (rc) {
        free(v);
        return rc;
    }
    const char *mv = p->main_village;
    if (!mv) {
        for (int k = 0; k < nv && !mv; k++)
            if (v[k].community)
                mv = v[k].code;
        if (!mv)
            mv = v[0].code;
    }
    snprintf(main_village, mvcap, "%s", mv);

    /* Which villages, how many grids each, and the plan of each grid. */
    int *w = log_check_alloc(calloc((size_t)nv, sizeof *w));
    long *ngrids = log_check_alloc(calloc((size_t)nv, sizeof *ngrids));
    int populate_first = p->populate_first;
    for (int k = 0; k < nv; k++) {
        int use = p->all_villages || is_named(p, v[k].code);
        if (!use && populate_first > 0 && v[k].community) {
            use = 1;
            populate_first--;
        }
        w[k] = use ? (v[k].community ? 3 : 1) : 0;
    }
    const char *fixed = strcmp(p->slug, "duolun") == 0 ? "152531202206" : NULL; /* 牛眼睛村 */
    if (p->all_villages) {
        int fk = -1;
        for (int k = 0; k < nv; k++)
            if (fixed && strcmp(v[k].code, fixed) == 0)
                fk = k, w[k] = 0;
        apportion(p->grids - (fk >= 0 ? 5 : 0), w, nv, ngrids);
        if (fk >= 0)
            ngrids[fk] = 5;
    } else {
        for (int k = 0; k < nv; k++)
            ngrids[k] = !w[k]                                    ? 0
                        : strcmp(v[k].code, "150103006009") == 0 ? 8 /* 三顺店社区 */
                        : v[k].community                         ? 6
                                                                 : 4;
    }
    long total_grids = 0;
    for (int k = 0; k < nv; k++)
        total_grids += ngrids[k];
    g->people_target_total = p->residents; /* 0 (unknown) for the smaller places */

    /* 多伦县: heads, party groups and residents spread exactly over the grids outside
     * 牛眼睛村 (whose 5 grids each have 3 heads and a party leader, as the article says). */
    long fixed_people = 5 * 3 * 36; /* 牛眼睛村: 3 groups of ~12 households */
    long others = total_grids - (fixed ? 5 : 0);
    long heads_left = p->heads - (fixed ? 15 : 0), party_left = p->party - (fixed ? 5 : 0);
    long people_left = p->residents - (fixed ? fixed_people : 0);
    long gi = 0; /* index among the "other" grids */
    for (int k = 0; k < nv && rc == 0; k++) {
        for (int no = 1; no <= ngrids[k] && rc == 0; no++) {
            grid_plan_t plan = {.urban = v[k].community};
            int is_fixed = fixed && strcmp(v[k].code, fixed) == 0;
            int is_sanshun = strcmp(v[k].code, "150103006009") == 0;
            if (p->all_villages && is_fixed) {
                plan.nodes = 3, plan.party = 1, plan.residents = (int)(fixed_people / 5);
            } else if (p->all_villages) {
                /* Even spread with exact totals: grid gi gets floor((gi+1)·T/N) − floor(gi·T/N). */
                long hb = heads_left * gi / others, he = heads_left * (gi + 1) / others;
                long pb = party_left * gi / others, pe = party_left * (gi + 1) / others;
                long rb = people_left * gi / others, re = people_left * (gi + 1) / others;
                plan.nodes = (int)(he - hb);
                plan.party = pe > pb;
                plan.residents = (int)(re - rb);
                gi++;
            } else if (is_sanshun) {
                /* 44 buildings (5 or 6 per grid), 160 units, a unit head for each. */
                plan.nodes = 44 / 8 + (no <= 44 % 8);
                int b_before = (no - 1) * (44 / 8) + ((no - 1) < 44 % 8 ? no - 1 : 44 % 8);
                int u_before = b_before * 160 / 44;
                int u_after = (b_before + plan.nodes) * 160 / 44;
                plan.units_total = u_after - u_before;
                plan.unit_heads = 1;
                plan.party = 1;
                plan.residents = plan.units_total * 12 * 26 / 10;
            } else {
                plan.nodes = plan.urban ? 4 : 3;
                plan.party = 1;
                plan.residents = plan.urban ? 8 * 2 * 4 * 26 / 10 : 3 * 12 * 28 / 10;
            }
            if (plan.nodes < 1)
                plan.nodes = 1;
            int want_accounts = strcmp(v[k].code, mv) == 0 && no == 1;
            rc = gen_grid(g, v[k].code, v[k].name, no, &plan, want_accounts);
        }
        if (ngrids[k])
            g->st->villages++;
    }
    free(w);
    free(ngrids);
    free(v);
    if (rc && !e->message)
        err_set(e, rc, NULL, "写入演示数据失败", NULL);
    return rc;
}

static int seed_accounts_of(gen_t *g, const place_t *p, const char *village, const char *pw_hash,
                            err_t *e)
{
    int rc = 0;
    char town[16];
    snprintf(town, sizeof town, "%.9s", village);
    for (int r = 0; r < NROLES_DEMO && rc == 0; r++) {
        const char *role = demo_roles[r].role;
        char username[48], name[64];
        snprintf(username, sizeof username, "%s.%s", p->slug, demo_roles[r].suffix);
        account_new_t n = {.username = username,
                           .role = role,
                           .must_change = 0,
                           .totp_exempt = 1, /* public password: see README, 两步验证 */
                           .now = g->now,
                           .password_hash = pw_hash,
                           .name = name};
        role_t rb = role_parse(role);
        n.scope_code = p->county;
        if (rb == ROLE_STREET_ADMIN)
            n.scope_code = town;
        else if (rb == ROLE_COMMUNITY_ADMIN)
            n.scope_code = village;
        else if (rb == ROLE_GRID_WORKER)
            n.scope_code = g->grid_code, n.person_id = g->grid_worker;
        else if (rb == ROLE_PARTY_LEADER)
            n.scope_code = g->grid_code, n.person_id = g->party_leader;
        else if (rb == ROLE_BUILDING_HEAD)
            n.scope_code = g->head_code, n.person_id = g->head;
        else if (rb == ROLE_RESIDENT)
            n.scope_code = g->resident_code, n.person_id = g->resident;
        else if (rb == ROLE_INFORMANT)
            n.scope_code = g->grid_code, n.person_id = g->informant;
        snprintf(name, sizeof name, "%s%s（演示）", p->name, role_label(rb));
        if (n.person_id) {
            static const char SQL[] = "SELECT name FROM people WHERE county = ? AND id = ?";
            db_stmt_t *st = db_query(g->db, SQL, S(p->county), I(n.person_id));
            if (st && db_step(st) == DB_ROW)
                snprintf(name, sizeof name, "%s", db_col_text(st, 0));
            db_reset(st);
        }
        rc = account_create(g->db, NULL, &n, "seed", e);
        if (rc == 0)
            g->st->accounts++;
        /* The department demo account answers whistles for 公安分局. */
        if (rc == 0 && rb == ROLE_DEPARTMENT_STAFF)
            rc = account_set_department(g->db, n.id, "d03");
    }
    return rc;
}

int seed_demo(db_t *db, int64_t now, seed_stats_t *stats, seed_progress_fn progress, err_t *e)
{
    if (seed_present(db))
        return err_set(e, ERR_CONFLICT, "conflict", "演示数据已存在", NULL);
    memset(stats, 0, sizeof *stats);
    rng = 0x9E3779B97F4A7C15ull;
    /* The demo password is public (printed by `make run`), so one hash serves every demo
     * account: seeding stays fast, and nothing is lost that the printout had not given away. */
    char pw_hash[crypto_pwhash_STRBYTES];
    if (crypto_password_hash(SEED_DEMO_PASSWORD, pw_hash) != 0)
        return err_set(e, ERR_NOMEM, "internal", "密码处理失败", NULL);
    size_t bits = (size_t)ID_DAYS * 1000 / 8 + 1;
    id_used = log_check_alloc(malloc(bits));
    int rc = 0;
    for (int i = 0; i < NPLACES && rc == 0; i++) {
        char what[64];
        snprintf(what, sizeof what, "%s 居民", places[i].name);
        gen_t g = {.db = db,
                   .now = now,
                   .county = places[i].county,
                   .st = stats,
                   .progress = progress,
                   .place_name = what,
                   .people_base = stats->people};
        memset(id_used, 0, bits);
        char village[16];
        rc = seed_place(&g, &places[i], village, sizeof village, e);
        if (rc == 0)
            rc = seed_accounts_of(&g, &places[i], village, pw_hash, e);
        if (rc == 0)
            rc = cases_seed_categories(db, places[i].county, now);
        if (rc == 0)
            rc = cases_seed_departments(db, places[i].county, now);
    }
    free(id_used);
    id_used = NULL;
    if (rc == 0) /* 突泉县's 积分制: its 46 villages, catalogues, stores and a year of entries */
        rc = seed_points_demo(db, now, pw_hash, stats, e);
    /* Every grid drawn inside its county's real outline (once all of them exist). */
    for (int i = 0; i < NPLACES && rc == 0; i++)
        rc = seed_geo_draw(db, places[i].county, e);
    return rc;
}
