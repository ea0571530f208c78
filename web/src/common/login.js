// login.js — the sign-in form of the console and of the phone: the fields, the check before
// sending, the server's message on failure (wrong password, 账号已锁定 after 5 misses…), the
// notice for ?reason= (session expired, offline, password changed), and where to go after:
// the change-password page when the password must be changed, the 两步验证 page when the role
// must set up a second factor (where the app has one), else the page that sent the user here
// (?redirect=), else the app's own start page. ?next=/screen/ comes back to the big screen
// (another app of the same site) after the sign-in.
//
// An account with a second factor signs in in two steps: the password, then (step 'code') the
// 6-digit code of the authenticator app or a recovery code. A wrong code stays on that step;
// an expired step or a lock goes back to the password.
import { ref, computed } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { useSession, sessionReasonText, sessionMustEnrol, ENROL_ROUTE } from './session.js'

/** Where ?next= may lead: the big screen, nothing else (no open redirect). */
const LOGIN_NEXT = /^\/screen\/(#[\w/-]*)?$/

/**
 * opts: missingText — the message when a field is empty (each app names the account its own
 * way); home(user) — the route to go to when no usable ?redirect= came along.
 * Returns {username, password, code, step, busy, error, notice, submit, back}.
 */
export function useLogin({ missingText, home }) {
    const session = useSession()
    const route = useRoute()
    const router = useRouter()

    const username = ref('')
    const password = ref('')
    const code = ref('')
    const step = ref('password') // 'password' | 'code'
    const busy = ref(false)
    const error = ref('')
    const notice = computed(() => (error.value ? '' : sessionReasonText(route.query.reason)))
    let challenge = null

    function go(user) {
        if (user.must_change_password) {
            router.replace({ name: 'password' })
            return
        }
        if (sessionMustEnrol(user) && router.hasRoute(ENROL_ROUTE)) {
            router.replace({ name: ENROL_ROUTE })
            return
        }
        // Another app of this site that sent the visitor here (only the big screen does).
        const next = typeof route.query.next === 'string' ? route.query.next : ''
        if (LOGIN_NEXT.test(next)) {
            window.location.assign(next)
            return
        }
        // A page of this app other than the start page ("/": the role's own start page).
        const r = typeof route.query.redirect === 'string' ? route.query.redirect : ''
        router.replace(r && r.startsWith('/') && r !== '/' && !r.startsWith('/login') ? r : home(user))
    }

    /** Back to the password (after an expired step, a lock, or by choice). */
    function back(message = '') {
        step.value = 'password'
        code.value = ''
        challenge = null
        error.value = message
    }

    async function submitPassword() {
        if (!username.value || !password.value) {
            error.value = missingText
            return
        }
        const r = await session.login(username.value, password.value)
        password.value = ''
        if (r.challenge) {
            challenge = r.challenge
            step.value = 'code'
            return
        }
        go(r.user)
    }

    async function submitCode() {
        const c = code.value.trim()
        if (!c) {
            error.value = '请输入验证器应用显示的 6 位数字'
            return
        }
        try {
            go(await session.loginTotp(challenge, c))
        } catch (e) {
            code.value = ''
            if (e.code === 'challenge_expired' || e.code === 'locked') back(e.message)
            else throw e
        }
    }

    async function submit() {
        if (busy.value) return
        error.value = ''
        busy.value = true
        try {
            await (step.value === 'code' ? submitCode() : submitPassword())
        } catch (e) {
            error.value = e.message || '登录失败'
        } finally {
            busy.value = false
        }
    }

    return { username, password, code, step, busy, error, notice, submit, back }
}
