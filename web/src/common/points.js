// points.js — 积分制 (MISSION practice 1, docs/POINTS.md): the API calls of the points system
// and how its values look on screen (yuan from fen, stars, entry kinds, limits). Shared by the
// H5 (入户打分, 互检, 我的积分, 积分超市, 兑换核销) and the console (settings, catalogue, goods,
// ledger, county overview). The server decides every permission and every rule; nothing here
// second-guesses it.
import { api } from './api.js'

const enc = encodeURIComponent

export const pointsApi = {
    // ---- village settings, budget and live figures (village admin, county admin) ----
    settings: (village) => api.get(`/villages/${enc(village)}/points-settings`),
    saveSettings: (village, body) => api.put(`/villages/${enc(village)}/points-settings`, body),
    flags: (village, month) => api.get(`/villages/${enc(village)}/points-flags`, { month }),

    // ---- the indicator catalogue ----
    indicators: (village, all = false) =>
        api.get(`/villages/${enc(village)}/indicators`, { all: all ? 1 : undefined }),
    createIndicator: (village, body) => api.post(`/villages/${enc(village)}/indicators`, body),
    updateIndicator: (id, body) => api.patch(`/indicators/${enc(id)}`, body),
    copyTemplate: (village) => api.post(`/villages/${enc(village)}/indicators/copy-template`),
    template: (county, all = false) =>
        api.get(`/counties/${enc(county)}/indicator-template`, { all: all ? 1 : undefined }),
    createTemplateIndicator: (county, body) => api.post(`/counties/${enc(county)}/indicator-template`, body),

    // ---- automatic awards ----
    rules: (village) => api.get(`/villages/${enc(village)}/points-rules`),
    createRule: (village, body) => api.post(`/villages/${enc(village)}/points-rules`, body),
    countyRules: (county) => api.get(`/counties/${enc(county)}/points-rules`),
    createCountyRule: (county, body) => api.post(`/counties/${enc(county)}/points-rules`, body),
    updateRule: (id, body) => api.patch(`/points-rules/${enc(id)}`, body),

    // ---- earning: 入户打分 and 互检 ----
    /** {household_id, indicator_id, note?, photos?}; the same key on a retry makes one award. */
    award: (body, idempotencyKey) =>
        api.post('/points/awards', body, { headers: { 'Idempotency-Key': idempotencyKey } }),
    pending: () => api.get('/points/pending'),
    confirm: (id) => api.post(`/points/pending/${enc(id)}/confirm`, {}),
    reject: (id, reason) => api.post(`/points/pending/${enc(id)}/reject`, { reason }),

    // ---- corrections (village admin) ----
    reverse: (entryId, reason) => api.post(`/points/entries/${enc(entryId)}/reverse`, { reason }),
    adjust: (body) => api.post('/points/adjustments', body),

    // ---- reads ----
    household: (id, cursor, limit = 20) => api.get(`/households/${enc(id)}/points`, { cursor, limit }),
    mine: (cursor, limit = 20) => api.get('/me/points', { cursor, limit }),
    board: (village, month, limit = 20) => api.get(`/villages/${enc(village)}/points-board`, { month, limit }),

    // ---- the store ----
    goods: (village) => api.get(`/villages/${enc(village)}/goods`),
    createGoods: (village, body) => api.post(`/villages/${enc(village)}/goods`, body),
    updateGoods: (id, body) => api.patch(`/goods/${enc(id)}`, body),
    order: (goodsId, qty, idempotencyKey) =>
        api.post('/points/orders', { goods_id: goodsId, qty }, { headers: { 'Idempotency-Key': idempotencyKey } }),
    /** query: {mine: 1, state, village, cursor, limit} */
    orders: (query) => api.get('/points/orders', query),
    handover: (code, village) => api.post('/points/orders/handover', village ? { code, village } : { code }),
    cancelOrder: (id) => api.post(`/points/orders/${enc(id)}/cancel`),
    qrUrl: (id) => `/api/v1/points/orders/${enc(id)}/qr.svg`,

    // ---- the county ----
    overview: (year) => api.get('/points/overview', { year }),
    overviewXlsxUrl: (year) => `/api/v1/points/overview.xlsx${year ? `?year=${enc(year)}` : ''}`,
}

