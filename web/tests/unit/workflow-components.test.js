// Component tests of the workflow pages: the claim form shows only the
// inputs of the chosen item and puts the server's refusal next to the field
// it names (keeping what was typed); the scorecard refuses a score above
// the line's maximum next to the line; the evidence list warns of files
// used by someone else's claim.
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { h, reactive } from 'vue'
import { RouterView, createMemoryHistory, createRouter } from 'vue-router'
import { registerIcons } from '@/components/icons.js'

beforeAll(() => {
  window.matchMedia = window.matchMedia || ((q) => ({ matches: false, media: q, addEventListener() {}, removeEventListener() {} }))
  globalThis.ResizeObserver = globalThis.ResizeObserver || class { observe() {} unobserve() {} disconnect() {} }
  window.scrollTo = () => {}
  Element.prototype.scrollIntoView = Element.prototype.scrollIntoView || (() => {})
})
afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const ITEMS = {
  year: 2026,
  policy: { id: 'bigdata-bureau', name: '区大数据发展局学分制管理办法（试行）' },
  levels: [
    { key: 'bureau', name: '局级' },
    { key: 'city', name: '市级' },
  ],
  kinds: ['work_meeting'],
  items: [
    {
      key: 'listen.training', name: '学习培训', category: 'listen', category_name: '听', per: 'session', unit: '次', points: null,
      level_points: { bureau: 2, city: 4 }, cap: null,
      fields: ['date', 'level', 'days', 'minutes', 'attended_minutes', 'online', 'kind'], required: ['date', 'level', 'minutes', 'attended_minutes'],
      forms: ['claim'], needs_evidence: false,
    },
    {
      key: 'read.book', name: '读书', category: 'read', category_name: '读', per: 'count', unit: '本', points: 2, level_points: null, cap: 4,
      fields: ['date', 'count'], required: ['date'], forms: ['claim', 'self_study'], needs_evidence: false,
    },
  ],
}

function answer(status, body) {
  return { ok: status >= 200 && status < 300, status, text: async () => JSON.stringify(body), headers: new Map() }
}

/** A fetch stub: handler(method, url, body) → [status, body]; records the calls. */
function stubFetch(handler) {
  const calls = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url, init = {}) => {
      const method = init.method || 'GET'
      const body = init.body ? JSON.parse(init.body) : undefined
      calls.push({ method, url, body })
      const [status, out] = handler(method, url, body)
      return answer(status, out)
    }),
  )
  return calls
}

async function mountClaimEdit(path) {
  const { default: ClaimEdit } = await import('@/views/workflow/ClaimEdit.vue')
  const stub = { render: () => h('div', 'stub') }
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/claims/new', name: 'claim-new', component: ClaimEdit },
      { path: '/claims/mine', name: 'my-claims', component: stub },
      { path: '/claims/:id(\\d+)', name: 'claim', component: stub },
      { path: '/claims/:id(\\d+)/edit', name: 'claim-edit', component: ClaimEdit },
    ],
  })
  router.push(path)
  await router.isReady()
  const w = mount({ render: () => h(RouterView) }, { global: { plugins: [router, { install: registerIcons }] }, attachTo: document.body })
  await flushPromises()
  return { w, router }
}

const inputs = (w) => w.findAll('[data-test^=field-]').map((x) => x.attributes('data-test'))

