// What the claim pages derive on their own (pure functions, tested in
// tests/unit/workflow.test.js): which inputs a policy item's claim form
// shows (GET /claims/items names the fields each item needs — only those
// are shown), the request body built from the form, the states with their
// tags, what can be done to a claim in each state, and the server's
// messages ("fields.level（级别）：提交前请填写") split by the field they name.
import { fmtCredits } from '@/utils/format.js'

/**
 * Every record fact a claim can carry (docs/workflow.md, "Claims"): the
 * label (as the server names it), the kind of input and its bounds
 * (service/claims_form.c field_spec), a hint.
 */
export const FIELD_DEFS = {
  date: { label: '学习日期', type: 'date' },
  level: { label: '级别', type: 'level' },
  count: { label: '次数/篇数', type: 'int', min: 1, max: 1000 },
  days: { label: '天数', type: 'int', min: 1, max: 366 },
  months: { label: '月数', type: 'int', min: 1, max: 12 },
  hours: { label: '学时', type: 'num', min: 0.1, max: 10000, step: 0.5 },
  minutes: { label: '课程时长（分钟）', type: 'int', min: 1, max: 100000 },
  attended_minutes: { label: '实际听课时长（分钟）', type: 'int', min: 0, max: 100000 },
  score: { label: '考试成绩', type: 'num', min: 0, max: 1000, step: 1 },
  passed: { label: '考核是否合格', type: 'bool' },
  completed: { label: '是否完成学习', type: 'bool' },
  online: { label: '是否网络学习', type: 'bool' },
  kind: { label: '活动类型', type: 'kind' },
  awarded: { label: '是否获奖', type: 'bool' },
  speaker: { label: '是否主讲或发言', type: 'bool' },
  credits: { label: '学分', type: 'num', min: 0.01, max: 1000, step: 0.5 },
}

/** Level names when the policy's list is not at hand (the shipped policies' keys). */
export const LEVEL_NAMES = {
  bureau: '局级',
  district: '区级',
  city: '市级',
  province: '省级',
  national: '国家级',
  district_paper: '江北报',
}

function levelName(key, levels) {
  const l = (levels || []).find((x) => x.key === key)
  return l ? l.name : LEVEL_NAMES[key] || key
}

/** The order the inputs appear in (the form reads top to bottom). */
const FIELD_ORDER = Object.keys(FIELD_DEFS)

/** Names of the kinds a policy excludes (GET /claims/items "kinds"). */
export const KIND_NAMES = {
  work_meeting: '工作部署会议',
  meeting: '会议',
}

export function kindName(k) {
  return KIND_NAMES[k] || k
}

/** The 附件3 text (claim) and the 附件4 text (self_study): key, label, required at submit, rows. */
export const DETAIL_DEFS = {
  claim: [
    { key: 'content', label: '学习内容', required: true, rows: 3, max: 2000 },
    { key: 'place', label: '学习地点', required: false, max: 200 },
    { key: 'host', label: '主办单位', required: false, max: 200 },
    { key: 'mode', label: '学习方式', required: false, max: 200 },
  ],
  self_study: [
    { key: 'book', label: '学习书目名称', required: true, max: 200 },
    { key: 'author', label: '作者', required: true, max: 200 },
    { key: 'summary', label: '主要内容', required: true, rows: 4, max: 2000 },
    { key: 'reflection', label: '学习心得', required: true, rows: 5, max: 2000 },
    { key: 'quotes', label: '美言美句摘抄', required: false, rows: 4, max: 2000 },
  ],
}

/** Common ways of learning for the 学习方式 suggestions. */
export const MODES = ['集中培训', '专题讲座', '网络学习', '报告会', '座谈交流', '自学', '投稿']

/**
 * The inputs of an item's claim form: [{ key, label, type, min, max, step,
 * required }] in FIELD_ORDER, only the fields the item names (never
 * "activity": it comes from the activity chosen). An unknown field key is
 * shown as a number input with its key as label, so nothing the server asks
 * for is ever hidden.
 */
export function formFields(item) {
  if (!item || !Array.isArray(item.fields)) return []
  const required = new Set(item.required || [])
  const keys = item.fields.filter((k) => k !== 'activity')
  const known = FIELD_ORDER.filter((k) => keys.includes(k))
  const unknown = keys.filter((k) => !FIELD_DEFS[k])
  return [...known, ...unknown].map((key) => ({
    key,
    ...(FIELD_DEFS[key] || { label: key, type: 'num' }),
    required: required.has(key),
  }))
}

/** The levels an item is valued by ([{ key, name, points }]), from the items answer's levels. */
export function itemLevels(item, levels = []) {
  if (!item || !item.level_points) return []
  const names = Object.fromEntries(levels.map((l) => [l.key, l.name]))
  return Object.entries(item.level_points).map(([key, points]) => ({ key, name: names[key] || key, points }))
}

