// Phone routes. Hash history (/#/grid) so the server serves one index.html only.
import { createRouter, createWebHashHistory } from 'vue-router'
import { GRID_ROLES, PERSON_ROLES } from '../common/roles.js'
import { h5HomeFor } from './home.js'
import { useSession } from '../common/session.js'
import LoginPage from './pages/LoginPage.vue'

export function h5CreateRouter() {
    const router = createRouter({
        history: createWebHashHistory(),
        routes: [
            { path: '/login', name: 'login', component: LoginPage, meta: { public: true, title: '登录' } },
            {
                path: '/password',
                name: 'password',
                component: () => import('./pages/ChangePasswordPage.vue'),
                meta: { title: '修改密码' },
            },
            { path: '/', name: 'home', component: { render: () => null }, meta: { title: '基层治理' } },
            {
                path: '/grid',
                name: 'grid',
                component: () => import('./pages/MyGridPage.vue'),
                meta: { title: '我的网格', roles: GRID_ROLES, tab: true },
            },
            {
                path: '/household/:id',
                name: 'household',
                component: () => import('./pages/HouseholdPage.vue'),
                meta: { title: '家庭成员', roles: GRID_ROLES },
            },
            {
                path: '/family',
                name: 'family',
                component: () => import('./pages/MyHouseholdPage.vue'),
                meta: { title: '我的家庭', roles: PERSON_ROLES, tab: true },
            },
            {
                path: '/report',
                name: 'report',
                component: () => import('./pages/ReportPage.vue'),
                meta: { title: '随手拍', roles: PERSON_ROLES, tab: true },
            },
            {
                path: '/cases',
                name: 'cases',
                component: () => import('./pages/MyCasesPage.vue'),
                meta: { title: '我的诉求', roles: PERSON_ROLES, tab: true },
            },
            {
                path: '/todo',
                name: 'todo',
                component: () => import('./pages/TodoPage.vue'),
                meta: { title: '待办', roles: ['grid_worker'], tab: true },
            },
            {
                path: '/case/:id',
                name: 'case',
                component: () => import('./pages/CaseDetailPage.vue'),
                meta: { title: '诉求详情' },
            },
            {
                path: '/inbox',
                name: 'inbox',
                component: () => import('./pages/InboxPage.vue'),
                meta: { title: '我的消息' },
            },
            {
                path: '/mine',
                name: 'mine',
                component: () => import('./pages/MinePage.vue'),
                meta: { title: '我的资料', tab: true },
            },
            {
                path: '/staff',
                name: 'staff',
                component: () => import('./pages/StaffHintPage.vue'),
                meta: { title: '基层治理' },
            },
            { path: '/:rest(.*)*', redirect: '/' },
        ],
    })
    // "/" is a switch: it sends each role to its own first page.
    router.beforeEach(async (to) => {
        if (to.name !== 'home') return true
        const session = useSession()
        let user = null
        try {
            user = await session.load()
        } catch (e) {
            return { name: 'login', query: { reason: 'offline' } }
        }
        if (!user) return { name: 'login' }
        if (user.must_change_password) return { name: 'password' }
        return h5HomeFor(user.role)
    })
    router.afterEach((to) => {
        document.title = to.meta.title ? `${to.meta.title} - 基层治理` : '基层治理'
    })
    return router
}
