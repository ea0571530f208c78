// The phone app at /: residents, informants, building heads and grid workers (Vant 4),
// made to work in WeChat's built-in browser on a cheap phone.
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { h5CreateRouter } from './router.js'
import { vantInstall } from './vant.js'
import { useSession, sessionInstallGuard } from '../common/session.js'
import './h5.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
vantInstall(app)
const router = h5CreateRouter()
sessionInstallGuard(router, useSession(pinia))
app.use(router)
app.mount('#app')
