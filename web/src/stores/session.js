// Who is signed in: the user of GET /me (roles, person, scope), the CSRF
// token for requests that change something, and the idle limit. One
// reactive object shared by every page.
import { reactive } from 'vue'
import { api, lastUnauthorizedCode, setCsrf } from '@/api/client.js'

export const session = reactive({
  // { id, username, display_name, person_id, roles, review_units, approve_units,
  //   features: { scorecard, scorecard_review } }
  user: null,
  idleTimeout: 1800,
  loaded: false,
  // Why the last session ended (shown on the login page): 'expired' | 'ended' | ''.
  endedReason: '',
})

function take(answer) {
  session.user = answer ? { ...answer.user, features: answer.features || {} } : null
  session.idleTimeout = (answer && answer.idle_timeout) || 1800
  setCsrf(answer ? answer.csrf_token : '')
  session.loaded = true
}

/** Reads GET /me once per page load (or again with force). */
export async function loadSession(force = false) {
  if (session.loaded && !force) return session.user
  try {
    take(await api.get('/api/v1/me', undefined, { quiet401: true }))
  } catch (e) {
    if (e.status !== 401) throw e
    // A session past its idle or absolute limit: the login page says so.
    if (e.code === 'session_expired' || lastUnauthorizedCode() === 'session_expired') session.endedReason = 'expired'
    take(null)
  }
  return session.user
}

export async function login(username, password) {
  const answer = await api.post('/api/v1/login', { username, password }, { quiet401: true })
  session.endedReason = ''
  take(answer)
  return session.user
}

export async function logout() {
  try {
    await api.post('/api/v1/logout', undefined, { quiet401: true })
  } catch {
    /* the session may already be gone: signed out all the same */
  }
  take(null)
}

/** Forgets the session after a 401 (expired: the idle or absolute limit passed). */
export function sessionEnded(code) {
  session.endedReason = code === 'session_expired' ? 'expired' : 'ended'
  take(null)
}

export function hasRole(user, role) {
  return !!(user && user.roles && user.roles.includes(role))
}
