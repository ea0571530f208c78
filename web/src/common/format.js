// format.js — how values look on screen: Beijing time, sex, ages, person tags, counts.

const CST_OFFSET_MS = 8 * 3600 * 1000 // Asia/Shanghai has no daylight saving

function pad(n) {
    return String(n).padStart(2, '0')
}

/** Epoch milliseconds -> "2026-03-01 14:05" in Beijing time, whatever the device's zone. */
export function formatTime(ms, withSeconds = false) {
    if (ms === null || ms === undefined || ms === '') return ''
    const n = Number(ms)
    if (!Number.isFinite(n)) return String(ms)
    const d = new Date(n + CST_OFFSET_MS)
    const s = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(
        d.getUTCHours(),
    )}:${pad(d.getUTCMinutes())}`
    return withSeconds ? `${s}:${pad(d.getUTCSeconds())}` : s
}

export function sexName(sex) {
    if (sex === 'M') return '男'
    if (sex === 'F') return '女'
    return ''
}

/** Full years from "YYYY-MM-DD" to today (Beijing). '' when unknown. */
export function ageOf(birthDate) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate || '')
    if (!m) return ''
    const now = new Date(Date.now() + CST_OFFSET_MS)
    let age = now.getUTCFullYear() - Number(m[1])
    const md = (now.getUTCMonth() + 1) * 100 + now.getUTCDate()
    if (md < Number(m[2]) * 100 + Number(m[3])) age--
    return age >= 0 ? age : ''
}

// Person tags may arrive as codes or already in Chinese; codes we know get a Chinese label.
const TAG_NAMES = {
    elderly_alone: '独居老人',
    living_alone: '独居老人',
    elderly: '老年人',
    disabled: '残疾人',
    low_income: '低保户',
    dibao: '低保户',
    poverty: '脱贫户',
    party_member: '党员',
    veteran: '退役军人',
    left_behind_child: '留守儿童',
    left_behind_elderly: '留守老人',
    concern: '重点关注',
    key_person: '重点人员',
    special: '特殊群体',
    volunteer: '志愿者',
    migrant: '流动人口',
    household_head: '户主',
}

export function tagName(tag) {
    if (tag && typeof tag === 'object') return tag.name || tag.label || tag.code || ''
    return TAG_NAMES[tag] || tag || ''
}

/** Tags that deserve attention are shown in a warning colour. */
export function tagIsAlert(tag) {
    const t = typeof tag === 'object' && tag ? tag.code || tag.name : tag
    return ['elderly_alone', 'living_alone', 'concern', 'key_person', 'special', '独居老人', '重点关注', '重点人员'].includes(t)
}

export function formatCount(n) {
    if (n === null || n === undefined || n === '') return '—'
    const v = Number(n)
    return Number.isFinite(v) ? v.toLocaleString('zh-CN') : String(n)
}

/** The relation of a member to the household head, if the server sends one. */
const RELATION_NAMES = {
    head: '户主',
    self: '本人',
    spouse: '配偶',
    child: '子女',
    son: '子',
    daughter: '女',
    parent: '父母',
    father: '父亲',
    mother: '母亲',
    grandchild: '孙子女',
    grandparent: '祖父母',
    sibling: '兄弟姐妹',
    other: '其他',
}

export function relationName(r) {
    return RELATION_NAMES[r] || r || ''
}

/** The phone field of a person: the full number where the role may see it, else the mask. */
export function personPhone(p) {
    if (!p) return ''
    return p.phone || p.phone_masked || ''
}

/** A readable title for a household row whatever the server names the fields. */
export function householdTitle(h) {
    if (!h) return ''
    return h.address || h.name || h.label || h.door || h.code || `户 ${h.id}`
}

export function householdHeadName(h) {
    if (!h) return ''
    if (h.head_name) return h.head_name
    if (h.head && h.head.name) return h.head.name
    if (Array.isArray(h.members)) {
        const head = h.members.find((m) => m.relation === 'head' || m.is_head)
        if (head) return head.name
    }
    return ''
}

export function householdMemberCount(h) {
    if (!h) return ''
    if (h.member_count !== undefined) return h.member_count
    if (h.members_count !== undefined) return h.members_count
    if (h.size !== undefined) return h.size
    if (Array.isArray(h.members)) return h.members.length
    return ''
}

/** What a grid calls its heads: rural grids have 联户长, urban ones 楼栋长/单元长. */
export function headsTitle(kind) {
    if (kind === 'rural') return '联户长'
    if (kind === 'urban') return '楼栋长/单元长'
    return '楼栋长/联户长'
}

/** Where a head serves, from the 17-digit code of its building or household group. */
export function headPlace(regionCode, kind, unit) {
    const rc = String(regionCode || '')
    const parts = []
    if (rc.length === 17) {
        const n = Number(rc.slice(14))
        parts.push(kind === 'rural' ? `第${n}联户组` : kind === 'urban' ? `${n}号楼` : `${n}号楼栋/联户组`)
    }
    if (unit) parts.push(`${unit}单元`)
    return parts.join(' ')
}

/** Purposes offered before a full view of an ID number and phone (PIPL: the purpose is asked,
 *  sent as `purpose` and kept in the audit row). "其他" with free text is always possible. */
export const SENSITIVE_PURPOSES = [
    '入户走访核实身份',
    '办理民生诉求需联系本人',
    '社会救助、低保等资格核查',
    '人口信息登记与更正',
    '应急处置、安全排查',
]
