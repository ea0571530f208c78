/* seed_cases.c — a demo year of 民生诉求 (see seed_cases.h).
 *
 * A small discrete-event simulation. Reports arrive through the year (a Poisson count per day
 * from the place's population, weekday and month; an hour from the day's rhythm); each one is
 * made with cases_create by whoever reports it and given a fate (rated and closed, returned,
 * escalated as a blue slip, a whistle, merged, withdrawn, left unrated, stuck...). Every case has
 * at most one next step waiting in a heap (a whistle also one per summoned department); the
 * loop takes whatever comes first — an arrival, a step, or the scheduler's hourly cases_tick —
 * so ids, inbox messages and ledger entries are written in the order of their times, and a
 * deadline missed in the plan escalates exactly as it would live. A step looks at the case as it
 * is (a tick may have moved it) and asks the account whose turn it is to act. Nothing runs at or
 * after `now`: what is still waiting then stays open. */
#include "demo/seed_cases.h"
#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/accounts/accounts.h"
#include "domain/cases/cases.h"
#include "domain/registry/registry.h"
#include "lib/crypto.h"
#include "lib/geo.h"
#include "lib/log.h"

#define MIN_MS 60000LL
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
#define CN_MS (8 * HOUR_MS) /* China time, UTC+8 */
#define YEAR_DAYS 365

/* ---------- deterministic randomness ---------- */

static uint64_t rs;
static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}
static double unif(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }
static int chance(double p) { return unif() < p; }
static int pick(int n) { return n > 0 ? (int)(rnd() % (uint64_t)n) : 0; }
/* A duration between lo and hi, log-uniformly (most steps are quick, a few take long). */
static int64_t span(int64_t lo, int64_t hi)
{
    return hi <= lo ? lo : (int64_t)((double)lo * exp(unif() * log((double)hi / (double)lo)));
}
static int poisson(double lambda)
{
    double l = exp(-lambda), p = 1;
    int k = 0;
    while ((p *= unif()) > l)
        k++;
    return k;
}
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---------- what people report ---------- */

enum { U = 1, R = 2, B = 3 };      /* where: urban communities, rural villages, both */
enum { T_PATROL = 1, T_RIDE = 2 }; /* seen on a grid worker's round; seen by a courier */

typedef struct {
    const char *cat;
    int where, flags;
    const char *months; /* weight per month, January first, '0'..'9' */
    const char *title, *desc, *fix;
    const char *depts; /* departments that take it when it goes up, best first */
} tmpl_t;

static const tmpl_t tmpls[] = {
    {"0101", B, T_PATROL | T_RIDE, "333333333333", "垃圾桶满溢无人清运",
     "垃圾桶已经满了好几天没人清运，周边也堆了不少垃圾。",
     "已联系保洁员清运，垃圾桶已清空，周边打扫干净。", "d06 d05"},
    {"0101", B, T_PATROL, "114530000000", "积雪融化后路边露出垃圾",
     "开春积雪化了，路边和排水沟里露出很多冬天积下的垃圾，希望组织清理。",
     "已组织志愿者和保洁员集中清理，清运垃圾两车。", "d06 d17"},
    {"0101", B, T_PATROL, "000014542000", "垃圾箱异味大",
     "天热了垃圾箱没有及时清运，气味很大，招苍蝇。", "已协调环卫每天清运两次，并对垃圾箱消毒。",
     "d06 d11"},
    {"0102", R, T_PATROL, "000000003553", "秸秆堆在村道两旁",
     "秋收后有农户把秸秆堆在村道两边，影响通行，也有火灾隐患。",
     "已入户劝导农户把秸秆移到指定堆放点，村道已清理通畅。", "d10 d16"},
    {"0102", U, T_PATROL, "222222222222", "楼道内堆放杂物",
     "单元楼道里堆满了纸箱和旧家具，影响通行。", "已联系住户清理楼道杂物，楼道恢复通畅。",
     "d06 d05"},
    {"0102", R, T_PATROL, "004540000000", "春季清理的柴草乱堆",
     "春季清理院落，有人家把柴草堆在房后路边，希望统一规范。",
     "已督促农户规范堆放柴草，并在村里广播提醒。", "d10 d06"},
    {"0103", B, T_PATROL, "000025540000", "暴雨后污水井冒水",
     "昨晚下大雨，路口的污水井往外冒水，污水流到了路面上。",
     "已联系排水单位疏通管道，污水已退，路面已冲洗。", "d05 d14 d06"},
    {"0103", U, T_PATROL, "430000000024", "化粪池外溢结冰",
     "楼后化粪池往外溢，污水在路面结了冰，老人走路容易滑倒。",
     "已协调抽污车清掏化粪池，路面冰已铲除并撒了融雪剂。", "d05 d06"},
    {"0201", U, 0, "000025551000", "下雨后单元门口积水",
     "一下雨单元门口就积水很深，下水道好像堵了，出门只能蹚水。",
     "已疏通下水道，清出淤泥杂物，排水恢复正常。", "d05 d14"},
    {"0201", U, 0, "421000000014", "下水道冻堵返水",
     "天太冷，楼下下水道冻住了，一楼卫生间往上返水。",
     "已用热水和疏通机处理冻堵，并给管道加装了保温层。", "d05"},
    {"0202", B, T_PATROL | T_RIDE, "443222222344", "路灯不亮",
     "巷子里的路灯坏了好几盏，晚上黑漆漆的，老人孩子出门不安全。",
     "已联系维修单位更换灯具，路灯恢复照明。", "d06 d21 d05"},
    {"0203", R, T_PATROL, "000014552100", "雨后村道冲出大坑",
     "前两天下大雨，村道被冲出一个大坑，农用车过不去。", "已组织用砂石回填压实，村道恢复通行。",
     "d15 d05 d14"},
    {"0203", B, T_PATROL | T_RIDE, "542000000035", "路面结冰未清理",
     "路上积雪压成了冰，一直没人清理，已经有老人滑倒。",
     "已组织人员铲冰除雪并撒融雪剂，路面已清理。", "d06 d15 d05"},
    {"0203", U, T_RIDE, "122333333221", "小区道路破损",
     "小区主路有一段路面塌陷破损，晚上看不清容易崴脚。",
     "已设置警示标志，并协调施工单位修补了路面。", "d05 d15"},
    {"0301", U, T_PATROL | T_RIDE, "543100000245", "楼道停放电动车充电",
     "天冷以后有住户把电动车推进楼道里充电，有火灾隐患。",
     "已上门劝导车主把电动车移出楼道，并告知小区集中充电点位置。", "d20 d03 d16"},
    {"0301", U, T_RIDE, "222222222222", "电动车堵住楼梯口",
     "有电动车长期停在一楼楼梯口，还拉了飞线充电。", "已联系车主移走电动车并拆除飞线。", "d20 d03"},
    {"0302", R, T_PATROL, "004530004530", "柴草垛挨着民房",
     "防火期到了，村里有几户的柴草垛紧挨着房子，堵住了消防通道。",
     "已督促农户把柴草垛移到安全距离以外，消防通道已打通。", "d20 d16 d03"},
    {"0302", U, T_PATROL | T_RIDE, "222222222222", "车辆占用消防通道",
     "小区消防通道被私家车长期占用，消防车进不来。", "已联系车主挪车，并在通道两端设置禁停标识。",
     "d03 d20 d06"},
    {"0401", R, 0, "002453100000", "牲畜啃食邻家青苗",
     "邻居家的羊跑进我家地里，把刚出的青苗啃了一片，协商不成。",
     "已组织双方现场调解，约定赔偿并加固围栏，双方签字确认。", "d04 d13 d10"},
    {"0401", U, 0, "000135541000", "空调外机滴水扰邻",
     "楼上空调外机一直往我家窗台滴水，沟通几次都没解决。",
     "已上门调解，楼上住户加装了排水管，问题已解决。", "d04 d05"},
    {"0401", U, 0, "112333333211", "广场舞噪音扰民",
     "晚上小区广场舞音响声音太大，影响老人孩子休息。",
     "已与广场舞队协商，约定晚上八点半前结束并调低音量。", "d03 d04"},
    {"0401", R, 0, "112333333211", "宅基地边界纠纷",
     "两户人家因为院墙边界起了争执，需要村里出面调解。",
     "已组织双方和村民小组长现场核实边界，达成调解协议。", "d04 d10 d01"},
    {"0402", U, 0, "654000000356", "暖气不热",
     "家里暖气不热，室温只有十四五度，找物业一直没人来看。",
     "已协调物业和供热公司上门排气调试，室温已达到 18 度以上。", "d05 d07 d22"},
    {"0402", U, 0, "222222222222", "电梯经常故障", "小区电梯经常坏，物业维修不及时，居民意见很大。",
     "已约谈物业公司，电梯已维修，物业承诺每月公示维保记录。", "d05 d07 d22"},
    {"0403", R, 0, "002553100000", "草场租赁续租纠纷",
     "草场租赁合同到期，承租方和我们对续租价格谈不拢，还把牛羊放进了草场。",
     "经调解双方重新签订租赁合同，明确了租金和放牧期限。", "d04 d01 d10 d22"},
    {"0403", U, 0, "222222222222", "冷库租赁纠纷",
     "租的冷库合同还没到期，出租方突然要收回，货还在里面，损失很大。",
     "经联合调解双方达成协议，出租方延期收回并补偿部分损失。", "d01 d04 d22 d07"},
    {"0501", B, T_PATROL, "653000000246", "独居老人取暖安全",
     "独居老人家里用煤炉取暖，烟道不通，担心一氧化碳中毒，请帮忙检查。",
     "已上门疏通烟道，安装一氧化碳报警器，并叮嘱老人夜间开窗通风。", "d09 d11 d16"},
    {"0501", B, 0, "222222222222", "独居老人需要帮助",
     "独居老人行动不便，家里没菜了，联系不上子女，请帮忙看看。",
     "网格员已上门送去米面蔬菜，并联系上了老人的子女。", "d09 d11"},
    {"0501", R, 0, "222222222222", "留守老人就医帮助",
     "村里一位留守老人生病了，子女在外打工，需要帮忙联系送医。",
     "已联系村医上门诊疗，并协助联系老人子女。", "d11 d09"},
    {"0502", B, 0, "543000000245", "帮老人代缴取暖费",
     "老人不会用手机缴费，取暖费快到期了，请党员代办队帮忙代缴。",
     "党员代办队已帮老人代缴取暖费，票据已送到老人手中。", "d09"},
    {"0502", B, 0, "222222222222", "代办养老资格认证", "老人腿脚不便，需要帮忙办理养老金资格认证。",
     "党员代办队已上门帮老人完成资格认证。", "d08 d09"},
    {"0601", U, T_PATROL | T_RIDE, "000135541000", "夜市烧烤占道经营",
     "晚上路边烧烤摊把桌椅摆到了人行道上，油烟大，行人只能走机动车道。",
     "城管已现场劝导摊主规范经营，桌椅已移回店内和划定区域。", "d06 d07 d03"},
    {"0601", U, T_RIDE, "222222222222", "流动摊贩堵校门",
     "学校门口流动摊贩占道经营，上下学时段交通拥堵。", "已劝导摊贩到便民市场经营。", "d06 d03"},
    {"0602", U, T_PATROL, "222222222222", "乱贴小广告", "单元门和电线杆上贴满了小广告，清了又贴。",
     "已组织清理小广告，并对张贴的号码进行了提醒警告。", "d06"},
    {"0701", R, 0, "014542000000", "咨询草原补奖政策",
     "想咨询今年草原生态保护补助奖励政策，禁牧和草畜平衡补贴怎么申请。",
     "已向群众讲解补奖政策和申请流程，并协助准备申报材料。", "d10 d13 d19"},
    {"0701", R, 0, "000000045300", "咨询牲畜防疫和养殖保险",
     "秋季牲畜防疫什么时候开始？养殖保险怎么投保？",
     "已告知防疫时间安排，并联系保险公司上门讲解投保办法。", "d13 d10"},
    {"0701", B, 0, "333322222233", "咨询医保参保缴费",
     "想问一下城乡居民医保今年怎么缴费，缴费标准是多少。",
     "已向群众讲解缴费方式和标准，并现场指导线上缴费。", "d08 d11"},
    {"0702", B, 0, "222222222222", "建议增设电动车充电桩",
     "建议在村委会和小区附近增设电动车集中充电桩，解决充电难。",
     "建议已收悉，已纳入年度民生实事，选址工作正在推进。", "d05 d06"},
    {"0702", U, 0, "320000000234", "建议提前供暖",
     "今年降温早，建议供暖提前开始，老人孩子在家太冷。",
     "已向供热主管部门反映，并向居民答复了供暖安排。", "d05"},
};
#define NTMPL N(tmpls)

