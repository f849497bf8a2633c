import { describe, expect, test } from 'vitest'
import { categoryRows, headline, missingTitle, percentOf, recordFacts, suggestionText, transcriptCsv } from '@/utils/credits.js'

// 何梦斌's year, cut down from docs/api.md.
const year = {
  year: 2026,
  policy: { id: 'bigdata-bureau', name: '区大数据发展局学分制管理办法（试行）' },
  person: { id: 19, name: '何梦斌', unit: { id: 3, name: '数据资源科' }, role_name: '其他人员', joined: '2020-07-26' },
  categories: [
    { key: 'listen', name: '听', credits: 32.0, cap: 40.0, items: [{ key: 'listen.training', name: '学习培训', credits: 32, cap: null, units: 14, unit_name: '次' }] },
    { key: 'read', name: '读', credits: 7.0, cap: 20.0, items: [] },
    { key: 'menu', name: '菜单式选学', credits: 30, cap: 30, pass: { min: 24, counts: [], passed: true }, items: [] },
    { key: 'x', name: '无上限', credits: 5, cap: null, items: [] },
  ],
  total: 39.0,
  final: 39.0,
  required: 50.0,
  met: false,
  grade: null,
  exempt: false,
  missing: {
    credits: 11.0,
    text: '还差 11 学分；例如再完成 1 篇市级“调研论文”（每篇 15 学分）',
    suggestions: [{ item: 'write.paper', item_name: '调研论文', level: 'city', level_name: '市级', units: 1, unit_name: '篇', credits: 15, gives: 15 }],
    together: false,
    items: [],
    pass_lines: [],
  },
  records: [
    { id: 1, item_name: '学习培训', category: 'listen', date: '2026-01-16', level_name: '局级', minutes: 120, activity: '讲堂, "一"', status: 'counted', credits: 2.0, explain: '学习培训（局级）：1 次 × 2 分 = 2 学分' },
    { id: 5, item_name: '学习培训', category: 'listen', date: '2026-05-08', level_name: '局级', minutes: 40, status: 'excluded', credits: 0, explain: '不足 60 分钟' },
  ],
}

test('percentOf', () => {
  expect(percentOf(32, 40)).toBe(80)
  expect(percentOf(56, 40)).toBe(100)
  expect(percentOf(39, 50)).toBe(78)
  expect(percentOf(1, null)).toBeNull()
  expect(percentOf(1, 0)).toBeNull()
})

test('categories against their caps and pass lines', () => {
  const rows = categoryRows(year)
  expect(rows.map((r) => [r.key, r.percent, r.full])).toEqual([
    ['listen', 80, false],
    ['read', 35, false],
    ['menu', 100, true],
    ['x', null, false],
  ])
  expect(rows[2].passPercent).toBe(100)
  expect(rows[0].items[0]).toMatchObject({ units: 14, unit_name: '次' })
})

describe('headline', () => {
  test.each([
    [{ met: false }, 'danger', '未达标'],
    [{ met: true }, 'success', '已达标'],
    [{ met: null, grade: 'good', grade_name: '良好' }, 'primary', '等级：良好'],
    [{ met: null, grade: 'fail', grade_name: '不合格' }, 'danger', '等级：不合格'],
    [{ exempt: true, exempt_name: '退休当年' }, 'info', '本年度免于考核：退休当年'],
    [{ met: null, growth: 2600 }, 'info', '成长积分 2600'],
  ])('%j', (y, type, text) => {
    expect(headline(y)).toEqual({ type, text })
  })
})

test('missing: the gap and the suggestion as sentences', () => {
  expect(missingTitle(year)).toBe('还差 11 学分')
  expect(missingTitle({ missing: { credits: 0, items: [{ item_name: '必修课', credits: 1 }] } })).toBe('“必修课”还差 1 学分')
  expect(missingTitle({ missing: { credits: null, items: [], pass_lines: [{ name: '菜单式选学' }] } })).toBe('“菜单式选学”未达到单项合格')
  expect(missingTitle({ missing: null })).toBe('')
  expect(suggestionText(year.missing.suggestions[0])).toBe('再完成 1 篇市级“调研论文”（每篇 15 学分），可得 15 学分')
})

test('record facts', () => {
  expect(recordFacts(year.records[0])).toBe('局级，120 分钟')
  expect(recordFacts({ days: 2, online: true, score: 76 })).toBe('2 天，成绩 76，网上学习')
})

test('the transcript as CSV for Excel', () => {
  const csv = transcriptCsv(year)
  expect(csv.startsWith('\ufeff2026 年度个人学分档案\r\n')).toBe(true)
  expect(csv).toContain('年度学分,39,应修学分,50,结果,未达标\r\n')
  expect(csv).toContain('听,32,40\r\n')
  expect(csv).toContain('无上限,5,不设\r\n')
  expect(csv).toContain('1,2026-01-16,学习培训,listen,局级，120 分钟,"讲堂, ""一""",2,计入,学习培训（局级）：1 次 × 2 分 = 2 学分\r\n')
  expect(csv).toContain('2,2026-05-08,学习培训,listen,局级，40 分钟,,0,不计分,不足 60 分钟\r\n')
})
