// What the browser tests share: a real `xuefen serve --demo` on a fresh
// database in a temporary folder (port 0: the port it prints), the demo
// logins it prints, Debian's Chromium driven by playwright-core, sign-in,
// screenshots, and a small XLSX writer for import files.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateRawSync } from 'node:zlib'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const require = createRequire(join(ROOT, 'web/package.json'))
export const { chromium } = require('playwright-core')

export const OUT = process.env.XUEFEN_WEB_OUT || join(ROOT, 'build/web-test')
export const SHOTS = join(OUT, 'screenshots')
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'

/**
 * Starts `xuefen serve --demo` in a fresh folder. Resolves { url, logins,
 * stop() }: url ends with "/", logins is [{ role, username, password, who }]
 * in the printed order.
 */
export async function startServer({ bin = process.env.XUEFEN_BIN || join(ROOT, 'build/xuefen'), args = [], clockOffset = 0 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'xuefen-web-'))
  // The server's clock can be moved (src/core/clock.h): seconds in this file.
  // A clock pinned from the start makes the demo (its accounts, its records)
  // at the pinned time; moving the clock back later would end the demo's
  // sessions (they would start before the accounts' passwords were set).
  const clockFile = join(dir, 'clock-offset')
  writeFileSync(clockFile, String(clockOffset))
  // $XUEFEN_WEB: serve the UI from another folder than the one beside the binary.
  if (process.env.XUEFEN_WEB) args = ['--web', process.env.XUEFEN_WEB, ...args]
  const child = spawn(bin, ['serve', '--demo', '--listen', '127.0.0.1:0', '--threads', '4', ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TZ: process.env.TZ || 'Asia/Shanghai', XUEFEN_TEST_CLOCK_FILE: clockFile },
  })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (d) => (err += d))
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`xuefen serve did not start in 60 s:\n${out}\n${err}`)), 60000)
    child.stdout.on('data', (d) => {
      out += d
      const m = /xuefen 已启动 \(serving\): (http\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        ok(m[1])
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`xuefen serve exited with ${code}:\n${out}\n${err}`))
    })
  })
  const logins = []
  let table = false
  for (const line of out.split('\n')) {
    if (/^\s+角色\s+用户名\s+密码/.test(line)) {
      table = true
      continue
    }
    if (table) {
      const m = /^\s+(\w+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(line)
      if (!m) {
        table = false
        continue
      }
      logins.push({ role: m[1], username: m[2], password: m[3], who: m[4].trim() })
    }
  }
  const webLine = /网页界面 \(web UI\): (.*)/.exec(out)
  return {
    url,
    logins,
    webRoot: webLine ? webLine[1].trim() : null,
    output: () => out + err,
    /** Moves the server's clock: seconds added to the real time from now on. */
    setClockOffset(seconds) {
      writeFileSync(clockFile, String(seconds))
    },
    login(role, nth = 0) {
      const l = logins.filter((x) => x.role === role)[nth]
      if (!l) throw new Error(`no demo login for ${role} #${nth}`)
      return l
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await new Promise((ok) => child.once('exit', ok))
      }
      rmSync(dir, { recursive: true, force: true })
      return child.exitCode
    },
  }
}

/** Launches Debian's Chromium, headless. */
export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-dev-shm-usage'] })
}

/**
 * A new page (its own cookies) that records console errors and page errors
 * other than the expected 401 of the first GET /me.
 */
export async function newPage(browser, { width = 1366, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true })
  const page = await context.newPage()
  page.problems = []
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() !== 'error') return
    const t = m.text()
    // A signed-out GET /me (401), and refusals the pages show as messages
    // (e.g. results of a year not assessed yet: 400; a bad import: 422).
    if (/status of (400|401|403|404|422|429)/.test(t)) return
    page.problems.push(`console: ${t}`)
  })
  return page
}

/** Signs in through the login page and waits for the first page after it. */
export async function signIn(page, base, { username, password }) {
  await page.goto(base + 'login')
  await page.fill('#login-username', username)
  await page.fill('#login-password', password)
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30000 }), page.click('button[type=submit]')])
  await page.waitForSelector('[data-test=user-menu]', { timeout: 30000 })
}

/** The titles of the left menu, in order. */
export async function menuTitles(page) {
  return page.$$eval('[data-test=menu] .menu-item', (els) => els.map((e) => e.textContent.trim()))
}

/** Fails when the page scrolls sideways (something wider than the window). */
export async function assertFits(page, what = page.url()) {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  if (over > 1) throw new Error(`${what}: the page is ${over}px wider than the window`)
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}

/** A JSON GET from inside the page (its cookies): { status, body }. */
export async function apiGet(page, path) {
  return page.evaluate(async (p) => {
    const r = await fetch(p, { credentials: 'same-origin' })
    let body = null
    try {
      body = await r.json()
    } catch {
      body = null
    }
    return { status: r.status, body }
  }, path)
}

// ---- a small XLSX writer (inline strings; enough for import files) ----

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** A ZIP file of { name: string | Buffer } (deflated). */
export function zip(files) {
  const locals = []
  const centrals = []
  let offset = 0
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8')
    const comp = deflateRawSync(data)
    const nameBuf = Buffer.from(name, 'utf8')
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(8, 8) // deflate
    local.writeUInt32LE(0, 10)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(comp.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(nameBuf.length, 26)
    local.writeUInt16LE(0, 28)
    locals.push(local, nameBuf, comp)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(8, 10)
    central.writeUInt32LE(0, 12)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(comp.length, 20)
    central.writeUInt32LE(data.length, 24)
    central.writeUInt16LE(nameBuf.length, 28)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, nameBuf)
    offset += 30 + nameBuf.length + comp.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(Object.keys(files).length, 8)
  end.writeUInt16LE(Object.keys(files).length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function colName(i) {
  let s = ''
  for (i += 1; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s
  return s
}

/** An XLSX workbook of one sheet: rows of strings (row 1 the header). */
export function xlsx(rows, sheetName = 'Sheet1') {
  const sheetRows = rows
    .map((r, ri) => {
      const cells = r
        .map((v, ci) => (v === '' || v === null || v === undefined ? '' : `<c r="${colName(ci)}${ri + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`))
        .join('')
      return `<row r="${ri + 1}">${cells}</row>`
    })
    .join('')
  return zip({
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    '_rels/.rels':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${esc(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels':
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheetRows}</sheetData></worksheet>`,
  })
}
