// The API's error answers ({"error": {"code", "message", "details"}}) as
// ApiError, and the messages split by field so that a form can show each one
// next to the field it concerns. The server joins several problems with
// "；" and names the field first ("phone: 手机号应为…", "用户名：应为…",
// "字段 username 应为…", "参数 year 应为…").

export class ApiError extends Error {
  constructor(status, code, message, details = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }
}

/** Messages for answers without a JSON error body (a proxy, the network). */
const STATUS_TEXT = {
  0: '无法连接服务器，请检查网络后重试',
  401: '请先登录',
  403: '您的角色无权进行此操作',
  404: '未找到该记录，或您无权查看',
  413: '文件或内容太大',
  429: '请求过于频繁，请稍后再试',
  500: '服务器出错，请稍后重试',
  501: '该功能尚未开放',
  502: '服务器暂时不可用，请稍后重试',
  503: '服务器繁忙，请稍后重试',
  504: '服务器响应超时，请稍后重试',
}

/** An ApiError from a status and a parsed body (or null). */
export function errorFrom(status, body) {
  const e = body && typeof body === 'object' ? body.error : null
  if (e && typeof e.message === 'string') {
    return new ApiError(status, e.code || 'error', e.message, Array.isArray(e.details) ? e.details : [])
  }
  return new ApiError(status, 'http_' + status, STATUS_TEXT[status] || `请求失败（${status}）`)
}

/** The network failed before any answer. */
export function networkError() {
  return new ApiError(0, 'network', STATUS_TEXT[0])
}

/**
 * Splits a message into the parts for each field of a form.
 *
 * fields: { key: { labels: ['用户名'], match: /密码/ } } — a part goes to key
 * when it starts with the key itself (ASCII, with its [n] and .sub paths:
 * "periods[0].to"), "字段 key"/"参数 key", or one of the labels followed by
 * "：" or ":"; failing that, when `match` finds something in it. The rest
 * go to "_" (shown above the form). The field's name is cut from the text.
 * Returns { key: "message; message", _: "…" } with only non-empty entries.
 */
export function fieldErrors(message, fields = {}) {
  const out = {}
  const add = (k, text) => {
    out[k] = out[k] ? `${out[k]}；${text}` : text
  }
  if (!message) return out
  for (const raw of String(message).split('；')) {
    const part = raw.trim()
    if (!part) continue
    let placed = false
    // "key: text", "key[0].sub: text", "字段 key 应为…", "参数 key 应为…", "key 应为…"
    const m = /^(?:字段|参数)?\s*([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])?(?:\.[A-Za-z0-9_]+)*)\s*(?:[:：]\s*)?(.*)$/.exec(part)
    if (m && Object.prototype.hasOwnProperty.call(fields, m[1])) {
      const rest = m[3]
      const startsWithColon = /^[A-Za-z_][\w[\].]*\s*[:：]/.test(part.replace(/^(字段|参数)\s*/, ''))
      add(m[1], startsWithColon ? rest : part)
      placed = true
    }
    if (!placed) {
      for (const [key, spec] of Object.entries(fields)) {
        const labels = (spec && spec.labels) || []
        const lab = labels.find((l) => part.startsWith(l + '：') || part.startsWith(l + ':'))
        if (lab) {
          add(key, part.slice(lab.length + 1).trim())
          placed = true
          break
        }
      }
    }
    if (!placed) {
      for (const [key, spec] of Object.entries(fields)) {
        if (spec && spec.match && spec.match.test(part)) {
          add(key, part)
          placed = true
          break
        }
      }
    }
    if (!placed) add('_', part)
  }
  return out
}

/**
 * An import's 422 details as rows: "file: 第 3 行 A 列（姓名）：必填项为空 (required)"
 * → { row: 3, column: 'A', title: '姓名', reason: '必填项为空 (required)', text }.
 * Lines without a row (the closing "导入失败，数据库未作任何改动") have row null.
 */
export function importProblems(details = []) {
  return details.map((text) => {
    const m = /第\s*(\d+)\s*行(?:\s*([A-Z]{1,3})\s*列)?(?:（([^）]*)）)?\s*[：:]\s*(.*)$/.exec(text)
    if (m) {
      return { row: Number(m[1]), column: m[2] || '', title: m[3] || '', reason: m[4], text }
    }
    const colon = text.indexOf(': ')
    return { row: null, column: '', title: '', reason: colon > 0 ? text.slice(colon + 2) : text, text }
  })
}

/**
 * Errors of a list field ("periods[0].to: 结束日期…；periods[1].kind: …") by
 * row: { 0: { to: '结束日期…' }, 1: { kind: '…' } }, and the others under "_"
 * (a string). name is the list's key ("periods", "flags").
 */
export function listErrors(message, name) {
  const out = {}
  const rest = []
  const re = new RegExp(`^${name}\\[(\\d+)\\](?:\\.([A-Za-z_]+))?\\s*[:：]\\s*(.*)$`)
  for (const raw of String(message || '').split('；')) {
    const part = raw.trim()
    if (!part) continue
    const m = re.exec(part)
    if (m) {
      const row = (out[m[1]] = out[m[1]] || {})
      const key = m[2] || '_'
      row[key] = row[key] ? `${row[key]}；${m[3]}` : m[3]
    } else rest.push(part)
  }
  if (rest.length) out._ = rest.join('；')
  return out
}
