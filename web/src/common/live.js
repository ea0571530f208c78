// live.js — live updates for the H5 and the console from the server's event stream
// (GET /api/v1/events, Server-Sent Events, same-origin cookie):
//   event: inbox  data = one message as GET /api/v1/inbox lists it  → badge and message lists
//   event: case   data = {id, state, seq, event}                      → lists and open cases
// When the stream is unavailable (an older server answers 404, a proxy cuts it, the session is
// gone) the app falls back to asking the inbox every 30 s while the page is visible; a change
// there (a new case to take, a step of one's own report) refreshes the case lists too. Asking the
// inbox is passive on the server, so neither way keeps an idle session alive (等保 10 minutes).
//
// Reconnecting is ours, not the browser's: an EventSource left to itself retries every few
// seconds for ever while a server is down, filling the console. Here a stream that worked is
// retried with a growing pause (3 s … 2 min) after the inbox answers again; one that never
// opened is tried three more times over ~12 minutes, then the page keeps polling.
import { reactive, onMounted, onBeforeUnmount } from 'vue'
import { inboxRefresh, inboxArrived, inboxSetActive, inboxOnChange } from './inbox.js'

const STREAM_URL = '/api/v1/events'
const POLL_MS = 30000
const RETRY_MS = [3000, 6000, 15000, 30000, 60000, 120000] // a stream that worked before
const FIRST_RETRY_MS = [30000, 120000, 600000] // a stream that never opened (then: polling only)
const BATCH_MS = 250 // several events of one burst make one refresh
const TOUCH_EVENTS = ['pointerdown', 'keydown', 'touchstart', 'wheel']

/** mode: 'off' (signed out), 'connecting', 'stream' (live), 'polling' (fallback). */
export const live = reactive({ mode: 'off' })

let running = false
let source = null
let everOpened = false // in this sign-in
let failures = 0
let retryTimer = null
let pollTimer = null

const caseListeners = new Set()

function visible() {
    return typeof document === 'undefined' || document.visibilityState !== 'hidden'
}

// The pages refetch cases after a change, and such reads count as activity on the server. A
// screen left alone must still time out after 10 idle minutes (等保): once nobody has touched
// the page for 9 minutes, changes are only noted, and shown at the next touch.
const IDLE_MS = 9 * 60 * 1000
let lastTouch = Date.now()
let missedWhileIdle = false

function onTouch() {
    lastTouch = Date.now()
    if (missedWhileIdle) {
        missedWhileIdle = false
        for (const l of caseListeners) l.push({ resync: true })
    }
}

/** Tell every case listener: ids changed, or (resync) anything may have changed. */
function notifyCases(change) {
    if (Date.now() - lastTouch > IDLE_MS) {
        missedWhileIdle = true
        return
    }
    for (const l of caseListeners) l.push(change)
}

// ---- the stream ----

function openStream() {
    clearTimeout(retryTimer)
    retryTimer = null
    if (!running || source) return
    if (typeof window === 'undefined' || typeof window.EventSource !== 'function') {
        startPolling()
        return
    }
    live.mode = 'connecting'
    let es
    try {
        es = new window.EventSource(STREAM_URL)
    } catch (e) {
        startPolling()
        return
    }
    source = es
    es.addEventListener('open', () => {
        if (source !== es) return
        const reconnected = everOpened
        everOpened = true
        failures = 0
        live.mode = 'stream'
        stopPolling()
        // What happened while the stream was down was not sent: look again.
        if (reconnected) resync()
    })
    es.addEventListener('inbox', (e) => {
        if (source !== es) return
        inboxArrived(parse(e.data))
    })
    es.addEventListener('case', (e) => {
        if (source !== es) return
        const d = parse(e.data)
        if (d && d.id !== undefined && d.id !== null) notifyCases({ ids: [String(d.id)] })
    })
    es.onerror = () => {
        if (source !== es) return
        // Closed for good (404, 401, not an event stream) or dropped: either way we take over.
        es.close()
        source = null
        startPolling()
        scheduleRetry()
    }
}

