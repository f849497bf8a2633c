// The web UI in a real browser (Debian's Chromium, playwright-core) against a
// real `xuefen serve --demo` on a fresh database: each role signs in and
// sees its menu; the login page shows the server's refusals and lockout; a
// member sees the numbers of 我的学分 (the same as the API's) and cannot open
// another person's page by URL; the transcript prints without the menus;
// an auditor reads and filters the log; an admin imports a roster XLSX with
// one bad row, sees the row's error, fixes the file and imports it; the
// main pages render (screenshots under build/web-test/screenshots).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { apiGet, assertFits, launch, menuTitles, newPage, OUT, ROOT, shot, signIn, startServer, xlsx } from './lib.mjs'

let server
let browser
const base = () => server.url

before(async () => {
  server = await startServer()
  browser = await launch()
})

after(async () => {
  if (browser) await browser.close()
  if (server) {
    const code = await server.stop()
    assert.equal(code, 0, 'xuefen serve exits cleanly on SIGTERM')
  }
})

/** A page signed in as the nth demo login of role. */
async function as(role, nth = 0, size) {
  const page = await newPage(browser, size)
  await signIn(page, base(), server.login(role, nth))
  return page
}

function noProblems(page) {
  assert.deepEqual(page.problems, [], 'no script errors on the page')
}

/** "39" or "16.7": the UI's credits (at most one decimal). */
function credits(v) {
  const r = Math.round(v * 10) / 10
  return Number.isInteger(r) ? String(r) : r.toFixed(1)
}

describe('the server serves the UI', () => {
  test('the built UI is found beside the binary and deep links give the app', async () => {
    assert.ok(server.webRoot && server.webRoot.endsWith('web/dist'), `web root: ${server.webRoot}`)
    const page = await newPage(browser)
    const res = await page.goto(base() + 'people/1')
    assert.equal(res.status(), 200)
    assert.match(res.headers()['content-security-policy'] || '', /script-src 'self'/)
    await page.waitForSelector('#login-username')
    assert.match(page.url(), /\/login\?redirect=(%2F|\/)people(%2F|\/)1$/)
    await page.close()
  })
})

describe('登录', () => {
  test('a wrong password shows the server message next to the field; input is kept', async () => {
    const page = await newPage(browser)
    const m = server.login('member', 0)
    await page.goto(base() + 'login')
    await shot(page, '01-login')
    await page.fill('#login-username', m.username)
    await page.fill('#login-password', 'Wrong-pass-1')
    await page.click('button[type=submit]')
    const err = await page.waitForSelector('[data-test=login-error]')
    assert.equal((await err.textContent()).trim(), '用户名或密码错误')
    assert.equal(await page.inputValue('#login-username'), m.username)
    assert.equal(await page.inputValue('#login-password'), 'Wrong-pass-1')
    noProblems(page)
    await page.close()
  })

  test('the fifth failure shows the lockout message', async () => {
    const page = await newPage(browser)
    await page.goto(base() + 'login')
    await page.fill('#login-username', 'no-such-user')
    await page.fill('#login-password', 'Wrong-pass-1')
    for (let i = 0; i < 5; i++) {
      await page.click('button[type=submit]')
      await page.waitForResponse((r) => r.url().endsWith('/api/v1/login'))
    }
    const locked = await page.waitForSelector('[data-test=login-locked]')
    assert.match(await locked.textContent(), /登录失败次数过多，账号已锁定，请 15 分钟后再试/)
    await shot(page, '02-login-locked')
    await page.close()
  })

  test('keyboard focus is visible', async () => {
    const page = await newPage(browser)
    await page.goto(base() + 'login')
    await page.waitForSelector('#login-username')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    const style = await page.evaluate(() => {
      const el = document.activeElement
      const cs = getComputedStyle(el)
      return { tag: el.tagName, outline: cs.outlineStyle, width: cs.outlineWidth }
    })
    assert.notEqual(style.outline, 'none', `focused ${style.tag} has an outline`)
    await page.close()
  })
})

