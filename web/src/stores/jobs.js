// Long operations (imports, the year-end run, exports) as jobs that outlive
// the page that started them: the user can open another page and come back
// to see the progress or the result; the top bar lists the running ones.
import { reactive } from 'vue'

let nextId = 1
export const jobs = reactive([])

/**
 * Starts fn(progress) as a job of kind. progress(fraction 0..1 or null, text)
 * updates it. Resolves when done; the job keeps status ('running', 'done',
 * 'failed'), result or error, and the times.
 */
export function startJob(kind, title, fn) {
  const job = reactive({
    id: nextId++,
    kind,
    title,
    status: 'running',
    progress: null,
    text: '',
    result: null,
    error: null,
    started: Date.now(),
    finished: null,
  })
  jobs.unshift(job)
  if (jobs.length > 20) jobs.splice(20)
  const progress = (p, text) => {
    job.progress = p
    if (text !== undefined) job.text = text
  }
  job.promise = Promise.resolve()
    .then(() => fn(progress))
    .then(
      (r) => {
        job.result = r
        job.status = 'done'
        job.progress = 1
      },
      (e) => {
        job.error = e
        job.status = 'failed'
      },
    )
    .finally(() => {
      job.finished = Date.now()
    })
  return job
}

/** The latest job of kind, or null. */
export function lastJob(kind) {
  return jobs.find((j) => j.kind === kind) || null
}

export function runningJobs() {
  return jobs.filter((j) => j.status === 'running')
}
