import { describe, expect, test } from 'vitest'
import { fmtCredits, fmtDate, fmtDateTime, fmtMonth, fmtPercent, auditActionName, recordStatus, roleName, yearOptions } from '@/utils/format.js'

describe('fmtCredits: at most one decimal', () => {
  test.each([
    [39, '39'],
    [40.0, '40'],
    [16.67, '16.7'],
    [97.72, '97.7'],
    [0.05, '0.1'],
    [0.04, '0'],
    [-0, '0'],
    [87.5, '87.5'],
    [null, '—'],
    [undefined, '—'],
    ['x', '—'],
  ])('%s → %s', (v, want) => {
    expect(fmtCredits(v)).toBe(want)
  })
  test('a custom empty text', () => {
    expect(fmtCredits(null, '不设')).toBe('不设')
  })
})

describe('dates are always YYYY-MM-DD', () => {
  test.each([
    ['2025-09-26', '2025-09-26'],
    [new Date(2025, 8, 6, 23, 59), '2025-09-06'],
    [null, '—'],
    ['', '—'],
  ])('%s → %s', (v, want) => {
    expect(fmtDate(v)).toBe(want)
  })
  test('an ISO moment is shown in local time', () => {
    const d = new Date(2026, 10, 23, 9, 5, 7)
    expect(fmtDateTime(d.toISOString())).toBe('2026-11-23 09:05:07')
  })
  test('months', () => {
    expect(fmtMonth('2026-05')).toBe('2026年5月')
  })
})

test('percentages', () => {
  expect(fmtPercent(66.67)).toBe('66.7%')
  expect(fmtPercent(0.67, { rate: true })).toBe('67%')
  expect(fmtPercent(null)).toBe('—')
})

test('names of keys', () => {
  expect(roleName('reviewer')).toBe('审核人')
  expect(roleName('x')).toBe('x')
  expect(recordStatus('trimmed').text).toBe('已封顶')
  expect(recordStatus('nope').text).toBe('nope')
  expect(auditActionName('person.reveal')).toBe('查看证件号')
  expect(auditActionName('claim.approve')).toBe('claim.approve')
})

test('year options: this year first, five back', () => {
  expect(yearOptions(2026)).toEqual([2026, 2025, 2024, 2023, 2022, 2021])
})
