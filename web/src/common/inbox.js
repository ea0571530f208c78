// inbox.js — the unread count of 我的消息 shared by the H5 and the console. It is asked when the
// app starts with a signed-in user, after every case action, after a message is read, when the
// live stream (live.js) brings a message, and — while the stream is down — every 30 s while the
// page is visible. Asking is passive on the server: it never keeps an idle session alive.
// The list pages themselves live in each app; they reload when `inbox.version` moves.
import { reactive } from 'vue'
import { inboxApi, apiOnCaseChange } from './api.js'

export const inbox = reactive({
    unread: 0,
    version: 0, // moves when new messages arrived (a list on screen reloads then)
})

let running = false
let seq = 0
let newest = null // id of the newest unread message at the last answer
let primed = false // an answer came since signing in (the first one is no change)
const changeListeners = new Set()

/** fn() runs when an answer differs from the one before (a new message, one read elsewhere):
 *  live.js refreshes the case lists then while the event stream is down. */
export function inboxOnChange(fn) {
    changeListeners.add(fn)
    return () => changeListeners.delete(fn)
}

/**
 * Ask the server for the unread count (quietly: a failed ask never moves the user).
 * Resolves to {ok: true, changed} — changed when the count or the newest unread message differs
 * from the last answer — or {ok: false, status} (401 once the session is gone, 0 offline).
 */
export async function inboxRefresh() {
    if (!running) return { ok: false, status: 0 }
    const my = ++seq
    try {
        const r = await inboxApi.list({ unread: 1, limit: 1 }, { quiet: true })
        if (my !== seq || !running || !r) return { ok: true, changed: false }
        const unread = Number(r.unread) || 0
        const top = r.items && r.items.length ? String(r.items[0].id) : null
        const changed = primed && (unread !== inbox.unread || top !== newest)
        const grew = top !== null && top !== newest && unread >= inbox.unread
        inbox.unread = unread
        newest = top
        primed = true
        if (grew) inbox.version++
        if (changed) {
            for (const fn of changeListeners) fn()
        }
        return { ok: true, changed }
    } catch (e) {
        // Offline or signed out: keep the last count; the caller decides what to do next.
        return { ok: false, status: e.status || 0 }
    }
}

/** A message was read here: drop the count at once, then ask the server. */
export function inboxMarkedRead() {
    if (inbox.unread > 0) inbox.unread -= 1
    seq++ // an answer already on its way predates the read
    inboxRefresh()
}

/** A message arrived on the live stream: lists reload, the count is asked again. */
export function inboxArrived(item) {
    if (item && item.id !== undefined && !item.read_at) newest = String(item.id)
    inbox.version++
    return inboxRefresh()
}

apiOnCaseChange(() => inboxRefresh())

/** Signed in (count kept) or signed out (count cleared); live.js calls it. Safe to repeat. */
export function inboxSetActive(active) {
    if (active === running) return
    running = active
    seq++
    primed = false
    if (!active) {
        inbox.unread = 0
        newest = null
    }
}

/** "99+" past 99, as badges do. */
export function inboxBadgeText(n) {
    return n > 99 ? '99+' : String(n)
}
