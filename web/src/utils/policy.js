// The 学分办法 page's logic: the scoring table (附件1 学分计分标准) from a
// policy's data (GET /api/v1/policies/{id}), and the rest of the policy's
// Chinese text split into sections with its aligned text tables left out
// (the page draws those as real tables). Pure functions.
import { fmtCredits } from './format.js'

/** The value of an item that has no levels, as the annex writes it. */
export function itemValue(item) {
  if (item.per === 'credits') return '指定学分'
  if (item.per === 'metric') {
    if (item.step_size) return `超过 ${item.step_above} 分的部分每 ${item.step_size} 分计 ${fmtCredits(item.points)} 学分`
    return `${fmtCredits(item.points)}`
  }
  let v = fmtCredits(item.points)
  if (item.speaker_points != null) v += `（发言 ${fmtCredits(item.speaker_points)}）`
  return v
}

/**
 * The scoring table: the levels some item is valued by (in the policy's
 * order), and one row per item with its category's rowspan on the first.
 * A row has `values` (one per level: a figure or '—') when the item is
 * valued by level, else `value` (spanning the level columns).
 */
export function policyTable(policy) {
  const used = new Set()
  for (const c of policy.categories || []) {
    for (const i of c.items || []) {
      if (i.levels) for (const [k, v] of Object.entries(i.levels)) if (v !== null) used.add(k)
    }
  }
  const levels = (policy.levels || []).filter((l) => used.has(l.key))
  const rows = []
  for (const c of policy.categories || []) {
    const items = c.items || []
    items.forEach((i, n) => {
      const notes = []
      if (i.awarded_multiplier != null) notes.push(`获奖 ×${fmtCredits(i.awarded_multiplier)}`)
      rows.push({
        key: i.key,
        category: c,
        catLabel: `${c.name}（${c.cap != null ? `满分${fmtCredits(c.cap)}分` : '不设满分'}）`,
        catSpan: n === 0 ? items.length : 0,
        name: i.name,
        per: i.per_name,
        values: i.levels ? levels.map((l) => (i.levels[l.key] == null ? '—' : fmtCredits(i.levels[l.key]))) : null,
        value: i.levels ? null : itemValue(i),
        cap: i.cap == null ? '' : fmtCredits(i.cap),
        article: i.article || c.article || '',
        notes: notes.join('；'),
      })
    })
  }
  return { levels, rows }
}

/** Whether a line of `xuefen policy show` text is a row of an aligned table. */
export function isTableRow(line) {
  return /^\s+\S.*\S {2,}\S/.test(line)
}

const HEADING = /^[一二三四五六七八九十]+、/

/**
 * The policy text (its `text` field) as { head: [lines], sections: [{ title,
 * lines }] }: headings are the lines "一、…"; blank lines and aligned table
 * rows are dropped, other lines trimmed.
 */
export function textSections(text) {
  const out = { head: [], sections: [] }
  let cur = null
  for (const raw of String(text || '').split('\n')) {
    const line = raw.replace(/\s+$/, '')
    if (!line.trim()) continue
    if (HEADING.test(line)) {
      cur = { title: line.trim(), lines: [] }
      out.sections.push(cur)
      continue
    }
    if (isTableRow(line)) continue
    if (cur) cur.lines.push(line.trim())
    else out.head.push(line.trim())
  }
  return out
}

/** Which real table a section shows, from its title. */
export function sectionTable(title) {
  if (/计分标准/.test(title)) return 'scoring'
  if (/考核细则|评分表/.test(title)) return 'scorecard'
  if (/应修学分/.test(title)) return 'required'
  if (/考核等级/.test(title)) return 'grades'
  return null
}
