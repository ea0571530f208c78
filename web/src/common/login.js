// login.js — the sign-in form of the console and of the phone: the fields, the check before
// sending, the server's message on failure (wrong password, 账号已锁定 after 5 misses…), the
// notice for ?reason= (session expired, offline, password changed), and where to go after:
// the change-password page when the password must be changed, else the page that sent the
// user here (?redirect=), else the app's own start page.
import { ref, computed } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { useSession, sessionReasonText } from './session.js'

/**
 * opts: missingText — the message when a field is empty (each app names the account its own
 * way); home(user) — the route to go to when no usable ?redirect= came along.
 * Returns {username, password, busy, error, notice, submit}.
 */
export function useLogin({ missingText, home }) {
    const session = useSession()
    const route = useRoute()
    const router = useRouter()

    const username = ref('')
    const password = ref('')
    const busy = ref(false)
    const error = ref('')
    const notice = computed(() => (error.value ? '' : sessionReasonText(route.query.reason)))

    async function submit() {
        if (busy.value) return
        error.value = ''
        if (!username.value || !password.value) {
            error.value = missingText
            return
        }
        busy.value = true
        try {
            const user = await session.login(username.value, password.value)
            password.value = ''
            if (user.must_change_password) {
                router.replace({ name: 'password' })
                return
            }
            // A page of this app other than the start page ("/": the role's own start page).
            const r = typeof route.query.redirect === 'string' ? route.query.redirect : ''
            router.replace(r && r.startsWith('/') && r !== '/' && !r.startsWith('/login') ? r : home(user))
        } catch (e) {
            error.value = e.message || '登录失败'
        } finally {
            busy.value = false
        }
    }

    return { username, password, busy, error, notice, submit }
}
