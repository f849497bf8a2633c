import { expect, test, vi } from 'vitest'
import { parseCsv, csvObjects } from '@/utils/csv.js'
import { buildUrl, dispositionName } from '@/api/client.js'
import { itemValue, policyTable, textSections, isTableRow, sectionTable } from '@/utils/policy.js'
import { childRows, completionOption, gradePieOption, flattenUnits, trendOption, trendsWithData } from '@/utils/stats.js'

test('parseCsv: BOM, quotes, CRLF', () => {
  const rows = parseCsv('\ufeff姓名,备注\r\n"张,伟","说""好"""\r\n李四,\n')
  expect(rows).toEqual([['姓名', '备注'], ['张,伟', '说"好"'], ['李四', '']])
  expect(csvObjects(rows)).toEqual([{ 姓名: '张,伟', 备注: '说"好"' }, { 姓名: '李四', 备注: '' }])
  expect(parseCsv('a\nb\nc\n', 2)).toEqual([['a'], ['b']])
})

test('buildUrl leaves out empty arguments', () => {
  expect(buildUrl('/api/v1/people', { q: '赵', unit_id: undefined, active: 0, page: '' })).toBe('/api/v1/people?q=%E8%B5%B5&active=0')
  expect(buildUrl('/api/v1/x?year=2026', { a: 1 })).toBe('/api/v1/x?year=2026&a=1')
  expect(buildUrl('/p', {})).toBe('/p')
})

test('dispositionName: RFC 5987 first', () => {
  expect(dispositionName('attachment; filename="xuefen-results-2026.xlsx"')).toBe('xuefen-results-2026.xlsx')
  expect(dispositionName("attachment; filename=\"a.pdf\"; filename*=UTF-8''%E8%AF%81%E6%98%8E.pdf")).toBe('证明.pdf')
  expect(dispositionName(null, 'x.bin')).toBe('x.bin')
})

// The real text of `xuefen policy show kunshan-cadre` (parts).
const KUNSHAN = `昆山市领导干部教育培训工作考核管理办法（试行）
编号：kunshan-cadre　来源：中共昆山市委干部教育培训工作领导小组办公室 (seed 001_0cd86647b80d3a24.txt)

一、学分计分标准（单位：学分）

  考核项目                编号                   计分单位          分值  上限  依据
  脱产培训（满分15分）    fulltime                                             二（一）
    培训班                fulltime.class_day     每天                 2        二（一）1

单项合格：
  菜单式选学：得分不低于 24 分，且市干教办讲座不少于 4 次

二、考核范围与计算月数

计算月数：全年12个月；年内参加工作（任职）的，自次月起计算。
  1. 病事假超过6个月（leave）：病休、事假累计超过6个月　依据：一

三、考核等级（按最终学分）

  等级    编号       最终学分
  优秀    excellent  90 分及以上
  直接记为不合格：无故不参加组织调训；严重违反培训纪律造成恶劣影响
`

test('textSections drops aligned table rows and keeps sentences', () => {
  const t = textSections(KUNSHAN)
  expect(t.head).toEqual(['昆山市领导干部教育培训工作考核管理办法（试行）', '编号：kunshan-cadre　来源：中共昆山市委干部教育培训工作领导小组办公室 (seed 001_0cd86647b80d3a24.txt)'])
  expect(t.sections.map((s) => s.title)).toEqual(['一、学分计分标准（单位：学分）', '二、考核范围与计算月数', '三、考核等级（按最终学分）'])
  expect(t.sections[0].lines).toEqual(['单项合格：', '菜单式选学：得分不低于 24 分，且市干教办讲座不少于 4 次'])
  expect(t.sections[1].lines).toHaveLength(2)
  expect(t.sections[2].lines).toEqual(['直接记为不合格：无故不参加组织调训；严重违反培训纪律造成恶劣影响'])
  expect(isTableRow('  优秀    excellent  90 分及以上')).toBe(true)
  expect(sectionTable('三、考核等级（按最终学分）')).toBe('grades')
  expect(sectionTable('二、应修学分')).toBe('required')
})

test('policyTable: levels used, category spans, values', () => {
  const policy = {
    levels: [{ key: 'bureau', name: '局级' }, { key: 'city', name: '市级' }, { key: 'unused', name: '不用' }],
    categories: [
      { key: 'listen', name: '听', cap: 40, items: [{ key: 'l.t', name: '学习培训', per: 'session', per_name: '每次', levels: { bureau: 2, city: 4, unused: null }, cap: null }] },
      {
        key: 'read', name: '读', cap: null, items: [
          { key: 'r.b', name: '读书', per: 'count', per_name: '每次/篇/本', points: 2, levels: null, cap: 4, speaker_points: null },
          { key: 'r.x', name: '学习强国', per: 'metric', per_name: '按月积分增量', points: 1, levels: null, cap: 16, step_above: 640, step_size: 30 },
        ],
      },
    ],
  }
  const t = policyTable(policy)
  expect(t.levels.map((l) => l.name)).toEqual(['局级', '市级'])
  expect(t.rows.map((r) => [r.catLabel, r.catSpan, r.values, r.value, r.cap])).toEqual([
    ['听（满分40分）', 1, ['2', '4'], null, ''],
    ['读（不设满分）', 2, null, '2', '4'],
    ['读（不设满分）', 0, null, '超过 640 分的部分每 30 分计 1 学分', '16'],
  ])
  expect(itemValue({ per: 'count', points: 1, speaker_points: 2 })).toBe('1（发言 2）')
  expect(itemValue({ per: 'credits' })).toBe('指定学分')
})

