// What the credit pages derive from a person's year (GET /me/credits,
// GET /people/{id}/credits): progress per category, the headline state,
// suggestions as sentences, and the transcript as CSV. Pure functions.
import { fmtCredits, fmtDate, recordStatus } from './format.js'

/** Percent (0–100, one decimal) of value against limit; null without a limit. */
export function percentOf(value, limit) {
  if (limit === null || limit === undefined || !(Number(limit) > 0)) return null
  const p = (Number(value || 0) / Number(limit)) * 100
  return Math.max(0, Math.min(100, Math.round(p * 10) / 10))
}

/** The categories with their progress against their caps and pass lines. */
export function categoryRows(year) {
  return (year && year.categories ? year.categories : []).map((c) => ({
    key: c.key,
    name: c.name,
    credits: c.credits,
    cap: c.cap,
    percent: percentOf(c.credits, c.cap),
    full: c.cap !== null && c.cap !== undefined && Number(c.credits) >= Number(c.cap),
    pass: c.pass || null,
    passPercent: c.pass ? percentOf(c.credits, c.pass.min) : null,
    items: (c.items || []).map((i) => ({
      key: i.key,
      name: i.name,
      credits: i.credits,
      cap: i.cap,
      units: i.units,
      unit_name: i.unit_name,
    })),
  }))
}

/**
 * The headline: { type, text } — exempt, met or not (with the requirement),
 * the grade, or the growth figure.
 */
export function headline(year) {
  if (!year) return { type: 'info', text: '' }
  if (year.exempt) return { type: 'info', text: `本年度免于考核${year.exempt_name ? '：' + year.exempt_name : ''}` }
  const parts = []
  let type = 'info'
  if (year.met === true) {
    parts.push('已达标')
    type = 'success'
  } else if (year.met === false) {
    parts.push('未达标')
    type = 'danger'
  }
  if (year.grade_name) {
    parts.push(`等级：${year.grade_name}`)
    if (type === 'info') type = year.grade === 'fail' ? 'danger' : year.grade === 'excellent' ? 'success' : 'primary'
  }
  if (!parts.length && year.growth !== undefined) parts.push(`成长积分 ${year.growth}`)
  if (!parts.length) parts.push('已计算')
  return { type, text: parts.join('，') }
}

/** "再完成 1 篇市级“调研论文”（每篇 15 学分），可得 15 学分". */
export function suggestionText(s) {
  const level = s.level_name || ''
  const each = `每${s.unit_name} ${fmtCredits(s.credits)} 学分`
  const verb = /次/.test(s.unit_name) ? '再参加' : /学时|分/.test(s.unit_name) ? '再学习' : '再完成'
  return `${verb} ${fmtCredits(s.units)} ${s.unit_name}${level}“${s.item_name}”（${each}），可得 ${fmtCredits(s.gives)} 学分`
}

/** "还差 11 学分" or the first item / pass line's need, or '' when nothing is missing. */
export function missingTitle(year) {
  const m = year && year.missing
  if (!m) return ''
  if (m.credits !== null && m.credits !== undefined && Number(m.credits) > 0) return `还差 ${fmtCredits(m.credits)} 学分`
  if (m.items && m.items.length) return `“${m.items[0].item_name}”还差 ${fmtCredits(m.items[0].credits)} 学分`
  if (m.pass_lines && m.pass_lines.length) return `“${m.pass_lines[0].name}”未达到单项合格`
  return '尚未达到要求'
}

/** The detail of a record besides its item: level, minutes, days… as one line. */
export function recordFacts(r) {
  const f = []
  if (r.level_name || r.level) f.push(r.level_name || r.level)
  if (r.count !== undefined) f.push(`${r.count} 次/篇`)
  if (r.days !== undefined) f.push(`${r.days} 天`)
  if (r.months !== undefined) f.push(`${r.months} 个月`)
  if (r.hours !== undefined) f.push(`${r.hours} 学时`)
  if (r.minutes !== undefined) f.push(`${r.minutes} 分钟`)
  if (r.attended_minutes !== undefined) f.push(`实际 ${r.attended_minutes} 分钟`)
  if (r.score !== undefined) f.push(`成绩 ${r.score}`)
  if (r.online) f.push('网上学习')
  if (r.awarded) f.push('获奖')
  if (r.speaker) f.push('发言')
  return f.join('，')
}

function csvCell(v) {
  const s = v === null || v === undefined ? '' : String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/**
 * The transcript as CSV for Excel: UTF-8 with a BOM, CRLF, a heading block
 * (person, year, policy, totals) then one row per record.
 */
export function transcriptCsv(year) {
  const p = year.person || {}
  const rows = [
    [`${year.year} 年度个人学分档案`],
    ['姓名', p.name, '单位', p.unit ? p.unit.name : '', '人员类别', p.role_name || ''],
    ['学分办法', year.policy ? year.policy.name : ''],
    ['年度学分', fmtCredits(year.final ?? year.total), '应修学分', fmtCredits(year.required), '结果', headline(year).text],
    [],
    ['类别', '学分', '满分'],
    ...(year.categories || []).map((c) => [c.name, fmtCredits(c.credits), fmtCredits(c.cap, '不设')]),
    [],
    ['序号', '日期', '项目', '类别', '级别/明细', '活动', '学分', '状态', '说明'],
    ...(year.records || []).map((r, i) => [
      i + 1,
      fmtDate(r.date),
      r.item_name,
      r.category,
      recordFacts(r),
      r.activity || '',
      fmtCredits(r.credits),
      recordStatus(r.status).text,
      r.explain || '',
    ]),
  ]
  return '\ufeff' + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n'
}