/* Notes while a case is in hand, and why it goes up. */
static const char *const progress_notes[] = {
    "已电话联系群众，约定上门时间。",
    "已到现场查看，正在协调处理。",
    "已联系相关单位，等待安排人员。",
    "已与当事人沟通，正在做工作。",
};
/* Why a case goes up, by where it is held: a grid, a committee, a street office. */
static const char *const blue_notes[3][2] = {
    {"超出网格处置能力，上报社区协调。", "需要社区出面协调相关单位，上报社区。"},
    {"涉及多个部门，社区无法独立解决，上报街道协调。",
     "当事双方分歧较大，社区调解未果，上报街道。"},
    {"需多个职能部门联合处置，上报综治中心吹哨调度。", "街道协调未果，上报综治中心。"},
};

/* ---------- the places ---------- */

static const struct {
    const char *slug, *county;
    double informant_per_day, whistle; /* the informant's own reports; share of whistles */
} defs[] = {
    {"duolun", "152531", 0.07, 0.004}, {"tuquan", "152224", 0.05, 0.006},
    {"huade", "150922", 0.22, 0.008},  {"guyang", "150222", 0.05, 0.006},
    {"huimin", "150103", 0.07, 0.012}, {"linhe", "150802", 0.07, 0.12},
};
#define NPLACES N(defs)

typedef struct {
    char code[16];
    int vil, urban, worker; /* worker: index into the actors */
    int p0, pn;             /* household heads: persons[p0, p0 + pn) */
    double cum;             /* cumulative weight (households), for picking */
    geo_shape_t *shape;
    double box[4];
} grid_t;

typedef struct {
    char code[16];
    int admin, g0, gn;
} vil_t;

typedef struct {
    char code[16];
    int admin;
} town_t;

typedef struct {
    int di;
    grid_t *grids;
    vil_t *vils;
    town_t *towns;
    int ngrids, nvils, ntowns;
    int64_t *persons;
    char (*preg)[20]; /* each person's region code */
    int npersons;
    int center, resident, informant, head;
    char dept_code[32][8];
    int dept[32], ndept;
    int tm[NTMPL], ntm;     /* templates whose category the county has, active */
    char handling[NTMPL];   /* g(rid), c(ommunity), s(treet), d(epartment), by template */
    int respond_h[NTMPL];   /* the category's hours to respond */
    char catdept[NTMPL][8]; /* the department a department category goes to */
    double per_day;
    int recent[16], nrecent; /* the place's last cases: what a second report may be about */
} place_t;

/* ---------- the simulation ---------- */

enum {
    F_NORMAL,
    F_POOR,    /* rated 1–2: reopened, visited again, rated well */
    F_UNRATED, /* the reporter never rates */
    F_WAIT,    /* waits on the resident a while */
    F_RETURN,  /* returned as not theirs, re-dispatched */
    F_BLUE,    /* blue slip up to the street office, handled by a department */
    F_WHISTLE, /* up to the street or the center, which blows the whistle */
    F_MERGE,   /* a duplicate, merged into an open case */
    F_CANCEL,  /* withdrawn */
    F_STUCK,   /* sent up and left waiting for weeks */
    F_LATE,    /* the handler misses a deadline: the scheduler escalates it */
};

enum {
    FL_NOTED = 1,
    FL_WAITED = 2,
    FL_RETURNED = 4,
    FL_REOPENED = 8,
    FL_PATROL = 16, /* seen on the worker's round: the committee checks and closes it */
    FL_ACT = 32,    /* someone has acted on it */
    FL_LATE = 64,   /* its missed deadline has happened */
    FL_UP = 128,    /* it has reached the level it was to go up to: it goes up once */
};

typedef struct {
    int64_t id, created;
    int place, grid, tmpl, into;
    unsigned char fate, flags, target, nparts; /* target: the level the case goes up to */
    unsigned char dept[4], part_state[4];
} sim_t;

typedef struct {
    int64_t at;
    int idx, part; /* part -1: the case's own next step */
} wake_t;

struct seed_cases {
    db_t *db;
    int64_t now, start, until, tick; /* until: where the last stretch stopped */
    char pw_hash[crypto_pwhash_STRBYTES];
    seed_stats_t *st;
    err_t *e;
    seed_progress_fn progress;
    struct arrival *arr;
    int narr, ai, busy;
    actor_t *actors;
    int nactors, capactors;
    place_t places[NPLACES];
    sim_t *sims;
    int nsims, capsims;
    wake_t *heap;
    int nheap, capheap;
};
typedef struct seed_cases sim_ctx_t;

/* ---------- the heap of next steps ---------- */

static void wake(sim_ctx_t *x, int idx, int part, int64_t at)
{
    if (at >= x->now)
        return; /* after the seed's now: the case waits there, open */
    if (x->nheap == x->capheap) {
        x->capheap = x->capheap ? x->capheap * 2 : 4096;
        x->heap = log_check_alloc(realloc(x->heap, sizeof *x->heap * (size_t)x->capheap));
    }
    int i = x->nheap++;
    while (i > 0 && x->heap[(i - 1) / 2].at > at) {
        x->heap[i] = x->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    x->heap[i] = (wake_t){at, idx, part};
}

static wake_t unwake(sim_ctx_t *x)
{
    wake_t top = x->heap[0], last = x->heap[--x->nheap];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= x->nheap)
            break;
        if (c + 1 < x->nheap && x->heap[c + 1].at < x->heap[c].at)
            c++;
        if (x->heap[c].at >= last.at)
            break;
        x->heap[i] = x->heap[c];
        i = c;
    }
    if (x->nheap > 0)
        x->heap[i] = last;
    return top;
}

