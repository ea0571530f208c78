// keyset.js — paging over the server's keyset lists ({items, next_cursor}).
// The console pages back and forth by remembering the cursor each page started from;
// the phone appends page after page ("加载更多").
import { ref, computed } from 'vue'

/**
 * fetchPage(cursor) must resolve to {items, next_cursor}. Returns reactive state and
 * first()/next()/prev()/more()/reload().
 */
export function useKeysetPager(fetchPage) {
    const items = ref([])
    const loading = ref(false)
    const error = ref(null) // the ApiError of the last failed load
    const starts = ref([null]) // cursor each visited page started from; last = current page
    const nextCursor = ref(null)
    const pageNo = computed(() => starts.value.length)
    const hasNext = computed(() => !!nextCursor.value)
    const hasPrev = computed(() => starts.value.length > 1)
    let seq = 0 // drops answers that arrive after a newer request was made

    async function load(cursor, append) {
        const my = ++seq
        loading.value = true
        error.value = null
        try {
            const r = (await fetchPage(cursor)) || {}
            if (my !== seq) return false
            const got = r.items || []
            items.value = append ? items.value.concat(got) : got
            nextCursor.value = r.next_cursor || null
            return true
        } catch (e) {
            if (my === seq) error.value = e
            return false
        } finally {
            if (my === seq) loading.value = false
        }
    }

    return {
        items,
        loading,
        error,
        pageNo,
        hasNext,
        hasPrev,
        first() {
            starts.value = [null]
            nextCursor.value = null
            return load(null, false)
        },
        async next() {
            if (!nextCursor.value) return false
            const c = nextCursor.value
            const ok = await load(c, false)
            if (ok) starts.value = starts.value.concat([c])
            return ok
        },
        async prev() {
            if (starts.value.length < 2) return false
            const s = starts.value.slice(0, -1)
            const ok = await load(s[s.length - 1], false)
            if (ok) starts.value = s
            return ok
        },
        more() {
            if (!nextCursor.value) return Promise.resolve(false)
            return load(nextCursor.value, true)
        },
        reload() {
            return load(starts.value[starts.value.length - 1], false)
        },
    }
}