function parse(text) {
    try {
        return JSON.parse(text)
    } catch (e) {
        return null
    }
}

function closeStream() {
    if (source) {
        source.close()
        source = null
    }
    clearTimeout(retryTimer)
    retryTimer = null
}

function scheduleRetry() {
    clearTimeout(retryTimer)
    const table = everOpened ? RETRY_MS : FIRST_RETRY_MS
    if (!everOpened && failures >= table.length) return // not offered here: polling it is
    const wait = table[Math.min(failures, table.length - 1)]
    failures++
    retryTimer = setTimeout(retry, wait)
}

// Before opening again, the inbox (passive) says whether the session and server are there: a
// signed-out page does not knock on the stream every two minutes.
async function retry() {
    retryTimer = null
    if (!running || source) return
    if (!visible()) return // the page coming back to view tries again
    const r = await inboxRefresh()
    if (!running || source) return
    if (r.ok) openStream()
    else if (r.status !== 401) scheduleRetry()
}

// ---- the fallback: the inbox every 30 s ----

function startPolling() {
    live.mode = 'polling'
    if (pollTimer) return
    pollTimer = setInterval(poll, POLL_MS)
}

function stopPolling() {
    clearInterval(pollTimer)
    pollTimer = null
}

function poll() {
    if (!running || !visible()) return
    inboxRefresh()
}

// Whoever asked the inbox (the poll, an action, a message read), a change seen while the stream
// is down may concern the cases on screen.
inboxOnChange(() => {
    if (running && live.mode !== 'stream') notifyCases({ resync: true })
})

function resync() {
    inboxRefresh()
    notifyCases({ resync: true })
}

function onVisibility() {
    if (!running || !visible() || live.mode !== 'polling') return
    poll()
    if (source) return
    // A phone that slept dropped its stream: try it now rather than after the pause.
    if (everOpened) {
        clearTimeout(retryTimer)
        retry()
    } else if (!retryTimer && failures < FIRST_RETRY_MS.length) {
        retry()
    }
}

/** Start (signed in) or stop (signed out: the stream is closed) live updates; safe to repeat. */
export function liveSetActive(active) {
    if (active === running) return
    running = active
    inboxSetActive(active)
    if (active) {
        everOpened = false
        failures = 0
        lastTouch = Date.now()
        missedWhileIdle = false
        document.addEventListener('visibilitychange', onVisibility)
        for (const t of TOUCH_EVENTS) window.addEventListener(t, onTouch, { capture: true, passive: true })
        inboxRefresh()
        openStream()
    } else {
        closeStream()
        stopPolling()
        document.removeEventListener('visibilitychange', onVisibility)
        for (const t of TOUCH_EVENTS) window.removeEventListener(t, onTouch, { capture: true })
        live.mode = 'off'
    }
}

/**
 * For a page showing cases: fn(change) runs after cases changed elsewhere — change.ids lists the
 * case ids the stream named; change.resync is true when anything may have changed (the stream
 * came back, or the inbox poll saw something new). Events of one burst come as one call.
 * Registered while the component is mounted.
 */
export function useLiveCases(fn) {
    let timer = null
    let pending = null
    const listener = {
        push(change) {
            if (!pending) pending = { ids: new Set(), resync: false }
            if (change.resync) pending.resync = true
            for (const id of change.ids || []) pending.ids.add(id)
            if (!timer) timer = setTimeout(flush, BATCH_MS)
        },
    }
    function flush() {
        timer = null
        const p = pending
        pending = null
        if (p) fn({ ids: [...p.ids], resync: p.resync })
    }
    onMounted(() => caseListeners.add(listener))
    onBeforeUnmount(() => {
        caseListeners.delete(listener)
        clearTimeout(timer)
        timer = null
        pending = null
    })
}
