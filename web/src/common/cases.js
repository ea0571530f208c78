// cases.js — 民生诉求 on screen: states and their colours, outcomes, the two-level category
// tree, deadlines and the live countdown, and which buttons each role sees in which state
// (docs/CASES.md). The server decides every transition; these tables only shape the screens.
import { ref, onMounted, onBeforeUnmount } from 'vue'
import { serverNow } from './api.js'

export const CASE_STATES = [
    { state: 'submitted', label: '已提交', tone: 'warning' },
    { state: 'dispatched', label: '已派单', tone: 'primary' },
    { state: 'accepted', label: '已接单', tone: 'primary' },
    { state: 'returned', label: '已退回', tone: 'warning' },
    { state: 'escalated', label: '已上报', tone: 'danger' },
    { state: 'whistle', label: '吹哨处置中', tone: 'danger' },
    { state: 'resolved', label: '已办结', tone: 'success' },
    { state: 'rated', label: '已评价', tone: 'success' },
    { state: 'reopened', label: '重新办理', tone: 'warning' },
    { state: 'closed', label: '已关闭', tone: 'default' },
    { state: 'merged', label: '已合并', tone: 'default' },
    { state: 'cancelled', label: '已撤销', tone: 'default' },
]
const STATE_BY = Object.fromEntries(CASE_STATES.map((s) => [s.state, s]))

/** The label the server sent (state_label), else ours. */
export function caseStateLabel(c) {
    if (!c) return ''
    return c.state_label || (STATE_BY[c.state] && STATE_BY[c.state].label) || c.state || ''
}

/** Colour of a state: primary | success | warning | danger | default. */
export function caseStateTone(state) {
    return (STATE_BY[state] && STATE_BY[state].tone) || 'default'
}

/** States in which the handling clock runs (a countdown makes sense). */
const OPEN_STATES = ['submitted', 'dispatched', 'accepted', 'returned', 'escalated', 'whistle', 'reopened']
export function caseIsOpen(c) {
    return !!c && OPEN_STATES.includes(c.state)
}

export const OUTCOMES = [
    { value: 'fixed', label: '已解决' },
    { value: 'partly_fixed', label: '部分解决' },
    { value: 'not_our_duty', label: '非职责范围' },
    { value: 'duplicate', label: '重复' },
]
export function outcomeLabel(v) {
    const o = OUTCOMES.find((x) => x.value === v)
    return o ? o.label : v || ''
}

export function slipLabel(slip) {
    if (slip === 'red') return '红单'
    if (slip === 'blue') return '蓝单'
    return ''
}

const SOURCE_NAMES = {
    resident: '居民',
    informant: '信息员',
    building_head: '楼栋长',
    staff: '工作人员',
    open311: '外部接口',
}
export function sourceName(s) {
    return SOURCE_NAMES[s] || s || ''
}

const HANDLING_NAMES = { grid: '网格', community: '村/社区', street: '街道/乡镇', department: '职能部门' }

/**
 * The flat list of /case-categories as a tree for a cascader: groups (parent_code null) with
 * their categories as children. Only second-level codes are valid reports, so a group without
 * categories is left out.
 */
export function categoryTree(items) {
    const groups = []
    const byCode = {}
    for (const c of items || []) {
        if (!c.parent_code) {
            const g = { text: c.name, value: c.code, category: c, children: [] }
            groups.push(g)
            byCode[c.code] = g
        }
    }
    for (const c of items || []) {
        if (c.parent_code && byCode[c.parent_code]) {
            byCode[c.parent_code].children.push({ text: c.name, value: c.code, category: c })
        }
    }
    return groups.filter((g) => g.children.length > 0)
}

/** "网格处置 · 2 小时内响应 · 24 小时内办结" for a category (a department by its name). */
export function categoryPromise(c) {
    if (!c) return ''
    const who = c.handling === 'department' ? c.department_name || '职能部门' : HANDLING_NAMES[c.handling] || ''
    const parts = []
    if (who) parts.push(`${who}处置`)
    if (c.respond_hours) parts.push(`${c.respond_hours} 小时内响应`)
    if (c.complete_value) {
        parts.push(`${c.complete_value} ${c.complete_unit === 'workdays' ? '个工作日' : '小时'}内办结`)
    }
    return parts.join(' · ')
}

// ---- the live countdown ----

// One shared one-second tick for every countdown on the page (a queue of 50 cards runs one timer).
const now = ref(serverNow())
let timer = null
let users = 0

/** A ref holding the server-corrected time, ticking every second while a component uses it. */
export function useNow() {
    onMounted(() => {
        users++
        now.value = serverNow()
        if (!timer) timer = setInterval(() => (now.value = serverNow()), 1000)
    })
    onBeforeUnmount(() => {
        users--
        if (users <= 0 && timer) {
            clearInterval(timer)
            timer = null
            users = 0
        }
    })
    return now
}