test('chart options', () => {
  const bar = completionOption([{ name: '数据资源科', value: 66.67, kind: 'rate' }])
  expect(bar.series[0].data).toEqual([66.7])
  expect(bar.yAxis.max).toBe(100)
  const pie = gradePieOption({ grades: { excellent: 2, fail: 1 }, exempt: 1 })
  expect(pie.series[0].data.map((d) => [d.name, d.value])).toEqual([['优秀', 2], ['不合格', 1], ['免考核', 1]])
  const met = gradePieOption({ grades: null, met: 8, not_met_count: 4, exempt: 0 })
  expect(met.series[0].data.map((d) => d.value)).toEqual([8, 4])
  expect(flattenUnits([{ id: 1, children: [{ id: 3, children: [] }] }]).map((u) => [u.id, u.depth])).toEqual([[1, 0], [3, 1]])
})

test('the monthly 学习强国 trend: a line of the average per member, shown only with data', () => {
  const months = Array.from({ length: 12 }, (_, i) => ({ month: i + 1, total: 0, reported: 0, average: 0 }))
  months[2] = { month: 3, total: 1410, reported: 2, average: 470.04 }
  const metric = { key: 'xxqg', months }
  const line = trendOption(metric)
  expect(line.xAxis.data[0]).toBe('1月')
  expect(line.series[0].type).toBe('line')
  expect(line.series[0].data[2]).toBe(470)
  expect(line.tooltip.formatter([{ dataIndex: 2 }])).toContain('合计 1410 分（2 人有数据）')
  // Months before the last report count 0; those after it are not drawn.
  expect(line.series[0].data[1]).toBe(0)
  expect(line.series[0].data[3]).toBe(null)
  expect(line.tooltip.formatter([{ dataIndex: 11 }])).toContain('尚无数据')
  expect(trendsWithData({ metrics: [metric] })).toHaveLength(1)
  expect(trendsWithData({ metrics: [{ key: 'xxqg', months: months.map((m) => ({ ...m, reported: 0 })) }] })).toHaveLength(0)
  expect(trendsWithData({})).toHaveLength(0)
})

test('a failed prefetch is not served later; a new session drops prefetches', async () => {
  const { api, prefetch, setCsrf } = await import('@/api/client.js')
  const answers = [
    { ok: false, status: 401, text: async () => JSON.stringify({ error: { code: 'session_expired', message: '登录已超时，请重新登录' } }) },
    { ok: true, status: 200, text: async () => '{"year":2026}' },
    { ok: true, status: 200, text: async () => '{"year":2025}' },
    { ok: true, status: 200, text: async () => '{"year":2024}' },
  ]
  const calls = []
  vi.stubGlobal('fetch', async (url) => {
    calls.push(url)
    return answers.shift()
  })
  prefetch('/api/v1/me/credits', { year: 2026 })
  await new Promise((r) => setTimeout(r, 0))
  expect(await api.get('/api/v1/me/credits', { year: 2026 })).toEqual({ year: 2026 })
  expect(calls).toHaveLength(2)
  prefetch('/api/v1/me/credits', { year: 2025 })
  setCsrf('new-session-token')
  expect(await api.get('/api/v1/me/credits', { year: 2025 })).toEqual({ year: 2024 })
  expect(calls).toHaveLength(4)
  vi.unstubAllGlobals()
})

test('人员类别: role keys by their policy names, each policy asked for once', async () => {
  const { rolesOf, policyRoles, roleLabel } = await import('@/composables/policyRoles.js')
  const roles = [{ key: 'leader', name: '班子成员', required: 70 }, { key: 'staff', name: '其他人员', required: 50 }]
  expect(rolesOf({ requirement: { roles } })).toEqual(roles)
  expect(rolesOf({ requirement: null })).toEqual([])
  expect(roleLabel(roles, 'staff')).toBe('其他人员')
  expect(roleLabel(roles, 'intern')).toBe('intern')
  expect(roleLabel([], null)).toBe('—')
  const calls = []
  vi.stubGlobal('fetch', async (url) => {
    calls.push(url)
    if (url.includes('broken')) return { ok: false, status: 500, text: async () => '{"error":{"code":"internal","message":"服务器内部错误"}}' }
    return { ok: true, status: 200, text: async () => JSON.stringify({ id: 'bigdata-bureau', requirement: { roles } }) }
  })
  expect(await policyRoles('bigdata-bureau')).toEqual(roles)
  expect(await policyRoles('bigdata-bureau')).toEqual(roles)
  expect(calls.filter((u) => u.includes('bigdata-bureau'))).toHaveLength(1)
  expect(await policyRoles('broken')).toEqual([])
  expect(await policyRoles('broken')).toEqual([])
  expect(calls.filter((u) => u.includes('broken'))).toHaveLength(2) // a failure is not kept
  expect(await policyRoles(null)).toEqual([])
  vi.unstubAllGlobals()
})

test('the bar chart of sub-units from the summary: the met rate, else the average', () => {
  const unit = (name) => ({ id: 1, code: 'x', name })
  expect(childRows({ children: [{ unit: unit('数据资源科'), met_percent: 66.67, average_final: 51 }] })).toEqual([{ name: '数据资源科', value: 66.67, kind: 'rate' }])
  expect(childRows({ children: [{ unit: unit('一支部'), met_percent: null, average_final: null, average_growth: 5120 }] })).toEqual([{ name: '一支部', value: 5120, kind: 'average' }])
  expect(childRows({ children: [] })).toEqual([])
  expect(childRows({})).toEqual([])
})
