// The text of an API error for splitting by field: a 422 whose message is
// a summary ("未能提出异议") carries the problems in details; others carry
// them in the message itself.
export function problemText(e) {
  if (!e) return ''
  const d = Array.isArray(e.details) ? e.details.filter((x) => typeof x === 'string' && x) : []
  if (d.length && e.message && !d.includes(e.message) && !e.message.includes(d[0])) return d.join('；')
  return e.message || ''
}

/** A summary and the problems of an error, for an alert: { title, lines }. */
export function problemLines(e) {
  if (!e) return { title: '', lines: [] }
  const d = Array.isArray(e.details) ? e.details.filter((x) => typeof x === 'string' && x) : []
  if (d.length && e.message && !e.message.includes(d[0])) return { title: e.message, lines: d }
  return { title: e.message || '', lines: [] }
}
