// What the 公示 pages derive (pure, tested): the objection states, the
// record correction an upheld objection carries (docs/workflow.md,
// "Resolve"), and the decision's request body.

export const OBJECTION_STATES = {
  open: { text: '待处理', type: 'warning' },
  upheld: { text: '已采纳', type: 'success' },
  dismissed: { text: '不予采纳', type: 'info' },
}

export function objectionState(s) {
  return OBJECTION_STATES[s] || { text: s || '—', type: 'info' }
}

/** The record fields a correction may set, with their labels and types (service/publish.c FIELDS). */
export const CORRECTION_FIELDS = [
  { key: 'date', label: '日期', type: 'date' },
  { key: 'level', label: '级别', type: 'text' },
  { key: 'count', label: '次数/篇数', type: 'num' },
  { key: 'days', label: '天数', type: 'num' },
  { key: 'months', label: '月数', type: 'num' },
  { key: 'hours', label: '学时', type: 'num' },
  { key: 'minutes', label: '时长（分钟）', type: 'int' },
  { key: 'attended_minutes', label: '实际听课时长（分钟）', type: 'int' },
  { key: 'score', label: '成绩', type: 'num' },
  { key: 'credits', label: '学分', type: 'num' },
  { key: 'activity', label: '活动', type: 'text' },
  { key: 'kind', label: '类型', type: 'text' },
  { key: 'passed', label: '考核合格', type: 'bool' },
  { key: 'completed', label: '已完成', type: 'bool' },
  { key: 'online', label: '网络学习', type: 'bool' },
  { key: 'awarded', label: '获奖', type: 'bool' },
  { key: 'speaker', label: '主讲或发言', type: 'bool' },
]

const TYPES = Object.fromEntries(CORRECTION_FIELDS.map((f) => [f.key, f.type]))

/** A field row's value as JSON: numbers, booleans, text; '' → null (clears it on update). */
export function fieldValue(key, value) {
  const t = TYPES[key] || 'text'
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return null
  if (t === 'num' || t === 'int') {
    const n = typeof value === 'number' ? value : Number(String(value).trim())
    return Number.isFinite(n) ? n : value
  }
  if (t === 'bool') return value === true || value === 'true' || value === '是'
  return String(value).trim()
}

/**
 * The body of POST /objections/{id}/resolve from the dialog's model:
 * { decision, reason, correction? } — the correction only when upheld:
 * update (record_id, fields), delete (record_id), add (fields with item and date).
 */
export function resolveBody(m) {
  const body = { decision: m.decision, reason: String(m.reason || '').trim() }
  if (m.decision !== 'upheld') return body
  const c = { action: m.action }
  if (m.action === 'update' || m.action === 'delete') c.record_id = m.record_id || null
  if (m.action === 'update' || m.action === 'add') {
    const fields = {}
    if (m.action === 'add') {
      if (m.item) fields.item = m.item
      if (m.date) fields.date = m.date
    }
    for (const row of m.fields || []) {
      if (!row.key) continue
      const v = fieldValue(row.key, row.value)
      if (v === null && m.action === 'add') continue
      fields[row.key] = v
    }
    c.fields = fields
  }
  body.correction = c
  return body
}

/**
 * A correction as text. The stored one (an objection's answer) has the
 * record before and after: "修改记录 #12（日期 2026-09-01 → 2026-09-02）",
 * "新增记录 #36（项目 write.briefing，日期 2026-12-10，级别 city，次数/篇数 1）",
 * "删除记录 #5（项目 read.book，日期 2026-03-01）"; a request's has fields.
 */
export function correctionText(c) {
  if (!c) return ''
  const labels = Object.fromEntries(CORRECTION_FIELDS.map((f) => [f.key, f.label]))
  labels.item = '项目'
  const show = (v) => (v === null || v === undefined ? '空' : v === true ? '是' : v === false ? '否' : String(v))
  const rec = c.record_id ? ` #${c.record_id}` : ''
  const what = { update: `修改记录${rec}`, delete: `删除记录${rec}`, add: `新增记录${rec}` }[c.action] || c.action
  let parts = []
  if (c.before !== undefined || c.after !== undefined) {
    const before = c.before || {}
    const after = c.after || {}
    if (c.action === 'update') {
      const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => k !== 'id' && before[k] !== after[k])
      parts = keys.map((k) => `${labels[k] || k} ${show(before[k])} → ${show(after[k])}`)
    } else {
      const src = c.action === 'delete' ? before : after
      parts = Object.keys(src)
        .filter((k) => k !== 'id')
        .map((k) => `${labels[k] || k} ${show(src[k])}`)
    }
  } else if (c.fields) {
    parts = Object.entries(c.fields).map(([k, v]) => `${labels[k] || k} → ${v === null ? '清除' : show(v)}`)
  }
  return parts.length ? `${what}（${parts.join('，')}）` : what
}

/**
 * The problems of a resolve request by place: "reason：…" → reason,
 * "correction.record_id：…" → record_id, "correction.fields.date：…" →
 * fields.date, "correction(.action)：…" → action, else _.
 */
export function resolveErrors(message) {
  const out = { reason: '', decision: '', record_id: '', action: '', fields: {}, _: '' }
  const add = (k, t) => (out[k] = out[k] ? `${out[k]}；${t}` : t)
  for (const raw of String(message || '').split('；')) {
    const part = raw.trim()
    if (!part) continue
    let m = /^correction\.fields\.([A-Za-z_]+)\s*[:：]\s*(.*)$/.exec(part)
    if (m) {
      out.fields[m[1]] = out.fields[m[1]] ? `${out.fields[m[1]]}；${m[2]}` : m[2]
      continue
    }
    m = /^correction\.record_id\s*[:：]\s*(.*)$/.exec(part)
    if (m) {
      add('record_id', m[1])
      continue
    }
    m = /^correction(?:\.(?:action|fields))?\s*[:：]\s*(.*)$/.exec(part)
    if (m) {
      add('action', m[1])
      continue
    }
    m = /^(reason|decision)\s*[:：]\s*(.*)$/.exec(part)
    if (m) {
      add(m[1], m[2])
      continue
    }
    add('_', part)
  }
  return out
}