describe('menus follow the roles', () => {
  const cases = [
    // The bureau's policy has no scorecard: no 学习评分表 / 评分表评分 for its people.
    ['member', ['我的学分', '学分办法'], ['统计分析', '人员与单位', '审计日志', '账号管理', '数据导入', '学习评分表']],
    ['reviewer', ['我的学分', '统计分析', '人员与单位', '学分办法'], ['审计日志', '账号管理', '数据导入', '年度考核', '评分表评分']],
    ['approver', ['我的学分', '统计分析', '人员与单位', '学分办法'], ['审计日志', '账号管理', '数据导入']],
    ['admin', ['统计分析', '年度考核', '人员与单位', '数据导入', '数据导出', '账号管理', '学分办法'], ['我的学分', '审计日志']],
    ['auditor', ['审计日志', '学分办法'], ['我的学分', '统计分析', '人员与单位', '账号管理']],
  ]
  for (const [role, has, hasNot] of cases) {
    test(role, async () => {
      const page = await as(role)
      const titles = await menuTitles(page)
      for (const t of has) assert.ok(titles.includes(t), `${role} sees ${t} (menu: ${titles.join(', ')})`)
      for (const t of hasNot) assert.ok(!titles.includes(t), `${role} does not see ${t}`)
      // The user's name is in the top bar.
      const who = await page.textContent('[data-test=user-menu]')
      assert.ok(who.includes(server.login(role).who.split('（')[0]), `top bar shows ${who}`)
      noProblems(page)
      await page.close()
    })
  }
})

test('the 规划局 branch (a scorecard policy): 学习评分表 for its member, 评分表评分 for its reviewer', async () => {
  const member = await as('member', 3)
  assert.ok((await menuTitles(member)).includes('学习评分表'))
  await member.close()
  const reviewer = await as('reviewer', 1)
  assert.ok((await menuTitles(reviewer)).includes('评分表评分'))
  await reviewer.close()
})

