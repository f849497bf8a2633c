// Component tests: the credit panel shows the numbers of a year, the login
// page shows the server's lockout message and keeps what was typed.
import { describe, expect, test, vi, beforeAll } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'
import CreditsPanel from '@/components/CreditsPanel.vue'

beforeAll(() => {
  // jsdom has neither of these.
  window.matchMedia = window.matchMedia || ((q) => ({ matches: false, media: q, addEventListener() {}, removeEventListener() {} }))
  globalThis.ResizeObserver = globalThis.ResizeObserver || class { observe() {} disconnect() {} }
})

const year = {
  year: 2026,
  policy: { id: 'bigdata-bureau', name: '区大数据发展局学分制管理办法（试行）' },
  person: { id: 19, name: '何梦斌', unit: { id: 3, name: '数据资源科' } },
  categories: [{ key: 'listen', name: '听', credits: 32.0, cap: 40.0, items: [{ key: 'listen.training', name: '学习培训', credits: 32, cap: null, units: 14, unit_name: '次' }] }],
  total: 38.96,
  final: 38.96,
  required: 16.67,
  met: false,
  exempt: false,
  months: 4,
  missing: { credits: 11, text: '还差 11 学分；例如再完成 1 篇市级“调研论文”（每篇 15 学分）', suggestions: [], together: false, items: [], pass_lines: [] },
  records: [{ id: 1, item_name: '学习培训', category: 'listen', date: '2026-01-16', status: 'counted', credits: 2, explain: '学习培训（局级）：1 次 × 2 分 = 2 学分' }],
  metrics: [],
  notes: ['本年度计入学习时间 4 个月'],
}

describe('CreditsPanel', () => {
  test('shows the year with at most one decimal', async () => {
    const w = mount(CreditsPanel, { props: { year } })
    await flushPromises()
    expect(w.find('[data-test=total]').text()).toContain('39')
    expect(w.find('[data-test=total]').text()).not.toContain('38.96')
    expect(w.find('[data-test=required]').text()).toContain('16.7')
    expect(w.find('[data-test=state]').text()).toContain('未达标')
    expect(w.find('[data-test=missing]').text()).toContain('还差 11 学分')
    expect(w.find('[data-test=cat-listen]').text()).toMatch(/32\s*\/ 40 满分/)
    expect(w.text()).toContain('学习培训（局级）：1 次 × 2 分 = 2 学分')
    expect(w.text()).toContain('2026-01-16')
    expect(w.text()).toContain('本年度计入学习时间 4 个月')
  })
})

describe('LoginView', () => {
  test('the lockout message; the fields keep their input', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => ({
        ok: false,
        status: 429,
        text: async () => JSON.stringify({ error: { code: 'locked', message: '登录失败次数过多，账号已锁定，请 15 分钟后再试' } }),
      })),
    )
    const { default: LoginView } = await import('@/views/LoginView.vue')
    const w = mount(LoginView, {
      global: { mocks: { $route: { query: {} } }, stubs: {} },
      // useRoute/useRouter come from vue-router: give it a router.
      attachTo: document.body,
      ...(await routerPlugin()),
    })
    await flushPromises()
    await w.find('input[name=username]').setValue('luoli')
    await w.find('input[name=password]').setValue('wrong-pass')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.find('[data-test=login-locked]').text()).toContain('账号已锁定，请 15 分钟后再试')
    expect(w.find('input[name=username]').element.value).toBe('luoli')
    expect(w.find('input[name=password]').element.value).toBe('wrong-pass')
    w.unmount()
    vi.unstubAllGlobals()
  })
})

async function routerPlugin() {
  const { createRouter, createMemoryHistory } = await import('vue-router')
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div/>' } }] })
  router.push('/login')
  await router.isReady()
  return { global: { plugins: [router] } }
}