/**
 * The catalogue and rule calls of one place, for the panels that serve both a village's own
 * 指标库 / 自动加分 and the county's template / county-wide rules (county admin): `scope` is
 * 'village' (code: 12 digits) or 'county' (code: 6 digits). Changing an indicator or a rule is
 * the same call for both (by id).
 */
export function pointsCatalogueApi(scope, code) {
    const county = scope === 'county'
    return {
        county,
        indicators: (all = false) => (county ? pointsApi.template(code, all) : pointsApi.indicators(code, all)),
        createIndicator: (body) => (county ? pointsApi.createTemplateIndicator(code, body) : pointsApi.createIndicator(code, body)),
        rules: () => (county ? pointsApi.countyRules(code) : pointsApi.rules(code)),
        createRule: (body) => (county ? pointsApi.createCountyRule(code, body) : pointsApi.createRule(code, body)),
    }
}

/** Props of the panels that serve a village or the county (IndicatorsPanel, RulesPanel). */
export const CATALOGUE_PROPS = {
    /** A village code (12 digits), or the county's (6 digits) with scope 'county'. */
    code: { type: String, required: true },
    scope: { type: String, default: 'village', validator: (v) => v === 'village' || v === 'county' },
}

/**
 * The digits of a redemption code as typed, read aloud or scanned: spaces and dashes dropped.
 * '' unless that leaves 10 digits (or 8: orders issued before the longer codes, still honoured
 * until they close). The server normalises the same way and decides.
 */
export function codeDigits(input) {
    const d = String(input || '').replace(/[\s-]+/g, '')
    return /^(\d{10}|\d{8})$/.test(d) ? d : ''
}

/** A code grouped for reading aloud: 10 digits as 3-3-4 (like a phone number), 8 as 4-4. */
export function formatCode(code) {
    const d = String(code || '')
    if (/^\d{10}$/.test(d)) return `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`
    if (/^\d{8}$/.test(d)) return `${d.slice(0, 4)} ${d.slice(4)}`
    return d
}

/** Roles that score households door to door (入户打分). */
export const AWARDER_ROLES = ['community_admin', 'grid_worker', 'party_leader', 'building_head']
/** Roles that may confirm 互检 (village admins only look). */
export const INSPECTOR_ROLES = ['grid_worker', 'party_leader', 'building_head']
/** Store keepers: hand over goods against the code. */
export const KEEPER_ROLES = ['community_admin', 'grid_worker', 'county_admin']
/** Console: the village's points (settings, catalogue, rules, goods, ledger). */
export const POINTS_ADMIN_ROLES = ['community_admin', 'county_admin']

/**
 * Whether the points menus lead somewhere for this user, as the server says in /auth/me's
 * `points`: where 'county' — some village of the user's county runs points (the console's
 * 积分管理 and 全县积分概览); where 'here' — the user's own place does (the phone's 积分 tab).
 * 多伦县 and 临河区 do not run points: no menu leads to an empty page there. A county admin
 * starting points in a new county still reaches /admin/#/points by its address.
 */
export function pointsRunsFor(user, where = 'county') {
    const p = user && user.points
    return !!(p && p[where])
}
/** Console: the county's indicator template and county-wide automatic awards. */
export const POINTS_COUNTY_ROLES = ['county_admin']
/** Console: the county overview. */
export const POINTS_OVERVIEW_ROLES = ['county_admin', 'leader', 'auditor']

const AWARDER_NAMES = {
    community_admin: '村两委',
    grid_worker: '网格员',
    party_leader: '党小组长',
    building_head: '联户长',
}

export function awarderName(role) {
    return AWARDER_NAMES[role] || role
}

const PERIOD_NAMES = { day: '每天', month: '每月', year: '每年', once: '累计' }

export function periodName(p) {
    return PERIOD_NAMES[p] || p || ''
}

