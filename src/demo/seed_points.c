/* seed_points.c — the 积分制 demo of 突泉县 (see seed_points.h; the model is docs/POINTS.md).
 *
 * Figures from the source article: 46 villages, 40+ indicators, 1.6 million 元 a year; 农机摆放
 * 整齐 +2, 参加夜校 +2, 发展庭院经济 +5; 明星村's store "明星·家" (米面粮油 priced in points);
 * 利民村's 微网格互检; 十家子村's 双轨激励 (star households). Everything below the villages is
 * synthetic.
 *
 * Money: one point is worth 1 元 (fen_per_point = 100). Villagers read "1 分 = 1 元" at once, a
 * store price in points is simply the goods' cost in 元, and the budget in 元 is the number of
 * points the village may issue in the year. Budgets: 25,000 元 per village plus 450,000 元 shared
 * by household count, in whole hundreds of 元, summing to exactly 1,600,000 元 for the current
 * year and for the year before (the window of history crosses New Year). The demo villages carry
 * fewer households than the real ones (20–60 generated here, ~150 in the four named), so the
 * budgets are far from used up.
 *
 * Speed: ledger_post recomputes the year's issued points from the village's entries on every
 * positive award, so the cost grows with the square of a village's entries; the rates below keep
 * about a dozen entries per household and year. */
#include "demo/seed_points.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "demo/seed_goods.h"
#include "domain/accounts/accounts.h"
#include "domain/common/photos.h"
#include "domain/points/points.h"
#include "domain/registry/registry.h"
#include "lib/civil.h"
#include "lib/crypto.h"
#include "lib/idgen.h"
#include "lib/ids.h"
#include "lib/log.h"
#include "lib/vec.h"

#define COUNTY "152224"
#define FUSHENG "152224100209"  /* 突泉镇福胜村 */
#define MINGXING "152224102218" /* 东杜尔基镇明星村: "明星·家" */
#define LIMIN "152224200207"    /* 学田乡利民村: 微网格互检 */
#define SHIJIAZI "152224201206" /* 九龙乡十家子村: 双轨激励 */
#define NVILLAGES 46
#define FEN_PER_POINT 100
#define BUDGET_YUAN 1600000L
#define BASE_YUAN 25000L
#define DAY_MS 86400000LL
#define HOUR_MS 3600000LL
#define MIN_MS 60000LL
#define PAIR_LIMIT 19 /* confirmations per month between two people: below pair_threshold 20 */
#define MAX_HOUSEHOLDS 100000 /* of a village, for the simulation */
#define MAX_EVENTS (1 << 22)  /* planned or deferred events of a village's year */
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---------- deterministic randomness (its own stream: seed.c's output does not move) ---------- */

static uint64_t prng;
static uint64_t rnd(void)
{
    prng ^= prng << 13;
    prng ^= prng >> 7;
    prng ^= prng << 17;
    return prng;
}
static int rnd_in(int lo, int hi) { return lo + (int)(rnd() % (uint64_t)(hi - lo + 1)); }
static int permille(int p) { return (int)(rnd() % 1000) < p; }

/* ---------- calendar (China time) ---------- */

/* The grid's number within its village: digits 13–14 of a grid (14) or building (17) code; 0
 * for a code above grid level. */
static int grid_number(const char *code)
{
    if (strlen(code) < 14 || code[12] < '0' || code[12] > '9' || code[13] < '0' || code[13] > '9')
        return 0;
    return (code[12] - '0') * 10 + (code[13] - '0');
}

static int64_t day_of(int64_t at) { return civil_china_day(at); }
static int64_t day_start(int64_t day) { return day * CIVIL_DAY_MS - CIVIL_CHINA_OFFSET_MS; }
static int weekday(int64_t day) { return (int)((day % 7 + 11) % 7); } /* 0 Sunday */

/* ---------- the indicator catalogue (county template) ---------- */

enum {
    A_ADMIN = 1,
    A_GRID = 2,
    A_PARTY = 4,
    A_HEAD = 8,
    A_ALL = A_ADMIN | A_GRID | A_PARTY | A_HEAD,
    A_CADRE = A_ADMIN | A_GRID, /* deductions and checks that need a cadre's eye */
};

typedef struct {
    const char *group, *name;
    int points, evidence, awarders, limit_count;
    const char *period; /* day | month | year | once */
} ind_def_t;

enum {
    /* 人居环境 */
    I_CLEAN,
    I_MACHINE,
    I_STRAW,
    I_GARBAGE,
    I_TOILET,
    I_CAMPAIGN,
    I_PEN,
    I_MESS,
    I_DUMP,
    I_ROAM,
    /* 诚信建设 */
    I_INSURE,
    I_LOAN,
    I_TAXFEE,
    I_FOUND,
    I_DEFAULT,
    /* 志愿服务 */
    I_VOLUNTEER,
    I_SNOW,
    I_HELP,
    I_RESCUE,
    I_BLOOD,
    /* 移风易俗 */
    I_SIMPLE,
    I_DOWRY,
    I_TOMB,
    I_LAVISH,
    I_GAMBLE,
    /* 庭院经济 */
    I_YARD,
    I_GARDEN,
    I_SPECIAL,
    I_AGRI,
    /* 平安建设 */
    I_PATROL,
    I_MEDIATE,
    I_REPORT,
    I_ANTIFRAUD,
    I_LAWFUL,
    I_BURN,
    I_WIRE,
    /* 孝老爱亲 */
    I_FILIAL,
    I_GOODFAM,
    I_CARE,
    I_NEGLECT,
    /* 学习提升 */
    I_NIGHT,
    I_MEETING,
    I_COLLEGE,
    I_CERT,
    NIND,
    I_EXTRA = NIND, /* the village's own indicator, if it has one */
    NSLOTS
};

static const ind_def_t catalogue[NIND] = {
    [I_CLEAN] = {"人居环境", "房前屋后干净整洁", 3, 0, A_ALL, 1, "month"},
    [I_MACHINE] = {"人居环境", "农机摆放整齐", 2, 0, A_ALL, 1, "month"},
    [I_STRAW] = {"人居环境", "柴草垛堆放规整", 2, 0, A_ALL, 1, "month"},
    [I_GARBAGE] = {"人居环境", "生活垃圾分类投放", 2, 0, A_ALL, 1, "month"},
    [I_TOILET] = {"人居环境", "完成户厕改造并正常使用", 5, 1, A_CADRE, 1, "once"},
    [I_CAMPAIGN] = {"人居环境", "参加春节后村屯环境集中整治", 3, 1, A_ALL, 2, "month"},
    [I_PEN] = {"人居环境", "畜禽圈养、粪污及时清理", 2, 0, A_ALL, 1, "month"},
    [I_MESS] = {"人居环境", "乱堆乱放（柴草、粪堆、杂物占道）", -2, 1, A_CADRE, 2, "month"},
    [I_DUMP] = {"人居环境", "乱倒垃圾、乱泼污水", -3, 1, A_CADRE, 2, "month"},
    [I_ROAM] = {"人居环境", "畜禽散养、踩踏绿化", -2, 0, A_CADRE, 2, "month"},
    [I_INSURE] = {"诚信建设", "按时缴纳城乡居民医保", 3, 0, A_ADMIN, 1, "year"},
    [I_LOAN] = {"诚信建设", "守信按期归还贷款", 3, 0, A_ADMIN, 1, "year"},
    [I_TAXFEE] = {"诚信建设", "按时交纳水费、卫生费", 2, 0, A_ADMIN | A_GRID, 1, "year"},
    [I_FOUND] = {"诚信建设", "拾金不昧", 5, 1, A_ALL, 0, "month"},
    [I_DEFAULT] = {"诚信建设", "被列为失信被执行人", -10, 0, A_ADMIN, 1, "year"},
    [I_VOLUNTEER] = {"志愿服务", "参加志愿服务活动", 2, 0, A_ALL, 4, "month"},
    [I_SNOW] = {"志愿服务", "义务清雪除冰", 2, 0, A_ALL, 4, "month"},
    [I_HELP] = {"志愿服务", "结对帮扶困难户", 3, 0, A_ALL, 1, "month"},
    [I_RESCUE] = {"志愿服务", "参加防汛、防火应急抢险", 5, 1, A_ALL, 2, "month"},
    [I_BLOOD] = {"志愿服务", "无偿献血", 5, 1, A_ADMIN | A_GRID, 1, "year"},
    [I_SIMPLE] = {"移风易俗", "红白事报备并简办", 5, 1, A_ADMIN | A_GRID, 1, "year"},
    [I_DOWRY] = {"移风易俗", "婚事不要高价彩礼", 5, 1, A_ADMIN, 1, "once"},
    [I_TOMB] = {"移风易俗", "文明祭扫、不烧纸", 2, 0, A_ALL, 1, "year"},
    [I_LAVISH] = {"移风易俗", "大操大办、索要高价彩礼", -5, 0, A_ADMIN, 1, "year"},
    [I_GAMBLE] = {"移风易俗", "参与赌博、封建迷信活动", -5, 0, A_CADRE, 2, "year"},
    [I_YARD] = {"庭院经济", "发展庭院经济", 5, 1, A_ALL, 2, "year"},
    [I_GARDEN] = {"庭院经济", "小菜园规整美观", 2, 0, A_ALL, 1, "month"},
    [I_SPECIAL] = {"庭院经济", "发展特色种养（订单农业、肉牛、杂粮）", 3, 1, A_ADMIN | A_GRID, 1,
                   "year"},
    [I_AGRI] = {"庭院经济", "参加农技培训", 2, 0, A_ALL, 2, "month"},
    [I_PATROL] = {"平安建设", "参加义务巡逻", 2, 0, A_ALL, 4, "month"},
    [I_MEDIATE] = {"平安建设", "主动调解邻里纠纷", 3, 1, A_ALL, 2, "month"},
    [I_REPORT] = {"平安建设", "报告安全隐患（经核实）", 3, 0, A_ALL, 2, "month"},
    [I_ANTIFRAUD] = {"平安建设", "安装使用国家反诈中心 App", 2, 0, A_ALL, 1, "once"},
    [I_LAWFUL] = {"平安建设", "全年无违法、无越级上访", 5, 0, A_ADMIN, 1, "year"},
    [I_BURN] = {"平安建设", "焚烧秸秆、野外违规用火", -5, 1, A_CADRE, 1, "month"},
    [I_WIRE] = {"平安建设", "私拉乱接电线", -3, 1, A_CADRE, 1, "month"},
    [I_FILIAL] = {"孝老爱亲", "孝敬老人、家庭和睦", 2, 0, A_ALL, 1, "month"},
    [I_GOODFAM] = {"孝老爱亲", "获评好婆婆、好媳妇、好儿女", 5, 1, A_ADMIN, 1, "year"},
    [I_CARE] = {"孝老爱亲", "照顾独居老人、留守儿童", 3, 0, A_ALL, 1, "month"},
    [I_NEGLECT] = {"孝老爱亲", "不赡养、虐待老人", -5, 0, A_ADMIN, 1, "year"},
    [I_NIGHT] = {"学习提升", "参加夜校", 2, 0, A_ALL, 4, "month"},
    [I_MEETING] = {"学习提升", "参加村民（代表）大会", 1, 0, A_ALL, 2, "month"},
    [I_COLLEGE] = {"学习提升", "子女考入大中专院校", 5, 1, A_ADMIN, 1, "year"},
    [I_CERT] = {"学习提升", "参加技能培训并取得证书", 5, 1, A_ADMIN | A_GRID, 1, "year"},
};

static void awarders_text(int mask, char *out, size_t cap)
{
    static const char *const names[] = {"community_admin", "grid_worker", "party_leader",
                                        "building_head"};
    size_t o = 0;
    out[0] = 0;
    for (int i = 0; i < 4; i++)
        if (mask & (1 << i))
            o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? "," : "", names[i]);
}