describe('学员 (member)', () => {
  test('我的学分 shows the numbers the server computes', async () => {
    const page = await as('member', 1) // 何梦斌: short of his requirement
    assert.match(page.url(), /\/me\/credits/)
    await page.waitForSelector('[data-test=total]')
    const { status, body } = await apiGet(page, '/api/v1/me/credits')
    assert.equal(status, 200)
    const total = (await page.textContent('[data-test=total] .value')).replace(/\s+/g, '')
    assert.equal(total, `${credits(body.final)}学分`)
    const required = (await page.textContent('[data-test=required] .value')).replace(/\s+/g, '')
    assert.equal(required, `${credits(body.required)}学分`)
    const state = await page.textContent('[data-test=state]')
    assert.match(state, body.met ? /已达标/ : /未达标/)
    if (body.missing) {
      const missing = await page.textContent('[data-test=missing]')
      assert.ok(missing.includes(body.missing.text), 'the server sentence of what is missing')
      assert.ok(missing.includes(`还差 ${credits(body.missing.credits)} 学分`))
    }
    for (const c of body.categories) {
      const text = await page.textContent(`[data-test=cat-${c.key}]`)
      assert.ok(text.includes(credits(c.credits)), `${c.name}: ${text}`)
    }
    const rows = await page.$$('[data-test=records] tbody tr')
    assert.equal(rows.length, body.records.length)
    const first = body.records[0]
    assert.ok((await page.textContent('[data-test=records]')).includes(first.explain), 'the explain trace of a record')
    await assertFits(page)
    await shot(page, '03-member-credits')
    noProblems(page)
    await page.close()
  })

  test('the year switcher loads another year', async () => {
    const page = await as('member', 1)
    await page.waitForSelector('[data-test=total]')
    const y = new Date().getFullYear() - 1
    await page.selectOption('.year-select', String(y))
    await page.waitForURL(new RegExp(`year=${y}`))
    await page.waitForSelector(`[data-test=total], [data-test=load-error]`)
    await page.close()
  })

  test('a member cannot open another person by URL', async () => {
    const page = await as('member', 0)
    const me = (await apiGet(page, '/api/v1/me')).body.user
    const other = me.person_id === 14 ? 19 : 14
    await page.goto(base() + `people/${other}`)
    await page.waitForSelector('[data-test=forbidden]')
    assert.ok(!(await page.textContent('body')).includes('身份证号'))
    await page.goto(base() + `people/${other}/transcript`)
    await page.waitForSelector('[data-test=forbidden]')
    const api = await apiGet(page, `/api/v1/people/${other}/credits`)
    assert.equal(api.status, 403)
    await shot(page, '04-member-forbidden')
    await page.close()
  })

  test('the transcript prints on A4 without the menus', async () => {
    const page = await as('member', 1)
    await page.goto(base() + 'me/transcript')
    await page.waitForSelector('[data-test=transcript]')
    assert.match(await page.textContent('[data-test=transcript]'), /年度个人学分档案/)
    await page.emulateMedia({ media: 'print' })
    assert.equal(await page.isVisible('.topbar'), false, 'no top bar in print')
    assert.equal(await page.isVisible('[data-test=menu]'), false, 'no menu in print')
    assert.equal(await page.isVisible('[data-test=transcript]'), true)
    await shot(page, '05-transcript-print')
    const pdf = await page.pdf({ format: 'A4' })
    assert.ok(pdf.length > 10000, 'the transcript prints to a PDF')
    mkdirSync(OUT, { recursive: true })
    writeFileSync(join(OUT, 'transcript.pdf'), pdf)
    await page.close()
  })

  test('我的学分 on a phone', async () => {
    const page = await as('member', 1, { width: 390, height: 844 })
    await page.waitForSelector('[data-test=total]')
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 1, `no sideways scrolling on a phone (${overflow}px)`)
    assert.equal(await page.isVisible('.aside'), false, 'the menu is in a drawer')
    await page.click('.menu-toggle')
    await page.waitForSelector('.aside.drawer [data-test=menu]')
    await page.keyboard.press('Escape')
    await shot(page, '06-member-phone')
    await page.close()
  })

  test('学分办法 shows the policy as the 附件1 table', async () => {
    const page = await as('member', 1)
    await page.goto(base() + 'policy')
    const table = await page.waitForSelector('[data-test=policy-table]')
    const text = await table.textContent()
    for (const t of ['听（满分40分）', '学习培训', '局级', '国家级', '调研论文']) assert.ok(text.includes(t), `policy table has ${t}`)
    await assertFits(page)
    await shot(page, '07-policy')
    noProblems(page)
    await page.close()
  })
})

describe('审计员 (auditor)', () => {
  test('reads and filters the log, read-only', async () => {
    const page = await as('auditor')
    assert.match(page.url(), /\/audit/, 'an auditor lands on the log')
    await page.waitForSelector('[data-test=audit] .el-table__body tr')
    const rows = await page.$$('[data-test=audit] .el-table__body tr.el-table__row')
    assert.ok(rows.length > 5, `log rows: ${rows.length}`)
    assert.match(await page.textContent('[data-test=audit]'), /登录/)
    // Filter by the actor "admin" (signed in by the tests above).
    await page.fill('input[aria-label=操作人]', 'admin')
    await Promise.all([page.waitForResponse((r) => r.url().includes('/api/v1/audit?') && r.url().includes('actor=admin')), page.click('button[type=submit]')])
    await page.waitForTimeout(200)
    const actors = await page.$$eval('[data-test=audit] .el-table__body tr.el-table__row td:nth-child(4)', (els) => els.map((e) => e.textContent.trim()))
    assert.ok(actors.length > 0 && actors.every((a) => a === 'admin'), `actors: ${actors.join(',')}`)
    // No button that changes anything.
    assert.equal(await page.$('button:has-text("删除")'), null)
    await assertFits(page)
    await shot(page, '08-audit')
    noProblems(page)
    await page.close()
  })
})