const HOUR = 3600 * 1000
const MINUTE = 60 * 1000

/**
 * What a countdown to `due` shows at `nowMs`: {text, urgent, overdue}. Red (urgent) when under
 * 2 hours are left or the deadline has passed. A paused case (等待群众) keeps what was left when
 * it paused.
 */
export function countdownOf(due, nowMs, pausedAt) {
    if (due === null || due === undefined) return null
    const paused = pausedAt !== null && pausedAt !== undefined
    const left = Number(due) - (paused ? Number(pausedAt) : nowMs)
    if (left < 0) {
        const over = -left
        const h = Math.floor(over / HOUR)
        const text = h >= 1 ? `已超时 ${h} 小时` : `已超时 ${Math.max(1, Math.floor(over / MINUTE))} 分钟`
        return { text: paused ? `${text}（已暂停计时）` : text, urgent: true, overdue: true }
    }
    const s = Math.floor(left / 1000)
    const d = Math.floor(s / 86400)
    const h = Math.floor((s % 86400) / 3600)
    const m = Math.floor((s % 3600) / 60)
    const sec = s % 60
    const pad = (n) => String(n).padStart(2, '0')
    let text
    if (d > 0) text = `剩余 ${d} 天 ${h} 小时 ${m} 分`
    else text = `剩余 ${h} 小时 ${pad(m)} 分 ${pad(sec)} 秒`
    if (paused) text = `${text}（已暂停计时）`
    return { text, urgent: left < 2 * HOUR, overdue: false }
}

// ---- what a case card offers (list items carry no actions) ----

/** Events the phone draws a form for; anything else the server offers is done in the console. */
export const PHONE_EVENTS = ['accept', 'resolve', 'note', 'escalate', 'return', 'wait', 'resume', 'rate', 'reopen', 'cancel']

// The steps a card can offer from a list item alone, shaped like the server's actions.
const LIST_STEPS = {
    accept: { event: 'accept', label: '接单', note: 'optional', photos: false },
    cancel: { event: 'cancel', label: '撤销', note: 'required', photos: false },
    rate: { event: 'rate', label: '评价', note: 'optional', photos: false },
}

/**
 * What a card offers before the case's own `actions` are known (a list is light; the detail, and
 * the reply of every step, carry them): only the next step that is certain from the list item,
 * each one the detail's actions also hold for this caller (docs/CASES.md) —
 *  - queue: a grid worker's 待办 holds what the grid holds, so 接单 from dispatched or reopened;
 *  - reporter: the list is the caller's own reports, so 撤销 before it is accepted (submitted,
 *    dispatched) and 评价 once resolved.
 * Everything else is on the case's page. A step the server refuses anyway (the case moved on)
 * shows its message and the case as it is now (caseAction.js).
 */
export function caseListActions(c, { queue = false, reporter = false } = {}) {
    if (!c) return []
    if (Array.isArray(c.actions)) return c.actions
    const out = []
    if (queue && ['dispatched', 'reopened'].includes(c.state)) out.push(LIST_STEPS.accept)
    if (reporter && ['submitted', 'dispatched'].includes(c.state)) out.push(LIST_STEPS.cancel)
    if (reporter && c.state === 'resolved') out.push(LIST_STEPS.rate)
    return out
}

/** Console roles that see 诉求管理 (their buttons come from each case's `actions`). */
export const CASE_CONSOLE_ROLES = ['community_admin', 'street_admin', 'center_operator', 'county_admin', 'leader', 'department_staff']

/** The action the server offers for `event` on case c (its `actions`), or null. */
export function caseAction(c, event) {
    return (c && (c.actions || []).find((a) => a.event === event)) || null
}

// How the server placed a new report (the create event's detail.placed_by).
const PLACED_BY = {
    location: '按上报位置确定所在网格',
    household: '按住户所在网格确定位置',
    scope: '按账号管辖范围确定位置',
}

/**
 * A short line of an event's detail: where it was dispatched, the departments summoned, the stars,
 * the outcome. Names only: the server sends assignee_name / department_name(s) beside each code,
 * and a code nobody could name is left out rather than shown.
 */
export function eventDetailText(ev) {
    const d = (ev && ev.detail) || {}
    const parts = []
    if (d.placed_by && PLACED_BY[d.placed_by]) parts.push(PLACED_BY[d.placed_by])
    if (d.assignee_name) parts.push(`${ev.event === 'escalate' ? '上报至' : '派至'} ${d.assignee_name}`)
    if (d.department_names && d.department_names.length) parts.push(`召集 ${d.department_names.join('、')}`)
    if (d.department_name) parts.push(d.department_name)
    if (d.rating) parts.push(`${'★'.repeat(d.rating)}${'☆'.repeat(Math.max(0, 5 - d.rating))}（${d.rating} 星）`)
    if (d.outcome) parts.push(`结果：${outcomeLabel(d.outcome)}`)
    return parts.join('；')
}