/* When a person at work does it: steps that fall in the night wait for the morning (8–9 h). */
static int64_t by_day(int64_t t)
{
    int64_t local = t + CN_MS, h = local % DAY_MS / HOUR_MS;
    if (h >= 8 && h < 21)
        return t;
    int64_t day = local / DAY_MS + (h >= 21);
    return day * DAY_MS - CN_MS + 8 * HOUR_MS + span(MIN_MS, 75 * MIN_MS);
}

/* ---------- accounts ---------- */

static int add_actor(sim_ctx_t *x, int64_t id, const char *county, const char *username,
                     const char *name, const char *role, const char *scope, int64_t person,
                     const char *dept)
{
    if (x->nactors == x->capactors) {
        x->capactors = x->capactors ? x->capactors * 2 : 512;
        x->actors = log_check_alloc(realloc(x->actors, sizeof *x->actors * (size_t)x->capactors));
    }
    actor_t *a = &x->actors[x->nactors];
    memset(a, 0, sizeof *a);
    a->id = id;
    snprintf(a->county, sizeof a->county, "%s", county);
    snprintf(a->username, sizeof a->username, "%s", username);
    snprintf(a->name, sizeof a->name, "%s", name);
    a->role = role_parse(role);
    snprintf(a->scope, sizeof a->scope, "%s", scope);
    a->person_id = person;
    snprintf(a->department, sizeof a->department, "%s", dept ? dept : "");
    return x->nactors++;
}

/* The actor of account id (actors are kept in id order), or -1. */
static int actor_by_id(const sim_ctx_t *x, int64_t id)
{
    int lo = 0, hi = x->nactors - 1;
    while (lo <= hi) {
        int m = (lo + hi) / 2;
        if (x->actors[m].id == id)
            return m;
        if (x->actors[m].id < id)
            lo = m + 1;
        else
            hi = m - 1;
    }
    return -1;
}

/* A demo account the handling needs: the shared demo password, no second factor. */
static int make_account(sim_ctx_t *x, const char *username, const char *name, const char *role,
                        const char *scope, int64_t person, const char *dept, int *idx)
{
    account_new_t n = {.username = username,
                       .name = name,
                       .role = role,
                       .scope_code = scope,
                       .person_id = person,
                       .department = dept,
                       .totp_exempt = 1,
                       .password_hash = x->pw_hash,
                       .now = x->now};
    int rc = account_create(x->db, NULL, &n, "seed", x->e);
    if (rc == 0) {
        char county[8];
        snprintf(county, sizeof county, "%.6s", scope);
        *idx = add_actor(x, n.id, county, username, name, role, scope, person, dept);
        x->st->accounts++;
    }
    return rc;
}

/* ---------- loading a place ---------- */

static int by_code(const void *key, const void *elem, size_t len, size_t stride, int n)
{
    const char *k = key;
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int m = (lo + hi) / 2;
        int c = strncmp(k, (const char *)elem + (size_t)m * stride, len);
        if (c == 0)
            return m;
        if (c > 0)
            lo = m + 1;
        else
            hi = m - 1;
    }
    return -1;
}
static int grid_of(const place_t *p, const char *code)
{
    return strlen(code) < 14 ? -1 : by_code(code, p->grids, 14, sizeof *p->grids, p->ngrids);
}
static int vil_of(const place_t *p, const char *code)
{
    return strlen(code) < 12 ? -1 : by_code(code, p->vils, 12, sizeof *p->vils, p->nvils);
}
static int town_of(const place_t *p, const char *code)
{
    return strlen(code) < 9 ? -1 : by_code(code, p->towns, 9, sizeof *p->towns, p->ntowns);
}

static const char SQL_GRIDS[] =
    "SELECT code, kind, geojson FROM regions WHERE county = ? AND level = 6 ORDER BY code";

/* The county's grids, and the villages and towns they lie in (all in code order). */
static int load_grids(sim_ctx_t *x, place_t *p)
{
    db_stmt_t *st = db_query(x->db, SQL_GRIDS, S(defs[p->di].county));
    if (!st)
        return ERR_IO;
    int cap = 0, s;
    while ((s = db_step(st)) == DB_ROW) {
        if (p->ngrids == cap) {
            cap = cap ? cap * 2 : 64;
            p->grids = log_check_alloc(realloc(p->grids, sizeof *p->grids * (size_t)cap));
            p->vils = log_check_alloc(realloc(p->vils, sizeof *p->vils * (size_t)cap));
            p->towns = log_check_alloc(realloc(p->towns, sizeof *p->towns * (size_t)cap));
        }
        grid_t *g = &p->grids[p->ngrids];
        memset(g, 0, sizeof *g);
        snprintf(g->code, sizeof g->code, "%s", db_col_text(st, 0));
        g->urban = db_col_text(st, 1) && strcmp(db_col_text(st, 1), "urban") == 0;
        g->worker = -1;
        const char *gj = db_col_text(st, 2);
        err_t ge = {0};
        if (gj && geo_parse(gj, strlen(gj), &g->shape, &ge) == 0)
            geo_bbox(g->shape, &g->box[0], &g->box[1], &g->box[2], &g->box[3]);
        if (!p->nvils || strncmp(p->vils[p->nvils - 1].code, g->code, 12) != 0)
            p->vils[p->nvils++] = (vil_t){.admin = -1, .g0 = p->ngrids};
        vil_t *v = &p->vils[p->nvils - 1];
        snprintf(v->code, sizeof v->code, "%.12s", g->code);
        v->gn++;
        g->vil = p->nvils - 1;
        if (!p->ntowns || strncmp(p->towns[p->ntowns - 1].code, g->code, 9) != 0) {
            p->towns[p->ntowns] = (town_t){.admin = -1};
            snprintf(p->towns[p->ntowns++].code, sizeof p->towns[0].code, "%.9s", g->code);
        }
        p->ngrids++;
    }
    db_reset(st);
    return s < 0 ? s : 0;
}

static const char SQL_HEADS[] = "SELECT id, region_code FROM people WHERE county = ?"
                                " AND relation = '户主' ORDER BY region_code, id";

/* Heads of household by grid: the people a grid worker reports for (代报); households weigh
 * how often a grid reports. */
static int load_people(sim_ctx_t *x, place_t *p)
{
    db_stmt_t *st = db_query(x->db, SQL_HEADS, S(defs[p->di].county));
    if (!st)
        return ERR_IO;
    int cap = 0, s;
    while ((s = db_step(st)) == DB_ROW) {
        if (p->npersons == cap) {
            cap = cap ? cap * 2 : 1024;
            p->persons = log_check_alloc(realloc(p->persons, sizeof *p->persons * (size_t)cap));
            p->preg = log_check_alloc(realloc(p->preg, sizeof *p->preg * (size_t)cap));
        }
        const char *reg = db_col_text(st, 1);
        int g = grid_of(p, reg);
        if (g < 0)
            continue;
        if (!p->grids[g].pn)
            p->grids[g].p0 = p->npersons;
        p->grids[g].pn++;
        p->persons[p->npersons] = db_col_i64(st, 0);
        snprintf(p->preg[p->npersons++], sizeof p->preg[0], "%s", reg);
    }
    db_reset(st);
    double cum = 0;
    for (int g = 0; g < p->ngrids; g++)
        p->grids[g].cum = cum += p->grids[g].pn ? p->grids[g].pn : 1;
    /* ~0.2 reports a day per 1,000 residents (多伦县: about 20 a day), a few a week at least. */
    int64_t people = 0;
    int found = 0;
    static const char SQL_PEOPLE[] = "SELECT COUNT(*) FROM people WHERE county = ?";
    int rc = db_one_i64(x->db, SQL_PEOPLE, &people, &found, S(defs[p->di].county));
    p->per_day = fmax(0.35, (double)people * 0.0002);
    if (strcmp(defs[p->di].slug, "linhe") == 0) /* the governance center's one door: disputes */
        p->per_day = fmax(p->per_day, 2.0);
    return s < 0 ? s : rc;
}

static const char SQL_USERS[] =
    "SELECT id, county, username, name, role, scope_code, person_id, department FROM users"
    " WHERE disabled = 0 AND county IN ('152531', '152224', '150922', '150222', '150103',"
    " '150802') ORDER BY id";

/* The demo's accounts, in id order. */
static int load_actors(sim_ctx_t *x)
{
    db_stmt_t *st = db_query(x->db, SQL_USERS);
    if (!st)
        return ERR_IO;
    int s;
    while ((s = db_step(st)) == DB_ROW)
        add_actor(x, db_col_i64(st, 0), db_col_text(st, 1), db_col_text(st, 2), db_col_text(st, 3),
                  db_col_text(st, 4), db_col_text(st, 5),
                  db_col_isnull(st, 6) ? 0 : db_col_i64(st, 6), db_col_text(st, 7));
    db_reset(st);
    return s < 0 ? s : 0;
}

