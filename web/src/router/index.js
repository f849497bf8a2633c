// The router: sign-in and role checks before every page (a page the user may
// not open shows 无权访问, whatever the URL), and the tab title.
import { createRouter, createWebHistory } from 'vue-router'
import { routes } from './routes.js'
import { canAccess, homeFor } from './access.js'
import { loadSession, session } from '@/stores/session.js'

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  let user = null
  try {
    user = await loadSession()
  } catch {
    user = session.user
  }
  if (to.meta.public) {
    if (to.name === 'login' && user) return homeFor(routes, user)
    return true
  }
  if (!user) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (to.name === 'home') return homeFor(routes, user)
  if (!canAccess(to.meta, user)) {
    return { name: 'forbidden', query: { from: to.fullPath } }
  }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - 学分管理系统` : '学分管理系统'
})

export { routes }