/* Each named village keeps the template and adds or changes a little (villages may add, retire
 * and re-price their own indicators). */
typedef struct {
    const char *village;
    ind_def_t extra;
    int reprice, new_points; /* -1: none */
    int retire;              /* -1: none */
} local_t;

static const local_t locals[] = {
    {FUSHENG, {"志愿服务", "党员联户·清扫责任田", 2, 0, A_ALL, 4, "month"}, I_STRAW, 3, -1},
    {MINGXING, {"志愿服务", "“明星·家”超市志愿值守", 2, 0, A_ALL, 4, "month"}, -1, 0, -1},
    {LIMIN, {"人居环境", "微网格卫生互评优秀户", 3, 0, A_ALL, 1, "month"}, -1, 0, I_STRAW},
    {SHIJIAZI, {"学习提升", "参加道德讲堂", 2, 0, A_ALL, 2, "month"}, -1, 0, -1},
};

/* ---------- stores ---------- */

typedef struct {
    const char *name;
    int price, stock;
    int cost_fen;
} goods_def_t;

/* 明星村 "明星·家": 米面粮油 and daily goods; a point is 1 元, so the price is about the cost. */
static const goods_def_t mingxing_goods[] = {
    {"东北大米 10斤装", 45, 160, 4480}, {"雪花面粉 10斤装", 30, 120, 2950},
    {"大豆油 5L", 70, 60, 6890},        {"突泉小米 5斤装", 25, 80, 2450},
    {"绿豆 2斤装", 12, 60, 1180},       {"挂面 2斤", 6, 120, 560},
    {"食用盐 400g", 3, 200, 250},       {"酱油 1.9L", 12, 80, 1150},
    {"鸡蛋 30枚", 25, 40, 2380},        {"洗衣粉 1.5kg", 15, 120, 1450},
    {"洗洁精 1.5kg", 10, 120, 950},     {"香皂 3块装", 8, 100, 760},
    {"牙膏 120g", 6, 100, 550},         {"卫生纸 10卷", 20, 100, 1850},
    {"毛巾 2条装", 10, 60, 920},        {"暖水瓶", 35, 15, 3300},
};

/* Every other village: a small 积分超市 at the village office. */
static const goods_def_t village_goods[] = {
    {"大米 10斤装", 45, 40, 4480},  {"面粉 10斤装", 30, 30, 2950}, {"大豆油 5L", 70, 15, 6890},
    {"洗衣粉 1.5kg", 15, 40, 1450}, {"洗洁精 1.5kg", 10, 40, 950}, {"卫生纸 10卷", 20, 30, 1850},
};

/* ---------- names and people for the 42 villages seed.c does not populate ---------- */

static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高",
    "郭", "马", "宋", "于", "董", "曹", "袁", "许", "沈", "曾", "吕", "苏", "蒋", "贾", "丁",
    "魏", "薛", "田", "姜", "范", "石", "姚", "金", "郝", "白", "崔", "孟", "常", "包", "韩"};
static const char *const given_m[] = {"海",   "军",   "林",   "峰",   "刚",   "志刚", "国华",
                                      "长青", "宝山", "春雷", "振江", "德福", "庆丰", "立民",
                                      "永胜", "树林", "文军", "玉田", "金山", "占武"};
static const char *const given_f[] = {"霞",   "丽",   "梅",   "凤霞", "秀芝",
                                      "桂兰", "春燕", "玉梅", "淑芬", "艳华",
                                      "翠兰", "晓梅", "红霞", "彩云", "冬梅"};
static const char *const mongol_m[] = {"巴图",   "额尔德木图", "苏日图",   "宝力道",
                                       "朝克图", "那木吉拉",   "青格乐图", "乌力吉"};
static const char *const mongol_f[] = {"萨日娜", "乌日娜", "其木格",       "斯琴高娃",
                                       "娜仁花", "塔日娜", "阿拉腾其其格", "乌兰图雅"};

static void make_name(int male, char *out, size_t cap)
{
    if (permille(150))
        snprintf(out, cap, "%s",
                 male ? mongol_m[rnd() % N(mongol_m)] : mongol_f[rnd() % N(mongol_f)]);
    else
        snprintf(out, cap, "%s%s", surnames[rnd() % N(surnames)],
                 male ? given_m[rnd() % N(given_m)] : given_f[rnd() % N(given_f)]);
}

static const char SQL_ID_SEEN[] = "SELECT 1 FROM people WHERE county = ? AND id_hash = ?";

/* A synthetic ID number not yet used in the county (seed.c made the others). */
static int make_id(db_t *db, int y, int m, int d, int male, char out[19])
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d > dm[m - 1])
        d = dm[m - 1];
    int seq = rnd_in(0, 998);
    for (int tries = 0; tries < 500; tries++, seq = (seq + 2) % 1000) {
        if ((seq % 2 == 1) != male)
            seq = (seq + 1) % 1000;
        ids_resident_make(COUNTY, y, m, d, seq, out);
        char h[65];
        crypto_field_hash(registry_keys(), out, 18, h);
        int64_t one;
        int seen = 0;
        int rc = db_one_i64(db, SQL_ID_SEEN, &one, &seen, S(COUNTY), S(h));
        if (rc)
            return rc;
        if (!seen)
            return 0;
    }
    return ERR_CONFLICT;
}

typedef struct {
    db_t *db;
    int64_t now;
    seed_stats_t *st;
} ctx_t;

/* One household of `size` people; *adult gets its first adult. */
static int make_household(ctx_t *c, const char *group, const char *address, const char *room,
                          int size, int64_t *hid_out, int64_t *adult)
{
    int64_t hid, pid, head = 0;
    int rc = registry_insert_household(c->db, group, 0, room, address, c->now, &hid);
    if (rc)
        return rc;
    c->st->households++;
    int head_age = rnd_in(28, 82), head_male = permille(720);
    *adult = 0;
    for (int i = 0; i < size && rc == 0; i++) {
        int male, age;
        const char *rel;
        if (i == 0)
            male = head_male, age = head_age, rel = "户主";
        else if (i == 1)
            male = !head_male, age = head_age + rnd_in(-4, 4), rel = "配偶";
        else if (head_age >= 40 && permille(800))
            male = permille(500), age = rnd_in(3, head_age - 21), rel = "子女";
        else
            male = permille(450), age = head_age + rnd_in(22, 28), rel = "父母";
        if (age > 96)
            age = 96;
        int y = 2026 - age, m = rnd_in(1, 12), d = rnd_in(1, 28);
        char name[64], id18[19], phone[12], tags[96] = "";
        make_name(male, name, sizeof name);
        if ((rc = make_id(c->db, y, m, d, male, id18)) != 0)
            break;
        int has_phone = age >= 16 && permille(820);
        if (has_phone)
            snprintf(phone, sizeof phone, "1%d%09" PRIu64, rnd_in(3, 9),
                     (uint64_t)(rnd() % 1000000000u));
        size_t o = 0;
        if (size == 1 && age >= 65)
            o += (size_t)snprintf(tags + o, sizeof tags - o, "%s独居老人", o ? "," : "");
        if (age >= 18 && permille(70))
            o += (size_t)snprintf(tags + o, sizeof tags - o, "%s党员", o ? "," : "");
        if (i == 0 && permille(40))
            o += (size_t)snprintf(tags + o, sizeof tags - o, "%s低保户", o ? "," : "");
        if (age < 16 && permille(60))
            o += (size_t)snprintf(tags + o, sizeof tags - o, "%s留守儿童", o ? "," : "");
        rc = registry_insert_person(c->db, group, hid, name, id18, has_phone ? phone : NULL, rel,
                                    tags, c->now, &pid);
        if (rc)
            break;
        c->st->people++;
        if (i == 0)
            head = pid;
        if (age >= 18 && !*adult)
            *adult = pid;
    }
    if (rc == 0)
        rc = registry_set_head(c->db, COUNTY, hid, head);
    *hid_out = hid;
    return rc;
}

/* A village seed.c left empty: 2 grids (micro-grids) of 2 household groups each, 20–60
 * households, a household head per group, a grid worker and a party group leader per grid.
 * *cadre gets an adult to serve as the village's 村两委 account. */
