// session.js — who is signed in, shared by the H5 and the console.
// The session itself is the HttpOnly cookie the server sets; the browser never sees the token.
// This store only remembers the `user` object from /auth/login or /auth/me.
import { defineStore } from 'pinia'
import { authApi, apiSetHandlers } from './api.js'

export const useSession = defineStore('session', {
    state: () => ({
        user: null,
        checked: false, // /auth/me has been asked once since the page loaded
    }),
    getters: {
        role: (s) => (s.user ? s.user.role : null),
        mustChangePassword: (s) => !!(s.user && s.user.must_change_password),
        /** The role requires a second factor (等保) and it is not set up yet. */
        mustEnrol: (s) => sessionMustEnrol(s.user),
    },
    actions: {
        /** Ask the server who we are (once per page load unless force). Resolves to user or null. */
        async load(force = false) {
            if (this.checked && !force) return this.user
            try {
                const r = await authApi.me()
                this.user = r && r.user ? r.user : null
            } catch (e) {
                if (e.status === 401) {
                    this.user = null
                } else if (e.code === 'password_change_required') {
                    // The server may refuse even /auth/me until the password is changed.
                    this.user = { ...(this.user || {}), must_change_password: true }
                } else if (e.code === 'second_factor_required') {
                    this.user = { ...(this.user || {}), totp_required: true, totp_enabled: false }
                } else {
                    throw e
                }
            }
            this.checked = true
            return this.user
        },
        /** Sign in. Resolves to {user} when signed in, or to {challenge} when the account has a
         *  second factor: then loginTotp(challenge, code) finishes. */
        async login(username, password) {
            const r = await authApi.login(username, password)
            if (r.second_factor) return { challenge: r.challenge }
            this.user = r.user
            this.checked = true
            return { user: r.user }
        },
        async loginTotp(challenge, code) {
            const r = await authApi.loginTotp(challenge, code)
            this.user = r.user
            this.checked = true
            return r.user
        },
        async logout() {
            try {
                await authApi.logout()
            } catch (e) {
                // Already expired or offline: the local state is cleared either way.
            }
            this.forget()
        },
        forget() {
            this.user = null
            this.checked = true
        },
        async changePassword(oldPassword, newPassword) {
            await authApi.changePassword(oldPassword, newPassword)
            try {
                await this.load(true)
            } catch (e) {
                // Keep going: the next page load asks again.
            }
            if (this.user) this.user.must_change_password = false
        },
    },
})

/**
 * Wire an app's router to the session:
 *  - routes with meta.public (login) are open; every other route needs a signed-in user;
 *  - a user who must change the password is kept on the `password` route;
 *  - meta.roles limits a route to some roles (others go `home`);
 *  - a 401 from any request sends the user to `login`, a 403 password_change_required to
 *    `password`.
 */
export function sessionInstallGuard(router, session) {
    router.beforeEach(async (to) => {
        if (to.meta.public) return true
        let user
        try {
            user = await session.load()
        } catch (e) {
            // Server unreachable: show the login page with the reason rather than a blank page.
            return { name: 'login', query: { redirect: to.fullPath, reason: 'offline' } }
        }
        if (!user) return { name: 'login', query: { redirect: to.fullPath } }
        if (user.must_change_password && to.name !== 'password') {
            return { name: 'password' }
        }
        // An app with an enrolment page keeps there whom the server limits to enrolment.
        if (!user.must_change_password && sessionMustEnrol(user) && to.name !== ENROL_ROUTE) {
            if (router.hasRoute(ENROL_ROUTE)) return { name: ENROL_ROUTE }
        }
        if (to.meta.roles && !to.meta.roles.includes(user.role)) return { name: 'home' }
        return true
    })

    apiSetHandlers({
        unauthenticated() {
            const wasSignedIn = !!session.user
            session.forget()
            const cur = router.currentRoute.value
            if (cur.name === 'login') return
            const query = { redirect: cur.fullPath }
            if (wasSignedIn) query.reason = 'expired'
            router.replace({ name: 'login', query })
        },
        passwordChangeRequired() {
            if (session.user) session.user.must_change_password = true
            else session.user = { must_change_password: true }
            if (router.currentRoute.value.name !== 'password') router.replace({ name: 'password' })
        },
        secondFactorRequired() {
            session.user = { ...(session.user || {}), totp_required: true, totp_enabled: false }
            const to = router.hasRoute(ENROL_ROUTE) ? ENROL_ROUTE : 'home'
            if (router.currentRoute.value.name !== to) router.replace({ name: to })
        },
    })
}

/** The route of the page that enrols a second factor (the console has it; the phone does not). */
export const ENROL_ROUTE = 'totp'

/** Whether the user must set up a second factor before anything else. */
export function sessionMustEnrol(user) {
    return !!(user && user.totp_required && !user.totp_enabled)
}

/** The message the login page shows for ?reason=… */
export function sessionReasonText(reason) {
    if (reason === 'expired') return '登录已超时（10 分钟无操作），请重新登录'
    if (reason === 'offline') return '无法连接服务器，请检查网络后重试'
    if (reason === 'changed') return '密码已修改，请用新密码登录'
    return ''
}

/** The password policy of the server (8+ chars, 3 of 4 classes, not the username), checked
 *  early so the user sees the rule before a round trip; the server's dictionary check and the
 *  last 5 passwords are only known there. Returns a message or ''. */
export function sessionPasswordProblem(password, username) {
    if (!password || password.length < 8) return '新密码至少 8 位'
    let classes = 0
    if (/[a-z]/.test(password)) classes++
    if (/[A-Z]/.test(password)) classes++
    if (/[0-9]/.test(password)) classes++
    if (/[^a-zA-Z0-9]/.test(password)) classes++
    if (classes < 3) return '新密码须包含大写字母、小写字母、数字、符号中的至少三类'
    if (username && password.toLowerCase() === String(username).toLowerCase()) {
        return '新密码不能与用户名相同'
    }
    return ''
}
