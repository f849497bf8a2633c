// The workflow routes of the API (docs/workflow.md; docs/api.md,
// docs/api.md, docs/api.md, docs/api.md): claims and their
// evidence, training activities, 公示 and objections, notices, scorecards
// and the 季度通报. Thin wrappers over client.js so that pages never spell
// a path twice; every function resolves the parsed answer or rejects with
// ApiError.
import { api, buildUrl, download, upload } from './client.js'

const V = '/api/v1'
const id = (n) => encodeURIComponent(String(n))

// ---- claims (学分申报 附件3, 自学申报 附件4) ----

export const claims = {
  /** The items the caller may claim in year, with the fields each needs. */
  items: (year) => api.get(`${V}/claims/items`, { year }),
  /** box: mine | review | approve | all; status: a state, "any" or '' (the box's default). */
  list: ({ box, status, q, year, page, per_page } = {}) => api.get(`${V}/claims`, { box, status, q, year, page, per_page }),
  get: (n) => api.get(`${V}/claims/${id(n)}`),
  create: (body) => api.post(`${V}/claims`, body),
  update: (n, body) => api.put(`${V}/claims/${id(n)}`, body),
  submit: (n) => api.post(`${V}/claims/${id(n)}/submit`),
  withdraw: (n) => api.post(`${V}/claims/${id(n)}/withdraw`),
  review: (n, note) => api.post(`${V}/claims/${id(n)}/review`, note ? { note } : {}),
  approve: (n, note) => api.post(`${V}/claims/${id(n)}/approve`, note ? { note } : {}),
  reject: (n, reason) => api.post(`${V}/claims/${id(n)}/reject`, { reason }),
  preview: (n) => api.get(`${V}/claims/${id(n)}/preview`),
  /** {"ids": [..], "action": "review"|"approve"} → {"results": [{id, ok, code, message}]} */
  batch: (ids, action, note) => api.post(`${V}/claims/batch`, note ? { ids, action, note } : { ids, action }),
}

// ---- evidence files ----

export const evidence = {
  /** Sends file as the raw body with ?name=; onProgress(0..1). */
  upload: (claimId, file, { onProgress, signal } = {}) =>
    upload(`${V}/claims/${id(claimId)}/evidence`, file, { query: { name: file.name }, onProgress, signal }),
  remove: (claimId, fileId) => api.del(`${V}/claims/${id(claimId)}/evidence/${id(fileId)}`),
  /** The URL of a file: inline (PDF, images: preview) or as a download. */
  url: (fileId, inline = false) => buildUrl(`${V}/evidence/${id(fileId)}`, inline ? { inline: 1 } : {}),
  download: (fileId, name) => download(`${V}/evidence/${id(fileId)}`, {}, { fallbackName: name }),
}

// ---- training activities (附件2) ----

export const activities = {
  list: ({ status, unit_id, year, q, page, per_page } = {}) => api.get(`${V}/activities`, { status, unit_id, year, q, page, per_page }),
  get: (n) => api.get(`${V}/activities/${id(n)}`),
  create: (body) => api.post(`${V}/activities`, body),
  update: (n, body) => api.put(`${V}/activities/${id(n)}`, body),
  submit: (n) => api.post(`${V}/activities/${id(n)}/submit`),
  withdraw: (n) => api.post(`${V}/activities/${id(n)}/withdraw`),
  review: (n, note) => api.post(`${V}/activities/${id(n)}/review`, note ? { note } : {}),
  approve: (n, note) => api.post(`${V}/activities/${id(n)}/approve`, note ? { note } : {}),
  reject: (n, reason) => api.post(`${V}/activities/${id(n)}/reject`, { reason }),
  attendance: (n) => api.get(`${V}/activities/${id(n)}/attendance`),
  /** The attendance list (XLSX/CSV); dryRun checks every row and writes nothing. */
  uploadAttendance: (n, file, { dryRun = false, onProgress } = {}) =>
    upload(`${V}/activities/${id(n)}/attendance`, file, { query: { name: file.name, dry_run: dryRun ? 1 : undefined }, onProgress }),
  records: (n) => api.post(`${V}/activities/${id(n)}/records`),
}

// ---- 公示, objections, archive ----

export const publications = {
  list: ({ year, unit_id, page, per_page } = {}) => api.get(`${V}/publications`, { year, unit_id, page, per_page }),
  /** One publication with a page of its lines (q: a name). */
  get: (n, { q, page, per_page } = {}) => api.get(`${V}/publications/${id(n)}`, { q, page, per_page }),
  create: (body) => api.post(`${V}/publications`, body),
  objections: (n) => api.get(`${V}/publications/${id(n)}/objections`),
  object: (n, person_id, text) => api.post(`${V}/publications/${id(n)}/objections`, { person_id, text }),
  resolve: (objectionId, body) => api.post(`${V}/objections/${id(objectionId)}/resolve`, body),
  archive: (n) => api.post(`${V}/publications/${id(n)}/archive`),
  /** The 干部培训登记库 workbook. */
  export: (n, opts) => download(`${V}/publications/${id(n)}/export`, {}, { fallbackName: `登记库-${n}.xlsx`, ...opts }),
}

export const calendars = {
  list: () => api.get(`${V}/calendars`),
}

// ---- 季度通报 ----

export const quarterly = {
  get: ({ unit_id, year, quarter }) => api.get(`${V}/exports/quarterly`, { unit_id, year, quarter, format: 'json' }),
  download: ({ unit_id, year, quarter }, opts) =>
    download(`${V}/exports/quarterly`, { unit_id, year, quarter }, { fallbackName: `季度通报-${year}-Q${quarter}.xlsx`, ...opts }),
}

// ---- notices ----

export const notices = {
  list: ({ unread, page, per_page } = {}) => api.get(`${V}/me/notices`, { unread: unread ? 1 : undefined, page, per_page }),
  read: (ids) => api.post(`${V}/me/notices/read`, ids === 'all' ? { all: true } : { ids }),
}

// ---- scorecards (planning-bureau-member) ----

export const scorecards = {
  mine: (year) => api.get(`${V}/me/scorecard`, { year }),
  saveMine: (year, body) => api.put(buildUrl(`${V}/me/scorecard`, { year }), body),
  submitMine: (year) => api.post(buildUrl(`${V}/me/scorecard/submit`, { year })),
  person: (personId, year) => api.get(`${V}/people/${id(personId)}/scorecard`, { year }),
  review: (personId, year, lines) => api.put(buildUrl(`${V}/people/${id(personId)}/scorecard`, { year }), { lines }),
  list: ({ year, status, q, page, per_page } = {}) => api.get(`${V}/scorecards`, { year, status, q, page, per_page }),
}

// ---- what the pages look up around the workflow ----

export const lookups = {
  units: () => api.get(`${V}/units`),
  people: ({ q, unit_id, page, per_page } = {}) => api.get(`${V}/people`, { q, unit_id, page, per_page }),
}