static int populate_village(ctx_t *c, const char *code, const char *name, int64_t *cadre)
{
    int nh = rnd_in(20, 60), rc = 0, made = 0;
    *cadre = 0;
    for (int g = 1; g <= 2 && rc == 0; g++) {
        char grid[32], gname[128];
        snprintf(grid, sizeof grid, "%s%02d", code, g);
        snprintf(gname, sizeof gname, "%s第%d网格", name, g);
        if ((rc = region_put(c->db, grid, code, gname, REGION_GRID, "rural", 0, c->now)) != 0)
            break;
        c->st->grids++;
        int64_t worker = 0, leader = 0;
        for (int b = 1; b <= 2 && rc == 0; b++) {
            char group[48], bname[32];
            snprintf(group, sizeof group, "%s%03d", grid, b);
            snprintf(bname, sizeof bname, "第%d联户组", b);
            if ((rc = region_put(c->db, group, grid, bname, REGION_BUILDING, "group", 0, c->now)))
                break;
            c->st->buildings++;
            int share = (nh - made) / (5 - ((g - 1) * 2 + b)), head = 0;
            for (int h = 1; h <= share && rc == 0; h++, made++) {
                static const int sizes[] = {1, 2, 2, 2, 3, 3, 3, 4, 4, 5};
                char room[16], addr[192];
                snprintf(room, sizeof room, "%d号", h);
                snprintf(addr, sizeof addr, "%s%d组%d号", name, g, (b - 1) * 40 + h);
                int64_t hid, adult;
                rc = make_household(c, group, addr, room, sizes[rnd() % N(sizes)], &hid, &adult);
                if (rc || !adult)
                    continue;
                if (!head) {
                    head = 1;
                    rc = registry_add_member(c->db, group, "household_head", adult, 0, c->now);
                    c->st->memberships++;
                } else if (!worker) {
                    worker = adult;
                } else if (!leader) {
                    leader = adult;
                } else if (g == 1 && !*cadre) {
                    *cadre = adult;
                }
            }
        }
        if (rc == 0 && worker) {
            rc = registry_add_member(c->db, grid, "grid_worker", worker, 0, c->now);
            c->st->memberships++;
        }
        if (rc == 0 && leader) {
            rc = registry_add_member(c->db, grid, "party_leader", leader, 0, c->now);
            c->st->memberships++;
        }
    }
    c->st->villages++;
    return rc;
}

/* ---------- accounts ---------- */

typedef struct {
    int64_t id;
    char name[64];
    int role;          /* A_* bit */
    char scope[24];    /* the village, a grid or a household group */
    int64_t household; /* the cadre's own household (0: none): never scored by them */
} sim_actor_t;

static const char SQL_USER[] =
    "SELECT id, name, scope_code, person_id FROM users WHERE username = ?";
static const char SQL_PERSON_HH[] =
    "SELECT household_id FROM people WHERE county = ? AND id = ? AND household_id IS NOT NULL";
static const char SQL_MEMBER[] =
    "SELECT person_id FROM memberships WHERE county = ? AND region_code = ? AND role = ?"
    " ORDER BY id";
static const char SQL_PERSON[] = "SELECT name FROM people WHERE county = ? AND id = ?";

/* The household a cadre's person belongs to (0 when none): the app refuses them scoring it. */
static int person_household(db_t *db, int64_t pid, int64_t *hh)
{
    int found = 0;
    *hh = 0;
    int rc = pid ? db_one_i64(db, SQL_PERSON_HH, hh, &found, S(COUNTY), I(pid)) : 0;
    if (rc == 0 && !found)
        *hh = 0;
    return rc;
}

static int existing_actor(db_t *db, const char *username, int role, sim_actor_t *a)
{
    db_stmt_t *st = db_query(db, SQL_USER, S(username));
    int s = st ? db_step(st) : ERR_IO;
    int64_t person = 0;
    if (s == DB_ROW) {
        a->id = db_col_i64(st, 0);
        snprintf(a->name, sizeof a->name, "%s", db_col_text(st, 1));
        snprintf(a->scope, sizeof a->scope, "%s", db_col_text(st, 2));
        a->role = role;
        person = db_col_i64(st, 3);
    }
    db_reset(st);
    return s == DB_ROW ? person_household(db, person, &a->household) : s < 0 ? s : ERR_NOTFOUND;
}

static int person_name(db_t *db, int64_t pid, char *out, size_t cap)
{
    db_stmt_t *st = db_query(db, SQL_PERSON, S(COUNTY), I(pid));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW)
        snprintf(out, cap, "%s", db_col_text(st, 0));
    db_reset(st);
    return s == DB_ROW ? 0 : s < 0 ? s : ERR_NOTFOUND;
}

static int member_of(db_t *db, const char *region, const char *role, int64_t *pid)
{
    int found = 0;
    *pid = 0;
    int rc = db_one_i64(db, SQL_MEMBER, pid, &found, S(COUNTY), S(region), S(role));
    return rc ? rc : found ? 0 : ERR_NOTFOUND;
}

static const char *pw_hash_demo;

static int new_account(ctx_t *c, const char *username, const char *role, const char *scope,
                       int64_t person, const char *fallback_name, int abit, sim_actor_t *a,
                       err_t *e)
{
    char name[64];
    if (!person || person_name(c->db, person, name, sizeof name) != 0)
        snprintf(name, sizeof name, "%s", fallback_name);
    account_new_t n = {.username = username,
                       .role = role,
                       .scope_code = scope,
                       .person_id = person,
                       .name = name,
                       .must_change = 0,
                       .totp_exempt = 1,
                       .now = c->now,
                       .password_hash = pw_hash_demo};
    int rc = account_create(c->db, NULL, &n, "seed", e);
    if (rc)
        return rc;
    c->st->accounts++;
    if (a) {
        a->id = n.id;
        a->role = abit;
        snprintf(a->name, sizeof a->name, "%s", name);
        snprintf(a->scope, sizeof a->scope, "%s", scope);
        rc = person_household(c->db, person, &a->household);
    }
    return rc;
}

static const seed_account_t named_accounts[SEED_POINTS_NAMED_ACCOUNTS] = {
    {"tuquan.mingxing", "community_admin", "突泉县 积分制", "明星村村两委，“明星·家”店长"},
    {"tuquan.mingxing.resident", "resident", "突泉县 积分制", "明星村居民（有积分）"},
    {"tuquan.limin", "community_admin", "突泉县 积分制", "利民村村两委"},
    {"tuquan.limin.grid1", "grid_worker", "突泉县 积分制", "利民村第1网格"},
    {"tuquan.limin.grid2", "grid_worker", "突泉县 积分制", "利民村第2网格（互检）"},
    {"tuquan.limin.grid3", "grid_worker", "突泉县 积分制", "利民村第3网格"},
    {"tuquan.limin.grid4", "grid_worker", "突泉县 积分制", "利民村第4网格"},
    {"tuquan.shijiazi", "community_admin", "突泉县 积分制", "十家子村村两委（星级文明户）"},
    {"tuquan.fusheng.grid2", "grid_worker", "突泉县 积分制", "福胜村第2网格"},
    {"tuquan.fusheng.grid3", "grid_worker", "突泉县 积分制", "福胜村第3网格"},
    {"tuquan.fusheng.grid4", "grid_worker", "突泉县 积分制", "福胜村第4网格"},
};

int seed_points_accounts(seed_account_t *out)
{
    memcpy(out, named_accounts, sizeof named_accounts);
    return SEED_POINTS_NAMED_ACCOUNTS;
}

/* ---------- the villages on points ---------- */

#define MAX_ACTORS 8

typedef struct {
    char code[16], name[96];
    int households; /* for the budget */
    int64_t budget_fen;
    int64_t ind_id[NSLOTS]; /* 0: none */
    int ind_points[NSLOTS];
    int ind_active[NSLOTS];
    const ind_def_t *ind_def[NSLOTS];
    sim_actor_t actors[MAX_ACTORS];
    int nactors; /* actors[0] is the village admin */
    int64_t goods_id[N(mingxing_goods)];
    int goods_stock[N(mingxing_goods)];
    const goods_def_t *goods;
    int ngoods;
    int resident_hh_index; /* 明星村: the demo resident's household, else -1 */
    sim_actor_t resident;
} village_t;

static const char SQL_VILLAGES[] =
    "SELECT code, name FROM regions WHERE code >= ? AND code < ? AND level = 5"
    " AND kind = 'village' ORDER BY code";

static int is_named(const char *code)
{
    return !strcmp(code, FUSHENG) || !strcmp(code, MINGXING) || !strcmp(code, LIMIN) ||
           !strcmp(code, SHIJIAZI);
}

/* The four named villages and 42 more spread evenly over the county's real villages (the
 * state farm 152224400 is not a village committee and is left out). */
static int choose_villages(db_t *db, village_t *out, err_t *e)
{
    char hi[16];
    region_scope_hi(COUNTY, hi, sizeof hi);
    db_stmt_t *st = db_query(db, SQL_VILLAGES, S(COUNTY), S(hi));
    if (!st)
        return ERR_IO;
    struct {
        char code[16], name[96];
    } *others = log_check_alloc(malloc(sizeof *others * 512));
    int n = 0, named = 0, s, k = 0;
    while ((s = db_step(st)) == DB_ROW) {
        const char *code = db_col_text(st, 0), *name = db_col_text(st, 1);
        if (is_named(code)) {
            snprintf(out[k].code, sizeof out[k].code, "%s", code);
            snprintf(out[k].name, sizeof out[k].name, "%s", name);
            k++, named++;
        } else if (strncmp(code, COUNTY "400", 9) != 0 && n < 512) {
            snprintf(others[n].code, sizeof others[n].code, "%s", code);
            snprintf(others[n].name, sizeof others[n].name, "%s", name);
            n++;
        }
    }
    db_reset(st);
    if (s < 0) {
        free(others);
        return s;
    }
    if (named != 4 || n < NVILLAGES - 4) {
        free(others);
        return err_set(e, ERR_INVALID, "no_divisions", "区划数据中缺少突泉县的示范村", NULL);
    }
    for (int i = 0; i < NVILLAGES - 4; i++, k++) {
        int j = (int)((long)i * n / (NVILLAGES - 4));
        snprintf(out[k].code, sizeof out[k].code, "%s", others[j].code);
        snprintf(out[k].name, sizeof out[k].name, "%s", others[j].name);
    }
    free(others);
    return 0;
}

/* ---------- households of a village, for the simulation ---------- */

enum {
    F_MACHINE = 1,
    F_LIVESTOCK = 2,
    F_ELDERLY = 4,
    F_GARDEN = 8,
    F_PATROL = 16,
    F_HELPER = 32,
    F_CARER = 64,
    F_LOAN = 128,
    F_TOILET = 256
};

typedef struct {
    int64_t id;
    char region[24];
    int grid;  /* micro-grid number, 1.. */
    int trait; /* 0 careless, 1 ordinary, 2 keen */
    unsigned flags;
    int shop_at;   /* redeems when the balance reaches this */
    uint32_t salt; /* the household's own days (ids are time-based: not for this) */
    int64_t balance, honour;
    int count[NSLOTS];
    int64_t key[NSLOTS];
} hh_t;

static const char SQL_HOUSEHOLDS[] =
    "SELECT id, region_code FROM households WHERE county = ? AND region_code >= ?"
    " AND region_code < ? ORDER BY region_code, id";

