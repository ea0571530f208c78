/* actor.c — the roles' names, Chinese labels and scope lengths. */
#include "domain/common/actor.h"
#include <stddef.h>
#include <string.h>

static const struct {
    role_t bit;
    const char *name, *label;
    int scope_len;
} roles[] = {
    {ROLE_RESIDENT, "resident", "居民", 0},
    {ROLE_INFORMANT, "informant", "新就业群体信息员", 14},
    {ROLE_BUILDING_HEAD, "building_head", "楼栋长/联户长", 17},
    {ROLE_PARTY_LEADER, "party_leader", "党小组长", 14},
    {ROLE_GRID_WORKER, "grid_worker", "网格员", 14},
    {ROLE_COMMUNITY_ADMIN, "community_admin", "村/社区管理员", 12},
    {ROLE_STREET_ADMIN, "street_admin", "街道/乡镇管理员", 9},
    {ROLE_DEPARTMENT_STAFF, "department_staff", "职能部门", 6},
    {ROLE_CENTER_OPERATOR, "center_operator", "综治中心", 6},
    {ROLE_LEADER, "leader", "领导", 6},
    {ROLE_AUDITOR, "auditor", "审计员", 6},
    {ROLE_COUNTY_ADMIN, "county_admin", "县级管理员", 6},
};
#define NROLES (sizeof roles / sizeof roles[0])

const char *role_name(role_t r)
{
    for (size_t i = 0; i < NROLES; i++)
        if (roles[i].bit == r)
            return roles[i].name;
    return "unknown";
}
const char *role_label(role_t r)
{
    for (size_t i = 0; i < NROLES; i++)
        if (roles[i].bit == r)
            return roles[i].label;
    return "未知";
}
role_t role_parse(const char *name)
{
    for (size_t i = 0; name && i < NROLES; i++)
        if (strcmp(roles[i].name, name) == 0)
            return roles[i].bit;
    return 0;
}
int role_scope_len(role_t r)
{
    for (size_t i = 0; i < NROLES; i++)
        if (roles[i].bit == r)
            return roles[i].scope_len;
    return 0;
}
