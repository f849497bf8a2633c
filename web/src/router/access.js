// Who may open a page, and the left menu built from the routes: each route's
// meta says its title, menu group, icon, order and the roles that may open
// it (none: any signed-in user); `person: true` pages need an account linked
// to a person (我的学分); `home: N` pages are where users land (lowest first);
// `feature: KEY` pages are in the menu only when the server's /me does not say
// the feature is off for the user (features.scorecard: their policy has a
// scorecard) — the page itself still opens and says why it is empty.
// Pure functions, tested in tests/unit/access.test.js.

/** Menu groups in the order they appear. Pages name one with meta.group. */
export const GROUPS = [
  { key: 'mine', title: '个人学习' },
  { key: 'work', title: '业务办理' },
  { key: 'stats', title: '统计考核' },
  { key: 'org', title: '组织管理' },
  { key: 'system', title: '系统管理' },
  { key: 'rules', title: '制度规定' },
]

/** Whether user may open a page with this meta. */
export function canAccess(meta, user) {
  if (!meta || meta.public) return true
  if (!user) return false
  if (meta.person && !user.person_id) return false
  if (meta.roles && meta.roles.length) {
    return meta.roles.some((r) => (user.roles || []).includes(r))
  }
  return true
}

/** Whether a page's feature is on for user (on unless /me says it is off). */
export function featureOn(meta, user) {
  if (!meta || !meta.feature) return true
  return !(user && user.features && user.features[meta.feature] === false)
}

function walk(routes, base, out) {
  for (const r of routes) {
    const path = r.path.startsWith('/') ? r.path : `${base.replace(/\/$/, '')}/${r.path}`
    if (r.meta && r.meta.menu) out.push({ ...r, fullPath: path })
    if (r.children) walk(r.children, path, out)
  }
  return out
}

/**
 * The menu for user: [{ key, title, items: [{ path, name, title, icon }] }],
 * groups in GROUPS order, items by meta.order then title; empty groups left
 * out.
 */
export function menuFor(routes, user) {
  const items = walk(routes, '/', []).filter((r) => canAccess(r.meta, user) && featureOn(r.meta, user))
  return GROUPS.map((g) => ({
    key: g.key,
    title: g.title,
    items: items
      .filter((r) => (r.meta.group || 'mine') === g.key)
      .sort((a, b) => (a.meta.order ?? 50) - (b.meta.order ?? 50))
      .map((r) => ({ path: r.fullPath, name: r.name, title: r.meta.title, icon: r.meta.icon })),
  })).filter((g) => g.items.length > 0)
}

/**
 * Where a user lands after signing in: the page with the lowest meta.home
 * they may open (我的学分, then 统计分析, then 审计日志), else the first page of
 * their menu.
 */
export function homeFor(routes, user) {
  const homes = walk(routes, '/', [])
    .filter((r) => r.meta.home !== undefined && canAccess(r.meta, user))
    .sort((a, b) => a.meta.home - b.meta.home)
  if (homes.length) return homes[0].fullPath
  const menu = menuFor(routes, user)
  return menu.length ? menu[0].items[0].path : '/me/password'
}
