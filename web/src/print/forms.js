// What the printable forms (附件2, 附件3, 附件4) derive (pure, tested): the
// organisation's name for the form's title from its policy's name, the
// 申报时间 as the forms write it, and the 学习时间 line.
import { fmtDate } from '@/utils/format.js'

/**
 * "区大数据发展局学分制管理办法（试行）" → "区大数据发展局"; "规划局学习型党员考核细则"
 * → "规划局"; "昆山市领导干部教育培训工作考核管理办法（试行）" → "昆山市". '' when
 * nothing fits.
 */
export function orgName(policyName) {
  const m = /^(.+?)(?:学分制|学分|学习型|领导干部|干部教育|干部|教育培训|考核)/.exec(policyName || '')
  return m ? m[1] : ''
}

/** { y, m, d } of a date or date-time, or blanks. */
export function dateParts(v) {
  if (!v) return { y: '', m: '', d: '' }
  const s = fmtDate(v, '')
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  return m ? { y: m[1], m: String(Number(m[2])), d: String(Number(m[3])) } : { y: '', m: '', d: '' }
}

/** 学习时间 of a claim's facts: "2026-05-28（180 分钟）". */
export function studyTime(fields, activity) {
  if (!fields) return ''
  let s = fields.date || ''
  if (activity && activity.date_to && activity.date_to !== activity.date_from) s = `${activity.date_from} 至 ${activity.date_to}`
  const extra = []
  if (fields.days) extra.push(`${fields.days} 天`)
  if (fields.hours) extra.push(`${fields.hours} 学时`)
  if (fields.minutes) extra.push(`${fields.minutes} 分钟`)
  if (fields.months) extra.push(`${fields.months} 个月`)
  return extra.length ? `${s}（${extra.join('，')}）` : s
}