/* The village's households into out (hh_t, initialised with vec_init; the caller frees it). */
static int load_households(db_t *db, const char *village, vec_t *out)
{
    char hi[24];
    region_scope_hi(village, hi, sizeof hi);
    db_stmt_t *st = db_query(db, SQL_HOUSEHOLDS, S(COUNTY), S(village), S(hi));
    if (!st)
        return ERR_IO;
    int s = DB_DONE, rc = 0;
    while (rc == 0 && (s = db_step(st)) == DB_ROW) {
        hh_t h = {.id = db_col_i64(st, 0)};
        snprintf(h.region, sizeof h.region, "%s", db_col_text(st, 1));
        h.grid = grid_number(h.region);
        rc = vec_push(out, &h);
    }
    db_reset(st);
    return rc ? rc : s < 0 ? s : 0;
}

/* ---------- events ---------- */

enum { EV_AWARD, EV_SHOP, EV_ADJUST, EV_REVERSAL, EV_REFUND, EV_CONFIRM, EV_HOLD };

typedef struct {
    int64_t at;
    int type, hh, ind;
    int64_t ref;    /* reversal: entry id; refund: order id; confirm: pending id */
    int64_t points; /* reversal, refund, adjustment, confirm */
    int aux;        /* refund: goods slot and qty; confirm: awarder and inspector slots */
    int aux2;
} ev_t;

static int ev_cmp(const void *a, const void *b)
{
    const ev_t *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->hh - y->hh;
}

/* Deferred events (reversals, refunds, 互检 confirmations) waiting for their time: kept sorted. */
static int defer_add(vec_t *q, ev_t ev)
{
    int rc = vec_push(q, &ev);
    if (rc)
        return rc;
    ev_t *v = q->p;
    for (size_t i = q->len - 1; i > 0 && v[i - 1].at > v[i].at; i--) {
        ev_t t = v[i];
        v[i] = v[i - 1];
        v[i - 1] = t;
    }
    return 0;
}

/* A probability by trait (careless, ordinary, keen), per mille. */
#define P3(a, b, c) ((const int[3]){a, b, c})

typedef struct {
    ctx_t *c;
    village_t *v;
    int vi; /* index among the 46 */
    hh_t *h;
    int nh;
    int64_t first_day, last_day; /* history: [first_day, last_day] */
    int year0;                   /* the year of first_day */
    int64_t issued[3];           /* points issued per year from year0 */
    int64_t budget_points;
    vec_t plan, later; /* ev_t: the year's plan; deferred events, by time (defer_add) */
    int rc;            /* the first failure to add to the plan (plan_event) */
    int mutual;        /* 利民村 */
    int pairs[MAX_ACTORS][MAX_ACTORS]; /* confirmations this month, awarder × inspector */
    int pair_month;
    long entries, pending_open;
    err_t *e;
} sim_t;

/* An event into the year's plan; a failure (MAX_EVENTS, memory) is kept in s->rc. */
static void plan_event(sim_t *s, ev_t ev)
{
    if (s->rc == 0)
        s->rc = vec_push(&s->plan, &ev);
}

static void plan(sim_t *s, int64_t day, int hh, int ind, int64_t minute_of_day)
{
    ev_t ev = {.at = day_start(day) + minute_of_day * MIN_MS + (int64_t)rnd_in(0, 59) * 1000,
               .type = EV_AWARD,
               .hh = hh,
               .ind = ind};
    plan_event(s, ev);
}

static int chance3(const hh_t *h, const int p[3]) { return permille(p[h->trait]); }

/* What a day of the year holds for the whole village. */
typedef struct {
    int64_t day;
    int m, d, wd;
    int cold, summer;
    int round; /* 入户打分: which half of the households is visited (0, 1), or -1 */
    int snow, volunteer, night, campaign, agri, meeting;
} day_t;

static day_t day_plan(const sim_t *s, int64_t day, int64_t campaign_from, int64_t campaign_to,
                      int *campaign_days)
{
    int y, vi = s->vi;
    day_t t = {.day = day, .wd = weekday(day)};
    civil_from_days(day, &y, &t.m, &t.d);
    int m = t.m, d = t.d, wd = t.wd;
    int winter = m == 12 || m <= 2;
    t.cold = m >= 10 || m <= 4;
    t.summer = m >= 5 && m <= 9;
    /* 入户打分: two rounds a month, each household once. */
    t.round = d == 4 + vi % 5 ? 0 : d == 17 + vi % 7 ? 1 : -1;
    /* County-wide snowfall on some winter days (same for every village). */
    t.snow = winter && ((uint32_t)(day * 2654435761u) >> 11) % 20 == 0;
    t.volunteer = wd == 6 && d <= 7;          /* first Saturday */
    t.night = wd == 3 && (m >= 11 || m <= 3); /* 夜校, Wednesday evenings in winter */
    t.campaign = wd == 6 && day >= campaign_from && day <= campaign_to && *campaign_days < 1;
    *campaign_days += t.campaign;
    t.agri = wd == 2 && (m == 3 || m == 4) && (d > 7 && d <= 14 ? 1 : d > 21 && d <= 28);
    t.meeting = d == 10 && (m == 1 || m == 7);
    return t;
}

/* The round's visit to household i at minute t: what the cadre scores there. */
static void plan_visit(sim_t *s, const day_t *dt, int i, int64_t t)
{
    hh_t *h = &s->h[i];
    int64_t day = dt->day;
    int m = dt->m;
    if (chance3(h, P3(50, 120, 220)))
        plan(s, day, i, I_CLEAN, t);
    if ((h->flags & F_MACHINE) && chance3(h, P3(30, 90, 200)))
        plan(s, day, i, I_MACHINE, t);
    if (dt->cold && chance3(h, P3(20, 70, 150)))
        plan(s, day, i, I_STRAW, t);
    if ((h->flags & F_LIVESTOCK) && chance3(h, P3(30, 80, 160)))
        plan(s, day, i, I_PEN, t);
    if (chance3(h, P3(15, 45, 90)))
        plan(s, day, i, I_GARBAGE, t);
    if ((h->flags & F_ELDERLY) && chance3(h, P3(25, 70, 140)))
        plan(s, day, i, I_FILIAL, t);
    if (dt->summer && (h->flags & F_GARDEN) && chance3(h, P3(30, 80, 160)))
        plan(s, day, i, I_GARDEN, t);
    if ((h->flags & F_CARER) && permille(250))
        plan(s, day, i, I_CARE, t);
    if ((h->flags & F_HELPER) && permille(250))
        plan(s, day, i, I_HELP, t);
    if ((h->flags & F_TOILET) && permille(120))
        plan(s, day, i, I_TOILET, t);
    if (chance3(h, P3(60, 12, 2)))
        plan(s, day, i, I_MESS, t);
    if ((h->flags & F_LIVESTOCK) && chance3(h, P3(30, 8, 1)))
        plan(s, day, i, I_ROAM, t);
    if (chance3(h, P3(20, 4, 0)))
        plan(s, day, i, I_DUMP, t);
    if (chance3(h, P3(8, 2, 0)))
        plan(s, day, i, I_WIRE, t);
    if ((m == 10 || m == 11 || m == 3 || m == 4) && chance3(h, P3(15, 3, 0)))
        plan(s, day, i, I_BURN, t);
    if (s->v->ind_id[I_EXTRA] && s->v->ind_def[I_EXTRA]->period[0] == 'm' &&
        s->v->ind_def[I_EXTRA]->limit_count == 1 && chance3(h, P3(20, 80, 200)))
        plan(s, day, i, I_EXTRA, t);
}

/* The village's activities of the day that household i joins. */
static void plan_activities(sim_t *s, const day_t *dt, int i)
{
    hh_t *h = &s->h[i];
    int64_t day = dt->day;
    if (dt->volunteer && chance3(h, P3(50, 110, 220)))
        plan(s, day, i, I_VOLUNTEER, 11 * 60 + 30);
    if (dt->volunteer && s->v->ind_id[I_EXTRA] && s->v->ind_def[I_EXTRA]->limit_count > 1 &&
        chance3(h, P3(20, 70, 160)))
        plan(s, day, i, I_EXTRA, 11 * 60 + 40);
    if (dt->snow && chance3(h, P3(40, 100, 200)))
        plan(s, day, i, I_SNOW, 10 * 60);
    if (dt->night && chance3(h, P3(8, 35, 90)))
        plan(s, day, i, I_NIGHT, 20 * 60 + 30);
    if (dt->campaign && chance3(h, P3(250, 500, 750)))
        plan(s, day, i, I_CAMPAIGN, 15 * 60);
    if (dt->agri && chance3(h, P3(30, 80, 160)))
        plan(s, day, i, I_AGRI, 16 * 60);
    if (dt->meeting && chance3(h, P3(100, 220, 400)))
        plan(s, day, i, I_MEETING, 17 * 60);
    if (dt->m == 6 && (h->flags & F_PATROL) && dt->wd == 5 && permille(500))
        plan(s, day, i, I_PATROL, 21 * 60);
}

/* Yearly items on their days, for household i. */
static void plan_yearly(sim_t *s, const day_t *dt, int i)
{
    hh_t *h = &s->h[i];
    int64_t day = dt->day;
    int m = dt->m, d = dt->d;
    if (m == 12 && d == 10 + (int)(h->salt % 12) && chance3(h, P3(300, 500, 700)))
        plan(s, day, i, I_INSURE, 10 * 60 + (h->salt % 300));
    if (m == 12 && d == 15 && chance3(h, P3(150, 300, 500)))
        plan(s, day, i, I_TAXFEE, 14 * 60);
    if (m == 12 && d == 20 && (h->flags & F_LOAN) && chance3(h, P3(300, 700, 900)))
        plan(s, day, i, I_LOAN, 15 * 60);
    if (m == 12 && d == 28 && chance3(h, P3(300, 500, 750)))
        plan(s, day, i, I_LAWFUL, 15 * 60 + 30);
    if (m == 12 && d == 28 && chance3(h, P3(15, 2, 0)))
        plan(s, day, i, I_DEFAULT, 15 * 60 + 40);
    if (m == 4 && d == 5 && chance3(h, P3(60, 150, 250)))
        plan(s, day, i, I_TOMB, 16 * 60);
    if (m == 3 && d == 8 && chance3(h, P3(5, 15, 40)))
        plan(s, day, i, I_GOODFAM, 10 * 60);
    if (m == 5 && d == 15 && chance3(h, P3(80, 180, 300)))
        plan(s, day, i, I_ANTIFRAUD, 9 * 60 + 30);
    if (m == 6 && d == 12 + (int)(h->salt % 10) && chance3(h, P3(80, 300, 550)))
        plan(s, day, i, I_YARD, 10 * 60 + (h->salt % 360));
    if (m == 9 && d == 15 + (int)(h->salt % 10) && chance3(h, P3(30, 120, 260)))
        plan(s, day, i, I_YARD, 10 * 60 + (h->salt % 360));
    if (m == 7 && d == 18 && chance3(h, P3(30, 90, 180)))
        plan(s, day, i, I_SPECIAL, 10 * 60);
    if (m == 7 && d == 26 && chance3(h, P3(20, 60, 120)))
        plan(s, day, i, I_RESCUE, 18 * 60);
    if (m == 8 && d == 20 && chance3(h, P3(10, 25, 40)))
        plan(s, day, i, I_COLLEGE, 10 * 60);
}

