// The console at /admin/: village/community/street/county staff (Element Plus).
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { adminCreateRouter } from './router.js'
import { elementInstall } from './element.js'
import { useSession, sessionInstallGuard } from '../common/session.js'
import './admin.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
elementInstall(app)
const router = adminCreateRouter()
sessionInstallGuard(router, useSession(pinia))
app.use(router)
app.mount('#app')