/** How an item is valued, as a sentence: "按次计分：局级 2 分、区级 3 分；上限 4 学分". */
export function itemRule(item, levels = []) {
  if (!item) return ''
  const per = item.unit ? `每${item.unit}` : ''
  let text
  if (item.level_points) {
    text = itemLevels(item, levels)
      .map((l) => `${l.name} ${fmtCredits(l.points)} 分`)
      .join('、')
    text = `${per ? per + '：' : ''}${text}`
  } else if (item.points !== null && item.points !== undefined) {
    text = `${per || '每项'} ${fmtCredits(item.points)} 分`
  } else {
    text = '按办法规定计分'
  }
  if (item.cap !== null && item.cap !== undefined) text += `；本项上限 ${fmtCredits(item.cap)} 学分`
  return text
}

/** Items grouped by category for a select: [{ key, name, items }]. */
export function itemGroups(items = []) {
  const out = []
  for (const it of items) {
    let g = out.find((x) => x.key === it.category)
    if (!g) {
      g = { key: it.category, name: it.category_name || it.category, items: [] }
      out.push(g)
    }
    g.items.push(it)
  }
  return out
}

/** The items a form may be used with: 附件4 only for items that allow self_study. */
export function itemsForForm(items = [], form = 'claim') {
  return items.filter((i) => !Array.isArray(i.forms) || i.forms.includes(form))
}

function isBlank(v) {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '')
}

/**
 * The JSON body of POST/PUT /claims from the form:
 * { item, form, fields: {only the item's fields that have a value},
 *   details: {the form's text}, activity_id } — numbers as numbers,
 * yes/no as booleans; activity_id null when none (clears it on update).
 */
export function claimBody(model, item) {
  const fields = {}
  for (const f of formFields(item)) {
    const v = model.fields ? model.fields[f.key] : undefined
    if (isBlank(v)) continue
    if (f.type === 'int' || f.type === 'num') {
      const n = typeof v === 'number' ? v : Number(String(v).trim())
      fields[f.key] = Number.isFinite(n) ? n : v
    } else if (f.type === 'bool') {
      fields[f.key] = v === true || v === 'true' || v === 1
    } else {
      fields[f.key] = typeof v === 'string' ? v.trim() : v
    }
  }
  const form = model.form === 'self_study' ? 'self_study' : 'claim'
  const details = {}
  for (const d of DETAIL_DEFS[form]) {
    const v = model.details ? model.details[d.key] : undefined
    if (!isBlank(v)) details[d.key] = String(v).trim()
  }
  return {
    item: model.item || '',
    form,
    fields,
    details,
    activity_id: model.activity_id ? Number(model.activity_id) : null,
  }
}

/** The form model of a claim (GET /claims/{id}) to edit it. */
export function claimModel(claim) {
  return {
    item: claim.item || '',
    form: claim.form || 'claim',
    fields: { ...(claim.fields || {}) },
    details: { ...(claim.details || {}) },
    activity_id: claim.activity ? claim.activity.id : claim.activity_id || null,
  }
}

/** The facts an approved training activity gives a claim (prefill). */
export function activityFacts(activity, item) {
  if (!activity) return {}
  const want = new Set((item && item.fields) || [])
  const out = {}
  if (activity.date_from) out.date = activity.date_from
  if (activity.level && want.has('level')) out.level = activity.level
  if (activity.minutes && want.has('minutes')) out.minutes = activity.minutes
  if (activity.days && want.has('days')) out.days = activity.days
  if (want.has('online')) out.online = !!activity.online
  return out
}

/** The states of a claim (and of an activity: the same words but for step names). */
export const CLAIM_STATES = {
  draft: { text: '草稿', type: 'info' },
  submitted: { text: '待审核', type: 'warning' },
  reviewed: { text: '待审批', type: 'primary' },
  approved: { text: '已通过', type: 'success' },
  rejected: { text: '已驳回', type: 'danger' },
  withdrawn: { text: '已撤回', type: 'info' },
}

export const ACTIVITY_STATES = {
  draft: { text: '草稿', type: 'info' },
  submitted: { text: '待分管领导审核', type: 'warning' },
  reviewed: { text: '待主要领导审批', type: 'primary' },
  approved: { text: '已批准', type: 'success' },
  rejected: { text: '已退回', type: 'danger' },
  withdrawn: { text: '已撤回', type: 'info' },
}

export function claimState(s) {
  return CLAIM_STATES[s] || { text: s || '—', type: 'info' }
}

export function activityState(s) {
  return ACTIVITY_STATES[s] || { text: s || '—', type: 'info' }
}

/**
 * What the claimant may do in each state when the server did not say
 * (lists carry no "can"): the same rules as the server's "can".
 */
export function ownerActions(status) {
  switch (status) {
    case 'draft':
      return ['update', 'upload', 'submit', 'withdraw']
    case 'rejected':
      return ['update', 'upload', 'withdraw']
    case 'submitted':
    case 'reviewed':
      return ['withdraw']
    default:
      return []
  }
}

/** The buttons of a claim for the caller: from its "can" when given, else ownerActions. */
export function claimActions(claim) {
  if (!claim) return []
  return Array.isArray(claim.can) ? claim.can : ownerActions(claim.status)
}