describe('管理员 (admin)', () => {
  const HEAD = ['姓名', '工号', '身份证号', '手机号', '单位', '单位编码', '上级单位', '角色', '入职日期']
  const good = ['测试甲', 'WT26001', '', '13900001111', '数据资源科', 'dsj-sj', '区大数据发展局', 'staff', '2026-03-01']
  const bad = ['测试乙', 'WT26002', '', '', '数据资源科', 'dsj-sj', '区大数据发展局', 'staff', '2026-13-01']
  const fixed = ['测试乙', 'WT26002', '', '', '数据资源科', 'dsj-sj', '区大数据发展局', 'staff', '2026-03-01']

  test('imports a roster XLSX: the bad row is shown, nothing written; fixed, it imports', async () => {
    mkdirSync(OUT, { recursive: true })
    const badFile = join(OUT, '名册-有错误.xlsx')
    const goodFile = join(OUT, '名册-已修改.xlsx')
    writeFileSync(badFile, xlsx([HEAD, good, bad], '人员名册'))
    writeFileSync(goodFile, xlsx([HEAD, good, fixed], '人员名册'))

    const page = await as('admin')
    await page.goto(base() + 'imports')
    await page.setInputFiles('[data-test=import-file] input[type=file]', badFile)
    // Checked first: the bad rows are listed, no confirmation is asked.
    await page.click('[data-test=import-start]')
    const errors = await page.waitForSelector('[data-test=import-errors]', { timeout: 20000 })
    const text = await errors.textContent()
    assert.match(text, /文件有问题，未导入任何数据/)
    assert.match(text, /数据库未作任何改动/)
    const cells = await page.$$eval('[data-test=import-errors] .el-table__body tr.el-table__row', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
    )
    assert.deepEqual(cells[0].slice(0, 3), ['3', 'I', '入职日期'])
    assert.match(cells[0][3], /日期无效 "2026-13-01"/)
    await assertFits(page)
    await shot(page, '09-import-errors')
    // Nothing was written: 测试甲 of the good row is not there either.
    assert.equal((await apiGet(page, '/api/v1/people?q=WT2600')).body.total, 0)

    await page.setInputFiles('[data-test=import-file] input[type=file]', goodFile)
    await page.click('[data-test=import-start]')
    // The check passed: its counts are confirmed, then it is imported.
    const box = await page.waitForSelector('.el-message-box', { timeout: 20000 })
    assert.match(await box.textContent(), /检查通过.*人员 2/)
    assert.equal((await apiGet(page, '/api/v1/people?q=WT2600')).body.total, 0)
    await page.click('.el-message-box button:has-text("导入")')
    const ok = await page.waitForSelector('[data-test=import-ok]', { timeout: 20000 })
    assert.match(await ok.textContent(), /人员 2/)
    await shot(page, '10-import-ok')
    const people = (await apiGet(page, '/api/v1/people?q=WT2600')).body
    assert.deepEqual(people.items.map((p) => p.name).sort(), ['测试乙', '测试甲'])
    noProblems(page)
    await page.close()
  })

  test('人员与单位: search on the server, masked numbers, a person', async () => {
    const page = await as('admin')
    await page.goto(base() + 'people')
    await page.waitForSelector('[data-test=people] .el-table__body tr')
    // 人员类别 by the names the policy gives them, not their keys.
    await page.waitForSelector('[data-test=people] td:has-text("其他人员")')
    const cells = await page.$$eval('[data-test=people] .el-table__body td', (tds) => tds.map((td) => td.textContent.trim()))
    assert.ok(!cells.some((t) => ['staff', 'leader', 'section_head'].includes(t)), 'no role key shown as such')
    await page.fill('input[aria-label=搜索人员]', '测试甲')
    await Promise.all([page.waitForResponse((r) => r.url().includes('/api/v1/people?') && r.url().includes('q=')), page.click('button[type=submit]')])
    await page.waitForTimeout(200)
    const rows = await page.$$eval('[data-test=people] .el-table__body tr.el-table__row', (trs) => trs.map((t) => t.textContent))
    assert.equal(rows.length, 1)
    assert.match(rows[0], /139\*\*\*\*1111/, 'the phone is masked')
    await assertFits(page)
    await shot(page, '11-people')
    await page.click('[data-test=people] .el-table__body tr.el-table__row')
    await page.waitForSelector('[data-test=person-form]')
    // A bad phone: the server's message next to the field, the input kept.
    const phone = page.locator('[data-test=person-form] .el-form-item:has-text("手机号") input')
    await phone.fill('1390000')
    await page.click('[data-test=person-form] button[type=submit]')
    const err = await page.waitForSelector('[data-test=person-form] .el-form-item:has-text("手机号") .el-form-item__error')
    assert.match(await err.textContent(), /手机号应为以 1 开头的 11 位数字/)
    assert.equal(await phone.inputValue(), '1390000')
    await assertFits(page)
    await shot(page, '12-person-edit-error')
    await page.close()
  })

  test('统计分析, 年度考核, 账号, 导出 render', async () => {
    const page = await as('admin')
    await page.goto(base() + 'stats')
    await page.waitForSelector('[data-test=summary]')
    await page.waitForSelector('canvas')
    // The sub-units' bars come with the summary (one request, not one per sub-unit).
    await page.waitForSelector('[data-test=by-unit] canvas')
    await page.waitForTimeout(600) // the charts' animation
    assert.match(await page.textContent('[data-test=summary]'), /排名/)
    await assertFits(page)
    await shot(page, '13-stats')

    await page.goto(base() + 'assess')
    await page.click('[data-test=assess-run]')
    await page.click('.el-message-box button:has-text("运行")')
    const done = await page.waitForSelector('[data-test=assess-done]', { timeout: 60000 })
    assert.match(await done.textContent(), /年度考核完成/)
    await page.waitForSelector('[data-test=assess-results] .el-table__body tr.el-table__row')
    // Searched on the server: one name, one row.
    const year = new Date().getFullYear()
    const first = (await apiGet(page, `/api/v1/assessments/results?year=${year}&per_page=1`)).body.items[0]
    await page.fill('input[aria-label=搜索]', first.person.name)
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/assessments/results?') && r.url().includes('q=')),
      page.press('input[aria-label=搜索]', 'Enter'),
    ])
    await page.waitForTimeout(200)
    const found = await page.$$eval('[data-test=assess-results] .el-table__body tr.el-table__row', (trs) => trs.map((t) => t.textContent))
    assert.ok(found.length >= 1 && found.every((t) => t.includes(first.person.name)), `rows: ${found.join(' | ')}`)
    await page.fill('input[aria-label=搜索]', '')
    await page.press('input[aria-label=搜索]', 'Enter')
    await page.waitForTimeout(200)
    await assertFits(page)
    await shot(page, '14-assess')

    await page.goto(base() + 'users')
    await page.waitForSelector('[data-test=users] .el-table__body tr.el-table__row')
    await assertFits(page)
    await shot(page, '15-users')

    await page.goto(base() + 'exports')
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=export-results] button[type=submit]')])
    assert.match(download.suggestedFilename(), /^xuefen-results-\d{4}\.xlsx$/)
    await assertFits(page)
    await shot(page, '16-exports')
    noProblems(page)
    await page.close()
  })
})