/** "每月 1 次", "不限" */
export function limitText(ind) {
    if (!ind || !ind.limit_count) return '不限次数'
    if (ind.limit_period === 'once') return `限 ${ind.limit_count} 次`
    return `${periodName(ind.limit_period)} ${ind.limit_count} 次`
}

const KIND_NAMES = {
    award: '打分',
    reversal: '冲正',
    redemption: '兑换',
    refund: '退还',
    expiry: '过期',
    adjustment: '调整',
}

export function entryKindName(e) {
    return (e && (e.kind_label || KIND_NAMES[e.kind])) || ''
}

/** What an entry is about, for a line of the ledger. */
export function entryTitle(e) {
    if (!e) return ''
    if (e.indicator_name) return e.indicator_name
    if (e.kind === 'redemption') return '积分超市兑换'
    if (e.kind === 'refund') return '兑换取消，积分退还'
    if (e.kind === 'expiry') return '积分到期清零'
    if (e.kind === 'adjustment') return '积分调整'
    return entryKindName(e)
}

/** Who posted an entry: a person's name, or 系统 for automatic awards and expiry. */
export function actorName(actor) {
    if (!actor || !actor.id) return '系统'
    return actor.name || '工作人员'
}

const ORDER_STATES = {
    issued: { label: '待领取', tone: 'primary' },
    handed_over: { label: '已领取', tone: 'success' },
    cancelled: { label: '已取消', tone: 'default' },
    expired: { label: '已过期', tone: 'warning' },
}
export const ORDER_STATE_LIST = Object.entries(ORDER_STATES).map(([state, s]) => ({ state, label: s.label }))

export function orderStateName(s) {
    return (ORDER_STATES[s] && ORDER_STATES[s].label) || s || ''
}

export function orderStateTone(s) {
    return (ORDER_STATES[s] && ORDER_STATES[s].tone) || 'default'
}

const STAR_NAMES = ['', '一星', '二星', '三星', '四星', '五星']

/** 三星文明户; '' for no star. */
export function starName(n) {
    const v = Number(n) || 0
    return v > 0 && v <= 5 ? `${STAR_NAMES[v]}文明户` : ''
}

export function starGlyphs(n) {
    const v = Math.max(0, Math.min(5, Number(n) || 0))
    return '★'.repeat(v)
}

/** fen → "1,234.50" (yuan, two decimals). */
export function yuan(fen) {
    if (fen === null || fen === undefined || fen === '') return '—'
    const v = Number(fen) / 100
    if (!Number.isFinite(v)) return '—'
    return v.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
}

/** A points figure with its sign: +5, −3. */
export function signed(n) {
    const v = Number(n) || 0
    return v > 0 ? `+${v}` : v < 0 ? `−${Math.abs(v)}` : '0'
}

/** 0.1234 → "12.3%"; null → "—". */
export function percent(x) {
    if (x === null || x === undefined || !Number.isFinite(Number(x))) return '—'
    return `${(Number(x) * 100).toFixed(1)}%`
}

/** Group a catalogue by its groups, in the order the groups first appear; positive first. */
export function indicatorGroups(items) {
    const groups = []
    const by = new Map()
    for (const it of items || []) {
        const g = it.group || '其他'
        if (!by.has(g)) {
            const row = { group: g, items: [] }
            by.set(g, row)
            groups.push(row)
        }
        by.get(g).items.push(it)
    }
    for (const g of groups) g.items.sort((a, b) => (b.points > 0) - (a.points > 0) || b.points - a.points)
    return groups
}

/** The village (12 digits) of a scope code, or '' above a village. */
export function villageOf(code) {
    const s = String(code || '')
    return s.length >= 12 ? s.slice(0, 12) : ''
}

/** "YYYY-MM" of now in Beijing time. */
export function thisMonth() {
    const d = new Date(Date.now() + 8 * 3600 * 1000)
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}

/** Calendar year of now in Beijing time. */
export function thisYear() {
    return new Date(Date.now() + 8 * 3600 * 1000).getUTCFullYear()
}