describe('ClaimEdit', () => {
  test('only the fields of the chosen item', async () => {
    stubFetch((m, url) => (url.startsWith('/api/v1/claims/items') ? [200, ITEMS] : [200, { total: 0, page: 1, per_page: 100, items: [] }]))
    const book = await mountClaimEdit('/claims/new?item=read.book')
    expect(book.w.text()).toContain('每本 2 分；本项上限 4 学分')
    expect(inputs(book.w)).toEqual(['field-date', 'field-count'])
    book.w.unmount()

    const training = await mountClaimEdit('/claims/new?item=listen.training')
    const shown = training.w.findAll('.el-form-item__label').map((x) => x.text())
    expect(shown).toEqual(expect.arrayContaining(['学习日期', '级别', '天数', '课程时长（分钟）', '实际听课时长（分钟）', '是否网络学习', '活动类型']))
    expect(shown).not.toContain('次数/篇数')
    expect(shown).not.toContain('学习书目名称')
    expect(training.w.text()).toContain('局级 2 分、市级 4 分')
    training.w.unmount()
  }, 20000)

  test('附件4 shows 书目, 作者, 主要内容, 学习心得, 美言美句', async () => {
    stubFetch((m, url) => (url.startsWith('/api/v1/claims/items') ? [200, ITEMS] : [200, { items: [] }]))
    const { w } = await mountClaimEdit('/claims/new?form=self_study&item=read.book')
    const labels = w.findAll('.el-form-item__label').map((x) => x.text())
    expect(labels).toEqual(expect.arrayContaining(['学习书目名称', '作者', '主要内容', '学习心得', '美言美句摘抄']))
    expect(labels).not.toContain('学习地点')
    w.unmount()
  })

  test('a refused submit: the reason next to its field, the input kept', async () => {
    const claim = {
      id: 41, person: { id: 17, name: '赵家燕' }, item: 'read.book', item_name: '读书', form: 'self_study', status: 'draft',
      fields: { date: '2026-10-08' }, details: { book: '习近平谈治国理政' }, evidence: [], events: [], can: ['update', 'upload', 'submit', 'withdraw', 'preview'],
    }
    const calls = stubFetch((m, url) => {
      if (url.startsWith('/api/v1/claims/items')) return [200, ITEMS]
      if (url.startsWith('/api/v1/activities')) return [200, { items: [] }]
      if (m === 'POST' && url === '/api/v1/claims') return [201, claim]
      if (m === 'POST' && url === '/api/v1/claims/41/submit')
        return [422, { error: { code: 'invalid', message: 'details.author（作者）：提交前请填写；details.summary（主要内容）：提交前请填写', details: [] } }]
      if (url === '/api/v1/claims/41') return [200, claim]
      return [404, { error: { code: 'not_found', message: '未找到' } }]
    })
    const { w, router } = await mountClaimEdit('/claims/new?form=self_study&item=read.book')
    await w.find('[data-test=detail-book] input').setValue('习近平谈治国理政')
    await w.find('[data-test=submit]').trigger('click')
    await flushPromises()
    await new Promise((r) => setTimeout(r, 250)) // the form item shows its error after a 100 ms debounce
    await flushPromises()
    const create = calls.find((c) => c.method === 'POST' && c.url === '/api/v1/claims')
    expect(create.body).toMatchObject({ item: 'read.book', form: 'self_study', details: { book: '习近平谈治国理政' } })
    const errs = w.findAll('.el-form-item.is-error')
    expect(errs.map((e) => e.attributes('data-test'))).toEqual(['detail-author', 'detail-summary'])
    const byLabel = Object.fromEntries(errs.map((e) => [e.find('.el-form-item__label').text(), e.find('.el-form-item__error').text()]))
    expect(byLabel).toEqual({ 作者: '提交前请填写', 主要内容: '提交前请填写' })
    expect(w.find('[data-test=detail-book] input').element.value).toBe('习近平谈治国理政')
    expect(router.currentRoute.value.name).toBe('claim-edit')
    expect(router.currentRoute.value.params.id).toBe('41')
    w.unmount()
  }, 20000)
})

