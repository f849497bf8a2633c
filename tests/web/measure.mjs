// Size and speed of the web UI (docs/benchmarks-web.md): the JavaScript and
// CSS transferred (gzip, as the server sends them) for the login page and
// for 我的学分, and the time until 我的学分 shows its numbers in headless
// Chromium on localhost — median of several loads, each with an empty cache
// (a new browser context), and the same with a warm cache.
//
//   node tests/web/measure.mjs [loads=7]       (after make and npm run build)
//
// Uses build/xuefen (or $XUEFEN_BIN) with --demo on a fresh database;
// prints a table and writes build/web-test/measure.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cpus, loadavg } from 'node:os'
import { launch, OUT, startServer } from './e2e/lib.mjs'

const LOADS = Number(process.argv[2]) || 7

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Sums the encoded (transferred) body bytes of the page's JS and CSS. */
function track(page) {
  const files = []
  page.on('requestfinished', async (req) => {
    const url = req.url()
    const type = req.resourceType()
    if (type !== 'script' && type !== 'stylesheet' && !/\.(js|css)(\?|$)/.test(url)) return
    const res = await req.response()
    const sizes = await req.sizes()
    files.push({ url: url.replace(/^https?:\/\/[^/]+/, ''), type, bytes: sizes.responseBodySize, encoding: res ? res.headers()['content-encoding'] || '' : '' })
  })
  return files
}

function total(files, type) {
  return files.filter((f) => (type === 'js' ? /\.js(\?|$)/.test(f.url) : /\.css(\?|$)/.test(f.url))).reduce((a, f) => a + f.bytes, 0)
}

const server = await startServer()
const browser = await launch()
const result = { date: new Date().toISOString().slice(0, 10), chromium: browser.version(), node: process.version, cores: cpus().length, loads: LOADS, loadavg_before: loadavg()[0] }
try {
  // The login page, empty cache.
  {
    const ctx = await browser.newContext()
    const page = await ctx.newPage()
    const files = track(page)
    await page.goto(server.url + 'login', { waitUntil: 'networkidle' })
    await page.waitForSelector('#login-username')
    result.login = { js: total(files, 'js'), css: total(files, 'css'), files: files.length, gzip: files.filter((f) => f.encoding === 'gzip').length, list: files }
    await ctx.close()
  }

  // A signed-in member (何梦斌): the session in a storage state.
  const member = server.login('member', 1)
  const auth = await browser.newContext()
  const r = await auth.request.post(server.url + 'api/v1/login', { data: { username: member.username, password: member.password } })
  if (!r.ok()) throw new Error(`login failed: ${r.status()}`)
  const state = await auth.storageState()
  await auth.close()

  async function load(ctx) {
    const page = await ctx.newPage()
    const files = track(page)
    await page.goto(server.url + 'me/credits', { waitUntil: 'commit' })
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-test=total] .value')
      return el && /\d/.test(el.textContent)
    }, null, { timeout: 20000, polling: 'raf' })
    const ms = await page.evaluate(() => performance.now())
    await page.waitForLoadState('networkidle')
    await page.close()
    return { ms, files }
  }

  const cold = []
  let first = null
  for (let i = 0; i < LOADS; i++) {
    const ctx = await browser.newContext({ storageState: state })
    const l = await load(ctx)
    cold.push(l.ms)
    if (!first) first = l.files
    await ctx.close()
  }
  const warm = []
  {
    const ctx = await browser.newContext({ storageState: state })
    await load(ctx)
    for (let i = 0; i < LOADS; i++) warm.push((await load(ctx)).ms)
    await ctx.close()
  }
  result.myCredits = {
    js: total(first, 'js'),
    css: total(first, 'css'),
    files: first.length,
    gzip: first.filter((f) => f.encoding === 'gzip').length,
    list: first,
    cold_ms: cold.map((x) => Math.round(x)),
    cold_median_ms: Math.round(median(cold)),
    warm_ms: warm.map((x) => Math.round(x)),
    warm_median_ms: Math.round(median(warm)),
  }
} finally {
  result.loadavg_after = loadavg()[0]
  await browser.close()
  await server.stop()
}

const kb = (n) => (n / 1024).toFixed(1) + ' KB'
console.log(`Chromium ${result.chromium}, node ${result.node}, ${LOADS} loads each, localhost; ${result.cores} cores, load average ${result.loadavg_before.toFixed(1)} → ${result.loadavg_after.toFixed(1)}`)
console.log(`login page     JS ${kb(result.login.js)}  CSS ${kb(result.login.css)}  (${result.login.files} files, ${result.login.gzip} of them gzip; the rest are under 256 bytes)`)
console.log(`我的学分       JS ${kb(result.myCredits.js)}  CSS ${kb(result.myCredits.css)}  (${result.myCredits.files} files, ${result.myCredits.gzip} gzip)`)
console.log(`我的学分 numbers shown: median ${result.myCredits.cold_median_ms} ms cold (${result.myCredits.cold_ms.join(', ')}), ${result.myCredits.warm_median_ms} ms warm (${result.myCredits.warm_ms.join(', ')})`)
mkdirSync(OUT, { recursive: true })
writeFileSync(join(OUT, 'measure.json'), JSON.stringify(result, null, 1) + '\n')
