// Every page of the UI. A page is added by adding a route here: its meta
// says who may open it and where it goes in the menu (access.js). Pages are
// loaded on first use (each its own chunk).
//
// meta: title (also the browser tab), menu (shown in the left menu),
// group (GROUPS in access.js), order, icon (an @element-plus/icons-vue name
// registered in components/icons.js), roles (any of), person (needs an
// account linked to a person), public (no sign-in), print (a print page),
// home (where users land after signing in: the lowest they may open).

import { workflowRoutes } from './workflow.js'

export const STAFF = ['reviewer', 'approver', 'admin']

export const routes = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/LoginView.vue'),
    meta: { public: true, title: '登录' },
  },
  {
    path: '/',
    component: () => import('@/layouts/AppLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('@/views/HomeView.vue'), meta: { title: '首页' } },
      {
        path: 'me/credits',
        name: 'my-credits',
        component: () => import('@/views/MyCredits.vue'),
        meta: { title: '我的学分', menu: true, group: 'mine', order: 10, icon: 'Medal', person: true, home: 10 },
      },
      {
        path: 'me/transcript',
        name: 'my-transcript',
        component: () => import('@/views/TranscriptView.vue'),
        meta: { title: '学分档案', person: true, print: true },
      },
      {
        path: 'policy',
        name: 'policy',
        component: () => import('@/views/PolicyView.vue'),
        meta: { title: '学分办法', menu: true, group: 'rules', order: 10, icon: 'Reading' },
      },
      {
        path: 'stats',
        name: 'stats',
        component: () => import('@/views/StatsView.vue'),
        meta: { title: '统计分析', menu: true, group: 'stats', order: 10, icon: 'DataAnalysis', roles: STAFF, home: 20 },
      },
      {
        path: 'assess',
        name: 'assess',
        component: () => import('@/views/AssessView.vue'),
        meta: { title: '年度考核', menu: true, group: 'stats', order: 20, icon: 'Finished', roles: ['admin'] },
      },
      {
        path: 'people',
        name: 'people',
        component: () => import('@/views/PeopleView.vue'),
        meta: { title: '人员与单位', menu: true, group: 'org', order: 10, icon: 'User', roles: STAFF },
      },
      {
        path: 'people/:id',
        name: 'person',
        component: () => import('@/views/PersonView.vue'),
        meta: { title: '人员详情', roles: STAFF },
      },
      {
        path: 'people/:id/transcript',
        name: 'person-transcript',
        component: () => import('@/views/TranscriptView.vue'),
        meta: { title: '学分档案', roles: STAFF, print: true },
      },
      {
        path: 'imports',
        name: 'imports',
        component: () => import('@/views/ImportView.vue'),
        meta: { title: '数据导入', menu: true, group: 'org', order: 20, icon: 'Upload', roles: ['admin'] },
      },
      {
        path: 'exports',
        name: 'exports',
        component: () => import('@/views/ExportView.vue'),
        meta: { title: '数据导出', menu: true, group: 'org', order: 30, icon: 'Download', roles: ['admin'] },
      },
      {
        path: 'users',
        name: 'users',
        component: () => import('@/views/UsersView.vue'),
        meta: { title: '账号管理', menu: true, group: 'system', order: 10, icon: 'Key', roles: ['admin'] },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('@/views/AuditView.vue'),
        meta: { title: '审计日志', menu: true, group: 'system', order: 20, icon: 'Document', roles: ['auditor'], home: 30 },
      },
      {
        path: 'me/password',
        name: 'password',
        component: () => import('@/views/PasswordView.vue'),
        meta: { title: '修改密码' },
      },
      ...workflowRoutes,
      {
        path: 'forbidden',
        name: 'forbidden',
        component: () => import('@/views/ForbiddenView.vue'),
        meta: { title: '无权访问' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/views/NotFoundView.vue'),
        meta: { title: '页面不存在' },
      },
    ],
  },
]
