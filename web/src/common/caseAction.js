// caseAction.js — one step on a case (POST /cases/{id}/events) for the console drawer and the
// grid worker's buttons on the phone. One place decides what a refused step does: the server's
// own words are shown, and when the case moved on under us (409 当前状态下不能进行此操作, or
// 403 您无权… after someone re-dispatched it) the case is read again and shown as it is now.
// Knows no UI library: the console shows messages with Element Plus, the phone with Vant.
import { ref } from 'vue'
import { caseApi } from './api.js'

/**
 * hooks:
 *  - onCase(c): the case after the step, or as it is now after a refused one;
 *  - onError(err, stale): show why the step failed (err.message is the server's Chinese
 *    message); stale is true for a 409/403, after which the case is read again for onCase().
 * A failure api.js already handled (401 → login page…) calls neither.
 * Returns {busy, act(id, body, send?)}: busy holds the event being posted until act is over (the
 * reading again included), '' when idle; act resolves to true when the server took the step,
 * else false.
 */
export function useCaseAction({ onCase, onError }) {
    const busy = ref('')

    // send: how the step is posted (default POST /cases/{id}/events; a department's 报到 and
    // 办结 go to /cases/{id}/parts/{dept}).
    async function act(id, body, send = caseApi.act) {
        busy.value = body.event || body.action || 'act'
        try {
            const c = await send(id, body)
            onCase(c)
            return true
        } catch (e) {
            if (e.handled) return false
            const stale = e.status === 409 || e.status === 403
            onError(e, stale)
            if (stale) {
                try {
                    onCase(await caseApi.get(id))
                } catch (e2) {
                    // Keep the old view; the message above says what happened.
                }
            }
            return false
        } finally {
            busy.value = ''
        }
    }

    return { busy, act }
}
