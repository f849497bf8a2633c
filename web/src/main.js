// The web UI's entry: the app, its router, the styles every page shares, and
// the session-ended handler (a 401 takes the user back to the login page with
// the reason).
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router/index.js'
import { prefetch, setUnauthorizedHandler } from './api/client.js'
import { sessionEnded } from './stores/session.js'
import { registerIcons } from './components/icons.js'
// Services called as functions are not seen by the on-demand resolver.
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import './styles/main.css'

setUnauthorizedHandler((err) => {
  sessionEnded(err.code)
  const here = router.currentRoute.value
  if (here.name !== 'login') {
    router.replace({ name: 'login', query: { redirect: here.fullPath, reason: err.code } })
  }
})

// Start what the first page needs while the session is being checked: the
// page's own code, and for 我的学分 its data.
for (const r of router.resolve(location.pathname).matched) {
  const c = r.components && r.components.default
  if (typeof c === 'function') c().catch(() => {})
}
if (location.pathname === '/me/credits') {
  const y = Number(new URLSearchParams(location.search).get('year')) || new Date().getFullYear()
  prefetch('/api/v1/me/credits', { year: y })
}

const app = createApp(App)
registerIcons(app)
app.use(router)
app.mount('#app')
