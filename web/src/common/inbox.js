// inbox.js — the unread count of 我的消息 shared by the H5 and the console: asked when the app
// starts with a signed-in user, every 30 s while the page is visible, after every case action
// and after a message is read. The list pages themselves live in each app.
import { reactive } from 'vue'
import { inboxApi, apiOnCaseChange } from './api.js'

const POLL_MS = 30000

export const inbox = reactive({ unread: 0 })

let timer = null
let running = false
let seq = 0

/** Ask the server for the unread count (quietly: a failed poll never moves the user). */
export async function inboxRefresh() {
    if (!running) return
    const my = ++seq
    try {
        const r = await inboxApi.list({ unread: 1, limit: 1 }, { quiet: true })
        if (my === seq && running && r) inbox.unread = Number(r.unread) || 0
    } catch (e) {
        // Offline or signed out: keep the last count; the next poll tries again.
    }
}

/** A message was read here: drop the count at once, then ask the server. */
export function inboxMarkedRead() {
    if (inbox.unread > 0) inbox.unread -= 1
    seq++ // an answer already on its way predates the read
    inboxRefresh()
}

function visible() {
    return typeof document === 'undefined' || document.visibilityState !== 'hidden'
}

function onVisibility() {
    if (visible()) inboxRefresh()
}

function schedule() {
    clearInterval(timer)
    timer = setInterval(() => {
        if (visible()) inboxRefresh()
    }, POLL_MS)
}

apiOnCaseChange(() => inboxRefresh())

/** Start (signed in) or stop (signed out) the polling; safe to call repeatedly. */
export function inboxSetActive(active) {
    if (active === running) return
    running = active
    if (active) {
        document.addEventListener('visibilitychange', onVisibility)
        schedule()
        inboxRefresh()
    } else {
        seq++
        clearInterval(timer)
        timer = null
        document.removeEventListener('visibilitychange', onVisibility)
        inbox.unread = 0
    }
}

/** "99+" past 99, as badges do. */
export function inboxBadgeText(n) {
    return n > 99 ? '99+' : String(n)
}
