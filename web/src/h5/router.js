// Phone routes. Hash history (/#/grid) so the server serves one index.html only.
import { createRouter, createWebHashHistory } from 'vue-router'
import { GRID_ROLES, PERSON_ROLES, H5_ROLES } from '../common/roles.js'
import { AWARDER_ROLES } from '../common/points.js'
import { h5HomeFor } from './home.js'
import { useSession } from '../common/session.js'
import LoginPage from './pages/LoginPage.vue'

// Everyone on the phone has a 积分 page; village admins reach it from their start page.
const POINTS_ROLES = [...H5_ROLES, 'community_admin']

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
            // 积分制 (issue 4): the household's points and store, the cadres' tools.
            {
                path: '/points',
                name: 'points',
                component: () => import('./pages/PointsPage.vue'),
                meta: { title: '积分', roles: POINTS_ROLES, tab: true },
            },
            {
                path: '/points/score',
                name: 'points-score',
                component: () => import('./pages/ScorePage.vue'),
                meta: { title: '入户打分', roles: AWARDER_ROLES },
            },
            {
                path: '/points/inspect',
                name: 'points-inspect',
                component: () => import('./pages/InspectPage.vue'),
                meta: { title: '微网格互检', roles: AWARDER_ROLES },
            },
            {
                path: '/points/handover',
                name: 'points-handover',
                component: () => import('./pages/HandoverPage.vue'),
                meta: { title: '兑换核销', roles: ['community_admin', 'grid_worker'] },
            },
            {
                path: '/points/store',
                name: 'points-store',
                component: () => import('./pages/StorePage.vue'),
                meta: { title: '积分超市', roles: POINTS_ROLES },
            },
            {
                path: '/points/orders',
                name: 'points-orders',
                component: () => import('./pages/OrdersPage.vue'),
                meta: { title: '我的兑换', roles: POINTS_ROLES },
            },
            {
                path: '/points/board',
                name: 'points-board',
                component: () => import('./pages/BoardPage.vue'),
                meta: { title: '积分榜', roles: POINTS_ROLES },
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
