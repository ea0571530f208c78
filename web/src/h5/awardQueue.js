// awardQueue.js — 入户打分 that survives a bad network (issue 4). Each ticked indicator becomes
// one award with its own Idempotency-Key, made once and kept in localStorage (per signed-in
// account) until the server has answered it: a retry after a lost answer — even after the phone
// reloaded the page or was switched off in a field without signal — sends the same key, and the
// server makes one award, not two. Awards wait while the phone is offline and go out by
// themselves when it is back online (the `online` event, and a timer as a fallback).
//
// The server's answer is kept as a result: 已入账 (201), 待互检 (202, a village with 微网格互检),
// or refused with the server's Chinese reason (limit reached, budget spent, photo required...).
// A refusal is final — retrying the same award cannot change it — so it leaves the queue.
import { reactive } from 'vue'
import { newIdempotencyKey } from '../common/api.js'
import { pointsApi } from '../common/points.js'

const STORE = 'jiceng.award-queue'
const RETRY_MS = 15000
const KEEP_RESULTS = 60

export const awardQueue = reactive({
    uid: null,
    items: [], // waiting: {key, household_id, household_label, indicator_id, indicator_name, points, photos, note, queued_at, error}
    results: [], // answered, newest first: {key, household_id, household_label, indicator_name, points, outcome, message, at}
    sending: false,
    offline: typeof navigator !== 'undefined' && navigator.onLine === false,
})

let timer = null
let listening = false

function save() {
    try {
        localStorage.setItem(
            STORE,
            JSON.stringify({ uid: awardQueue.uid, items: awardQueue.items, results: awardQueue.results }),
        )
    } catch (e) {
        // Storage full or private mode: the queue still works while the page stays open.
    }
}

function listen() {
    if (listening || typeof window === 'undefined') return
    listening = true
    window.addEventListener('online', () => {
        awardQueue.offline = false
        awardFlush()
    })
    window.addEventListener('offline', () => {
        awardQueue.offline = true
    })
}

/** Take up the signed-in account's queue (the stored one if it is theirs) and send what waits. */
export function awardQueueFor(uid) {
    listen()
    if (awardQueue.uid !== uid) {
        let stored = null
        try {
            stored = JSON.parse(localStorage.getItem(STORE) || 'null')
        } catch (e) {
            stored = null
        }
        const mine = stored && stored.uid === uid
        awardQueue.uid = uid
        awardQueue.items = mine && Array.isArray(stored.items) ? stored.items.filter((x) => x && x.key) : []
        awardQueue.results = mine && Array.isArray(stored.results) ? stored.results.slice(0, KEEP_RESULTS) : []
        save()
    }
    awardFlush()
    return awardQueue
}

/** Queue awards (one per indicator) and start sending. Each gets its key here, once. */
export function awardEnqueue(list) {
    const now = Date.now()
    for (const a of list) {
        awardQueue.items.push({ ...a, key: newIdempotencyKey(), queued_at: now, error: '' })
    }
    save()
    return awardFlush()
}

/** Results for one household, newest first. */
export function awardResultsOf(householdId) {
    return awardQueue.results.filter((r) => r.household_id === householdId)
}

/** Waiting awards for one household. */
export function awardWaitingOf(householdId) {
    return awardQueue.items.filter((r) => r.household_id === householdId)
}

function settle(item, outcome, message, reply) {
    const i = awardQueue.items.findIndex((x) => x.key === item.key)
    if (i >= 0) awardQueue.items.splice(i, 1)
    awardQueue.results.unshift({
        key: item.key,
        household_id: item.household_id,
        household_label: item.household_label,
        indicator_name: item.indicator_name,
        points: item.points,
        outcome, // posted | pending | refused
        message: message || '',
        entry_id: reply && reply.entry ? reply.entry.id : null,
        pending_id: reply && reply.pending ? reply.pending.id : null,
        at: Date.now(),
    })
    if (awardQueue.results.length > KEEP_RESULTS) awardQueue.results.length = KEEP_RESULTS
    save()
}

function retryLater() {
    clearTimeout(timer)
    timer = setTimeout(awardFlush, RETRY_MS)
}

/** Send the waiting awards one by one, oldest first. Resolves when the queue is empty or stuck. */
export async function awardFlush() {
    if (awardQueue.sending || !awardQueue.items.length) return
    awardQueue.sending = true
    clearTimeout(timer)
    try {
        while (awardQueue.items.length) {
            const item = awardQueue.items[0]
            const body = { household_id: item.household_id, indicator_id: item.indicator_id }
            if (item.note) body.note = item.note
            if (item.photos && item.photos.length) body.photos = item.photos.map((p) => p.id)
            let reply
            try {
                reply = await pointsApi.award(body, item.key)
            } catch (e) {
                const transient = e.status === 0 || e.status >= 500 || e.status === 429
                if (transient || e.handled) {
                    // Keep it (and its key): the next try may be the first the server sees.
                    item.error = e.handled ? '登录已失效，重新登录后自动发送' : e.message
                    awardQueue.offline = e.status === 0
                    save()
                    if (!e.handled) retryLater()
                    return
                }
                settle(item, 'refused', e.message)
                continue
            }
            awardQueue.offline = false
            settle(item, reply && reply.pending && !reply.entry ? 'pending' : 'posted', '', reply)
        }
    } finally {
        awardQueue.sending = false
    }
}
