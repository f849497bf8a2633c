// What the training-activity pages derive (pure, tested): the form model
// and request body of 附件2, the units a user may apply for, the policy a
// unit goes by (its own or the nearest above), the approval steps, and the
// attendance file's problems by row.

const TEXTS = ['title', 'nature', 'host', 'speakers', 'content', 'audience', 'place']

/** The form model of an activity (null: a new one). */
export function activityModel(a) {
  return {
    unit_id: a && a.unit ? a.unit.id : null,
    title: (a && a.title) || '',
    nature: (a && a.nature) || '',
    host: (a && a.host) || '',
    speakers: (a && a.speakers) || '',
    content: (a && a.content) || '',
    audience: (a && a.audience) || '',
    place: (a && a.place) || '',
    date_from: (a && a.date_from) || '',
    date_to: a && a.date_to && a.date_to !== a.date_from ? a.date_to : '',
    item: (a && a.item) || '',
    level: (a && a.level) || '',
    minutes: a && a.minutes !== undefined ? a.minutes : null,
    online: !!(a && a.online),
    _id: a ? a.id : null,
  }
}

/**
 * The JSON of POST /activities (blanks left out) or PUT /activities/{id}
 * (blanks sent as null, which clears them). level only for an item valued
 * by level.
 */
export function activityBody(m, item) {
  const update = !!m._id
  const out = {}
  const put = (k, v) => {
    const blank = v === null || v === undefined || (typeof v === 'string' && v.trim() === '')
    if (blank) {
      if (update) out[k] = null
    } else out[k] = typeof v === 'string' ? v.trim() : v
  }
  if (m.unit_id) out.unit_id = m.unit_id
  for (const k of TEXTS) put(k, m[k])
  if (out.title === null) out.title = ''
  put('date_from', m.date_from)
  if (out.date_from === null) out.date_from = ''
  put('date_to', m.date_to)
  put('item', m.item)
  if (out.item === null) out.item = ''
  if (item && item.levels && item.levels.length) put('level', m.level)
  else if (update) out.level = null
  put('minutes', m.minutes)
  out.online = !!m.online
  return out
}

/** The unit tree (GET /units) as a list with depth and parent path. */
export function flatUnits(tree, depth = 0, path = [], out = []) {
  for (const u of tree || []) {
    out.push({ id: u.id, code: u.code, name: u.name, policy: u.policy || null, depth, path })
    flatUnits(u.children, depth + 1, [...path, u], out)
  }
  return out
}

/** The units user may apply for: every unit for admins, else their review units and those below. */
export function scopedUnits(tree, user) {
  const all = flatUnits(tree)
  if (!user) return []
  if ((user.roles || []).includes('admin')) return all
  const mine = new Set(user.review_units || [])
  return all.filter((u) => mine.has(u.id) || u.path.some((p) => mine.has(p.id)))
}

/** The policy a unit goes by: its own, else the nearest unit above with one. */
export function unitPolicy(tree, unitId) {
  const u = flatUnits(tree).find((x) => x.id === unitId)
  if (!u) return null
  if (u.policy) return u.policy
  for (let i = u.path.length - 1; i >= 0; i--) if (u.path[i].policy) return u.path[i].policy
  return null
}

/** The approval steps and the current one (el-steps active index). */
export function activitySteps(a) {
  const steps = [
    { title: '申报', who: a && a.applicant ? a.applicant.name : '' },
    { title: '分管领导审核', who: a && a.reviewed_by ? a.reviewed_by.name : '' },
    { title: '主要领导审批', who: a && a.approved_by ? a.approved_by.name : '' },
    { title: '上传签到名单', who: a && a.attendance && a.attendance.listed ? `${a.attendance.listed} 人` : '' },
    { title: '登记学分', who: a && a.records_at ? `${a.attendance ? a.attendance.given : ''} 人` : '' },
  ]
  let active = 0
  let error = false
  if (a) {
    const s = a.status
    if (s === 'draft') active = 0
    else if (s === 'submitted') active = 1
    else if (s === 'reviewed') active = 2
    else if (s === 'approved') active = a.records_at ? 5 : a.attendance && a.attendance.listed ? 4 : 3
    else if (s === 'rejected') {
      active = a.reviewed_by ? 2 : 1
      error = true
    } else if (s === 'withdrawn') active = 0
  }
  return { steps, active, error }
}
