// The policies the workflow pages name (GET /policies/{id}), read once per
// page load: level names for a claim's facts, the items a training
// activity can be for.
import { api } from '@/api/client.js'

const cache = new Map()

/** The policy id (cached promise; a failed read is forgotten). */
export function policy(id) {
  if (!id) return Promise.resolve(null)
  if (!cache.has(id)) {
    const p = api.get(`/api/v1/policies/${encodeURIComponent(id)}`).catch((e) => {
      cache.delete(id)
      throw e
    })
    cache.set(id, p)
  }
  return cache.get(id)
}

/**
 * The items of a policy a record (a training activity) can be for: not
 * valued by metrics; [{ key, name, category, levels: [{ key, name, points }] }].
 */
export function recordItems(pol) {
  if (!pol) return []
  const names = Object.fromEntries((pol.levels || []).map((l) => [l.key, l.name]))
  const out = []
  for (const c of pol.categories || []) {
    for (const i of c.items || []) {
      if (i.metric) continue
      const levels = Object.entries(i.levels || {})
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([key, points]) => ({ key, name: names[key] || key, points }))
      out.push({ key: i.key, name: i.name, category: c.name, per: i.per, levels })
    }
  }
  return out
}