/* Rare things on any day (about once in some years), and household i's weekly look at the
 * store (on its own weekday). */
static void plan_rare_and_store(sim_t *s, const day_t *dt, int i)
{
    hh_t *h = &s->h[i];
    if (rnd() % 2500 == 0) {
        static const int rare[] = {I_FOUND,  I_MEDIATE, I_REPORT,  I_REPORT, I_BLOOD,
                                   I_SIMPLE, I_CERT,    I_MEDIATE, I_DOWRY,  I_REPORT};
        int which = rare[rnd() % N(rare)];
        plan(s, dt->day, i, which, rnd_in(9 * 60, 17 * 60));
    }
    if (h->trait == 0 && rnd() % 3000 == 0) {
        static const int bad[] = {I_GAMBLE, I_LAVISH, I_NEGLECT};
        plan(s, dt->day, i, bad[rnd() % N(bad)], rnd_in(9 * 60, 17 * 60));
    }
    if (dt->wd == (int)(h->salt % 7)) {
        ev_t ev = {
            .at = day_start(dt->day) + rnd_in(9 * 60, 18 * 60) * MIN_MS, .type = EV_SHOP, .hh = i};
        plan_event(s, ev);
    }
}

/* Corrections by the village admin: a few late entries in the year. */
static void plan_corrections(sim_t *s, const day_t *dt)
{
    int vi = s->vi, m = dt->m, d = dt->d;
    if (d == 26 && (m + vi) % 4 == 0 && s->nh) {
        ev_t ev = {.at = day_start(dt->day) + 16 * HOUR_MS + rnd_in(0, 3599) * 1000LL,
                   .type = EV_ADJUST,
                   .hh = (int)(rnd() % (uint64_t)s->nh),
                   .points = rnd_in(2, 3)};
        plan_event(s, ev);
    }
    if (d == 27 && m == 8 && vi % 9 == 0 && s->nh) {
        ev_t ev = {.at = day_start(dt->day) + 16 * HOUR_MS,
                   .type = EV_ADJUST,
                   .hh = (int)(rnd() % (uint64_t)s->nh),
                   .points = -5};
        plan_event(s, ev);
    }
}

/* The year's plan for a village: door-to-door rounds, village activities, yearly items, and the
 * households' weekly look at the store. 0, or why the plan could not be held (s->rc). */
static int plan_year(sim_t *s, int64_t campaign_from, int64_t campaign_to)
{
    int campaign_days = 0;
    for (int64_t day = s->first_day; day <= s->last_day; day++) {
        day_t dt = day_plan(s, day, campaign_from, campaign_to, &campaign_days);
        int k_round = 0;
        for (int i = 0; i < s->nh; i++) {
            if (dt.round >= 0 && i % 2 == dt.round)
                plan_visit(s, &dt, i, 8 * 60 + 30 + (k_round++ % 70) * 7);
            plan_activities(s, &dt, i);
            plan_yearly(s, &dt, i);
            plan_rare_and_store(s, &dt, i);
        }
        plan_corrections(s, &dt);
    }
    return s->rc;
}

/* ---------- posting ---------- */

static int64_t period_key(const char *period, int64_t at)
{
    int y, m, d;
    int64_t day = day_of(at);
    civil_from_days(day, &y, &m, &d);
    switch (period[0]) {
    case 'd': return day;
    case 'm': return y * 12 + m;
    case 'y': return y;
    default: return 0; /* once */
    }
}

/* Room under the limit for household h and indicator slot k at `at`: counts it when there is. */
static int take_limit(sim_t *s, hh_t *h, int k, int64_t at)
{
    const ind_def_t *def = s->v->ind_def[k];
    int64_t key = period_key(def->period, at);
    if (h->key[k] != key || h->count[k] == 0) {
        h->key[k] = key;
        h->count[k] = 0;
    }
    if (def->limit_count && h->count[k] >= def->limit_count)
        return 0;
    h->count[k]++;
    return 1;
}

static int grid_of_actor(const sim_actor_t *a) { return grid_number(a->scope); }

/* Who scores household h on indicator k: a cadre whose role the indicator allows and whose scope
 * holds the household; grid-level cadres do most of the rounds where there are any. Nobody
 * scores their own household (award.c refuses it): -1 when only its own member could. */
static int pick_actor(sim_t *s, const hh_t *h, int k)
{
    village_t *v = s->v;
    int cand[MAX_ACTORS], nc = 0;
    for (int i = 1; i < v->nactors; i++)
        if ((v->actors[i].role & v->ind_def[k]->awarders) && v->actors[i].household != h->id &&
            strncmp(h->region, v->actors[i].scope, strlen(v->actors[i].scope)) == 0)
            cand[nc++] = i;
    if (nc && permille(800))
        return cand[rnd() % (uint64_t)nc];
    if (v->actors[0].household != h->id)
        return 0;
    return nc ? cand[0] : -1;
}

static int post(sim_t *s, ledger_post_t *p)
{
    p->village = s->v->code;
    int rc = ledger_post(s->c->db, p, s->e);
    if (rc == 0)
        s->entries++;
    return rc;
}

static int year_slot(sim_t *s, int64_t at) { return ledger_year_of(at) - s->year0; }

static int budget_room(sim_t *s, int64_t at, int64_t points)
{
    return s->issued[year_slot(s, at)] + points <= s->budget_points;
}

static const char SQL_PENDING[] =
    "INSERT INTO points_pending (id, county, village_code, household_id, indicator_id, points,"
    " note, photos, awarder_id, awarder_name, awarder_grid, household_grid, state, decided_by,"
    " decided_name, decided_at, decided_grid, reason, entry_id, created_at)"
    " VALUES (?,?,?,?,?,?,NULL,NULL,?,?,?,?,?,?,?,?,?,?,?,?)";

static void bind_i(db_stmt_t *st, int i, int64_t v)
{
    if (v)
        db_bind_i64(st, i, v);
    else
        db_bind_null(st, i);
}

static int write_pending(sim_t *s, const hh_t *h, int k, const sim_actor_t *by, const char *state,
                         const sim_actor_t *decider, int64_t decided_at, const char *reason,
                         int64_t entry_id, int64_t created_at)
{
    db_stmt_t *st = db_prepare(s->c->db, SQL_PENDING);
    if (!st)
        return ERR_IO;
    char hgrid[16], agrid[16], dgrid[16];
    snprintf(hgrid, sizeof hgrid, "%.14s", h->region);
    snprintf(agrid, sizeof agrid, "%.14s", by->scope);
    if (decider)
        snprintf(dgrid, sizeof dgrid, "%.14s", decider->scope);
    db_bind_i64(st, 1, idgen_next());
    db_bind_text(st, 2, COUNTY, -1);
    db_bind_text(st, 3, s->v->code, -1);
    db_bind_i64(st, 4, h->id);
    db_bind_i64(st, 5, s->v->ind_id[k]);
    db_bind_i64(st, 6, s->v->ind_points[k]);
    db_bind_i64(st, 7, by->id);
    db_bind_text(st, 8, by->name, -1);
    db_bind_text(st, 9, strlen(by->scope) >= 14 ? agrid : NULL, -1);
    db_bind_text(st, 10, hgrid, -1);
    db_bind_text(st, 11, state, -1);
    bind_i(st, 12, decider ? decider->id : 0);
    db_bind_text(st, 13, decider ? decider->name : NULL, -1);
    bind_i(st, 14, decider ? decided_at : 0);
    db_bind_text(st, 15, decider && strlen(decider->scope) >= 14 ? dgrid : NULL, -1);
    db_bind_text(st, 16, reason, -1);
    bind_i(st, 17, entry_id);
    db_bind_i64(st, 18, created_at);
    int r = db_step(st);
    db_reset(st);
    return r < 0 ? r : 0;
}

/* 利民村: an inspector of another micro-grid than the household's and the awarder's, not yet at
 * the pair limit this month; -1 if none. */
static int pick_inspector(sim_t *s, const hh_t *h, int awarder, int64_t at)
{
    int y, m, d;
    civil_from_days(day_of(at), &y, &m, &d);
    if (s->pair_month != y * 12 + m) {
        memset(s->pairs, 0, sizeof s->pairs);
        s->pair_month = y * 12 + m;
    }
    int best = -1;
    for (int i = 1; i < s->v->nactors; i++) {
        const sim_actor_t *a = &s->v->actors[i];
        int g = grid_of_actor(a);
        if (!g || g == h->grid || i == awarder || g == grid_of_actor(&s->v->actors[awarder]) ||
            a->household == h->id)
            continue;
        if (s->pairs[awarder][i] >= PAIR_LIMIT)
            continue;
        if (best < 0 || s->pairs[awarder][i] < s->pairs[awarder][best])
            best = i;
    }
    return best;
}

