// Formatting shared by every page: credits (at most one decimal), dates
// (always 2025-09-26), times, percentages, and the Chinese names of the
// API's keys (roles, record states, audit actions, period kinds).

/** Credits with at most one decimal: 39 → "39", 16.67 → "16.7", null → "—". */
export function fmtCredits(v, empty = '—') {
  if (v === null || v === undefined || v === '' || Number.isNaN(Number(v))) return empty
  const r = Math.round(Number(v) * 10) / 10
  // -0 and values that round to 0 both print "0".
  if (r === 0) return '0'
  return Number.isInteger(r) ? String(r) : r.toFixed(1)
}

/** A plain number with thousands kept simple (学习强国 points): 5320 → "5320". */
export function fmtNumber(v, empty = '—') {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return empty
  const n = Number(v)
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100)
}

/** A percentage with at most one decimal: 66.67 → "66.7%"; a 0–1 rate with rate=true. */
export function fmtPercent(v, { rate = false, empty = '—' } = {}) {
  if (v === null || v === undefined || Number.isNaN(Number(v))) return empty
  return fmtCredits(rate ? Number(v) * 100 : Number(v)) + '%'
}

function pad(n) {
  return String(n).padStart(2, '0')
}

/**
 * A date as 2025-09-26. Takes "2025-09-26", "2025-09-26T10:00:00Z" (shown in
 * local time), a Date, or null ("—").
 */
export function fmtDate(v, empty = '—') {
  if (v === null || v === undefined || v === '') return empty
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v
  const d = v instanceof Date ? v : new Date(v)
  if (Number.isNaN(d.getTime())) return String(v)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** A moment as 2025-09-26 14:05:09 in local time (the audit log's UTC times). */
export function fmtDateTime(v, empty = '—') {
  if (v === null || v === undefined || v === '') return empty
  const d = v instanceof Date ? v : new Date(v)
  if (Number.isNaN(d.getTime())) return String(v)
  return `${fmtDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** "2026-05" → "2026年5月". */
export function fmtMonth(v) {
  const m = /^(\d{4})-(\d{2})$/.exec(v || '')
  return m ? `${m[1]}年${Number(m[2])}月` : v || '—'
}

/** Today as YYYY-MM-DD in local time. */
export function today() {
  return fmtDate(new Date())
}

export const ROLE_NAMES = {
  member: '学员',
  reviewer: '审核人',
  approver: '审批人',
  admin: '管理员',
  auditor: '审计员',
}

/** The Chinese name of a role key. */
export function roleName(r) {
  return ROLE_NAMES[r] || r
}

/** What became of a record (GET /me/credits records[].status). */
export const RECORD_STATUS = {
  counted: { text: '计入', type: 'success' },
  trimmed: { text: '已封顶', type: 'warning' },
  excluded: { text: '不计分', type: 'info' },
  same_activity: { text: '同一活动', type: 'info' },
  once_a_year: { text: '每年一次', type: 'info' },
  metric_item: { text: '按积分计', type: 'info' },
  not_counted: { text: '未计入', type: 'info' },
}

export function recordStatus(s) {
  return RECORD_STATUS[s] || { text: s || '—', type: 'info' }
}

export const PERIOD_KINDS = {
  secondment: '借调/挂职',
  sick_leave: '病假',
  leave: '事假',
}

export const GRADE_TYPES = { excellent: 'success', good: 'primary', pass: 'warning', fail: 'danger' }

/** Chinese names of audit actions; unknown ones are shown as they are. */
export const AUDIT_ACTIONS = {
  login: '登录',
  'login.failed': '登录失败',
  'login.locked': '账号锁定',
  logout: '退出',
  'user.add': '新建账号',
  'user.roles': '修改角色',
  'user.enable': '启用账号',
  'user.disable': '停用账号',
  'user.password': '修改密码',
  'person.update': '修改人员',
  'person.periods': '修改期间',
  'person.flags': '修改标记',
  'person.reveal': '查看证件号',
  'import.roster': '导入名册',
  'import.records': '导入学分记录',
  'import.xxqg': '导入学习强国积分',
  'import.online-hours': '导入网络学院学时',
  'import.case': '导入案例文件',
  'export.results': '导出考核结果',
  'export.case': '导出案例文件',
  'export.template': '下载模板',
  assess: '年度考核',
  'demo.create': '创建演示数据',
}

export function auditActionName(a) {
  return AUDIT_ACTIONS[a] || a
}

/** The years a year switcher offers: this year and the `back` years before. */
export function yearOptions(current = new Date().getFullYear(), back = 5) {
  const out = []
  for (let y = current; y >= current - back; y--) out.push(y)
  return out
}

/** Bytes as 12.3 KB / 4.5 MB. */
export function fmtBytes(n) {
  if (n === null || n === undefined) return '—'
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}
