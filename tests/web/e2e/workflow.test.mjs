// The workflow pages in a real browser (Debian's Chromium, playwright-core)
// against a real `xuefen serve --demo` on a fresh database; once it runs,
// its clock is pinned to Tuesday 2026-11-24 09:00 (Asia/Shanghai) through
// the test clock file (XUEFEN_TEST_CLOCK_FILE, src/core/clock.h;
// lib.mjs setClockOffset) — the browser's clock is pinned alike — and moved
// forward past a 公示 window before it is archived:
//   - a member submits a claim with a PDF (a refused submit first: the
//     reasons next to the fields), the reviewer previews the PDF and what it
//     adds and passes it, the approver approves it, the member sees the new
//     total in 我的学分; another member cannot open that claim by URL;
//   - 自学申报 (附件4) and the printable 附件3 / 附件4;
//   - a training activity: applied for, approved in two steps, an
//     attendance file with bad rows shown before anything is written, then
//     the good file, the records given;
//   - an admin publishes a 公示, a member lodges an objection, the admin
//     cannot archive while the window is open, upholds the objection with a
//     record correction, and archives once the window has ended;
//   - a member's scorecard (self scores, submit) scored by the branch's
//     reviewer (never above a line's maximum); notices; 季度通报; phone width.
// Screenshots of the pages: build/web-test/screenshots/wf-*.png.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { apiGet, launch, newPage, OUT, shot as fullShot, signIn, startServer } from './lib.mjs'

// Tuesday 2026-11-24 09:00 in Shanghai: a 公示 published now runs 11-24 … 11-30.
const PIN = Date.UTC(2026, 10, 24, 1, 0, 0)
// The server's offset, fixed once: its clock then runs on from PIN and only
// ever moves forward (a clock moved back would end the demo's sessions).
const OFFSET = Math.round((PIN - Date.now()) / 1000)
let moved = 0 // seconds the pinned clock has been moved forward

/** Moves the server's clock (its test clock file) to PIN + moved + the time run. */
function setClock() {
  server.setClockOffset(OFFSET + moved)
}
/** The pinned "now" as the browser should see it (a little ahead for the start-up time). */
const browserNow = () => PIN + moved * 1000

let server
let browser
const base = () => server.url

before(async () => {
  server = await startServer({ clockOffset: OFFSET })
  browser = await launch()
})

after(async () => {
  if (browser) await browser.close()
  if (server) {
    const code = await server.stop()
    assert.equal(code, 0, 'xuefen serve exits cleanly on SIGTERM')
  }
})

/** A page signed in as the nth demo login of role, its clock pinned like the server's. */
async function as(role, nth = 0, size) {
  const page = await newPage(browser, size)
  await page.context().clock.install({ time: browserNow() })
  await signIn(page, base(), server.login(role, nth))
  return page
}

/** Script errors other than the refusals a test provokes on purpose. */
function noProblems(page, allow = /status of 409/) {
  assert.deepEqual(
    page.problems.filter((p) => !allow.test(p)),
    [],
    'no script errors on the page',
  )
}

/** A full-page screenshot from the top (the top bar is sticky). */
async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0))
  await fullShot(page, name)
}

function credits(v) {
  const r = Math.round(v * 10) / 10
  return Number.isInteger(r) ? String(r) : r.toFixed(1)
}

/** Opens an Element Plus select and picks the visible option with text. */
async function choose(page, trigger, text) {
  await page.click(trigger)
  const opt = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()
  await opt.waitFor({ state: 'visible', timeout: 10000 })
  await opt.click()
}

/**
 * Types a date into an Element Plus date picker and closes its panel by
 * clicking a heading (Escape would also close a dialog around it).
 */
async function pickDate(page, selector, date, away = 'h1') {
  const input = page.locator(selector).first()
  await input.click()
  await input.fill(date)
  await input.press('Enter')
  await page.locator(away).first().click()
  assert.equal(await input.inputValue(), date)
}