static int do_award(sim_t *s, ev_t *ev)
{
    village_t *v = s->v;
    hh_t *h = &s->h[ev->hh];
    int k = ev->ind;
    if (!v->ind_id[k] || !v->ind_active[k])
        return 0;
    int64_t pts = v->ind_points[k];
    if (pts < 0 && h->balance + pts < 0)
        return 0; /* a deduction never takes a balance below zero */
    if (pts > 0 && !budget_room(s, ev->at, pts))
        return 0;
    if (!take_limit(s, h, k, ev->at))
        return 0;
    int who = pick_actor(s, h, k);
    if (who < 0)
        return 0;
    if (s->mutual) {
        /* 互检: the award waits until an inspector of another micro-grid confirms it. */
        int insp = pick_inspector(s, h, who, ev->at);
        if (insp < 0)
            return 0;
        s->pairs[who][insp]++;
        int64_t when = ev->at + rnd_in(40, 200) * MIN_MS;
        int64_t award_day = day_start(day_of(ev->at));
        if (when - award_day >= 21 * HOUR_MS) /* evening awards are confirmed the next morning */
            when = award_day + DAY_MS + 8 * HOUR_MS + rnd_in(0, 90) * MIN_MS;
        int hold = ev->type == EV_HOLD || when >= s->c->now;
        if (hold) {
            s->pending_open++;
            return write_pending(s, h, k, &v->actors[who], "pending", NULL, 0, NULL, 0, ev->at);
        }
        ev_t c = {.at = when,
                  .type = EV_CONFIRM,
                  .hh = ev->hh,
                  .ind = k,
                  .ref = ev->at,
                  .aux = who,
                  .aux2 = insp,
                  .points = pts};
        return defer_add(&s->later, c);
    }
    ledger_post_t p = {.household_id = h->id,
                       .kind = "award",
                       .points = pts,
                       .honour = pts,
                       .indicator_id = v->ind_id[k],
                       .actor_id = v->actors[who].id,
                       .actor_name = v->actors[who].name,
                       .at = ev->at};
    int rc = post(s, &p);
    if (rc)
        return rc;
    h->balance += pts;
    h->honour += pts;
    if (pts > 0)
        s->issued[year_slot(s, ev->at)] += pts;
    /* Now and then an award turns out wrong and the village admin reverses it. */
    if (pts > 0 && permille(6)) {
        ev_t r = {.at = day_start(day_of(ev->at) + rnd_in(1, 4)) + rnd_in(9 * 60, 17 * 60) * MIN_MS,
                  .type = EV_REVERSAL,
                  .hh = ev->hh,
                  .ind = k,
                  .ref = p.id,
                  .points = pts};
        if (r.at < s->c->now)
            return defer_add(&s->later, r);
    }
    return 0;
}

static const char *const reject_reasons[] = {"现场复核：院内仍有杂物，不符合标准",
                                             "照片与实际情况不符", "该户本月此项已计分，重复申报"};

static int do_confirm(sim_t *s, ev_t *ev)
{
    village_t *v = s->v;
    hh_t *h = &s->h[ev->hh];
    int k = ev->ind;
    const sim_actor_t *by = &v->actors[ev->aux], *insp = &v->actors[ev->aux2];
    int64_t pts = ev->points;
    int ok = !permille(30) && (pts > 0 ? budget_room(s, ev->at, pts) : h->balance + pts >= 0);
    if (!ok)
        return write_pending(s, h, k, by, "rejected", insp, ev->at,
                             reject_reasons[rnd() % N(reject_reasons)], 0, ev->ref);
    ledger_post_t p = {.household_id = h->id,
                       .kind = "award",
                       .points = pts,
                       .honour = pts,
                       .indicator_id = v->ind_id[k],
                       .actor_id = by->id,
                       .actor_name = by->name,
                       .at = ev->at};
    int rc = post(s, &p);
    if (rc)
        return rc;
    h->balance += pts;
    h->honour += pts;
    if (pts > 0)
        s->issued[year_slot(s, ev->at)] += pts;
    return write_pending(s, h, k, by, "confirmed", insp, ev->at, NULL, p.id, ev->ref);
}

static int do_reversal(sim_t *s, ev_t *ev)
{
    hh_t *h = &s->h[ev->hh];
    if (h->balance < ev->points)
        return 0; /* already spent: left standing (a negative adjustment would be the way) */
    if (s->v->actors[0].household == h->id)
        return 0; /* the admin's own household: left for the town to correct */
    char reason[160];
    snprintf(reason, sizeof reason, "误录冲正：经核实该户不符合“%s”的标准",
             s->v->ind_def[ev->ind]->name);
    ledger_post_t p = {.household_id = h->id,
                       .kind = "reversal",
                       .points = -ev->points,
                       .honour = -ev->points,
                       .indicator_id = s->v->ind_id[ev->ind],
                       .reverses = ev->ref,
                       .reason = reason,
                       .actor_id = s->v->actors[0].id,
                       .actor_name = s->v->actors[0].name,
                       .at = ev->at};
    int rc = post(s, &p);
    if (rc)
        return rc;
    h->balance -= ev->points;
    h->honour -= ev->points;
    s->issued[year_slot(s, ev->at)] -= ev->points;
    return 0;
}

static int do_adjust(sim_t *s, ev_t *ev)
{
    hh_t *h = &s->h[ev->hh];
    int64_t pts = ev->points;
    if (pts < 0 && h->balance + pts < 0)
        return 0;
    if (s->v->actors[0].household == h->id)
        return 0; /* nobody corrects their own household's points */
    if (pts > 0 && !budget_room(s, ev->at, pts))
        return 0;
    int y, m, d;
    civil_from_days(day_of(ev->at), &y, &m, &d);
    char reason[160];
    if (pts > 0)
        snprintf(reason, sizeof reason, "补录：%d月志愿服务活动签到表漏记，经村两委核实补记",
                 m > 1 ? m - 1 : 12);
    else
        snprintf(reason, sizeof reason, "核减：重复计分（%d月村两委会议核实）", m);
    ledger_post_t p = {.household_id = h->id,
                       .kind = "adjustment",
                       .points = pts,
                       .honour = pts,
                       .reason = reason,
                       .actor_id = s->v->actors[0].id,
                       .actor_name = s->v->actors[0].name,
                       .at = ev->at};
    int rc = post(s, &p);
    if (rc)
        return rc;
    h->balance += pts;
    h->honour += pts;
    if (pts > 0)
        s->issued[year_slot(s, ev->at)] += pts;
    return 0;
}

static const char SQL_ORDER[] =
    "INSERT INTO points_orders (id, county, village_code, household_id, goods_id, qty, points,"
    " state, code_hash, code_enc, requested_by, created_at, expires_at, closed_at, closed_by)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static int do_shop(sim_t *s, ev_t *ev)
{
    village_t *v = s->v;
    hh_t *h = &s->h[ev->hh];
    int demo = ev->hh == v->resident_hh_index;
    if (h->balance < h->shop_at || !permille(demo ? 250 : 400))
        return 0;
    int start = (int)(rnd() % (uint64_t)v->ngoods), g = -1;
    for (int i = 0; i < v->ngoods && g < 0; i++) {
        int j = (start + i) % v->ngoods;
        if (v->goods[j].price <= h->balance && v->goods_stock[j] > 0)
            g = j;
    }
    if (g < 0)
        return 0;
    int qty = v->goods[g].price <= 10 && h->balance >= 2 * v->goods[g].price &&
                      v->goods_stock[g] >= 2 && permille(400)
                  ? 2
                  : 1;
    int64_t pts = (int64_t)v->goods[g].price * qty;
    /* What became of it: handed over at the counter, cancelled, or left to expire (7 days). */
    int fate = permille(40) ? 1 : permille(20) ? 2 : 0;
    int64_t expires = ev->at + 7 * DAY_MS, closed;
    if (fate == 2 && expires >= s->c->now)
        fate = 0;
    closed = fate == 0   ? ev->at + rnd_in(3, 90) * MIN_MS
             : fate == 1 ? day_start(day_of(ev->at) + 1) + rnd_in(8 * 60, 20 * 60) * MIN_MS
                         : expires;
    if (closed >= s->c->now)
        fate = 0, closed = ev->at + 3 * MIN_MS;
    int64_t order = idgen_next();
    char code[16], code_hash[65];
    /* 10 digits as handover.c makes them; one draw, so the rest of the demo stays as it was. */
    snprintf(code, sizeof code, "%010" PRIu64, rnd() % 10000000000u);
    crypto_field_hash(registry_keys(), code, strlen(code), code_hash); /* as handover.c */
    char *code_enc = crypto_field_encrypt(registry_keys(), code, strlen(code));
    if (!code_enc)
        return ERR_NOMEM;
    int64_t requester = demo ? v->resident.id : v->actors[0].id;
    static const char *const states[] = {"handed_over", "cancelled", "expired"};
    int rc = fate == 2
                 ? db_run(s->c->db, SQL_ORDER, I(order), S(COUNTY), S(v->code), I(h->id),
                          I(v->goods_id[g]), I((int64_t)qty), I(pts), S(states[fate]), S(code_hash),
                          S(code_enc), I(requester), I(ev->at), I(expires), I(closed), NUL)
                 : db_run(s->c->db, SQL_ORDER, I(order), S(COUNTY), S(v->code), I(h->id),
                          I(v->goods_id[g]), I((int64_t)qty), I(pts), S(states[fate]), S(code_hash),
                          S(code_enc), I(requester), I(ev->at), I(expires), I(closed),
                          I(fate == 0 ? v->actors[0].id : requester));
    free(code_enc);
    if (rc)
        return rc;
    ledger_post_t p = {.household_id = h->id,
                       .kind = "redemption",
                       .points = -pts,
                       .honour = 0,
                       .order_id = order,
                       .actor_id = requester,
                       .actor_name = demo ? v->resident.name : v->actors[0].name,
                       .at = ev->at};
    if ((rc = post(s, &p)) != 0)
        return rc;
    h->balance -= pts;
    v->goods_stock[g] -= qty;
    if (fate) {
        ev_t r = {.at = closed,
                  .type = EV_REFUND,
                  .hh = ev->hh,
                  .ref = order,
                  .points = pts,
                  .aux = g,
                  .aux2 = qty * 4 + fate};
        return defer_add(&s->later, r);
    }
    return 0;
}

static int do_refund(sim_t *s, ev_t *ev)
{
    hh_t *h = &s->h[ev->hh];
    int fate = ev->aux2 % 4, qty = ev->aux2 / 4;
    int demo = ev->hh == s->v->resident_hh_index;
    /* As points_store.c posts them: the canceller, or the system when the code ran out. */
    ledger_post_t p = {.household_id = h->id,
                       .kind = "refund",
                       .points = ev->points,
                       .honour = 0,
                       .order_id = ev->ref,
                       .at = ev->at,
                       .actor_name = "系统（订单过期）"};
    if (fate == 1) {
        p.actor_id = demo ? s->v->resident.id : s->v->actors[0].id;
        p.actor_name = demo ? s->v->resident.name : s->v->actors[0].name;
    }
    int rc = post(s, &p);
    if (rc)
        return rc;
    h->balance += ev->points;
    s->v->goods_stock[ev->aux] += qty;
    return 0;
}

