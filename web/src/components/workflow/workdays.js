// Working days of a 公示 window (pure functions, tested in
// tests/unit/workflow.test.js). The server decides when a window opens and
// ends (5 working days by the calendar in force) and whether it is open;
// the UI only says how many working days are left, counting with the
// calendar files the server also ships (calendar/cn-YYYY.txt: holidays and
// adjusted working days; other days Monday–Friday work).

/** Parses the text of a calendar file: { holidays: Set, workdays: Set } of "YYYY-MM-DD". */
export function parseCalendar(text) {
  const holidays = new Set()
  const workdays = new Set()
  for (const raw of String(text || '').split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim()
    if (!line) continue
    const m = /^(\d{4}-\d{2}-\d{2})\s+(holiday|workday)\b/.exec(line)
    if (!m) continue
    ;(m[2] === 'holiday' ? holidays : workdays).add(m[1])
  }
  return { holidays, workdays }
}

/** Merges parsed calendars (several years) into one. */
export function mergeCalendars(list) {
  const out = { holidays: new Set(), workdays: new Set() }
  for (const c of list) {
    c.holidays.forEach((d) => out.holidays.add(d))
    c.workdays.forEach((d) => out.workdays.add(d))
  }
  return out
}

function parse(d) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d || '')
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null
}

function text(dt) {
  return dt.toISOString().slice(0, 10)
}

/** Whether date (YYYY-MM-DD) is a working day by cal (weekends otherwise). */
export function isWorkday(date, cal) {
  if (cal && cal.holidays.has(date)) return false
  if (cal && cal.workdays.has(date)) return true
  const dt = parse(date)
  if (!dt) return false
  const wd = dt.getUTCDay()
  return wd !== 0 && wd !== 6
}

/** Working days from `from` to `to`, both included (0 when from > to). */
export function workdaysBetween(from, to, cal) {
  const a = parse(from)
  const b = parse(to)
  if (!a || !b || a > b) return 0
  let n = 0
  for (let d = a; d <= b; d = new Date(d.getTime() + 86400000)) if (isWorkday(text(d), cal)) n++
  return n
}

/**
 * The state of a publication's window on `today`: { state, left, text, type }
 * — state 'archived' | 'pending' (not open yet) | 'open' | 'closed'; left the
 * working days left including today (the server's own figure when the answer
 * has one: workdays_left); text as shown ("公示中，还剩 3 个工作日（至
 * 2026-11-30）").
 */
export function windowInfo(pub, today, cal) {
  if (!pub) return { state: 'closed', left: 0, text: '', type: 'info' }
  if (pub.status === 'archived') return { state: 'archived', left: 0, text: '已归档', type: 'info' }
  const end = pub.window_end
  const start = pub.window_start
  if (start && today < start) {
    const left = typeof pub.workdays_left === 'number' ? pub.workdays_left : workdaysBetween(start, end, cal)
    return { state: 'pending', left, text: `将于 ${start} 开始公示，至 ${end} 止（共 ${left} 个工作日）`, type: 'warning' }
  }
  const open = typeof pub.window_open === 'boolean' ? pub.window_open : today <= end
  if (!open || today > end) return { state: 'closed', left: 0, text: `公示期已于 ${end} 结束，待归档`, type: 'info' }
  let left = typeof pub.workdays_left === 'number' ? pub.workdays_left : workdaysBetween(today, end, cal)
  if (left < 1) left = 1 // today is still in the window (a weekend inside it)
  return { state: 'open', left, text: `公示中，还剩 ${left} 个工作日（至 ${end}）`, type: 'success' }
}

/** "2026年第三季度" for a quarter. */
export function quarterName(year, quarter) {
  const q = ['', '一', '二', '三', '四'][quarter] || quarter
  return `${year}年第${q}季度`
}