describe('ScorecardTable', () => {
  test('a score cannot go above the line’s maximum; the server’s problems next to their line', async () => {
    const { default: ScorecardTable } = await import('@/components/workflow/ScorecardTable.vue')
    const card = {
      max_total: 15,
      sections: [{ key: 'plan', name: '学习的计划性', max: 15 }],
      lines: [
        { key: 'plan.goal', name: '制定有具有一定挑战性的学习目标', section: { key: 'plan', name: '学习的计划性' }, max: 7, self: 6, review: null },
        { key: 'plan.analysis', name: '科学分析能力现状', section: { key: 'plan', name: '学习的计划性' }, max: 8, self: 7, review: null },
      ],
    }
    const values = reactive({ 'plan.goal': 9, 'plan.analysis': 7 })
    const w = mount(ScorecardTable, { props: { card, mode: 'review', values, errors: { 'plan.analysis': '尚未评分', 'plan.goal': '分数不能超过 7' } }, global: { plugins: [{ install: registerIcons }] } })
    await flushPromises()
    expect(values['plan.goal']).toBe(7) // the input keeps to the maximum
    expect(w.find('[data-test="err-plan.goal"]').text()).toBe('分数不能超过 7')
    expect(w.find('[data-test="err-plan.analysis"]').text()).toBe('尚未评分')
    expect(w.find('[data-test=self-total]').text()).toBe('13')
    expect(w.find('[data-test=review-total]').text()).toBe('14')
    await w.find('[data-test="line-plan.goal"] input').setValue('12')
    await w.find('[data-test="line-plan.goal"] input').trigger('change')
    await flushPromises()
    expect(values['plan.goal']).toBe(7)
  })
})

describe('EvidenceFiles', () => {
  test('the duplicate-evidence warning', async () => {
    const { default: EvidenceFiles } = await import('@/components/workflow/EvidenceFiles.vue')
    const files = [
      { id: 2, name: '证明.pdf', size: 2048, mime: 'application/pdf', uploaded_at: '2026-11-23T23:37:24Z', duplicate_of: [{ claim_id: 4, person: { id: 19, name: '何梦斌' } }] },
      { id: 3, name: '照片.png', size: 100, mime: 'image/png', uploaded_at: '2026-11-23T23:37:24Z' },
    ]
    const w = mount(EvidenceFiles, { props: { claimId: 6, files, editable: false }, global: { plugins: [{ install: registerIcons }] } })
    await flushPromises()
    expect(w.find('[data-test=duplicate-warning]').text()).toContain('与 何梦斌 的申报 #4 使用了相同的文件')
    expect(w.findAll('[data-test=evidence-file]')).toHaveLength(2)
    expect(w.text()).toContain('2.0 KB')
    // The PDF is read from the inline route and shown from a blob: URL (the
    // API's answers carry X-Frame-Options: DENY).
    const fetch = vi.fn(async () => ({ ok: true, status: 200, headers: new Headers({ 'Content-Type': 'application/pdf' }), body: null, blob: async () => new Blob(['%PDF-1.4']) }))
    vi.stubGlobal('fetch', fetch)
    URL.createObjectURL = vi.fn(() => 'blob:http://localhost/pdf-1')
    URL.revokeObjectURL = vi.fn()
    await w.find('[data-test=evidence-view]').trigger('click')
    await flushPromises()
    expect(fetch.mock.calls[0][0]).toBe('/api/v1/evidence/2?inline=1')
    expect(w.find('[data-test=evidence-preview] iframe').attributes('src')).toBe('blob:http://localhost/pdf-1')
    w.unmount()
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:http://localhost/pdf-1')
  })
})

describe('NoticeBell', () => {
  test('the unread count as a badge; a click opens 我的消息', async () => {
    const calls = stubFetch(() => [200, { total: 3, unread: 3, page: 1, per_page: 1, items: [] }])
    const { default: NoticeBell } = await import('@/components/workflow/NoticeBell.vue')
    const stub = { render: () => h('div', 'stub') }
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', component: stub }, { path: '/notices', name: 'notices', component: stub }] })
    router.push('/')
    await router.isReady()
    const w = mount(NoticeBell, { global: { plugins: [router, { install: registerIcons }] } })
    await flushPromises()
    expect(calls[0].url).toBe('/api/v1/me/notices?unread=1&per_page=1')
    expect(w.find('.el-badge__content').text()).toBe('3')
    expect(w.find('[data-test=notice-bell]').attributes('aria-label')).toBe('消息，3 条未读')
    await w.find('[data-test=notice-bell]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('notices')
    w.unmount()
  })
})
