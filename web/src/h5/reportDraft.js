// reportDraft.js — the 随手拍 form being filled, kept across tab switches and page reloads
// (sessionStorage, per signed-in user) together with its Idempotency-Key: a retry after a lost
// answer, even after WeChat reloaded the page, sends the same key and makes no second case.
// Photos are kept as the ids the server gave them (an upload still on its way is not kept).
import { reactive, watch } from 'vue'
import { newIdempotencyKey } from '../common/api.js'

const STORE = 'jiceng.report-draft'

function blank(uid) {
    return {
        uid: uid || null,
        key: newIdempotencyKey(),
        category: '', // second-level code
        categoryText: '', // "消防安全 / 楼道停放电动车"
        description: '',
        address: '',
        location: null, // {lat, lon}
        photos: [], // uploaded already: [{id, url, thumb_url}] (the server keeps them for the report)
        forPerson: null, // 代报: {id, name, address} of the person reported for, or null (oneself)
    }
}

export const draft = reactive(blank(null))

function save() {
    try {
        sessionStorage.setItem(STORE, JSON.stringify(draft))
    } catch (e) {
        // Private mode or storage full: the in-memory draft still works.
    }
}

/** Take up the signed-in user's draft: the stored one if it is theirs, else a fresh form. */
export function draftFor(uid) {
    if (draft.uid === uid) return draft
    let stored = null
    try {
        stored = JSON.parse(sessionStorage.getItem(STORE) || 'null')
    } catch (e) {
        stored = null
    }
    const fresh = blank(uid)
    Object.assign(draft, stored && stored.uid === uid && stored.key ? { ...fresh, ...stored } : fresh)
    if (!Array.isArray(draft.photos)) draft.photos = []
    draft.photos = draft.photos.filter((p) => p && typeof p.id === 'string').slice(0, 6)
    save()
    return draft
}

/** A new, empty form with a new key (after a case was made). */
export function draftReset() {
    Object.assign(draft, blank(draft.uid))
    save()
}

/** A new key for the same content (after the server said the old key belongs to other content). */
export function draftNewKey() {
    draft.key = newIdempotencyKey()
    save()
}

watch(draft, save, { deep: true })