describe('学习强国 by 党支部 (xxqg-branch)', () => {
  test('an imported case: branch averages and each quarter\'s bottom three', async () => {
    const page = await as('admin')
    await page.goto(base() + 'imports')
    await page.click('label:has-text("案例文件")')
    await page.setInputFiles('[data-test=import-file] input[type=file]', join(ROOT, 'tests/cases/xxqg-quarter-bottom.case.json'))
    await page.click('[data-test=import-start]')
    await page.click('.el-message-box button:has-text("导入")')
    await page.waitForSelector('[data-test=import-ok]', { timeout: 20000 })
    const units = (await apiGet(page, '/api/v1/units?year=2025')).body
    const branch = units.find((u) => u.code === 'branch-teachers')
    assert.ok(branch, 'the case made its branch')
    const summary = (await apiGet(page, `/api/v1/units/${branch.id}/summary?year=2025&limit=100`)).body.policies[0]
    await page.goto(base() + `stats?unit=${branch.id}&year=2025`)
    const quarters = await page.waitForSelector('[data-test=quarters]')
    const rows = await page.$$eval('[data-test=quarters] .el-table__body tr.el-table__row', (trs) => trs.map((t) => [...t.querySelectorAll('td')].map((td) => td.textContent.trim())))
    assert.equal(rows.length, summary.quarters.length)
    const names = Object.fromEntries(summary.ranking.map((r) => [r.code, r.name]))
    assert.equal(rows[0][2], summary.quarters[0].bottom.map((c) => names[c] || c).join('、'))
    assert.ok(await quarters.isVisible())
    assert.match(await page.textContent('[data-test=summary]'), /支部汇总/)
    // The monthly growth trend, as a line, since the case has monthly values.
    assert.ok(summary.metrics[0].months.some((m) => m.reported > 0))
    await page.waitForSelector('[data-test=trend] canvas')
    assert.match(await page.textContent('[data-test=trend]'), /学习强国月度增长趋势/)
    await page.waitForTimeout(600)
    await assertFits(page)
    await shot(page, '18-xxqg-branch')
    noProblems(page)
    await page.close()
  })
})