/** Button texts of the actions. */
export const ACTION_TEXT = {
  update: '修改',
  upload: '上传材料',
  submit: '提交',
  withdraw: '撤回',
  review: '审核通过',
  approve: '审批通过',
  reject: '驳回',
  preview: '计分预览',
}

/** The label shown for the next step, for the claimant ("等待科室负责人审核"). */
export function nextStep(status) {
  return (
    {
      draft: '草稿尚未提交，提交后由科室负责人审核',
      submitted: '等待科室负责人审核',
      reviewed: '已通过审核，等待分管领导审批',
      approved: '已通过审批，学分已计入',
      rejected: '已被驳回：请按驳回原因修改后重新提交',
      withdrawn: '已撤回',
    }[status] || ''
  )
}

/**
 * Splits a claim error message by field: "fields.level（级别）：提交前请填写"
 * → fields.level, "details.author（作者）：…" → details.author, "item：…" →
 * item, "activity_id：…" → activity_id, "evidence：…" → evidence, anything
 * else → _. Returns { fields: {}, details: {}, item, activity_id, evidence,
 * _ } (strings joined by "；").
 */
export function claimErrors(message) {
  const out = { fields: {}, details: {}, item: '', activity_id: '', evidence: '', _: '' }
  const add = (obj, key, text) => {
    if (obj === out) out[key] = out[key] ? `${out[key]}；${text}` : text
    else obj[key] = obj[key] ? `${obj[key]}；${text}` : text
  }
  for (const raw of String(message || '').split('；')) {
    const part = raw.trim()
    if (!part) continue
    const m = /^(fields|details)\.([A-Za-z_][A-Za-z0-9_]*)(?:（(?:[^（）]|（[^）]*）)*）)?\s*[:：]\s*(.*)$/.exec(part)
    if (m) {
      add(m[1] === 'fields' ? out.fields : out.details, m[2], m[3])
      continue
    }
    const t = /^(item|activity_id|form|evidence)(?:（[^）]*）)?\s*[:：]\s*(.*)$/.exec(part)
    if (t) {
      add(out, t[1] === 'form' ? 'item' : t[1], t[2])
      continue
    }
    add(out, '_', part)
  }
  return out
}

/** A claim's facts as one line: "2026-05-28 · 市级 · 180 分钟". */
export function factsLine(fields, levels = [], withDate = true) {
  if (!fields) return ''
  const parts = []
  if (fields.date && withDate) parts.push(fields.date)
  if (fields.level) parts.push(levelName(fields.level, levels))
  if (fields.count != null) parts.push(`${fields.count} 次/篇`)
  if (fields.days != null) parts.push(`${fields.days} 天`)
  if (fields.months != null) parts.push(`${fields.months} 个月`)
  if (fields.hours != null) parts.push(`${fmtCredits(fields.hours)} 学时`)
  if (fields.minutes != null) parts.push(`${fields.minutes} 分钟`)
  if (fields.attended_minutes != null) parts.push(`实际 ${fields.attended_minutes} 分钟`)
  if (fields.score != null) parts.push(`成绩 ${fields.score}`)
  if (fields.credits != null) parts.push(`${fmtCredits(fields.credits)} 学分`)
  const yes = { passed: '合格', completed: '已完成', online: '网络学习', awarded: '获奖', speaker: '主讲/发言' }
  for (const [k, t] of Object.entries(yes)) if (fields[k] === true) parts.push(t)
  if (fields.passed === false) parts.push('不合格')
  if (fields.kind) parts.push(kindName(fields.kind))
  return parts.join(' · ')
}

/** The value of a fact for a read-only table ("是"/"否", the level's name...). */
export function factValue(key, value, levels = []) {
  if (value === null || value === undefined || value === '') return '—'
  const def = FIELD_DEFS[key]
  if (def && def.type === 'bool') return value ? '是' : '否'
  if (key === 'level') return levelName(value, levels)
  if (key === 'kind') return kindName(value)
  if (key === 'hours' || key === 'credits') return fmtCredits(value)
  return String(value)
}

/** Which evidence can be shown inline: 'pdf', 'image' or null (Word/Excel: download only). */
export function previewKind(mime) {
  if (!mime) return null
  if (mime === 'application/pdf') return 'pdf'
  if (/^image\/(png|jpeg)$/.test(mime)) return 'image'
  return null
}

/** The ids that can be approved together: those whose "ok" was true in a batch answer, and the failures. */
export function batchOutcome(answer) {
  const results = (answer && answer.results) || []
  return {
    ok: results.filter((r) => r.ok).map((r) => r.id),
    failed: results.filter((r) => !r.ok).map((r) => ({ id: r.id, message: r.message || r.code })),
  }
}

/** The reason a rejection needs: 1..500 characters ("" when fine). */
export function reasonProblem(text, label = '退回原因') {
  const t = String(text || '').trim()
  if (!t) return `请填写${label}`
  if ([...t].length > 500) return `${label}不能超过 500 字`
  return ''
}