static int run_event(sim_t *s, ev_t *ev)
{
    switch (ev->type) {
    case EV_AWARD:
    case EV_HOLD: return do_award(s, ev);
    case EV_SHOP: return do_shop(s, ev);
    case EV_ADJUST: return do_adjust(s, ev);
    case EV_REVERSAL: return do_reversal(s, ev);
    case EV_REFUND: return do_refund(s, ev);
    case EV_CONFIRM: return do_confirm(s, ev);
    }
    return 0;
}

/* The plan in time order, with the deferred events it makes as their time comes. */
static int simulate(sim_t *s)
{
    ev_t *plan = s->plan.p; /* nothing adds to the plan from here on */
    if (s->plan.len)
        qsort(plan, s->plan.len, sizeof *plan, ev_cmp);
    int rc = 0;
    size_t i = 0;
    while (rc == 0 && (i < s->plan.len || s->later.len)) {
        ev_t ev;
        const ev_t *later = s->later.p;
        if (s->later.len && (i >= s->plan.len || later[0].at <= plan[i].at)) {
            ev = later[0];
            vec_remove(&s->later, 0);
        } else {
            ev = plan[i++];
        }
        if (ev.at >= s->c->now)
            continue;
        rc = run_event(s, &ev);
    }
    return rc;
}

/* ---------- writing the set-up ---------- */

static const char SQL_SETTINGS[] =
    "INSERT INTO points_settings (village_code, county, fen_per_point, mutual_check, expiry,"
    " pair_threshold, last_seq, last_hash, updated_at) VALUES (?,?,?,?,?,?,0,'',?)";
static const char SQL_BUDGET[] =
    "INSERT INTO points_budgets (village_code, year, budget_fen) VALUES (?,?,?)";
static const char SQL_STAR[] =
    "INSERT INTO points_stars (village_code, level, min_honour) VALUES (?,?,?)";
static const char SQL_INDICATOR[] =
    "INSERT INTO points_indicators (id, county, village_code, group_name, name, points,"
    " evidence_required, awarders, limit_count, limit_period, valid_from, valid_to, active,"
    " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_GOODS[] =
    "INSERT INTO points_goods (id, county, village_code, name, photo_id, price_points, stock,"
    " cost_fen, active, created_at, updated_at) VALUES (?,?,?,?,NULL,?,?,?,1,?,?)";
static const char SQL_STOCK[] = "UPDATE points_goods SET stock = ?, updated_at = ? WHERE id = ?";
static const char SQL_COUNT_HH[] =
    "SELECT COUNT(*) FROM households WHERE county = ? AND region_code >= ? AND region_code < ?";

static int put_indicator(ctx_t *c, const char *village, const ind_def_t *d, int points, int active,
                         const char *from, const char *to, int64_t created, int64_t *id)
{
    char aw[96];
    awarders_text(d->awarders, aw, sizeof aw);
    *id = idgen_next();
    return db_run(c->db, SQL_INDICATOR, I(*id), S(COUNTY), S(village), S(d->group), S(d->name),
                  I((int64_t)points), I((int64_t)d->evidence), S(aw), I((int64_t)d->limit_count),
                  S(d->period), S(from), S(to), I((int64_t)active), I(created), I(created));
}

/* Star thresholds of 十家子村 on honour (lifetime points earned): 一星 … 五星. */
static const int64_t stars[5] = {20, 30, 40, 50, 60};

/* The demo's time frame: the 365 days before today (China time); the program started a month
 * earlier. */
typedef struct {
    int64_t first_day, last_day; /* the history */
    int64_t started;             /* when the villages went on points */
    int y0, y1;                  /* the years of first_day and of today */
    /* The 春节后 clean-up campaign: February–March of the latest year inside the history, as
     * the indicator's validity dates and as the days it is held. */
    char camp_from[16], camp_to[16];
    int64_t campaign_from, campaign_to;
} window_t;

static window_t window_of(int64_t now)
{
    window_t w;
    int64_t today = day_of(now);
    w.first_day = today - 365;
    w.last_day = today - 1;
    w.started = day_start(w.first_day - 30) + 9 * HOUR_MS;
    int m0, d0, m1, d1;
    civil_from_days(w.first_day, &w.y0, &m0, &d0);
    civil_from_days(today, &w.y1, &m1, &d1);
    int cy = m1 >= 4 ? w.y1 : w.y1 - 1;
    snprintf(w.camp_from, sizeof w.camp_from, "%04d-02-01", cy);
    snprintf(w.camp_to, sizeof w.camp_to, "%04d-03-31", cy);
    w.campaign_from = civil_to_days(cy, 2, 8);
    w.campaign_to = civil_to_days(cy, 3, 31);
    return w;
}

/* Households: seed.c populated the four named villages; the others get a modest set and a 村两委
 * account. Every village's households are counted for its budget. */
static int populate_villages(ctx_t *c, village_t *v, err_t *e)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < NVILLAGES; i++) {
        int64_t cadre = 0;
        if (!is_named(v[i].code)) {
            rc = populate_village(c, v[i].code, v[i].name, &cadre);
            if (rc)
                break;
            char user[48], fallback[128];
            snprintf(user, sizeof user, "tuquan.v%s", v[i].code);
            snprintf(fallback, sizeof fallback, "%s村两委", v[i].name);
            v[i].nactors = 1;
            rc = new_account(c, user, "community_admin", v[i].code, cadre, fallback, A_ADMIN,
                             &v[i].actors[0], e);
        }
        char hi[24];
        region_scope_hi(v[i].code, hi, sizeof hi);
        int64_t nh = 0;
        int found;
        if (rc == 0)
            rc = db_one_i64(c->db, SQL_COUNT_HH, &nh, &found, S(COUNTY), S(v[i].code), S(hi));
        v[i].households = (int)nh;
        v[i].resident_hh_index = -1;
    }
    return rc;
}

/* An account for the grid worker of grid (the member found there, else a named stand-in). */
static int grid_account(ctx_t *c, village_t *v, const char *grid, const char *user,
                        const char *fallback, err_t *e)
{
    int64_t pid = 0;
    int rc = member_of(c->db, grid, "grid_worker", &pid);
    if (rc == ERR_NOTFOUND)
        rc = 0, pid = 0;
    return rc ? rc
              : new_account(c, user, "grid_worker", grid, pid, fallback, A_GRID,
                            &v->actors[v->nactors++], e);
}

/* 福胜村: seed.c's demo accounts, and grid workers of grids 2–4 so that the rounds there are
 * not all the admin's. */
static int fusheng_cadres(ctx_t *c, village_t *v, err_t *e)
{
    static const struct {
        const char *user;
        int role;
    } f[] = {{"tuquan.community", A_ADMIN},
             {"tuquan.grid", A_GRID},
             {"tuquan.party", A_PARTY},
             {"tuquan.head", A_HEAD}};
    int rc = 0;
    for (int k = 0; rc == 0 && k < N(f); k++)
        rc = existing_actor(c->db, f[k].user, f[k].role, &v->actors[v->nactors++]);
    if (rc == ERR_NOTFOUND)
        rc = err_set(e, ERR_INVALID, "invalid", "缺少突泉县的演示账号", NULL);
    for (int g = 2; rc == 0 && g <= 4; g++) {
        char grid[32], u[48], fallback[64];
        snprintf(grid, sizeof grid, "%s%02d", v->code, g);
        snprintf(u, sizeof u, "tuquan.fusheng.grid%d", g);
        snprintf(fallback, sizeof fallback, "福胜村第%d网格网格员", g);
        rc = grid_account(c, v, grid, u, fallback, e);
    }
    return rc;
}

/* 明星村, 利民村, 十家子村: a 村两委 member as the village admin (the grid-2 party group leader:
 * the grid-1 cadres have their own accounts), and in 利民村 a grid worker per micro-grid. */
static int named_cadres(ctx_t *c, village_t *v, err_t *e)
{
    const char *user = !strcmp(v->code, MINGXING) ? "tuquan.mingxing"
                       : !strcmp(v->code, LIMIN)  ? "tuquan.limin"
                                                  : "tuquan.shijiazi";
    char grid[32], fallback[128];
    snprintf(grid, sizeof grid, "%s02", v->code);
    snprintf(fallback, sizeof fallback, "%s村两委", v->name);
    int64_t pid = 0;
    int rc = member_of(c->db, grid, "party_leader", &pid);
    if (rc == ERR_NOTFOUND)
        rc = 0;
    v->nactors = 1;
    rc = rc ? rc
            : new_account(c, user, "community_admin", v->code, pid, fallback, A_ADMIN,
                          &v->actors[0], e);
    for (int g = 1; rc == 0 && !strcmp(v->code, LIMIN) && g <= 4; g++) {
        char u[48];
        snprintf(grid, sizeof grid, "%s%02d", v->code, g);
        snprintf(u, sizeof u, "tuquan.limin.grid%d", g);
        snprintf(fallback, sizeof fallback, "利民村第%d网格网格员", g);
        rc = grid_account(c, v, grid, u, fallback, e);
    }
    return rc;
}

/* The named villages' cadres: 福胜村's existing demo accounts; new ones for the others. */
static int named_village_cadres(ctx_t *c, village_t *v, err_t *e)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < NVILLAGES; i++) {
        if (!strcmp(v[i].code, FUSHENG))
            rc = fusheng_cadres(c, &v[i], e);
        else if (!strcmp(v[i].code, MINGXING) || !strcmp(v[i].code, SHIJIAZI) ||
                 !strcmp(v[i].code, LIMIN))
            rc = named_cadres(c, &v[i], e);
    }
    return rc;
}

/* Budgets: 25,000 元 each plus 450,000 元 by households, in hundreds of 元, exact. */
static void share_budgets(village_t *v)
{
    long units = BUDGET_YUAN / 100 - NVILLAGES * (BASE_YUAN / 100), hh = 0, given = 0;
    for (int i = 0; i < NVILLAGES; i++)
        hh += v[i].households;
    long share[NVILLAGES];
    for (int i = 0; i < NVILLAGES; i++) {
        share[i] = hh ? units * v[i].households / hh : 0;
        given += share[i];
    }
    for (int i = 0; given < units; i = (i + 1) % NVILLAGES, given++)
        share[i]++;
    for (int i = 0; i < NVILLAGES; i++)
        v[i].budget_fen = (BASE_YUAN / 100 + share[i]) * 100 * 100;
}

