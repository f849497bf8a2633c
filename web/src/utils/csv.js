// A small CSV reader for previews in the browser (imports) and for the
// results export (年度考核): quoted fields, "" escapes, CRLF or LF, a UTF-8
// BOM. Returns rows of strings.
export function parseCsv(text, maxRows = Infinity) {
  const rows = []
  let row = []
  let field = ''
  let quoted = false
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  for (; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else field += c
      continue
    }
    if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      if (rows.length >= maxRows) return rows
    } else field += c
  }
  if (field !== '' || row.length) {
    row.push(field)
    rows.push(row)
  }
  return rows
}

/** Rows (first is the header) as objects keyed by the header's titles. */
export function csvObjects(rows) {
  if (!rows.length) return []
  const head = rows[0]
  return rows.slice(1).filter((r) => r.some((c) => c !== '')).map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ''])))
}
