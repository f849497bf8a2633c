// The one module that talks to the server: JSON requests with the session's
// CSRF token, uploads and downloads with progress, and ApiError for every
// failure (errors.js). Pages never call fetch themselves.
import { ApiError, errorFrom, networkError } from './errors.js'

let csrfToken = ''
let onUnauthorized = null
// The code of the last 401 (a prefetch may learn first that the session
// expired; its answer clears the cookie, so the next request is only told
// "unauthenticated").
let last401 = ''
// GETs started before the page that needs them exists (main.js starts the
// member's year while the app is still loading); the first api.get of the
// same URL takes the answer.
const prefetched = new Map()
let lastActivity = Date.now()

/** The CSRF token of this session (from login and GET /me). */
export function setCsrf(token) {
  csrfToken = token || ''
  if (token) {
    // A new session: nothing learnt or fetched under the old one counts.
    last401 = ''
    prefetched.clear()
  }
}

/** Called with the ApiError when a request answers 401 (the session ended). */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn
}

/** The error code of the last 401 answer ('' after setCsrf of a new session). */
export function lastUnauthorizedCode() {
  return last401
}

/** When the last request was sent (the idle timer of the session). */
export function lastRequestAt() {
  return lastActivity
}

/** "/api/v1/people" + { q: '赵', page: 2, empty: '' } → "/api/v1/people?q=%E8%B5%B5&page=2". */
export function buildUrl(path, query) {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query || {})) {
    if (v === undefined || v === null || v === '') continue
    q.append(k, String(v))
  }
  const s = q.toString()
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path
}

function changes(method) {
  return method !== 'GET' && method !== 'HEAD'
}

async function parseBody(res) {
  if (res.status === 204) return null
  const text = await res.text()
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

function fail(err, { quiet401 = false } = {}) {
  if (err.status === 401) {
    if (!last401 || err.code === 'session_expired') last401 = err.code
    if (!quiet401 && onUnauthorized) onUnauthorized(err)
  }
  throw err
}

/**
 * A JSON request. body: an object (sent as JSON) or undefined.
 * Resolves the parsed answer (null for 204); rejects with ApiError.
 */
export async function request(method, path, { query, body, signal, quiet401 } = {}) {
  const headers = { Accept: 'application/json' }
  const init = { method, headers, credentials: 'same-origin', signal }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  if (changes(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken
  let res
  lastActivity = Date.now()
  try {
    res = await fetch(buildUrl(path, query), init)
  } catch (e) {
    if (e && e.name === 'AbortError') throw e
    throw networkError()
  }
  const data = await parseBody(res)
  if (!res.ok) return fail(errorFrom(res.status, data), { quiet401 })
  return data
}


/** Starts GET path?query now; the next api.get of that URL gets its answer. */
export function prefetch(path, query) {
  const url = buildUrl(path, query)
  const p = request('GET', path, { query, quiet401: true })
  // A failed prefetch is forgotten: the page asks again itself.
  p.catch(() => {
    if (prefetched.get(url) === p) prefetched.delete(url)
  })
  prefetched.set(url, p)
}

function get(path, query, opts) {
  const url = buildUrl(path, query)
  if (prefetched.has(url)) {
    const p = prefetched.get(url)
    prefetched.delete(url)
    return p
  }
  return request('GET', path, { ...opts, query })
}

export const api = {
  get,
  post: (path, body, opts) => request('POST', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
}

/**
 * Sends a file as the raw request body (imports, evidence), reporting
 * progress: onProgress(fraction 0..1). Resolves the JSON answer.
 */
export function upload(path, file, { query, onProgress, signal } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', buildUrl(path, query))
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken)
    xhr.setRequestHeader('Content-Type', 'application/octet-stream')
    if (onProgress) {
      xhr.upload.onprogress = (ev) => {
        if (ev.lengthComputable) onProgress(ev.loaded / ev.total)
      }
    }
    xhr.onload = () => {
      let data = null
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null
      } catch {
        data = null
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data)
      else {
        const err = errorFrom(xhr.status, data)
        if (err.status === 401 && onUnauthorized) onUnauthorized(err)
        reject(err)
      }
    }
    xhr.onerror = () => reject(networkError())
    xhr.onabort = () => reject(new ApiError(0, 'aborted', '已取消'))
    if (signal) signal.addEventListener('abort', () => xhr.abort())
    lastActivity = Date.now()
    xhr.send(file)
  })
}

/** The file name of a Content-Disposition header (RFC 5987 filename* first). */
export function dispositionName(header, fallback = 'download') {
  if (!header) return fallback
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''))
    } catch {
      /* fall through */
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/.exec(header)
  if (plain) return (plain[1] || plain[2] || '').trim() || fallback
  return fallback
}

/**
 * Fetches a file (exports) with progress and returns { blob, name, type }.
 * onProgress(fraction or null when the size is unknown, bytes so far).
 */
export async function fetchFile(path, query, { onProgress, signal, fallbackName } = {}) {
  let res
  lastActivity = Date.now()
  try {
    res = await fetch(buildUrl(path, query), { credentials: 'same-origin', signal })
  } catch (e) {
    if (e && e.name === 'AbortError') throw e
    throw networkError()
  }
  if (!res.ok) return fail(errorFrom(res.status, await parseBody(res)))
  const total = Number(res.headers.get('Content-Length')) || 0
  const type = res.headers.get('Content-Type') || 'application/octet-stream'
  const name = dispositionName(res.headers.get('Content-Disposition'), fallbackName)
  let blob
  if (res.body && res.body.getReader && onProgress) {
    const reader = res.body.getReader()
    const chunks = []
    let got = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      got += value.length
      onProgress(total ? got / total : null, got)
    }
    blob = new Blob(chunks, { type })
  } else {
    blob = await res.blob()
  }
  return { blob, name, type }
}

/** Hands a blob to the browser as a download named name. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
}

/** Downloads a server file: fetchFile + saveBlob. Resolves the name. */
export async function download(path, query, opts = {}) {
  const f = await fetchFile(path, query, opts)
  saveBlob(f.blob, f.name)
  return f.name
}