/** Clicks the primary button of the open message box (confirm / prompt). */
async function confirmBox(page) {
  const btn = page.locator('.el-message-box__btns .el-button--primary')
  await btn.waitFor({ state: 'visible' })
  await btn.click()
  await btn.waitFor({ state: 'hidden' })
}

async function statusText(page) {
  return (await page.locator('.page-title [data-test=status]').first().textContent()).trim()
}

// A one-page PDF.
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n' +
    '4 0 obj<</Length 60>>stream\nBT /F1 28 Tf 120 700 Td (Certificate of briefing) Tj ET\nendstream endobj\n' +
    '5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
)

let claimId = 0

describe('学分申报 → 审核 → 审批 → 我的学分', () => {
  let before = null

  test('a member submits a claim with a PDF; a refused submit shows the reasons next to the fields', async () => {
    const page = await as('member', 0) // 赵家燕, 数据资源科
    const { body } = await apiGet(page, '/api/v1/me/credits?year=2026')
    before = body.final ?? body.total
    await page.goto(base() + 'claims/new')
    await page.waitForSelector('[data-test=item]')
    await choose(page, '[data-test=item]', '信息简报')
    await page.waitForSelector('[data-test=field-level]')
    // Only the item's facts: 日期, 级别, 次数/篇数, 是否获奖.
    const labels = await page.$$eval('.claim-form .el-form-item__label', (els) => els.map((e) => e.textContent.trim()))
    for (const l of ['学习日期', '级别', '次数/篇数', '是否获奖']) assert.ok(labels.includes(l), `field ${l}`)
    for (const l of ['课程时长（分钟）', '天数', '考试成绩']) assert.ok(!labels.includes(l), `no field ${l}`)
    assert.match(await page.textContent('[data-test=item-rule]'), /须附证明材料/)

    await pickDate(page, '[data-test=field-date] input', '2026-11-02')
    await page.fill('[data-test=field-count] input', '1')
    await page.fill('[data-test=detail-content] textarea', '信息《我局推进公共数据开放》被区委办《江北信息》采用')
    await page.fill('[data-test=detail-host] input', '区委办公室')
    await page.fill('[data-test=detail-mode] input', '投稿')
    // No level, no file: the server refuses and says why, next to the field.
    await page.click('[data-test=submit]')
    const levelError = page.locator('[data-test=field-level] .el-form-item__error')
    await levelError.waitFor()
    assert.equal((await levelError.textContent()).trim(), '提交前请填写')
    assert.match(await page.textContent('[data-test=evidence-error]'), /须上传.*证明材料/)
    await page.waitForURL(/\/claims\/\d+\/edit$/)
    claimId = Number(/\/claims\/(\d+)\/edit/.exec(page.url())[1])
    assert.equal(await page.inputValue('[data-test=detail-host] input'), '区委办公室', 'the input is kept')

    await choose(page, '[data-test=field-level] .el-select', '区级')
    await page.setInputFiles('[data-test=evidence] input[type=file]', { name: '信息采用证明.pdf', mimeType: 'application/pdf', buffer: PDF })
    await page.waitForSelector('[data-test=evidence-file]', { timeout: 15000 })
    await page.waitForSelector('[data-test=evidence-queued]', { state: 'detached' })
    assert.equal(await page.locator('[data-test=evidence-error]').count(), 0, 'the file answers the evidence error')
    await page.locator('[data-test=field-level] .el-form-item__error').waitFor({ state: 'detached' }) // the level answers its error
    await shot(page, 'wf-01-claim-form')
    await page.click('[data-test=submit]')
    await page.waitForURL(new RegExp(`/claims/${claimId}$`))
    await page.waitForSelector('[data-test=claim-info]')
    assert.equal(await statusText(page), '待审核')
    assert.match(await page.textContent('[data-test=evidence]'), /信息采用证明\.pdf/)
    await shot(page, 'wf-02-claim-submitted')

    await page.goto(base() + 'claims/mine')
    await page.waitForSelector('[data-test=claims]')
    assert.match(await page.textContent('[data-test=claims]'), /信息简报[\s\S]*待审核/)
    await shot(page, 'wf-03-my-claims')
    noProblems(page, /status of 409/)
    await page.close()
  })

  test('the reviewer previews the PDF and what it adds, and passes it', async () => {
    const page = await as('reviewer', 0) // 胡嘉勇, 数据资源科
    await page.goto(base() + 'review')
    await page.waitForSelector(`[data-test=open-${claimId}]`)
    await shot(page, 'wf-04-review-queue')
    await page.click(`[data-test=open-${claimId}]`)
    await page.waitForSelector('[data-test=claim-info]')
    const [inline] = await Promise.all([
      page.waitForResponse((r) => /\/api\/v1\/evidence\/\d+\?inline=1$/.test(r.url())),
      page.click('[data-test=evidence-view]'),
    ])
    assert.equal(inline.status(), 200)
    assert.equal(inline.headers()['content-type'], 'application/pdf')
    const frame = page.locator('[data-test=evidence-preview] iframe')
    await frame.waitFor()
    assert.match(await frame.getAttribute('src'), /^blob:/)
    const { body: preview } = await apiGet(page, `/api/v1/claims/${claimId}/preview`)
    assert.ok(preview.adds > 0, 'the claim adds credits')
    await page.waitForSelector('[data-test=adds]')
    assert.equal((await page.textContent('[data-test=adds]')).trim(), `+${credits(preview.adds)}`)
    await page.waitForTimeout(800) // the PDF viewer draws
    await shot(page, 'wf-05-claim-review')
    await page.click('[data-test=do-review]')
    await confirmBox(page)
    await page.waitForFunction(() => document.querySelector('.page-title [data-test=status]')?.textContent.includes('待审批'))
    noProblems(page)
    await page.close()
  })

  test('the approver approves it; the member sees the new total in 我的学分', async () => {
    const page = await as('approver', 0) // 孙思睿, 副局长
    await page.goto(base() + 'review?box=approve')
    await page.waitForSelector(`[data-test=open-${claimId}]`)
    await page.click(`[data-test=open-${claimId}]`)
    await page.waitForSelector('[data-test=do-approve]')
    await page.click('[data-test=do-approve]')
    await confirmBox(page)
    await page.waitForFunction(() => document.querySelector('.page-title [data-test=status]')?.textContent.includes('已通过'))
    await shot(page, 'wf-06-claim-approved')
    noProblems(page)
    await page.close()

    const member = await as('member', 0)
    await member.goto(base() + 'me/credits?year=2026')
    await member.waitForSelector('[data-test=total] .value')
    const { body } = await apiGet(member, '/api/v1/me/credits?year=2026')
    const after = body.final ?? body.total
    assert.ok(after > before, `the total grew: ${before} → ${after}`)
    assert.equal((await member.textContent('[data-test=total] .value')).replace(/\s+/g, ''), `${credits(after)}学分`)
    assert.ok(body.records.some((r) => r.item === 'write.briefing' && r.date === '2026-11-02'), 'the record of the claim')
    // The notice of the approval.
    await member.goto(base() + 'notices')
    await member.waitForSelector('[data-test=notices]')
    assert.match(await member.textContent('[data-test=notices]'), /已通过审批/)
    await shot(member, 'wf-07-notices')
    noProblems(member)
    await member.close()
  })

  test('another member cannot open the claim by URL', async () => {
    const page = await as('member', 1) // 何梦斌
    await page.goto(base() + `claims/${claimId}`)
    const err = page.locator('[data-test=load-error]')
    await err.waitFor()
    assert.match(await err.textContent(), /未找到该记录，或您无权查看/)
    assert.equal(await page.locator('[data-test=claim-info]').count(), 0)
    const { status } = await apiGet(page, `/api/v1/claims/${claimId}`)
    assert.equal(status, 404)
    await page.goto(base() + `claims/${claimId}/print`)
    await page.locator('[data-test=load-error]').waitFor()
    assert.equal(await page.locator('[data-test=form-3]').count(), 0)
    await shot(page, 'wf-08-claim-not-found')
    noProblems(page)
    await page.close()
  })

  test('the printable 附件3 with the signature lines', async () => {
    const page = await as('member', 0)
    await page.goto(base() + `claims/${claimId}/print`)
    await page.waitForSelector('[data-test=form-3]')
    const text = await page.textContent('[data-test=form-3]')
    for (const s of ['附件3', '区大数据发展局学分申报表', '学习内容', '主办单位', '区委办公室', '申报人：', '审核人：', '审批人：', '胡嘉勇', '孙思睿']) assert.ok(text.includes(s), s)
    await shot(page, 'wf-09-print-form3')
    await page.emulateMedia({ media: 'print' })
    assert.equal(await page.locator('.topbar').isVisible(), false, 'no top bar on paper')
    assert.equal(await page.locator('.xf-print-bar').isVisible(), false, 'no buttons on paper')
    // The sheet as Chromium prints it: one A4 page.
    const pdf = await page.pdf({ preferCSSPageSize: true })
    mkdirSync(OUT, { recursive: true })
    writeFileSync(join(OUT, 'wf-form3.pdf'), pdf)
    const raw = pdf.toString('latin1')
    assert.equal((raw.match(/\/Type\s*\/Page[^s]/g) || []).length, 1, 'one page')
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(raw)
    assert.ok(box && Math.round(box[1]) === 595 && Math.round(box[2]) === 842, `A4 (595 × 842 pt): ${box && box[0]}`)
    noProblems(page)
    await page.close()
  })
})