static int dept_of(const place_t *p, const char *code)
{
    for (int i = 0; i < p->ndept; i++)
        if (strcmp(p->dept_code[i], code) == 0)
            return i;
    return -1;
}

/* Who already holds which post in place p (the first account of each). */
static void assign_actors(sim_ctx_t *x, place_t *p)
{
    p->center = p->resident = p->informant = p->head = -1;
    for (int i = 0; i < x->nactors; i++) {
        const actor_t *a = &x->actors[i];
        if (strcmp(a->county, defs[p->di].county) != 0)
            continue;
        int g = a->role == ROLE_GRID_WORKER ? grid_of(p, a->scope) : -1;
        int v = a->role == ROLE_COMMUNITY_ADMIN ? vil_of(p, a->scope) : -1;
        int t = a->role == ROLE_STREET_ADMIN ? town_of(p, a->scope) : -1;
        int d = a->role == ROLE_DEPARTMENT_STAFF ? dept_of(p, a->department) : -1;
        if (g >= 0 && p->grids[g].worker < 0)
            p->grids[g].worker = i;
        else if (v >= 0 && p->vils[v].admin < 0)
            p->vils[v].admin = i;
        else if (t >= 0 && p->towns[t].admin < 0)
            p->towns[t].admin = i;
        else if (d >= 0 && p->dept[d] < 0)
            p->dept[d] = i;
        else if (a->role == ROLE_CENTER_OPERATOR && p->center < 0)
            p->center = i;
        else if (a->role == ROLE_RESIDENT && p->resident < 0 && grid_of(p, a->scope) >= 0)
            p->resident = i;
        else if (a->role == ROLE_INFORMANT && p->informant < 0 && grid_of(p, a->scope) >= 0)
            p->informant = i;
        else if (a->role == ROLE_BUILDING_HEAD && p->head < 0 && grid_of(p, a->scope) >= 0)
            p->head = i;
    }
}

static const char SQL_WORKERS[] =
    "SELECT m.region_code, m.person_id, p.name FROM memberships m JOIN people p"
    " ON p.county = m.county AND p.id = m.person_id WHERE m.county = ? AND m.role = 'grid_worker'"
    " ORDER BY m.region_code, m.id";

/* Each grid's worker in the registry gets an account when the grid has none. */
static int grid_accounts(sim_ctx_t *x, place_t *p)
{
    typedef struct {
        int g;
        int64_t person;
        char name[64];
    } want_t;
    want_t *w = log_check_alloc(calloc((size_t)p->ngrids + 1, sizeof *w));
    int n = 0, s, rc = 0;
    db_stmt_t *st = db_query(x->db, SQL_WORKERS, S(defs[p->di].county));
    while (st && (s = db_step(st)) == DB_ROW) {
        int g = grid_of(p, db_col_text(st, 0));
        if (g < 0 || p->grids[g].worker >= 0 || (n && w[n - 1].g == g))
            continue;
        w[n] = (want_t){.g = g, .person = db_col_i64(st, 1)};
        snprintf(w[n++].name, sizeof w[0].name, "%s", db_col_text(st, 2));
    }
    db_reset(st);
    if (!st)
        rc = ERR_IO;
    for (int i = 0; i < n && rc == 0; i++) {
        char user[48];
        snprintf(user, sizeof user, "%s.g%s", defs[p->di].slug, p->grids[w[i].g].code);
        rc = make_account(x, user, w[i].name, "grid_worker", p->grids[w[i].g].code, w[i].person,
                          NULL, &p->grids[w[i].g].worker);
    }
    free(w);
    return rc;
}

/* Committees, street offices and departments without an account get one each. */
static int office_accounts(sim_ctx_t *x, place_t *p)
{
    const char *slug = defs[p->di].slug;
    char user[48], name[64], who[32];
    int rc = 0;
    for (int v = 0; v < p->nvils && rc == 0; v++)
        if (p->vils[v].admin < 0) {
            snprintf(user, sizeof user, "%s.c%s", slug, p->vils[v].code);
            seed_name(rnd(), name, sizeof name);
            rc = make_account(x, user, name, "community_admin", p->vils[v].code, 0, NULL,
                              &p->vils[v].admin);
        }
    for (int t = 0; t < p->ntowns && rc == 0; t++)
        if (p->towns[t].admin < 0) {
            snprintf(user, sizeof user, "%s.s%s", slug, p->towns[t].code);
            seed_name(rnd(), name, sizeof name);
            rc = make_account(x, user, name, "street_admin", p->towns[t].code, 0, NULL,
                              &p->towns[t].admin);
        }
    json_t *d = NULL;
    if (rc == 0)
        d = cases_departments(x->db, defs[p->di].county, &rc);
    json_t *it;
    size_t i;
    json_array_foreach(json_object_get(d, "items"), i, it)
    {
        int k = dept_of(p, json_string_value(json_object_get(it, "code")));
        if (rc || k < 0 || p->dept[k] >= 0)
            continue;
        snprintf(user, sizeof user, "%s.%s", slug, p->dept_code[k]);
        seed_name(rnd(), who, sizeof who);
        snprintf(name, sizeof name, "%s·%s", json_string_value(json_object_get(it, "name")), who);
        rc = make_account(x, user, name, "department_staff", defs[p->di].county, 0, p->dept_code[k],
                          &p->dept[k]);
    }
    json_decref(d);
    return rc;
}

/* The county's departments and active categories: which templates apply. */
static int load_catalogue(sim_ctx_t *x, place_t *p)
{
    int rc;
    json_t *d = cases_departments(x->db, defs[p->di].county, &rc), *it;
    size_t i;
    json_array_foreach(json_object_get(d, "items"), i, it)
    {
        if (p->ndept == N(p->dept))
            break;
        snprintf(p->dept_code[p->ndept], sizeof p->dept_code[0], "%s",
                 json_string_value(json_object_get(it, "code")));
        p->dept[p->ndept++] = -1;
    }
    json_decref(d);
    json_t *c = rc ? NULL : cases_categories(x->db, defs[p->di].county, 0, &rc);
    for (int t = 0; t < NTMPL && c; t++)
        json_array_foreach(json_object_get(c, "items"), i, it)
        {
            if (strcmp(json_string_value(json_object_get(it, "code")), tmpls[t].cat) == 0) {
                const char *h = json_string_value(json_object_get(it, "handling"));
                p->handling[t] = h ? h[0] : 'g';
                p->respond_h[t] = (int)json_integer_value(json_object_get(it, "respond_hours"));
                const char *dc = json_string_value(json_object_get(it, "department"));
                snprintf(p->catdept[t], sizeof p->catdept[t], "%s", dc ? dc : "");
                p->tm[p->ntm++] = t;
                break;
            }
        }
    json_decref(c);
    return rc;
}

static int load_place(sim_ctx_t *x, place_t *p)
{
    int rc = load_grids(x, p);
    if (rc == 0)
        rc = load_people(x, p);
    if (rc == 0)
        rc = load_catalogue(x, p);
    if (rc == 0) {
        assign_actors(x, p);
        rc = grid_accounts(x, p);
    }
    if (rc == 0)
        rc = office_accounts(x, p);
    return rc;
}

/* ---------- arrivals ---------- */

enum { A_GRID, A_RESIDENT, A_INFORMANT, A_HEAD };

typedef struct arrival {
    int64_t at;
    int place, kind, seq;
} arrival_t;

