// Console routes. Hash history: /admin/#/regions, so the server serves one index.html only.
import { createRouter, createWebHashHistory } from 'vue-router'
import { REGISTRY_ROLES, ACCOUNT_ADMIN_ROLES, AUDIT_ROLES } from '../common/roles.js'
import { CASE_CONSOLE_ROLES } from '../common/cases.js'
import { POINTS_ADMIN_ROLES, POINTS_COUNTY_ROLES, POINTS_OVERVIEW_ROLES } from '../common/points.js'
import ConsoleLayout from './components/ConsoleLayout.vue'
import LoginPage from './pages/LoginPage.vue'

export function adminCreateRouter() {
    return createRouter({
        history: createWebHashHistory(),
        routes: [
            { path: '/login', name: 'login', component: LoginPage, meta: { public: true, title: '登录' } },
            {
                path: '/password',
                name: 'password',
                component: () => import('./pages/ChangePasswordPage.vue'),
                meta: { title: '修改密码' },
            },
            {
                path: '/totp',
                name: 'totp',
                component: () => import('./pages/TotpPage.vue'),
                meta: { title: '两步验证' },
            },
            {
                path: '/',
                component: ConsoleLayout,
                children: [
                    {
                        path: '',
                        name: 'home',
                        component: () => import('./pages/HomePage.vue'),
                        meta: { title: '首页' },
                    },
                    {
                        path: 'cases',
                        name: 'cases',
                        component: () => import('./pages/CasesPage.vue'),
                        meta: { title: '诉求管理', roles: CASE_CONSOLE_ROLES },
                    },
                    {
                        path: 'points',
                        name: 'points',
                        component: () => import('./pages/PointsPage.vue'),
                        meta: { title: '积分管理', roles: POINTS_ADMIN_ROLES },
                    },
                    {
                        path: 'points-county',
                        name: 'points-county',
                        component: () => import('./pages/PointsCountyPage.vue'),
                        meta: { title: '县级指标与规则', roles: POINTS_COUNTY_ROLES },
                    },
                    {
                        path: 'points-overview',
                        name: 'points-overview',
                        component: () => import('./pages/PointsOverviewPage.vue'),
                        meta: { title: '全县积分概览', roles: POINTS_OVERVIEW_ROLES },
                    },
                    {
                        path: 'regions',
                        name: 'regions',
                        component: () => import('./pages/RegionBrowserPage.vue'),
                        meta: { title: '区域网格', roles: REGISTRY_ROLES },
                    },
                    {
                        path: 'users',
                        name: 'users',
                        component: () => import('./pages/AccountsPage.vue'),
                        meta: { title: '账号管理', roles: ACCOUNT_ADMIN_ROLES },
                    },
                    {
                        path: 'audit',
                        name: 'audit',
                        component: () => import('./pages/AuditLogPage.vue'),
                        meta: { title: '审计日志', roles: AUDIT_ROLES },
                    },
                ],
            },
            { path: '/:rest(.*)*', redirect: { name: 'home' } },
        ],
    })
}