describe('自学申报 (附件4)', () => {
  test('a member files 附件4 and prints it', async () => {
    const page = await as('member', 1) // 何梦斌
    await page.goto(base() + 'claims/new?form=self_study')
    await page.waitForSelector('[data-test=item]')
    await choose(page, '[data-test=item]', '读书')
    await page.waitForSelector('[data-test=field-date]')
    await pickDate(page, '[data-test=field-date] input', '2026-11-10')
    await page.fill('[data-test=detail-book] input', '习近平谈治国理政（第四卷）')
    await page.fill('[data-test=detail-author] input', '习近平')
    await page.fill('[data-test=detail-summary] textarea', '收录了2020年2月至2022年5月期间的讲话、谈话、演讲等109篇。')
    await page.fill('[data-test=detail-reflection] textarea', '深刻体会到以人民为中心的发展思想，要把学习成果转化为推动数据工作的实际成效。')
    await page.fill('[data-test=detail-quotes] textarea', '江山就是人民，人民就是江山。')
    await shot(page, 'wf-10-self-study-form')
    await page.click('[data-test=submit]')
    await page.waitForURL(/\/claims\/\d+$/)
    await page.waitForSelector('[data-test=claim-info]')
    assert.equal(await statusText(page), '待审核')
    const id = /\/claims\/(\d+)$/.exec(page.url())[1]
    await page.goto(base() + `claims/${id}/print`)
    await page.waitForSelector('[data-test=form-4]')
    const text = await page.textContent('[data-test=form-4]')
    for (const s of ['附件4', '自学情况学分申报表', '学习书目名称', '习近平谈治国理政（第四卷）', '美言美句摘抄', '江山就是人民', '审批人：']) assert.ok(text.includes(s), s)
    await shot(page, 'wf-11-print-form4')
    noProblems(page)
    await page.close()
  })
})

