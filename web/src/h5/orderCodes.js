// orderCodes.js — the one-time codes of the household's own store orders, kept on this phone
// (localStorage, per account) so the digits can be shown again at the counter after the page
// was reloaded. The server gives the digits only once (in the order reply) but keeps serving
// the QR code to the household while the order is open; a code is dropped once its order is
// closed.
const STORE = 'jiceng.order-codes'

function readAll() {
    try {
        return JSON.parse(localStorage.getItem(STORE) || '{}') || {}
    } catch (e) {
        return {}
    }
}

function writeAll(all) {
    try {
        localStorage.setItem(STORE, JSON.stringify(all))
    } catch (e) {
        // Private mode: the QR code still works.
    }
}

export function orderCodeRemember(uid, orderId, code) {
    const all = readAll()
    all[`${uid}:${orderId}`] = code
    writeAll(all)
}

export function orderCodeOf(uid, orderId) {
    return readAll()[`${uid}:${orderId}`] || ''
}

/** Forget the codes of this account's orders that are no longer open. */
export function orderCodesPrune(uid, openIds) {
    const all = readAll()
    const open = new Set(openIds.map(String))
    let changed = false
    for (const k of Object.keys(all)) {
        const [u, id] = k.split(':')
        if (u === String(uid) && !open.has(id)) {
            delete all[k]
            changed = true
        }
    }
    if (changed) writeAll(all)
}
