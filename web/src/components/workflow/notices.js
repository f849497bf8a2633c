// Notices (GET /me/notices): where each one leads, and its kind in words
// (pure, tested).

export const NOTICE_KINDS = {
  'claim.reviewed': { text: '申报审核', type: 'primary' },
  'claim.approved': { text: '申报通过', type: 'success' },
  'claim.rejected': { text: '申报退回', type: 'danger' },
  'publication.opened': { text: '学分公示', type: 'warning' },
  'objection.resolved': { text: '异议处理', type: 'primary' },
  'scorecard.reviewed': { text: '评分表', type: 'success' },
  'activity.record': { text: '培训活动', type: 'success' },
  'record.corrected': { text: '记录更正', type: 'warning' },
}

export function noticeKind(k) {
  return NOTICE_KINDS[k] || { text: '通知', type: 'info' }
}

/**
 * The page a notice's object opens, as a router location, or null:
 * claim:12 → the claim; publication:3 → the 公示; objection:5 → the 公示 list
 * (the object names no publication); scorecard:55:2026 → 我的评分表 of 2026;
 * activity:1 → the activity (staff only: members have no activity pages).
 */
export function noticeTarget(object, user) {
  const m = /^([a-z_]+):(\d+)(?::(\d+))?$/.exec(object || '')
  if (!m) return null
  const [, kind, a, b] = m
  switch (kind) {
    case 'claim':
      return { name: 'claim', params: { id: a } }
    case 'publication':
      return { name: 'publication', params: { id: a } }
    case 'objection':
      return { name: 'publications' }
    case 'scorecard':
      return { name: 'my-scorecard', query: b ? { year: b } : {} }
    case 'activity': {
      const roles = (user && user.roles) || []
      return roles.some((r) => r === 'reviewer' || r === 'approver' || r === 'admin') ? { name: 'activity', params: { id: a } } : null
    }
    default:
      return null
  }
}

/** "99+" for a badge. */
export function badgeText(n) {
  if (!n) return ''
  return n > 99 ? '99+' : String(n)
}