describe('培训活动', () => {
  let actId = 0
  test('a section head applies (附件2); 分管领导 and 主要领导 approve', async () => {
    const page = await as('reviewer', 0) // 胡嘉勇
    await page.goto(base() + 'activities/new')
    await page.waitForSelector('[data-test=act-title]')
    await page.fill('[data-test=act-title]', '数据资源科“数据安全管理”专题培训')
    await page.fill('input[aria-label=活动性质]', '专题讲座')
    await page.fill('input[aria-label=主持人]', '胡嘉勇（男，数据资源科科长）')
    await page.fill('textarea[aria-label=主讲人]', '市网信办网络安全处专家（女）')
    await page.fill('textarea[aria-label=主讲内容]', '《数据安全法》要点；公共数据分类分级与安全管理实务')
    await page.fill('input[aria-label=参加人员范围]', '数据资源科全体干部（10 人）')
    await page.fill('input[aria-label=举办地点]', '局三楼会议室')
    await pickDate(page, 'input[aria-label=开始日期]', '2026-11-12')
    await page.waitForSelector('[data-test=act-level]')
    await choose(page, '[data-test=act-level]', '局级')
    await page.fill('input[aria-label="课时长度（分钟）"]', '120')
    await page.locator('h1').click()
    await page.waitForTimeout(400) // the level list closes
    await shot(page, 'wf-12-activity-form')
    await page.click('[data-test=act-submit]')
    await page.waitForURL(/\/activities\/\d+$/)
    actId = Number(/\/activities\/(\d+)$/.exec(page.url())[1])
    await page.waitForSelector('[data-test=act-steps]')
    assert.equal(await statusText(page), '待分管领导审核')
    noProblems(page)
    await page.close()

    const deputy = await as('approver', 0) // 孙思睿, 分管副局长
    await deputy.goto(base() + `activities/${actId}`)
    await deputy.click('[data-test=act-review]')
    await confirmBox(deputy)
    await deputy.waitForFunction(() => document.querySelector('.page-title [data-test=status]')?.textContent.includes('待主要领导审批'))
    assert.equal(await deputy.locator('[data-test=act-approve]').count(), 0, 'the step-1 leader cannot approve step 2')
    noProblems(deputy)
    await deputy.close()

    const head = await as('head', 0) // 张东, 局长
    await head.goto(base() + `activities/${actId}`)
    await head.click('[data-test=act-approve]')
    await confirmBox(head)
    await head.waitForFunction(() => document.querySelector('.page-title [data-test=status]')?.textContent.includes('已批准'))
    noProblems(head)
    await head.close()
  })

  test('the attendance: every bad row shown before writing, then the good file; records given', async () => {
    const page = await as('reviewer', 0)
    const { body: people } = await apiGet(page, '/api/v1/people?unit_id=3&per_page=50')
    const [a, b] = people.items
    await page.goto(base() + `activities/${actId}`)
    await page.waitForSelector('[data-test=attendance]')
    const bad = `序号,工号,姓名,听课时长（分钟）\n1,${a.staff_no},${a.name},120\n2,${b.staff_no},${b.name}某,90\n3,NOPE0001,王五,60\n`
    await page.setInputFiles('[data-test=attendance] input[type=file]', { name: '签到表.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) })
    await page.waitForSelector('[data-test=att-problems]')
    const rows = await page.$$eval('[data-test=att-problems] tbody tr', (trs) => trs.map((t) => t.textContent))
    assert.equal(rows.length, 2, 'both bad rows')
    assert.match(rows[0], /^3/)
    assert.match(rows[1], /^4/)
    assert.match(await page.textContent('[data-test=att-check]'), /名单有问题，未作任何改动/)
    await shot(page, 'wf-13-attendance-errors')
    let { body: listed } = await apiGet(page, `/api/v1/activities/${actId}/attendance`)
    assert.equal(listed.listed, 0, 'nothing written')

    const good = `序号,工号,姓名,听课时长（分钟）\n1,${a.staff_no},${a.name},120\n2,${b.staff_no},${b.name},90\n`
    await page.setInputFiles('[data-test=attendance] input[type=file]', { name: '签到表.csv', mimeType: 'text/csv', buffer: Buffer.from(good) })
    await page.waitForSelector('[data-test=att-confirm]')
    assert.match(await page.textContent('[data-test=att-check]'), /检查通过.*共 2 人/)
    await page.click('[data-test=att-confirm]')
    await page.waitForFunction(() => document.querySelectorAll('[data-test=att-list] tbody tr').length === 2)
    noProblems(page)
    await page.close()

    const deputy = await as('approver', 0)
    await deputy.goto(base() + `activities/${actId}`)
    await deputy.click('[data-test=att-records]')
    await confirmBox(deputy)
    await deputy.waitForFunction(() => [...document.querySelectorAll('[data-test=att-list] tbody tr')].filter((t) => t.textContent.includes('已登记')).length === 2)
    ;({ body: listed } = await apiGet(deputy, `/api/v1/activities/${actId}/attendance`))
    assert.equal(listed.given, 2)
    await shot(deputy, 'wf-14-activity-records')
    await deputy.goto(base() + `activities/${actId}/print`)
    await deputy.waitForSelector('[data-test=form-2]')
    const text = await deputy.textContent('[data-test=form-2]')
    for (const s of ['附件2', '培训学习活动申报表', '申办人', '责任科室', '主讲内容', '审核人：', '审批人：', '孙思睿', '张东']) assert.ok(text.includes(s), s)
    await shot(deputy, 'wf-15-print-form2')
    await deputy.goto(base() + 'activities')
    await deputy.waitForSelector('[data-test=activities]')
    await shot(deputy, 'wf-16-activities')
    noProblems(deputy)
    await deputy.close()
  })
})

describe('公示: publish, objection, resolve, archive', () => {
  let pubId = 0
  test('an admin publishes the quarter of 数据资源科', async () => {
    const page = await as('admin', 0)
    await page.goto(base() + 'publications')
    await page.click('[data-test=publish]')
    await choose(page, '[data-test=pub-unit]', '数据资源科')
    await page.click('[data-test=pub-quarter] label:has-text("第三季度")')
    await page.click('[data-test=pub-submit]')
    await page.waitForURL(/\/publications\/\d+$/)
    pubId = Number(/\/publications\/(\d+)$/.exec(page.url())[1])
    await page.waitForSelector('[data-test=lines]')
    const { body } = await apiGet(page, `/api/v1/publications/${pubId}`)
    assert.equal(body.window_start, '2026-11-24')
    assert.equal(body.window_end, '2026-11-30')
    assert.match(await page.textContent('[data-test=window]'), /截至 2026-11-30，还剩 5 个工作日/)
    assert.equal((await page.textContent('[data-test=lines]')).includes('身份证'), false)
    await shot(page, 'wf-17-publication-admin')
    noProblems(page)
    await page.close()
  })

  test('a member sees the open window and lodges an objection', async () => {
    const page = await as('member', 0) // 赵家燕
    await page.goto(base() + 'publications')
    await page.waitForSelector('[data-test=open-publication]')
    assert.match(await page.textContent('[data-test=open-publication]'), /公示截止 2026-11-30，还剩 5 个工作日/)
    await shot(page, 'wf-18-publications-member')
    await page.goto(base() + `publications/${pubId}`)
    const me = (await apiGet(page, '/api/v1/me')).body.user.person_id
    await page.click(`[data-test=object-${me}]`)
    await page.click('[data-test=objection-submit]') // empty: refused here
    assert.match(await page.textContent('.el-dialog .el-form-item__error'), /请填写异议内容/)
    await page.fill('[data-test=objection-text]', '我 9 月 10 日参加的“读书分享会”读书记录未计入，请核实。')
    await page.click('[data-test=objection-submit]')
    await page.waitForSelector('[data-test=objection]')
    assert.match(await page.textContent('[data-test=objections]'), /待处理[\s\S]*读书分享会/)
    await shot(page, 'wf-19-objection-lodged')
    noProblems(page)
    await page.close()
  })

  test('the admin cannot archive in the window, upholds with a correction, archives after it', async () => {
    let page = await as('admin', 0)
    await page.goto(base() + `publications/${pubId}`)
    await page.waitForSelector('[data-test=archive]')
    await page.click('[data-test=archive]')
    await confirmBox(page)
    await page.waitForSelector('[data-test=action-error]')
    assert.match(await page.textContent('[data-test=action-error]'), /公示期至 2026-11-30 结束，期满后才能归档/)

    const { body: objs } = await apiGet(page, `/api/v1/publications/${pubId}/objections`)
    const o = objs.items[0]
    await page.click(`[data-test=resolve-${o.id}]`)
    await page.click('[data-test=decision] label:has-text("采纳")')
    await page.click('.el-dialog label:has-text("新增记录")')
    await choose(page, '[data-test=add-item]', '读书')
    await pickDate(page, '[data-test=add-date] input', '2026-09-10', '.el-dialog__title')
    await page.fill('[data-test=resolve-reason]', '经核实，9 月 10 日读书分享会漏登，予以补登')
    await shot(page, 'wf-20-objection-resolve')
    await page.click('[data-test=resolve-submit]')
    await page.waitForFunction(() => document.querySelector('[data-test=objections]')?.textContent.includes('已采纳'))
    assert.match(await page.textContent('[data-test=objections]'), /新增记录 #\d+（项目 read\.book，日期 2026-09-10/)
    noProblems(page)
    await page.close()

    // Past the window's end (its 5th working day, Monday 11-30): Tuesday 12-01.
    moved = 7 * 86400
    setClock()
    page = await as('admin', 0) // the old sessions expired with the clock
    await page.goto(base() + `publications/${pubId}`)
    await page.waitForSelector('[data-test=archive]')
    assert.match(await page.textContent('[data-test=window]'), /公示期已于 2026-11-30 结束，待归档/)
    await page.click('[data-test=archive]')
    await confirmBox(page)
    await page.waitForFunction(() => document.querySelector('[data-test=window]')?.textContent.includes('已归档') || document.querySelector('[data-test=action-error]'))
    const refused = page.locator('[data-test=action-error]')
    if (await refused.count()) assert.fail(`archive refused: ${await refused.textContent()}`)
    assert.equal(await page.locator('[data-test=archive]').count(), 0)
    const { body } = await apiGet(page, `/api/v1/publications/${pubId}`)
    assert.equal(body.status, 'archived')
    await shot(page, 'wf-21-publication-archived')
    noProblems(page)
    await page.close()

    const member = await as('member', 0)
    await member.goto(base() + 'notices')
    await member.waitForSelector('[data-test=notices]')
    assert.match(await member.textContent('[data-test=notices]'), /异议已采纳/)
    noProblems(member)
    await member.close()
  })
})

describe('评分表 (规划局)', () => {
  test('the member fills the self scores and submits; the branch’s reviewer scores it', async () => {
    const page = await as('member', 3) // 朱洋, a draft
    await page.goto(base() + 'me/scorecard?year=2026')
    await page.waitForSelector('[data-test=scorecard]')
    const { body: card } = await apiGet(page, '/api/v1/me/scorecard?year=2026')
    assert.equal(card.status, 'draft')
    // Above a line's maximum the input keeps to the maximum.
    const goal = page.locator('[data-test="line-plan.goal"] input')
    await goal.fill('12')
    await goal.press('Tab')
    assert.equal(await goal.inputValue(), '7')
    for (const l of card.lines.filter((x) => x.self === null)) {
      const input = page.locator(`[data-test="line-${l.key}"] input`)
      await input.fill(String(Math.min(l.max, 3)))
      await input.press('Tab')
    }
    await shot(page, 'wf-22-scorecard-self')
    await page.click('[data-test=sc-submit]')
    await confirmBox(page)
    await page.waitForFunction(() => document.querySelector('[data-test=sc-state]')?.textContent.includes('待评分'))
    noProblems(page)
    await page.close()

    const reviewer = await as('reviewer', 1) // 吴嘉伟, 党支部书记
    await reviewer.goto(base() + 'scorecards')
    await reviewer.waitForSelector(`[data-test=sc-open-${card.person.id}]`)
    // 待评分 only: the submitted cards of the branch, filtered on the server.
    const { body: waiting } = await apiGet(reviewer, '/api/v1/scorecards?year=2026&status=submitted')
    assert.ok(waiting.items.some((c) => c.person.id === card.person.id))
    await Promise.all([
      reviewer.waitForResponse((r) => r.url().includes('/api/v1/scorecards?') && r.url().includes('status=submitted')),
      reviewer.click('[data-test=sc-status]').then(() => reviewer.click('.el-select-dropdown__item:has-text("待评分")')),
    ])
    await reviewer.waitForTimeout(200)
    const rows = await reviewer.$$eval('[data-test=sc-people] .el-table__body tr.el-table__row', (trs) => trs.length)
    assert.equal(rows, waiting.items.length)
    await reviewer.click(`[data-test=sc-open-${card.person.id}]`)
    await reviewer.waitForSelector('[data-test=sc-card]')
    for (const l of card.lines) {
      const input = reviewer.locator(`[data-test=sc-card] [data-test="line-${l.key}"] input`)
      await input.fill(String(l.max))
      await input.press('Tab')
    }
    await reviewer.click('[data-test=sc-review-save]')
    await reviewer.waitForFunction(() => document.querySelector('[data-test=sc-card]')?.textContent.includes('已评分'))
    const { body: scored } = await apiGet(reviewer, `/api/v1/people/${card.person.id}/scorecard?year=2026`)
    assert.equal(scored.status, 'reviewed')
    assert.equal(scored.total, 100)
    assert.equal(scored.learning_member, true)
    await shot(reviewer, 'wf-23-scorecard-review')
    noProblems(reviewer)
    await reviewer.close()

    const again = await as('member', 3)
    await again.goto(base() + 'me/scorecard?year=2026')
    await again.waitForSelector('[data-test=learning-member]')
    assert.equal((await again.textContent('[data-test=learning-member]')).trim(), '是')
    assert.equal((await again.textContent('[data-test=sc-total]')).replace(/\s+/g, ''), '100/100')
    noProblems(again)
    await again.close()
  })
})

describe('季度通报 and phone-width member pages', () => {
  test('季度通报 lists the people behind, with an XLSX export', async () => {
    const page = await as('admin', 0)
    await page.goto(base() + 'quarterly')
    await page.waitForSelector('[data-test=below]')
    await page.waitForSelector('[data-test=quarterly]')
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=quarterly-export]')])
    assert.match(download.suggestedFilename(), /\.xlsx$/)
    await shot(page, 'wf-24-quarterly')
    noProblems(page)
    await page.close()
  })

  test('学分申报, 我的申报 and 公示 fit a phone screen', async () => {
    const page = await as('member', 0, { width: 390, height: 844 })
    for (const [path, name, sel] of [
      ['claims/new', 'wf-25-phone-claim-form', '[data-test=item]'],
      ['claims/mine', 'wf-26-phone-my-claims', '[data-test=claims]'],
      [`claims/${claimId}`, 'wf-27-phone-claim', '[data-test=claim-info]'],
      ['publications', 'wf-28-phone-publications', '.page-title'],
      ['notices', 'wf-29-phone-notices', '[data-test=notices]'],
    ]) {
      await page.goto(base() + path)
      await page.waitForSelector(sel)
      const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth)
      assert.ok(overflow <= 1, `${path}: no sideways scrolling (${overflow}px)`)
      await shot(page, name)
    }
    noProblems(page)
    await page.close()
  })
})