static int by_time(const void *a, const void *b)
{
    const arrival_t *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* China month (0–11) and weekday (0 Sunday) of t. */
static int month_of(int64_t t)
{
    /* Days since 1970-01-01 (China), to a civil date (Howard Hinnant's days_from_civil inverse). */
    int64_t z = (t + CN_MS) / DAY_MS + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    return (int)(mp < 10 ? mp + 2 : mp - 10);
}
static int weekday_of(int64_t t) { return (int)(((t + CN_MS) / DAY_MS + 4) % 7); }

/* An instant of day d (China midnight) by the hours people report at. */
static int64_t hour_of_day(int64_t day)
{
    static const int w[24] = {2,  1,  1,  1,  1,  2,  5,  10, 16, 19, 18, 15,
                              10, 11, 15, 16, 15, 13, 11, 11, 9,  6,  4,  3};
    int sum = 0, h = 0;
    for (int i = 0; i < 24; i++)
        sum += w[i];
    for (int r = pick(sum); r >= w[h]; h++)
        r -= w[h];
    return day + h * HOUR_MS + (int64_t)pick(60) * MIN_MS + (int64_t)pick(60) * 1000;
}

/* The year's reports: per place and day a Poisson count (busier on Mondays and in the months of
 * heating and summer storms), plus the demo resident's, informant's and building head's own. */
static arrival_t *make_arrivals(sim_ctx_t *x, int *n)
{
    static const double wd[7] = {0.7, 1.2, 1.05, 1.05, 1.05, 1.0, 0.8};
    static const double mon[12] = {1.15, 1.0,  0.95, 1.0,  1.0,  1.05,
                                   1.2,  1.15, 0.95, 0.95, 1.05, 1.15};
    int cap = 4096, k = 0;
    arrival_t *a = log_check_alloc(malloc(sizeof *a * (size_t)cap));
    int64_t first = ((x->start + CN_MS) / DAY_MS) * DAY_MS - CN_MS;
    for (int pi = 0; pi < NPLACES; pi++) {
        const place_t *p = &x->places[pi];
        for (int64_t day = first; day < x->now; day += DAY_MS) {
            int64_t noon = day + 12 * HOUR_MS;
            double l = p->per_day * wd[weekday_of(noon)] * mon[month_of(noon)];
            int counts[4] = {poisson(l), p->resident >= 0 ? poisson(0.04) : 0,
                             p->informant >= 0 ? poisson(defs[pi].informant_per_day) : 0,
                             p->head >= 0 ? poisson(0.05) : 0};
            for (int kind = 0; kind < 4; kind++)
                for (int i = 0; i < counts[kind]; i++) {
                    int64_t t = hour_of_day(day);
                    if (t < x->start || t >= x->now)
                        continue;
                    if (k == cap)
                        a = log_check_alloc(realloc(a, sizeof *a * (size_t)(cap *= 2)));
                    a[k] = (arrival_t){t, pi, kind, k};
                    k++;
                }
        }
    }
    qsort(a, (size_t)k, sizeof *a, by_time);
    *n = k;
    return a;
}

/* A grid by its households; informants mostly in town. */
static int pick_grid(const place_t *p, int town_first)
{
    if (town_first) {
        int urban = 0;
        for (int g = 0; g < p->ngrids; g++)
            urban += p->grids[g].urban;
        if (urban && chance(0.8)) {
            int r = pick(urban);
            for (int g = 0; g < p->ngrids; g++)
                if (p->grids[g].urban && r-- == 0)
                    return g;
        }
    }
    double r = unif() * p->grids[p->ngrids - 1].cum;
    int lo = 0, hi = p->ngrids - 1;
    while (lo < hi) {
        int m = (lo + hi) / 2;
        if (p->grids[m].cum > r)
            hi = m;
        else
            lo = m + 1;
    }
    return lo;
}

/* A template for a grid in month m: urban or rural, weighted by season; need: flags it must have.
 * 临河区's one door for disputes (一站式矛盾纠纷调处) sees three times the share of 矛盾纠纷. */
static int pick_tmpl(const place_t *p, int urban, int need, int m)
{
    int w[NTMPL], sum = 0, disputes = strcmp(defs[p->di].slug, "linhe") == 0 ? 3 : 1;
    for (int i = 0; i < p->ntm; i++) {
        const tmpl_t *t = &tmpls[p->tm[i]];
        int fits = (t->where & (urban ? U : R)) && (t->flags & need) == need;
        sum += w[i] = fits ? (t->months[m] - '0') * (strncmp(t->cat, "04", 2) ? 1 : disputes) : 0;
    }
    if (!sum)
        return -1;
    int r = pick(sum), i = 0;
    while (r >= w[i])
        r -= w[i++];
    return p->tm[i];
}

/* A point inside grid g (or its box's middle when it has no boundary). */
static int point_in(const grid_t *g, double *lon, double *lat)
{
    if (!g->shape)
        return 0;
    for (int i = 0; i < 40; i++) {
        *lon = g->box[0] + unif() * (g->box[2] - g->box[0]);
        *lat = g->box[1] + unif() * (g->box[3] - g->box[1]);
        if (geo_contains(g->shape, *lon, *lat))
            return 1;
    }
    return 0;
}

/* ---------- a report ---------- */

/* What becomes of a case (its handling level h: g, c, s or d). */
static void choose_fate(place_t *p, sim_t *c, char h)
{
    double r = unif() * 100, whistle = defs[p->di].whistle * 100;
    int linhe = strcmp(defs[p->di].slug, "linhe") == 0;
    c->fate = F_NORMAL;
    if (h == 's') {
        whistle = linhe ? 50 : 4;
        c->fate = r < whistle        ? F_WHISTLE
                  : r < whistle + 4  ? F_STUCK
                  : r < whistle + 22 ? F_UNRATED
                  : r < whistle + 26 ? F_POOR
                                     : F_NORMAL;
    } else if (h == 'd') {
        c->fate = r < 2    ? F_CANCEL
                  : r < 6  ? F_RETURN
                  : r < 22 ? F_UNRATED
                  : r < 27 ? F_POOR
                  : r < 33 ? F_LATE
                  : r < 36 ? F_WAIT
                           : F_NORMAL;
    } else {
        static const struct {
            int fate;
            double pct;
        } mix[] = {{F_CANCEL, 3}, {F_RETURN, 3}, {F_BLUE, 5}, {F_WHISTLE, 0}, {F_STUCK, 3},
                   {F_WAIT, 4},   {F_LATE, 5},   {F_POOR, 5}, {F_UNRATED, 22}};
        double acc = 0;
        for (int i = 0; i < N(mix) && c->fate == F_NORMAL; i++)
            if (r < (acc += mix[i].fate == F_WHISTLE ? whistle : mix[i].pct))
                c->fate = (unsigned char)mix[i].fate;
        if (c->fate == F_RETURN && h != 'g')
            c->fate = F_NORMAL;
    }
    c->target = c->fate == F_STUCK                                            ? 12
                : c->fate == F_WHISTLE && (linhe ? chance(0.7) : chance(0.3)) ? 6
                                                                              : 9;
}

/* Who reports arrival a, where, and about what. 0 with *tmpl = -1: nothing to report. */
static int compose(sim_ctx_t *x, const arrival_t *a, cases_new_t *n, int *who, int *grid, int *tmpl,
                   int *patrol, int *dup)
{
    place_t *p = &x->places[a->place];
    int m = month_of(a->at), gps = 0;
    *patrol = 0;
    *dup = -1;
    if (a->kind == A_GRID && p->nrecent && chance(0.035)) { /* a second report of one problem */
        int k = p->recent[pick(p->nrecent)];
        const sim_t *o = &x->sims[k];
        if (a->at - o->created < 48 * HOUR_MS && o->fate != F_MERGE && o->fate != F_CANCEL &&
            o->fate != F_WHISTLE)
            *dup = k;
    }
    if (a->kind == A_GRID) {
        *grid = *dup >= 0 ? x->sims[*dup].grid : pick_grid(p, 0);
        const grid_t *g = &p->grids[*grid];
        *who = g->worker;
        *patrol = !g->pn || (*dup < 0 && chance(0.45));
        *tmpl = *dup >= 0 ? x->sims[*dup].tmpl : pick_tmpl(p, g->urban, *patrol ? T_PATROL : 0, m);
        if (!*patrol)
            n->for_person = p->persons[g->p0 + pick(g->pn)];
        gps = chance(*patrol ? 0.6 : 0.15);
    } else if (a->kind == A_INFORMANT) {
        *grid = pick_grid(p, 1);
        *who = p->informant;
        *tmpl = pick_tmpl(p, p->grids[*grid].urban, T_RIDE, m);
        gps = 1;
    } else {
        *who = a->kind == A_RESIDENT ? p->resident : p->head;
        *grid = grid_of(p, x->actors[*who].scope);
        *tmpl = pick_tmpl(p, p->grids[*grid].urban, 0, m);
        gps = chance(a->kind == A_RESIDENT ? 0.3 : 0.15);
        if (a->kind == A_HEAD) { /* 代报 for a household of the head's building */
            const grid_t *g = &p->grids[*grid];
            const char *b = x->actors[*who].scope;
            int k = 0, first = -1;
            for (int i = g->p0; i < g->p0 + g->pn; i++)
                if (strncmp(p->preg[i], b, strlen(b)) == 0 && (first < 0 || chance(1.0 / ++k)))
                    first = i;
            if (first >= 0)
                n->for_person = p->persons[first];
        }
    }
    if (*who < 0 || *tmpl < 0) {
        *tmpl = -1;
        return 0;
    }
    const tmpl_t *t = &tmpls[*tmpl];
    n->category = t->cat;
    n->title = t->title;
    n->description = t->desc;
    n->now = a->at;
    if (gps)
        n->has_location = point_in(&p->grids[*grid], &n->lon, &n->lat);
    return 0;
}

static int new_sim(sim_ctx_t *x)
{
    if (x->nsims == x->capsims) {
        x->capsims = x->capsims ? x->capsims * 2 : 4096;
        x->sims = log_check_alloc(realloc(x->sims, sizeof *x->sims * (size_t)x->capsims));
    }
    memset(&x->sims[x->nsims], 0, sizeof x->sims[0]);
    return x->nsims++;
}

static int64_t respond_delay(const place_t *p, sim_t *c, int64_t t);

/* A report arrives: made as it would be from the phone, then its fate and its first step. */
static int arrive(sim_ctx_t *x, const arrival_t *a)
{
    place_t *p = &x->places[a->place];
    cases_new_t n = {0};
    int who, grid, tmpl, patrol, dup;
    compose(x, a, &n, &who, &grid, &tmpl, &patrol, &dup);
    if (tmpl < 0)
        return 0;
    err_t e = {0};
    int rc = cases_create(x->db, &x->actors[who], &n, &e);
    if (rc && e.code && strcmp(e.code, "calendar_gap") == 0)
        return 0; /* a deadline past the calendar's last year: not reported (never guessed) */
    if (rc) {
        log_error("seed cases: create (%s, %s): %s", x->actors[who].username, tmpls[tmpl].cat,
                  e.message ? e.message : "?");
        err_copy(x->e, &e);
        return rc;
    }
    int k = new_sim(x);
    sim_t *c = &x->sims[k];
    *c = (sim_t){.id = n.id, .created = a->at, .place = a->place, .grid = grid, .tmpl = tmpl};
    if (patrol)
        c->flags |= FL_PATROL;
    choose_fate(p, c, p->handling[tmpl]);
    c->into = dup;
    if (dup >= 0)
        c->fate = F_MERGE;
    memmove(p->recent + 1, p->recent, sizeof p->recent - sizeof p->recent[0]);
    p->recent[0] = k;
    p->nrecent += p->nrecent < N(p->recent);
    x->st->cases++;
    int64_t first = c->fate == F_CANCEL  ? a->at + span(10 * MIN_MS, 3 * HOUR_MS)
                    : c->fate == F_MERGE ? by_day(a->at + span(10 * MIN_MS, 4 * HOUR_MS))
                                         : respond_delay(p, c, a->at);
    wake(x, k, -1, first);
    return 0;
}

/* ---------- steps ---------- */

static int64_t respond_delay(const place_t *p, sim_t *c, int64_t t)
{
    int h = p->respond_h[c->tmpl];
    if (c->fate == F_LATE && !(c->flags & FL_LATE) && chance(0.5)) {
        c->flags |= FL_LATE; /* nobody takes it in time: the scheduler sends it up */
        return t + (int64_t)h * HOUR_MS + span(HOUR_MS, 10 * HOUR_MS);
    }
    if (c->fate == F_STUCK && p->handling[c->tmpl] != 'g')
        return t + span(20 * DAY_MS, 150 * DAY_MS); /* left lying at the committee or street */
    if (h <= 4) /* 消防, 独居老人: at once, day or night */
        return t + span(5 * MIN_MS, (int64_t)h * HOUR_MS * 3 / 4);
    return by_day(t + span(10 * MIN_MS, 6 * HOUR_MS));
}

/* The case as it is now. */
typedef struct {
    char state[24], assignee[48], region[32];
    int64_t reporter, complete_due;
    int paused;
} row_t;

static const char SQL_ROW[] = "SELECT state, assignee_code, region_code, reporter_id, complete_due,"
                              " paused_at FROM cases WHERE county = ? AND id = ?";

static int load_row(sim_ctx_t *x, const sim_t *c, row_t *r)
{
    db_stmt_t *st = db_query(x->db, SQL_ROW, S(defs[c->place].county), I(c->id));
    int s = st ? db_step(st) : ERR_IO;
    if (s == DB_ROW) {
        snprintf(r->state, sizeof r->state, "%s", db_col_text(st, 0));
        snprintf(r->assignee, sizeof r->assignee, "%s",
                 db_col_text(st, 1) ? db_col_text(st, 1) : "");
        snprintf(r->region, sizeof r->region, "%s", db_col_text(st, 2));
        r->reporter = db_col_isnull(st, 3) ? 0 : db_col_i64(st, 3);
        r->complete_due = db_col_i64(st, 4);
        r->paused = !db_col_isnull(st, 5);
    }
    db_reset(st);
    return s == DB_ROW ? 0 : s < 0 ? s : ERR_NOTFOUND;
}

/* Whose turn it is for a case held by assignee: the grid's worker, the committee, the street
 * office, the center (county) or the department's staff. -1 when nobody. */
static int holder(const place_t *p, const char *assignee)
{
    if (strncmp(assignee, "dept:", 5) == 0) {
        int d = dept_of(p, assignee + 5);
        return d < 0 ? -1 : p->dept[d];
    }
    size_t n = strlen(assignee);
    int i = n == 14   ? grid_of(p, assignee)
            : n == 12 ? vil_of(p, assignee)
            : n == 9  ? town_of(p, assignee)
                      : -2;
    return n == 6    ? p->center
           : i < 0   ? -1
           : n == 14 ? p->grids[i].worker
           : n == 12 ? p->vils[i].admin
                     : p->towns[i].admin;
}

/* One transition by actor a. */
static int act(sim_ctx_t *x, const sim_t *c, int a, cases_step_t *s, const char *event, int64_t t)
{
    if (a < 0)
        return err_set(x->e, ERR_INVALID, "invalid", "演示诉求：缺少办理账号", NULL);
    s->event = event;
    s->now = t;
    err_t e = {0};
    int rc = cases_transition(x->db, &x->actors[a], c->id, s, &e);
    if (rc) {
        log_error("seed cases: %s on case %lld by %s: %s", event, (long long)c->id,
                  x->actors[a].username, e.message ? e.message : "?");
        err_copy(x->e, &e);
    }
    return rc;
}

static int level_of(const char *assignee)
{
    return strncmp(assignee, "dept:", 5) == 0 ? 0 : (int)strlen(assignee);
}

/* Does the case still have to go up from where it is held? */
static int goes_up(const sim_t *c, const char *assignee)
{
    return (c->fate == F_BLUE || c->fate == F_WHISTLE || c->fate == F_STUCK) &&
           !(c->flags & FL_UP) && level_of(assignee) > c->target;
}

/* The first department of the template's list that the county has (else its first). */
static int dept_for(const place_t *p, const sim_t *c, int skip)
{
    const char *d = tmpls[c->tmpl].depts;
    for (int i = 0; d[i]; i += d[i + 3] ? 4 : 3) {
        char code[8];
        snprintf(code, sizeof code, "%.3s", d + i);
        int k = dept_of(p, code);
        if (k >= 0 && skip-- <= 0)
            return k;
    }
    return p->ndept ? 0 : -1;
}

static int64_t admin_delay(int level, int64_t t)
{
    return level == 12  ? by_day(t + span(10 * MIN_MS, 5 * HOUR_MS))
           : level == 9 ? by_day(t + span(30 * MIN_MS, 20 * HOUR_MS))
                        : by_day(t + span(20 * MIN_MS, 8 * HOUR_MS));
}

/* When the holder finishes: within the deadline mostly (a missed one once, for F_LATE). */
static int64_t resolve_time(sim_t *c, const row_t *r, int64_t t)
{
    if (c->fate == F_LATE && !(c->flags & FL_LATE)) {
        c->flags |= FL_LATE;
        return r->complete_due + span(HOUR_MS, 20 * HOUR_MS);
    }
    int64_t left = r->complete_due - t;
    if (left < HOUR_MS)
        left = HOUR_MS;
    return by_day(t + (int64_t)((double)left * (0.05 + 0.55 * unif())));
}

/* Who should hold the case when it comes back down: its category's level. */
static void home_of(const place_t *p, const sim_t *c, const row_t *r, int admin_village, char *out,
                    size_t cap)
{
    char h = p->handling[c->tmpl];
    if (h == 'd' && p->catdept[c->tmpl][0] && !admin_village)
        snprintf(out, cap, "dept:%s", p->catdept[c->tmpl]);
    else if ((h == 'g' || h == 'd') && strlen(r->region) >= 14)
        snprintf(out, cap, "%.14s", r->region);
    else if (h == 's' && !admin_village)
        snprintf(out, cap, "%.9s", r->region);
    else
        snprintf(out, cap, "%.12s", r->region);
}

static int still_open(sim_ctx_t *x, const sim_t *c)
{
    row_t r;
    if (load_row(x, c, &r) != 0)
        return 0;
    return !strcmp(r.state, "submitted") || !strcmp(r.state, "dispatched") ||
           !strcmp(r.state, "accepted") || !strcmp(r.state, "escalated") ||
           !strcmp(r.state, "whistle") || !strcmp(r.state, "reopened") ||
           !strcmp(r.state, "returned");
}

static int village_admin(const place_t *p, const char *region)
{
    int v = vil_of(p, region);
    return v < 0 ? -1 : p->vils[v].admin;
}

/* Withdrawn by the reporter (or by the committee, which found it solved), or merged. */
static int first_look(sim_ctx_t *x, int k, const row_t *r, int64_t t, int *done)
{
    sim_t *c = &x->sims[k];
    const place_t *p = &x->places[c->place];
    cases_step_t s = {0};
    *done = 0;
    if (c->flags & FL_ACT)
        return 0;
    c->flags |= FL_ACT;
    if (c->fate == F_CANCEL) {
        int by = actor_by_id(x, r->reporter);
        s.note = "问题已经解决了，撤销诉求。";
        if (by < 0 || chance(0.25)) {
            by = village_admin(p, r->region);
            s.note = "经电话核实，群众反映的问题已自行解决，代为撤销。";
        }
        *done = 1;
        return act(x, c, by, &s, "cancel", t);
    }
    if (c->fate == F_MERGE && c->into >= 0 && still_open(x, &x->sims[c->into])) {
        s.into = x->sims[c->into].id;
        s.note = "与已受理的诉求反映的是同一问题，合并办理。";
        *done = 1;
        return act(x, c, village_admin(p, r->region), &s, "merge", t);
    }
    return 0;
}

/* The blue slip: up one level, with the reason. The next level looks at it soon — or, for a
 * case left lying, weeks later. */
static int send_up(sim_ctx_t *x, int k, int a, int level, int64_t t)
{
    sim_t *c = &x->sims[k];
    cases_step_t s = {.note = blue_notes[level > 12 ? 0 : level > 9 ? 1 : 2][pick(2)]};
    int rc = act(x, c, a, &s, "escalate", t);
    int up = level > 12 ? 12 : level > 9 ? 9 : 6;
    if (up <= c->target)
        c->flags |= FL_UP;
    if (rc == 0)
        wake(x, k, -1,
             c->fate == F_STUCK && up == c->target ? t + span(20 * DAY_MS, 150 * DAY_MS)
                                                   : admin_delay(up, t));
    return rc;
}

static int on_dispatched(sim_ctx_t *x, int k, const row_t *r, int64_t t)
{
    sim_t *c = &x->sims[k];
    const place_t *p = &x->places[c->place];
    int done, rc = first_look(x, k, r, t, &done);
    if (rc || done)
        return rc;
    int h = holder(p, r->assignee);
    role_t role = h >= 0 ? x->actors[h].role : 0;
    cases_step_t s = {0};
    if (c->fate == F_RETURN && !(c->flags & FL_RETURNED) &&
        (role & (ROLE_GRID_WORKER | ROLE_DEPARTMENT_STAFF))) {
        c->flags |= FL_RETURNED;
        s.note = role == ROLE_GRID_WORKER ? "经现场核实，该问题不在本网格范围内，退回重新派单。"
                                          : "经核实该事项不属于本部门职责，退回重新派单。";
        rc = act(x, c, h, &s, "return", t);
        if (rc == 0)
            wake(x, k, -1, admin_delay(12, t));
        return rc;
    }
    if (goes_up(c, r->assignee) && role == ROLE_GRID_WORKER && chance(0.5))
        return send_up(x, k, h, 14, t);
    s.note = role == ROLE_DEPARTMENT_STAFF ? "已接单，安排执法人员处置。" : NULL;
    rc = act(x, c, h, &s, "accept", t);
    if (rc == 0)
        wake(x, k, -1,
             goes_up(c, r->assignee) ? by_day(t + span(20 * MIN_MS, DAY_MS))
                                     : resolve_time(c, r, t));
    return rc;
}

static int do_whistle(sim_ctx_t *x, int k, int a, int64_t t);

static int on_accepted(sim_ctx_t *x, int k, const row_t *r, int64_t t)
{
    sim_t *c = &x->sims[k];
    const place_t *p = &x->places[c->place];
    int h = holder(p, r->assignee), rc;
    role_t role = h >= 0 ? x->actors[h].role : 0;
    cases_step_t s = {0};
    if (r->paused) {
        s.note = "群众已提供材料，继续办理。";
        rc = act(x, c, h, &s, "resume", t);
        if (rc == 0)
            wake(x, k, -1, by_day(t + span(2 * HOUR_MS, 2 * DAY_MS)));
        return rc;
    }
    if (goes_up(c, r->assignee) && role != ROLE_DEPARTMENT_STAFF)
        return send_up(x, k, h, level_of(r->assignee), t);
    if (c->fate == F_WHISTLE && level_of(r->assignee) == 9 && c->target == 9 &&
        role == ROLE_STREET_ADMIN)
        return do_whistle(x, k, h, t);
    if (c->fate == F_WAIT && !(c->flags & FL_WAITED)) {
        c->flags |= FL_WAITED;
        s.note = "已与群众约定，待其提供相关材料、方便时再上门处理。";
        rc = act(x, c, h, &s, "wait", t);
        if (rc == 0)
            wake(x, k, -1, by_day(t + span(DAY_MS, 4 * DAY_MS)));
        return rc;
    }
    if (!(c->flags & FL_NOTED) && chance(0.3)) {
        c->flags |= FL_NOTED;
        s.note = progress_notes[pick(N(progress_notes))];
        rc = act(x, c, h, &s, "note", t);
        if (rc == 0)
            wake(x, k, -1, resolve_time(c, r, t));
        return rc;
    }
    s.note = c->flags & FL_REOPENED ? "已再次上门处理并回访，问题已彻底解决。" : tmpls[c->tmpl].fix;
    rc = act(x, c, h, &s, "resolve", t);
    if (rc == 0)
        wake(x, k, -1,
             c->flags & FL_PATROL || c->fate == F_UNRATED
                 ? by_day(t + span(DAY_MS, 10 * DAY_MS))
                 : by_day(t + span(30 * MIN_MS, 2 * DAY_MS)));
    return rc;
}

static int on_escalated(sim_ctx_t *x, int k, const row_t *r, int64_t t)
{
    sim_t *c = &x->sims[k];
    const place_t *p = &x->places[c->place];
    int level = level_of(r->assignee), a = holder(p, r->assignee), rc;
    cases_step_t s = {0};
    char to[32];
    if (c->fate == F_WHISTLE && level <= c->target)
        return do_whistle(x, k, a, t);
    if (goes_up(c, r->assignee)) { /* take it on, to send it further up */
        s.assignee = r->assignee;
        s.note = level == 12 ? "社区接手，组织协调。" : "街道接手，组织协调。";
        rc = act(x, c, a, &s, "dispatch", t);
        if (rc == 0)
            wake(x, k, -1, t + span(10 * MIN_MS, 3 * HOUR_MS));
        return rc;
    }
    if (c->fate == F_BLUE && level <= 9) {
        int d = dept_for(p, c, 0);
        snprintf(to, sizeof to, "dept:%s", p->dept_code[d]);
        s.note = "转交职能部门办理。";
    } else { /* a missed deadline, or a case left lying: back down, to be done */
        home_of(p, c, r, level == 12, to, sizeof to);
        s.note = "督办：请抓紧办理，并及时反馈办理结果。";
    }
    s.assignee = to;
    rc = act(x, c, a, &s, "dispatch", t);
    if (rc == 0)
        wake(x, k, -1, by_day(t + span(20 * MIN_MS, 12 * HOUR_MS)));
    return rc;
}

/* Returned as not theirs: the committee sends it to the next grid, or takes it itself. */
static int on_returned(sim_ctx_t *x, int k, const row_t *r, int64_t t)
{
    sim_t *c = &x->sims[k];
    const place_t *p = &x->places[c->place];
    int v = vil_of(p, r->region), g = grid_of(p, r->region);
    const vil_t *vl = &p->vils[v < 0 ? 0 : v];
    cases_step_t s = {.note = "已重新核实位置，改派办理。"};
    char to[32];
    if (strncmp(r->assignee, "dept:", 5) == 0 || vl->gn < 2 || g < 0)
        snprintf(to, sizeof to, "%.*s", strncmp(r->assignee, "dept:", 5) == 0 ? 14 : 12, r->region);
    else
        snprintf(to, sizeof to, "%s",
                 p->grids[vl->g0 + (g - vl->g0 + 1 + pick(vl->gn - 1)) % vl->gn].code);
    s.assignee = to;
    int rc = act(x, c, vl->admin, &s, "dispatch", t);
    if (rc == 0)
        wake(x, k, -1, by_day(t + span(10 * MIN_MS, 6 * HOUR_MS)));
    return rc;
}

/* Waiting for triage (the street's categories): the street office (or, in 临河区, often the
 * center) takes it. */
static int on_submitted(sim_ctx_t *x, int k, const row_t *r, int64_t t)
{
    sim_t *c = &x->sims[k];
    const place_t *p = &x->places[c->place];
    int done, rc = first_look(x, k, r, t, &done);
    if (rc || done)
        return rc;
    int tw = town_of(p, r->region);
    int a = strcmp(defs[c->place].slug, "linhe") == 0 && chance(0.4)
                ? p->center
                : p->towns[tw < 0 ? 0 : tw].admin;
    char to[16];
    snprintf(to, sizeof to, "%.9s", r->region);
    cases_step_t s = {.assignee = to, .note = "街道受理，组织调解。"};
    rc = act(x, c, a, &s, "dispatch", t);
    if (rc == 0)
        wake(x, k, -1, admin_delay(9, t));
    return rc;
}

static const char *const rating_notes[] = {"",
                                           "问题没有解决。",
                                           "处理得不彻底。",
                                           "基本解决了，还有待改进。",
                                           "问题解决了，满意。",
                                           "处理很及时，非常满意！"};

static int on_resolved(sim_ctx_t *x, int k, const row_t *r, int64_t t)
{
    sim_t *c = &x->sims[k];
    const place_t *p = &x->places[c->place];
    int by = actor_by_id(x, r->reporter), rc;
    cases_step_t s = {0};
    if (c->flags & FL_PATROL || by < 0 || c->fate == F_UNRATED) {
        if (c->fate == F_UNRATED && chance(0.5))
            return 0; /* never rated: it waits */
        double u = unif();
        s.outcome = u < 0.85 ? "fixed" : u < 0.97 ? "partly_fixed" : "not_our_duty";
        s.note = c->flags & FL_PATROL ? "经核查已整改到位，予以关闭。"
                                      : "群众未评价，社区电话回访后关闭。";
        return act(x, c, village_admin(p, r->region), &s, "close", t);
    }
    double u = unif();
    s.rating = c->fate == F_POOR && !(c->flags & FL_REOPENED) ? 1 + pick(2)
               : c->flags & FL_REOPENED                       ? 4 + pick(2)
               : u < 0.62                                     ? 5
               : u < 0.9                                      ? 4
                                                              : 3;
    s.note = rating_notes[s.rating];
    rc = act(x, c, by, &s, "rate", t);
    if (rc == 0 && strcmp(s.state, "reopened") == 0) {
        c->flags |= FL_REOPENED;
        c->flags &= (unsigned char)~FL_NOTED;
        wake(x, k, -1, by_day(t + span(2 * HOUR_MS, DAY_MS)));
    }
    return rc;
}

static int on_reopened(sim_ctx_t *x, int k, const row_t *r, int64_t t)
{
    sim_t *c = &x->sims[k];
    cases_step_t s = {.note = "已安排再次上门处理。"};
    int rc = act(x, c, holder(&x->places[c->place], r->assignee), &s, "accept", t);
    if (rc == 0)
        wake(x, k, -1, resolve_time(c, r, t));
    return rc;
}

/* 中心吹哨、部门报到: the departments the case needs (2–4 in 临河区), each told to report in. */
static int do_whistle(sim_ctx_t *x, int k, int a, int64_t t)
{
    sim_t *c = &x->sims[k];
    const place_t *p = &x->places[c->place];
    int want = strcmp(defs[c->place].slug, "linhe") == 0 ? 2 + pick(3) : 2, n = 0;
    const char *codes[4];
    static const char *const extra[] = {"d04", "d03", "d18", "d09"};
    for (int i = 0; n < want && i < 8 + N(extra); i++) {
        int d = i < 8 ? dept_for(p, c, i) : dept_of(p, extra[i - 8]);
        int dup = d < 0;
        for (int j = 0; j < n && !dup; j++)
            dup = c->dept[j] == d;
        if (!dup) {
            c->dept[n] = (unsigned char)d;
            codes[n++] = p->dept_code[d];
        }
    }
    cases_step_t s = {.departments = codes, .ndepartments = n, .note = "召集相关部门联合处置。"};
    int rc = act(x, c, a, &s, "whistle", t);
    c->nparts = (unsigned char)n;
    for (int i = 0; rc == 0 && i < n; i++)
        wake(
            x, k, i,
            t + (chance(0.85) ? span(15 * MIN_MS, 100 * MIN_MS) : span(130 * MIN_MS, 8 * HOUR_MS)));
    return rc;
}

/* A summoned department reports in, and later finishes its part; the last one resolves it. */
static int part_step(sim_ctx_t *x, int k, int i, int64_t t)
{
    sim_t *c = &x->sims[k];
    const place_t *p = &x->places[c->place];
    int a = p->dept[c->dept[i]], report = c->part_state[i] == 0;
    err_t e = {0};
    int rc = cases_part(x->db, &x->actors[a], c->id, p->dept_code[c->dept[i]],
                        report ? "report" : "done",
                        report ? "已到场报到，对接处置。" : "本部门负责的事项已办结。", t, &e);
    if (rc) {
        log_error("seed cases: part %s of case %lld: %s", report ? "report" : "done",
                  (long long)c->id, e.message ? e.message : "?");
        err_copy(x->e, &e);
        return rc;
    }
    c->part_state[i]++;
    int open = 0;
    for (int j = 0; j < c->nparts; j++)
        open += c->part_state[j] < 2;
    if (report)
        wake(x, k, i, by_day(t + span(20 * HOUR_MS, 6 * DAY_MS)));
    else if (!open)
        wake(x, k, -1, by_day(t + span(30 * MIN_MS, 2 * DAY_MS)));
    return 0;
}

static int step(sim_ctx_t *x, int k, int64_t t)
{
    row_t r;
    int rc = load_row(x, &x->sims[k], &r);
    if (rc)
        return rc;
    static const struct {
        const char *state;
        int (*fn)(sim_ctx_t *, int, const row_t *, int64_t);
    } by_state[] = {{"submitted", on_submitted}, {"dispatched", on_dispatched},
                    {"accepted", on_accepted},   {"escalated", on_escalated},
                    {"returned", on_returned},   {"resolved", on_resolved},
                    {"reopened", on_reopened}};
    for (int i = 0; i < N(by_state); i++)
        if (strcmp(r.state, by_state[i].state) == 0)
            return by_state[i].fn(x, k, &r, t);
    return 0; /* whistle (its parts move it), rated, closed, merged, cancelled */
}

/* ---------- the year ---------- */

/* Everything that happens before `until`, in time order: the scheduler's hourly pass, new
 * reports, next steps. */
static int run(sim_ctx_t *x, int64_t until)
{
    int rc = 0;
    while (rc == 0) {
        int64_t ta = x->ai < x->narr ? x->arr[x->ai].at : INT64_MAX;
        int64_t th = x->nheap ? x->heap[0].at : INT64_MAX;
        int64_t tt = x->tick < x->now ? x->tick : INT64_MAX;
        int64_t t = ta < th ? ta : th;
        if ((t = tt < t ? tt : t) >= until)
            break;
        if (tt == t) { /* the scheduler's pass */
            int esc, rem, skipped;
            rc = cases_tick(x->db, tt, 1000, &esc, &rem, &skipped, x->e);
            x->tick += HOUR_MS;
        } else if (ta == t) {
            rc = arrive(x, &x->arr[x->ai++]);
        } else {
            wake_t w = unwake(x);
            rc = w.part < 0 ? step(x, w.idx, w.at) : part_step(x, w.idx, w.part, w.at);
        }
    }
    if (x->progress)
        x->progress("民生诉求", x->ai, x->narr);
    return rc;
}

static void free_places(sim_ctx_t *x)
{
    for (int i = 0; i < NPLACES; i++) {
        place_t *p = &x->places[i];
        for (int g = 0; g < p->ngrids; g++)
            geo_free(p->grids[g].shape);
        free(p->grids);
        free(p->vils);
        free(p->towns);
        free(p->persons);
        free(p->preg);
    }
}

static const char SQL_EVENTS[] =
    "SELECT COUNT(*) FROM case_events WHERE county IN ('152531', '152224', '150922', '150222',"
    " '150103', '150802')";

int seed_cases_begin(db_t *db, int64_t now, seed_stats_t *st, seed_progress_fn progress,
                     seed_cases_t **out, err_t *e)
{
    sim_ctx_t *x = log_check_alloc(calloc(1, sizeof *x));
    *x = (sim_ctx_t){.db = db,
                     .now = now,
                     .start = now - YEAR_DAYS * DAY_MS,
                     .st = st,
                     .e = e,
                     .progress = progress};
    x->tick = (x->start / HOUR_MS + 1) * HOUR_MS;
    x->until = x->start;
    *out = x;
    rs = 0x2545F4914F6CDD1Dull;
    /* The demo password is public: one hash for the accounts made here (like seed.c's). */
    if (crypto_password_hash(SEED_DEMO_PASSWORD, x->pw_hash) != 0)
        return err_set(e, ERR_NOMEM, "internal", "密码处理失败", NULL);
    int rc = load_actors(x);
    for (int i = 0; i < NPLACES && rc == 0; i++) {
        x->places[i].di = i;
        rc = load_place(x, &x->places[i]);
    }
    if (rc == 0)
        x->arr = make_arrivals(x, &x->narr);
    if (rc && !e->message)
        err_set(e, rc, NULL, "写入演示诉求失败", NULL);
    return rc;
}

int seed_cases_next(db_t *db, seed_cases_t *x, int *done, err_t *e)
{
    *done = 0;
    /* A stretch that failed half-way left its steps done in memory, not in the store: running
     * it again would not match. The store retries busy jobs; refuse instead. */
    if (x->busy)
        return err_set(e, ERR_CONFLICT, "conflict", "演示诉求写入中断，请重新生成演示数据", NULL);
    x->busy = 1;
    x->db = db;
    x->e = e;
    x->until = x->until + SEED_CASES_STRETCH_DAYS * DAY_MS;
    if (x->until > x->now)
        x->until = x->now;
    int rc = run(x, x->until);
    if (rc == 0 && x->until >= x->now) { /* the last pass, at now: nothing is left due behind */
        int esc, rem, skipped;
        rc = cases_tick(db, x->now, 1000, &esc, &rem, &skipped, e);
    }
    int64_t events = 0;
    int found = 0;
    if (rc == 0 && x->until >= x->now) {
        *done = 1;
        if ((rc = db_one_i64(db, SQL_EVENTS, &events, &found)) == 0)
            x->st->case_events = events;
    }
    if (rc && !e->message)
        err_set(e, rc, NULL, "写入演示诉求失败", NULL);
    x->busy = rc != 0;
    return rc;
}

void seed_cases_end(seed_cases_t *x)
{
    if (!x)
        return;
    free(x->arr);
    free(x->sims);
    free(x->heap);
    free(x->actors);
    free_places(x);
    free(x);
}
