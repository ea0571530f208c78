// The big screen at /screen/: a 1920x1080 canvas scaled as a whole to the display.
// It is for the county's staff: without a session the visitor goes to the console's login and
// comes back here (?next=/screen/); a signed-in account of another role (a resident, a grid
// worker…) gets a page saying who may open it, never the canvas.
import { createApp } from 'vue'
import App from './App.vue'
import ScreenRefused from './ScreenRefused.vue'
import { authApi } from '../common/api.js'
import { SCREEN_ROLES } from '../common/roles.js'
import './screen.css'

/** The console's login, coming back to this page afterwards. */
export const SCREEN_LOGIN = '/admin/#/login?next=' + encodeURIComponent('/screen/')

async function start() {
    let user = null
    try {
        const r = await authApi.me()
        user = r && r.user
    } catch (e) {
        if (e.status === 401) {
            window.location.replace(SCREEN_LOGIN)
            return
        }
        if (e.code === 'password_change_required' || e.code === 'second_factor_required') {
            window.location.replace('/admin/') // the console takes the account through it first
            return
        }
        createApp(ScreenRefused, { reason: 'offline', message: e.message }).mount('#app')
        return
    }
    if (!user) {
        window.location.replace(SCREEN_LOGIN)
        return
    }
    if (user.must_change_password || (user.totp_required && !user.totp_enabled)) {
        window.location.replace('/admin/')
        return
    }
    if (!SCREEN_ROLES.includes(user.role)) {
        createApp(ScreenRefused, { reason: 'role', user }).mount('#app')
        return
    }
    createApp(App).mount('#app')
}

start()
