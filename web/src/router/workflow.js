// The workflow pages (docs/workflow.md): 学分申报 and 我的申报, 审核, 培训活动,
// 公示, 季度通报, 消息, 评分表 and the printable forms (附件2–4). Spread into the
// layout's children by routes.js; meta as there (access.js decides who may
// open a page and builds the menu). Pages whose data the server scopes
// (a claim, an activity, a publication) are open to every signed-in user:
// the server answers 404 for what the caller may not see.

const REVIEWERS = ['reviewer', 'approver']
const ORGANISERS = ['reviewer', 'admin']
const STAFF = ['reviewer', 'approver', 'admin']

export const workflowRoutes = [
  // ---- members ----
  {
    path: 'claims/new',
    name: 'claim-new',
    component: () => import('@/views/workflow/ClaimEdit.vue'),
    meta: { title: '学分申报', menu: true, group: 'mine', order: 20, icon: 'Edit', person: true },
  },
  {
    path: 'claims/mine',
    name: 'my-claims',
    component: () => import('@/views/workflow/MyClaims.vue'),
    meta: { title: '我的申报', menu: true, group: 'mine', order: 30, icon: 'Document', person: true },
  },
  {
    path: 'claims/:id(\\d+)',
    name: 'claim',
    component: () => import('@/views/workflow/ClaimDetail.vue'),
    meta: { title: '申报详情' },
  },
  {
    path: 'claims/:id(\\d+)/edit',
    name: 'claim-edit',
    component: () => import('@/views/workflow/ClaimEdit.vue'),
    meta: { title: '修改申报', person: true },
  },
  {
    path: 'claims/:id(\\d+)/print',
    name: 'claim-print',
    component: () => import('@/print/ClaimForm.vue'),
    meta: { title: '打印申报表', print: true },
  },
  {
    path: 'me/scorecard',
    name: 'my-scorecard',
    component: () => import('@/views/workflow/MyScorecard.vue'),
    meta: { title: '学习评分表', menu: true, group: 'mine', order: 40, icon: 'Finished', person: true, feature: 'scorecard' },
  },
  {
    path: 'notices',
    name: 'notices',
    component: () => import('@/views/workflow/NoticesView.vue'),
    meta: { title: '我的消息', menu: true, group: 'mine', order: 50, icon: 'Warning', person: true },
  },

  // ---- review and approval ----
  {
    path: 'review',
    name: 'review',
    component: () => import('@/views/workflow/ReviewQueue.vue'),
    meta: { title: '申报审核', menu: true, group: 'work', order: 10, icon: 'Check', roles: REVIEWERS },
  },
  {
    path: 'scorecards',
    name: 'scorecards',
    component: () => import('@/views/workflow/ScorecardReview.vue'),
    meta: { title: '评分表评分', menu: true, group: 'work', order: 40, icon: 'Finished', roles: ['reviewer'], feature: 'scorecard_review' },
  },

  // ---- training activities ----
  {
    path: 'activities',
    name: 'activities',
    component: () => import('@/views/workflow/ActivitiesView.vue'),
    meta: { title: '培训活动', menu: true, group: 'work', order: 20, icon: 'OfficeBuilding', roles: STAFF },
  },
  {
    path: 'activities/new',
    name: 'activity-new',
    component: () => import('@/views/workflow/ActivityEdit.vue'),
    meta: { title: '培训活动申报', roles: ORGANISERS },
  },
  {
    path: 'activities/:id(\\d+)',
    name: 'activity',
    component: () => import('@/views/workflow/ActivityDetail.vue'),
    meta: { title: '培训活动详情', roles: STAFF },
  },
  {
    path: 'activities/:id(\\d+)/edit',
    name: 'activity-edit',
    component: () => import('@/views/workflow/ActivityEdit.vue'),
    meta: { title: '修改培训活动', roles: ORGANISERS },
  },
  {
    path: 'activities/:id(\\d+)/print',
    name: 'activity-print',
    component: () => import('@/print/ActivityForm.vue'),
    meta: { title: '打印培训活动申报表', roles: STAFF, print: true },
  },

  // ---- 公示 and 季度通报 ----
  {
    path: 'publications',
    name: 'publications',
    component: () => import('@/views/workflow/PublicationsView.vue'),
    meta: { title: '学分公示', menu: true, group: 'work', order: 30, icon: 'View' },
  },
  {
    path: 'publications/:id(\\d+)',
    name: 'publication',
    component: () => import('@/views/workflow/PublicationDetail.vue'),
    meta: { title: '公示详情' },
  },
  {
    path: 'quarterly',
    name: 'quarterly',
    component: () => import('@/views/workflow/QuarterlyView.vue'),
    meta: { title: '季度通报', menu: true, group: 'stats', order: 30, icon: 'Warning', roles: ['admin'] },
  },
]
