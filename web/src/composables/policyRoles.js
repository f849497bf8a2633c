// The person categories (人员类别) of a policy: the role keys people carry
// (`leader`, `staff`…) and their names, from the policy's requirement by
// role (GET /api/v1/policies/{id}: requirement.roles). Policies are the
// same for every user and do not change while the server runs, so each is
// asked for once per page load.
import { api } from '@/api/client.js'

const cache = new Map() // policy id -> Promise of [{ key, name, required }]

/** The roles of a policy's requirement ([] for none). */
export function rolesOf(policy) {
  return (policy && policy.requirement && policy.requirement.roles) || []
}

/** The roles of policy `id`, asked for once ([] when it cannot be read). */
export function policyRoles(id) {
  if (!id) return Promise.resolve([])
  if (!cache.has(id)) {
    cache.set(
      id,
      api.get(`/api/v1/policies/${encodeURIComponent(id)}`).then(rolesOf, () => {
        cache.delete(id) // not kept: asked again next time
        return []
      }),
    )
  }
  return cache.get(id)
}

/** A role key as people read it: its name in the policy, else the key. */
export function roleLabel(roles, key) {
  if (!key) return '—'
  const r = (roles || []).find((x) => x.key === key)
  return r ? r.name : key
}
