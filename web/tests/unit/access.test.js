// Who may open which page and the menu built from the routes. The shell's
// rules are tested on a fixed table (the workflow pages add routes to the
// real one); the real table is checked for what must hold whatever pages it has.
import { describe, expect, test } from 'vitest'
import { canAccess, featureOn, GROUPS, homeFor, menuFor } from '@/router/access.js'
import { routes, STAFF } from '@/router/routes.js'

const user = (roles, person_id = null) => ({ id: 1, username: 'u', roles, person_id })

// The shell's pages as routes.js declares them.
const SHELL = [
  { path: '/login', name: 'login', meta: { public: true, title: '登录' } },
  {
    path: '/',
    children: [
      { path: 'me/credits', meta: { title: '我的学分', menu: true, group: 'mine', order: 10, person: true, home: 10 } },
      { path: 'me/transcript', meta: { title: '学分档案', person: true } },
      { path: 'policy', meta: { title: '学分办法', menu: true, group: 'rules', order: 10 } },
      { path: 'stats', meta: { title: '统计分析', menu: true, group: 'stats', order: 10, roles: STAFF, home: 20 } },
      { path: 'assess', meta: { title: '年度考核', menu: true, group: 'stats', order: 20, roles: ['admin'] } },
      { path: 'people', meta: { title: '人员与单位', menu: true, group: 'org', order: 10, roles: STAFF } },
      { path: 'people/:id', meta: { title: '人员详情', roles: STAFF } },
      { path: 'imports', meta: { title: '数据导入', menu: true, group: 'org', order: 20, roles: ['admin'] } },
      { path: 'exports', meta: { title: '数据导出', menu: true, group: 'org', order: 30, roles: ['admin'] } },
      { path: 'users', meta: { title: '账号管理', menu: true, group: 'system', order: 10, roles: ['admin'] } },
      { path: 'audit', meta: { title: '审计日志', menu: true, group: 'system', order: 20, roles: ['auditor'], home: 30 } },
    ],
  },
]
const titles = (table, u) => menuFor(table, u).flatMap((g) => g.items.map((i) => i.title))

describe('the menu follows the roles', () => {
  test.each([
    ['member', user(['member'], 19), ['我的学分', '学分办法']],
    ['reviewer', user(['member', 'reviewer'], 14), ['我的学分', '统计分析', '人员与单位', '学分办法']],
    ['approver', user(['member', 'approver'], 9), ['我的学分', '统计分析', '人员与单位', '学分办法']],
    ['admin (no person)', user(['admin']), ['统计分析', '年度考核', '人员与单位', '数据导入', '数据导出', '账号管理', '学分办法']],
    ['auditor', user(['auditor']), ['审计日志', '学分办法']],
  ])('%s', (_, u, want) => {
    expect(titles(SHELL, u)).toEqual(want)
  })
  test('groups are in order, empty ones left out, full paths', () => {
    const m = menuFor(SHELL, user(['admin']))
    expect(m.map((g) => g.title)).toEqual(['统计考核', '组织管理', '系统管理', '制度规定'])
    expect(m[0].items[0].path).toBe('/stats')
  })
  test('a new page appears in the menu by its route alone', () => {
    const extra = [...SHELL, { path: '/claims', meta: { title: '学分申报', menu: true, group: 'mine', order: 20, roles: ['member'] } }]
    expect(menuFor(extra, user(['member'], 1))[0].items.map((i) => i.title)).toEqual(['我的学分', '学分申报'])
  })
})

describe('canAccess', () => {
  const person = { roles: STAFF }
  test.each([
    [person, user(['member'], 3), false],
    [person, user(['reviewer'], 3), true],
    [{ person: true }, user(['admin']), false],
    [{ person: true }, user(['admin'], 5), true],
    [{ roles: ['auditor'] }, user(['admin']), false],
    [{}, null, false],
    [{ public: true }, null, true],
  ])('%j for %j → %s', (meta, u, want) => {
    expect(canAccess(meta, u)).toBe(want)
  })
})

test('home: 我的学分, else 统计分析, else 审计日志', () => {
  for (const table of [SHELL, routes]) {
    expect(homeFor(table, user(['member'], 1))).toBe('/me/credits')
    expect(homeFor(table, user(['member', 'reviewer'], 1))).toBe('/me/credits')
    expect(homeFor(table, user(['admin']))).toBe('/stats')
    expect(homeFor(table, user(['auditor']))).toBe('/audit')
  }
})

describe('the real route table', () => {
  const all = []
  const walk = (rs, base) => {
    for (const r of rs) {
      const p = r.path.startsWith('/') ? r.path : `${base.replace(/\/$/, '')}/${r.path}`
      all.push({ ...r, full: p })
      if (r.children) walk(r.children, p)
    }
  }
  walk(routes, '/')
  test('every menu page has a title and a known group', () => {
    const groups = GROUPS.map((g) => g.key)
    for (const r of all.filter((x) => x.meta && x.meta.menu)) {
      expect(r.meta.title, r.full).toBeTruthy()
      expect(groups, r.full).toContain(r.meta.group)
    }
  })
  test('a member never sees the staff, admin or auditor pages of the shell', () => {
    const t = titles(routes, user(['member'], 1))
    for (const x of ['统计分析', '人员与单位', '数据导入', '数据导出', '账号管理', '审计日志', '年度考核']) expect(t).not.toContain(x)
    expect(t).toContain('我的学分')
  })
  test('the people pages are for staff only', () => {
    for (const p of ['/people', '/people/:id', '/people/:id/transcript']) {
      const r = all.find((x) => x.full === p)
      expect(r, p).toBeTruthy()
      expect(canAccess(r.meta, user(['member'], 1)), p).toBe(false)
      expect(canAccess(r.meta, user(['auditor'])), p).toBe(false)
    }
  })
})

describe('features: the scorecard pages only where the policy has one', () => {
  const withFeatures = (u, features) => ({ ...u, features })
  test('the menu follows /me features; unknown means shown', () => {
    const bureau = withFeatures(user(['member', 'reviewer'], 14), { scorecard: false, scorecard_review: false })
    const branch = withFeatures(user(['member', 'reviewer'], 55), { scorecard: true, scorecard_review: true })
    expect(titles(routes, bureau)).not.toContain('学习评分表')
    expect(titles(routes, bureau)).not.toContain('评分表评分')
    expect(titles(routes, branch)).toContain('学习评分表')
    expect(titles(routes, branch)).toContain('评分表评分')
    expect(titles(routes, user(['member'], 1))).toContain('学习评分表')
  })
  test('the page still opens (it says why it is empty)', () => {
    const r = routes.flatMap((x) => x.children || []).find((x) => x.path === 'me/scorecard')
    const u = withFeatures(user(['member'], 14), { scorecard: false })
    expect(canAccess(r.meta, u)).toBe(true)
    expect(featureOn(r.meta, u)).toBe(false)
    expect(featureOn({}, u)).toBe(true)
  })
})