/* Settings, budgets, stars. Every village lets points lapse at the end of the next year. */
static int write_settings(db_t *db, const village_t *v, const window_t *w)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < NVILLAGES; i++) {
        int mutual = !strcmp(v[i].code, LIMIN);
        rc = db_run(db, SQL_SETTINGS, S(v[i].code), S(COUNTY), I((int64_t)FEN_PER_POINT),
                    I((int64_t)mutual), S("end_of_next_year"), I((int64_t)20), I(w->started));
        for (int y = w->y0; rc == 0 && y <= w->y1; y++)
            rc = db_run(db, SQL_BUDGET, S(v[i].code), I((int64_t)y), I(v[i].budget_fen));
        for (int l = 0; rc == 0 && !strcmp(v[i].code, SHIJIAZI) && l < 5; l++)
            rc = db_run(db, SQL_STAR, S(v[i].code), I((int64_t)(l + 1)), I(stars[l]));
    }
    return rc;
}

/* A village's catalogue, copied from the template with its own changes (locals). */
static int write_catalogue(ctx_t *c, village_t *v, const window_t *w)
{
    const local_t *lo = NULL;
    for (int l = 0; l < N(locals); l++)
        if (!strcmp(locals[l].village, v->code))
            lo = &locals[l];
    int rc = 0;
    for (int k = 0; rc == 0 && k < NIND; k++) {
        int pts = catalogue[k].points, active = 1, camp = k == I_CAMPAIGN;
        if (lo && lo->reprice == k)
            pts = lo->new_points;
        if (lo && lo->retire == k)
            active = 0;
        v->ind_def[k] = &catalogue[k];
        v->ind_points[k] = pts;
        v->ind_active[k] = active;
        rc = put_indicator(c, v->code, &catalogue[k], pts, active, camp ? w->camp_from : NULL,
                           camp ? w->camp_to : NULL, w->started, &v->ind_id[k]);
    }
    if (rc == 0 && lo) {
        v->ind_def[I_EXTRA] = &lo->extra;
        v->ind_points[I_EXTRA] = lo->extra.points;
        v->ind_active[I_EXTRA] = 1;
        rc = put_indicator(c, v->code, &lo->extra, lo->extra.points, 1, NULL, NULL,
                           w->started + 20 * DAY_MS, &v->ind_id[I_EXTRA]);
    }
    return rc;
}

/* The county template, and each village's catalogue copied from it. */
static int write_catalogues(ctx_t *c, village_t *v, const window_t *w)
{
    int rc = 0;
    for (int k = 0; rc == 0 && k < NIND; k++) {
        int64_t id;
        int camp = k == I_CAMPAIGN;
        rc = put_indicator(c, COUNTY, &catalogue[k], catalogue[k].points, 1,
                           camp ? w->camp_from : NULL, camp ? w->camp_to : NULL,
                           w->started - DAY_MS, &id);
    }
    for (int i = 0; rc == 0 && i < NVILLAGES; i++)
        rc = write_catalogue(c, &v[i], w);
    return rc;
}

/* Stores: "明星·家" in 明星村, a small 积分超市 everywhere else. */
static const char SQL_GOODS_PHOTO[] = "UPDATE points_goods SET photo_id = ? WHERE id = ?";

/* The goods' picture (seed_goods.c), uploaded by the village admin as the console would. */
static int goods_picture(db_t *db, const village_t *v, int g, int64_t at, err_t *e)
{
    seed_picture_t pic;
    int rc = seed_goods_picture(v->goods[g].name, &pic, e);
    if (rc == ERR_NOTFOUND)
        return 0; /* no emoji for it, or the package is not installed: no picture */
    actor_t admin = {.id = v->actors[0].id};
    snprintf(admin.scope, sizeof admin.scope, "%s", v->code);
    snprintf(admin.county, sizeof admin.county, "%s", COUNTY);
    if (rc == 0)
        rc = photos_record(db, &admin, pic.id, pic.bytes, pic.width, pic.height, at);
    return rc ? rc : db_run(db, SQL_GOODS_PHOTO, S(pic.id), I(v->goods_id[g]));
}

static int write_stores(db_t *db, village_t *v, const window_t *w, err_t *e)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < NVILLAGES; i++) {
        int mx = !strcmp(v[i].code, MINGXING);
        v[i].goods = mx ? mingxing_goods : village_goods;
        v[i].ngoods = mx ? N(mingxing_goods) : N(village_goods);
        for (int g = 0; rc == 0 && g < v[i].ngoods; g++) {
            v[i].goods_id[g] = idgen_next();
            v[i].goods_stock[g] = v[i].goods[g].stock;
            rc = db_run(db, SQL_GOODS, I(v[i].goods_id[g]), S(COUNTY), S(v[i].code),
                        S(v[i].goods[g].name), I((int64_t)v[i].goods[g].price),
                        I((int64_t)v[i].goods[g].stock), I((int64_t)v[i].goods[g].cost_fen),
                        I(w->started), I(w->started));
            if (rc == 0)
                rc = goods_picture(db, &v[i], g, w->started, e);
        }
    }
    return rc;
}

/* Each household's habits: how keen it is, what it has, when it shops. */
static void draw_households(sim_t *s)
{
    for (int k = 0; k < s->nh; k++) {
        hh_t *h = &s->h[k];
        int r = (int)(rnd() % 100);
        h->trait = r < 25 ? 0 : r < 75 ? 1 : 2;
        unsigned f = 0;
        f |= permille(600) ? F_MACHINE : 0;
        f |= permille(450) ? F_LIVESTOCK : 0;
        f |= permille(350) ? F_ELDERLY : 0;
        f |= permille(700) ? F_GARDEN : 0;
        f |= permille(80) ? F_PATROL : 0;
        f |= permille(50) ? F_HELPER : 0;
        f |= permille(50) ? F_CARER : 0;
        f |= permille(300) ? F_LOAN : 0;
        f |= permille(60) ? F_TOILET : 0;
        h->flags = f;
        h->shop_at = rnd_in(20, 70);
        h->salt = (uint32_t)(rnd() >> 32);
    }
}

/* 明星村's demo resident: a keen household of grid 1 with an account. */
static int demo_resident(sim_t *s)
{
    static const char SQL_HEAD[] =
        "SELECT head_person_id FROM households WHERE county = ? AND id = ?";
    int k = 4;
    s->h[k].trait = 2;
    s->h[k].flags |= F_MACHINE | F_GARDEN | F_ELDERLY;
    s->h[k].shop_at = 30;
    s->v->resident_hh_index = k;
    int64_t pid = 0;
    int found = 0;
    int rc = db_one_i64(s->c->db, SQL_HEAD, &pid, &found, S(COUNTY), I(s->h[k].id));
    if (rc == 0)
        rc = new_account(s->c, "tuquan.mingxing.resident", "resident", s->h[k].region, pid,
                         "明星村居民", 0, &s->v->resident, s->e);
    return rc;
}

/* 利民村: yesterday afternoon's round is still waiting for 互检 (something to confirm). */
static void hold_for_check(sim_t *s)
{
    int made = 0;
    for (int k = 0; k < s->nh && made < 8; k += 9, made++) {
        ev_t ev = {.at = day_start(s->last_day) + (15 * 60 + made * 11) * MIN_MS,
                   .type = EV_HOLD,
                   .hh = k,
                   .ind = made % 2 ? I_REPORT : I_VOLUNTEER};
        plan_event(s, ev);
    }
}

/* A year of scoring and redemptions in village i; *entries and *pending count what it made. */
static int simulate_village(ctx_t *c, village_t *v, int i, const window_t *w, long *entries,
                            long *pending, err_t *e)
{
    sim_t s = {.c = c,
               .v = v,
               .vi = i,
               .first_day = w->first_day,
               .last_day = w->last_day,
               .year0 = w->y0,
               .budget_points = v->budget_fen / FEN_PER_POINT,
               .e = e,
               .mutual = !strcmp(v->code, LIMIN)};
    vec_t households;
    vec_init(&households, sizeof(hh_t), MAX_HOUSEHOLDS);
    vec_init(&s.plan, sizeof(ev_t), MAX_EVENTS);
    vec_init(&s.later, sizeof(ev_t), MAX_EVENTS);
    int rc = load_households(c->db, v->code, &households);
    if (rc)
        goto out;
    s.h = households.p;
    s.nh = (int)households.len;
    draw_households(&s);
    if (!strcmp(v->code, MINGXING) && s.nh > 5)
        rc = demo_resident(&s);
    if (rc == 0)
        rc = plan_year(&s, w->campaign_from, w->campaign_to);
    if (rc == 0 && s.mutual) {
        hold_for_check(&s);
        rc = s.rc;
    }
    if (rc == 0)
        rc = simulate(&s);
    *entries += s.entries;
    *pending += s.pending_open;
    for (int g = 0; rc == 0 && g < v->ngoods; g++)
        if (v->goods_stock[g] != v->goods[g].stock)
            rc = db_run(c->db, SQL_STOCK, I((int64_t)v->goods_stock[g]), I(c->now),
                        I(v->goods_id[g]));
out:
    vec_free(&households);
    vec_free(&s.plan);
    vec_free(&s.later);
    return rc;
}

int seed_points_demo(db_t *db, int64_t now, const char *pw_hash, seed_stats_t *stats, err_t *e)
{
    ctx_t c = {.db = db, .now = now, .st = stats};
    pw_hash_demo = pw_hash;
    prng = 0xD1B54A32D192ED03ull;
    village_t *v = log_check_alloc(calloc(NVILLAGES, sizeof *v));
    window_t w = window_of(now);
    int rc = choose_villages(db, v, e);
    if (rc == 0)
        rc = populate_villages(&c, v, e);
    if (rc == 0)
        rc = named_village_cadres(&c, v, e);
    if (rc == 0) {
        share_budgets(v);
        rc = write_settings(db, v, &w);
    }
    if (rc == 0)
        rc = write_catalogues(&c, v, &w);
    if (rc == 0)
        rc = write_stores(db, v, &w, e);
    long entries = 0, pending = 0;
    for (int i = 0; rc == 0 && i < NVILLAGES; i++)
        rc = simulate_village(&c, &v[i], i, &w, &entries, &pending, e);
    if (rc == 0)
        log_info("积分制 demo: %d villages, %ld ledger entries, %ld awards waiting for 互检",
                 NVILLAGES, entries, pending);
    free(v);
    if (rc && !e->message)
        err_set(e, rc, NULL, "写入积分制演示数据失败", NULL);
    return rc;
}
