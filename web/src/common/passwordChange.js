// passwordChange.js — the change-password form of the console and of the phone: the checks
// before sending (the server's policy, the two new entries alike, not the old one), the
// server's message on failure, and where to go after. A user who must change the password
// (first sign-in, or reset by an admin) is `forced`: kept here, with sign-out as the way out.
import { ref, computed } from 'vue'
import { useRouter } from 'vue-router'
import { useSession, sessionPasswordProblem } from './session.js'

/**
 * opts: success(message) — show a short success message (Element Plus or Vant).
 * Returns {forced, oldPassword, newPassword, confirm, busy, error, submit, logout}.
 */
export function usePasswordChange({ success }) {
    const session = useSession()
    const router = useRouter()
    const forced = computed(() => session.mustChangePassword)

    const oldPassword = ref('')
    const newPassword = ref('')
    const confirm = ref('')
    const busy = ref(false)
    const error = ref('')

    /** The message for what is wrong before sending, or ''. */
    function problem() {
        if (!oldPassword.value) return '请输入当前密码'
        const p = sessionPasswordProblem(newPassword.value, session.user && session.user.username)
        if (p) return p
        if (newPassword.value !== confirm.value) return '两次输入的新密码不一致'
        if (newPassword.value === oldPassword.value) return '新密码不能与当前密码相同'
        return ''
    }

    async function submit() {
        if (busy.value) return
        error.value = problem()
        if (error.value) return
        busy.value = true
        try {
            await session.changePassword(oldPassword.value, newPassword.value)
            if (!session.user) {
                router.replace({ name: 'login', query: { reason: 'changed' } })
                return
            }
            success('密码已修改')
            router.replace({ name: 'home' })
        } catch (e) {
            if (e.status === 401 && e.code === 'unauthenticated') {
                session.forget()
                router.replace({ name: 'login', query: { reason: 'expired' } })
                return
            }
            error.value = e.message
        } finally {
            busy.value = false
        }
    }

    async function logout() {
        await session.logout()
        router.replace({ name: 'login' })
    }

    return { forced, oldPassword, newPassword, confirm, busy, error, submit, logout }
}
