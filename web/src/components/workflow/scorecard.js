// What the scorecard pages derive (pure, tested): the lines grouped by
// section, a score checked against its line (never above the line's
// maximum), the totals while editing, the lines that changed, and the
// server's messages placed next to the line they name ("plan.goal 的分数不能
// 超过 7", "以下项目尚未评分：effect.exam（…）、…").

/** The card's lines by section, in order: [{ key, name, max, lines: [...] }]. */
export function sectionsOf(card) {
  const out = []
  for (const l of (card && card.lines) || []) {
    const key = l.section ? l.section.key : ''
    let s = out.find((x) => x.key === key)
    if (!s) {
      const meta = ((card && card.sections) || []).find((x) => x.key === key)
      s = { key, name: l.section ? l.section.name : '', max: meta ? meta.max : 0, lines: [] }
      out.push(s)
    }
    s.lines.push(l)
  }
  return out
}

/** Why a score cannot be given to a line of maximum max ("" when fine; null/'' is "not given"). */
export function scoreProblem(value, max) {
  if (value === null || value === undefined || value === '') return ''
  const n = Number(value)
  if (!Number.isFinite(n)) return `应为 0 到 ${max} 之间的数字`
  if (n < 0) return '分数不能小于 0'
  if (n > max) return `分数不能超过 ${max}`
  if (Math.round(n * 100) !== n * 100 && Math.abs(Math.round(n * 100) - n * 100) > 1e-6) return '最多保留两位小数'
  return ''
}

/** The sum of the scores given in values ({ key: number|null }). */
export function sumScores(values) {
  let t = 0
  for (const v of Object.values(values || {})) if (v !== null && v !== undefined && v !== '' && Number.isFinite(Number(v))) t += Number(v)
  return Math.round(t * 100) / 100
}

/** Section sums of values for the lines of each section: { sectionKey: sum }. */
export function sectionSums(card, values) {
  const out = {}
  for (const s of sectionsOf(card)) out[s.key] = sumScores(Object.fromEntries(s.lines.map((l) => [l.key, values[l.key]])))
  return out
}

/** The scores of card's `which` ('self' | 'review') as { key: value }. */
export function scoresOf(card, which) {
  return Object.fromEntries(((card && card.lines) || []).map((l) => [l.key, l[which] ?? null]))
}

/** The lines whose value differs from the card's: { key: value|null } (the request's "lines"). */
export function changedScores(card, which, values) {
  const out = {}
  for (const l of (card && card.lines) || []) {
    const v = values[l.key] === '' || values[l.key] === undefined ? null : values[l.key]
    const old = l[which] ?? null
    if (v === null ? old !== null : Number(v) !== old) out[l.key] = v === null ? null : Number(v)
  }
  return out
}

/** Every local problem of values: { key: message }. */
export function localProblems(card, values) {
  const out = {}
  for (const l of (card && card.lines) || []) {
    const p = scoreProblem(values[l.key], l.max)
    if (p) out[l.key] = p
  }
  return out
}

/** The server's message split by line: { key: message, _: rest }. */
export function lineErrors(message, card) {
  const keys = new Set(((card && card.lines) || []).map((l) => l.key))
  const out = {}
  const add = (k, t) => (out[k] = out[k] ? `${out[k]}；${t}` : t)
  for (const raw of String(message || '').split('；')) {
    const part = raw.trim()
    if (!part) continue
    const list = /^以下项目尚未(自评|评分)[^：:]*[：:](.*)$/.exec(part)
    if (list) {
      const found = [...list[2].matchAll(/([a-z_]+\.[a-z_]+)/g)].map((m) => m[1]).filter((k) => keys.has(k))
      if (found.length) {
        for (const k of found) add(k, list[1] === '自评' ? '尚未自评' : '尚未评分')
        add('_', list[1] === '自评' ? `还有 ${found.length} 项尚未自评，不能提交` : `还有 ${found.length} 项尚未评分`)
        continue
      }
    }
    const m = /^([a-z_]+\.[a-z_]+)\s*(?:的)?(.*)$/.exec(part)
    if (m && keys.has(m[1])) {
      add(m[1], m[2].trim())
      continue
    }
    add('_', part)
  }
  return out
}

export const SCORECARD_STATES = {
  draft: { text: '自评中', type: 'info' },
  submitted: { text: '已提交，待评分', type: 'warning' },
  reviewed: { text: '已评分', type: 'success' },
}

export function scorecardState(s) {
  return SCORECARD_STATES[s] || { text: s || '—', type: 'info' }
}
