// roles.js — roles, region levels and labels as docs/API.md defines them.
// The server decides every permission; these tables only shape menus and forms.

export const ROLES = [
    { role: 'county_admin', name: '县级管理员', levels: [6] },
    { role: 'leader', name: '领导', levels: [6] },
    { role: 'center_operator', name: '综治中心', levels: [6] },
    { role: 'department_staff', name: '职能部门', levels: [6] },
    { role: 'auditor', name: '审计员', levels: [6] },
    { role: 'street_admin', name: '街道/乡镇管理员', levels: [9] },
    { role: 'community_admin', name: '村/社区管理员', levels: [12] },
    { role: 'party_leader', name: '党小组长', levels: [14] },
    { role: 'grid_worker', name: '网格员', levels: [14] },
    { role: 'building_head', name: '楼栋长/联户长', levels: [17] },
    { role: 'resident', name: '居民', levels: [17, 14] },
    { role: 'informant', name: '新就业群体信息员', levels: [14] },
]

const BY_ROLE = Object.fromEntries(ROLES.map((r) => [r.role, r]))

export function roleName(role) {
    return (BY_ROLE[role] && BY_ROLE[role].name) || role || ''
}

/** Code lengths a role's scope_code may have (county 6, town 9, village 12, grid 14, building 17). */
export function roleScopeLevels(role) {
    return (BY_ROLE[role] && BY_ROLE[role].levels) || []
}

/** Roles that work in the console (/admin/). */
export const STAFF_ROLES = [
    'county_admin',
    'leader',
    'center_operator',
    'department_staff',
    'auditor',
    'street_admin',
    'community_admin',
    'party_leader',
    'grid_worker',
]

/** Roles whose home is the mobile H5. grid_worker and party_leader use both. */
export const H5_ROLES = ['resident', 'informant', 'building_head', 'grid_worker', 'party_leader']

/** Person-bound roles whose H5 shows 我的家庭 / 我的资料. */
export const PERSON_ROLES = ['resident', 'informant', 'building_head']

/** Roles with a grid as scope: their H5 shows 我的网格. */
export const GRID_ROLES = ['grid_worker', 'party_leader']

/** Who may manage accounts, browse the registry, read the audit log (menus only). */
export const ACCOUNT_ADMIN_ROLES = ['county_admin', 'street_admin', 'community_admin']
export const AUDIT_ROLES = ['county_admin', 'auditor']
export const REGISTRY_ROLES = [
    'county_admin',
    'leader',
    'center_operator',
    'street_admin',
    'community_admin',
    'party_leader',
    'grid_worker',
]
export const SENSITIVE_ROLES = ['grid_worker', 'community_admin', 'street_admin', 'county_admin']
export const SCREEN_ROLES = ['county_admin', 'leader', 'center_operator']

/**
 * Roles an account admin may create: strictly below the caller's level. county_admin creates
 * every other county role too (it is the county's sysadmin).
 */
export function rolesCreatableBy(role) {
    const below = {
        county_admin: ROLES.map((r) => r.role).filter((r) => r !== 'county_admin'),
        street_admin: [
            'community_admin',
            'party_leader',
            'grid_worker',
            'building_head',
            'resident',
            'informant',
        ],
        community_admin: ['party_leader', 'grid_worker', 'building_head', 'resident', 'informant'],
    }
    return (below[role] || []).map((r) => ({ role: r, name: roleName(r) }))
}

const LEVEL_NAMES = {
    province: '省',
    city: '市/盟',
    county: '县/区',
    town: '乡镇/街道',
    street: '乡镇/街道',
    village: '村/社区',
    community: '村/社区',
    grid: '网格',
    building: '楼栋/联户',
}

const LEVEL_BY_LENGTH = { 2: 'province', 4: 'city', 6: 'county', 9: 'town', 12: 'village', 14: 'grid', 17: 'building' }

/** The level of a region code by its length: county 6, town 9, village 12, grid 14, building 17. */
export function regionLevelOf(code) {
    return LEVEL_BY_LENGTH[String(code || '').length] || ''
}

// The server sends level as a number (1 province … 7 building) plus level_name.
const LEVEL_BY_NUMBER = { 1: 'province', 2: 'city', 3: 'county', 4: 'town', 5: 'village', 6: 'grid', 7: 'building' }

/** Chinese level name of a region object (its level_name), a level, or a code. */
export function regionLevelName(r) {
    if (r && typeof r === 'object') return r.level_name || regionLevelName(r.code)
    const s = String(r === undefined || r === null ? '' : r)
    if (/^\d{6,}$/.test(s)) return LEVEL_NAMES[regionLevelOf(s)] || ''
    if (/^\d$/.test(s)) return LEVEL_NAMES[LEVEL_BY_NUMBER[s]] || ''
    return LEVEL_NAMES[s] || s
}

/** A region is a grid when its code has 14 digits (village code + 2-digit grid number). */
export function regionIsGrid(codeOrRegion) {
    const code = typeof codeOrRegion === 'object' && codeOrRegion ? codeOrRegion.code : codeOrRegion
    const level = typeof codeOrRegion === 'object' && codeOrRegion ? codeOrRegion.level : ''
    return level === 'grid' || level === 6 || String(code || '').length === 14
}