describe('审核人 (reviewer)', () => {
  test('sees only their unit', async () => {
    const page = await as('reviewer')
    await page.goto(base() + 'people')
    await page.waitForSelector('[data-test=unit-tree] .el-tree-node')
    const units = await page.$$eval('[data-test=unit-tree] .el-tree-node__content', (els) => els.map((e) => e.textContent))
    assert.equal(units.length, 1, `units: ${units.join(',')}`)
    await page.goto(base() + 'stats')
    await page.waitForSelector('[data-test=summary]')
    await assertFits(page)
    await shot(page, '17-reviewer-stats')
    noProblems(page)
    await page.close()
  })
})

describe('session expiry', () => {
  test('after the idle limit the login page says the session expired, and signing in returns to the page', async () => {
    const page = await as('member', 1)
    await page.goto(base() + 'policy')
    await page.waitForSelector('[data-test=policy]')
    server.setClockOffset(31 * 60) // past the 30-minute idle limit
    try {
      await page.goto(base() + 'me/credits')
      await page.waitForSelector('#login-username')
      const notice = await page.waitForSelector('.login-box .el-alert', { timeout: 5000 }).catch(async (e) => {
        await shot(page, '19-session-expired-failed')
        throw e
      })
      assert.match(await notice.textContent(), /登录已超时，请重新登录/)
      await shot(page, '19-session-expired')
      const m = server.login('member', 1)
      await page.fill('#login-username', m.username)
      await page.fill('#login-password', m.password)
      await Promise.all([page.waitForURL(/\/me\/credits/), page.click('button[type=submit]')])
      await page.waitForSelector('[data-test=total]')
    } finally {
      server.setClockOffset(0)
    }
    await page.close()
  })
})

describe('signing out', () => {
  test('the user menu signs out and the pages need a login again', async () => {
    const page = await as('member')
    await page.click('[data-test=user-menu]')
    await page.click('[data-test=user-menu-list] button:has-text("退出登录")')
    await page.waitForURL(/\/login/)
    await page.goto(base() + 'me/credits')
    await page.waitForSelector('#login-username')
    assert.match(page.url(), /redirect=(%2F|\/)me(%2F|\/)credits/)
    await page.close()
  })
})
