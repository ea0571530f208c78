// pullLoad.js — the load of a pull-to-refresh page: the spinner until the first answer
// (`loaded`), the error box (`error`, in Chinese, unless api.js showed the error already) and
// the van-pull-refresh flag (`refreshing`), reset whatever the answer was.
import { ref } from 'vue'

/**
 * fetch() asks the server and puts the answer where the page keeps it; `what` names it in the
 * error ("无法加载积分榜：…"). Returns {loaded, error, refreshing, load}.
 */
export function usePullLoad(fetch, what = '') {
    const loaded = ref(false)
    const error = ref('')
    const refreshing = ref(false)

    async function load() {
        try {
            await fetch()
            error.value = ''
        } catch (e) {
            if (!e.handled) error.value = `无法加载${what}：${e.message}`
        } finally {
            loaded.value = true
            refreshing.value = false
        }
    }

    return { loaded, error, refreshing, load }
}
