// The statistics page's chart options (ECharts) from unit summaries
// (GET /api/v1/units/{id}/summary). Pure functions.
import { fmtCredits } from './format.js'

export const GRADE_NAMES = { excellent: '优秀', good: '良好', pass: '合格', fail: '不合格' }
const GRADE_COLORS = { excellent: '#2e7d32', good: '#1a4f9c', pass: '#d9822b', fail: '#c62828' }

/**
 * Bar chart of each sub-unit: the rate of those who met their requirement
 * (percent), or, for policies without one, the average final credits.
 * rows: [{ name, value, kind: 'rate' | 'average' }].
 */
export function completionOption(rows) {
  const rate = rows.every((r) => r.kind === 'rate')
  return {
    grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (v) => (rate ? `${fmtCredits(v)}%` : `${fmtCredits(v)} 学分`) },
    xAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { interval: 0, rotate: rows.length > 5 ? 30 : 0 } },
    yAxis: { type: 'value', name: rate ? '达标率 %' : '平均学分', max: rate ? 100 : undefined },
    series: [
      {
        type: 'bar',
        barMaxWidth: 36,
        data: rows.map((r) => Math.round(r.value * 10) / 10),
        itemStyle: { color: '#1a4f9c' },
        label: { show: true, position: 'top', formatter: (p) => (rate ? `${fmtCredits(p.value)}%` : fmtCredits(p.value)) },
      },
    ],
  }
}

/**
 * The bar chart's rows from a policy summary's per-sub-unit figures
 * (children): the rate of those who met the requirement, or, without one,
 * the average final credits (growth points for growth policies).
 */
export function childRows(policy) {
  return ((policy && policy.children) || []).map((c) =>
    c.met_percent != null
      ? { name: c.unit.name, value: c.met_percent, kind: 'rate' }
      : { name: c.unit.name, value: c.average_final ?? c.average_growth ?? 0, kind: 'average' },
  )
}

/** Pie of the grade distribution ({excellent: 2, …}), or met / not met. */
export function gradePieOption(policy) {
  let data
  if (policy.grades) {
    data = Object.entries(policy.grades).map(([k, v]) => ({
      name: GRADE_NAMES[k] || k,
      value: v,
      itemStyle: { color: GRADE_COLORS[k] },
    }))
  } else if (policy.met !== null && policy.met !== undefined) {
    data = [
      { name: '已达标', value: policy.met, itemStyle: { color: '#2e7d32' } },
      { name: '未达标', value: policy.not_met_count, itemStyle: { color: '#c62828' } },
    ]
  } else {
    data = []
  }
  if (policy.exempt) data.push({ name: '免考核', value: policy.exempt, itemStyle: { color: '#909399' } })
  return {
    tooltip: { trigger: 'item', formatter: '{b}：{c} 人（{d}%）' },
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: ['40%', '68%'],
        center: ['50%', '45%'],
        data,
        label: { formatter: '{b}\n{c} 人' },
      },
    ],
  }
}

/** Horizontal bars of each category's average credits. */
export function categoryOption(categories) {
  const cats = [...categories].reverse()
  return {
    grid: { left: 8, right: 40, top: 10, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${fmtCredits(v)} 学分` },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', data: cats.map((c) => c.name) },
    series: [
      {
        type: 'bar',
        barMaxWidth: 22,
        data: cats.map((c) => Math.round(c.average * 10) / 10),
        itemStyle: { color: '#3a7bd5' },
        label: { show: true, position: 'right', formatter: (p) => fmtCredits(p.value) },
      },
    ],
  }
}

/** Bars of each branch's average growth points (xxqg-branch). */
export function branchOption(branches) {
  return {
    grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: branches.map((b) => b.name) },
    yAxis: { type: 'value', name: '平均积分' },
    series: [{ type: 'bar', barMaxWidth: 40, data: branches.map((b) => b.average), itemStyle: { color: '#c8102e' }, label: { show: true, position: 'top' } }],
  }
}

export const METRIC_NAMES = { xxqg: '学习强国' }

/** The metrics of a summary's policy that have any value this year. */
export function trendsWithData(policy) {
  return (policy.metrics || []).filter((m) => m.months.some((x) => x.reported > 0))
}

/**
 * Line of a metric's monthly growth (学习强国 成长积分): the average per
 * member each month (a month without a value counts 0), the month's sum
 * and how many reported in the tooltip. The line ends at the last month
 * anyone reported (the months still to come are not drawn as zeros).
 */
export function trendOption(metric) {
  const last = metric.months.reduce((n, m) => (m.reported > 0 ? m.month : n), 0)
  const months = metric.months.map((m) => (m.month > last ? { ...m, average: null } : m))
  return {
    grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'axis',
      formatter: (items) => {
        const m = months[items[0].dataIndex]
        if (m.average === null) return `${m.month}月<br/>尚无数据`
        return `${m.month}月<br/>人均增长 ${fmtCredits(m.average)} 分<br/>合计 ${fmtCredits(m.total)} 分（${m.reported} 人有数据）`
      },
    },
    xAxis: { type: 'category', boundaryGap: false, data: months.map((m) => `${m.month}月`) },
    yAxis: { type: 'value', name: '人均积分' },
    series: [
      {
        type: 'line',
        smooth: false,
        symbolSize: 6,
        data: months.map((m) => (m.average === null ? null : Math.round(m.average * 10) / 10)),
        itemStyle: { color: '#c8102e' },
        areaStyle: { opacity: 0.08 },
        label: { show: true, position: 'top', formatter: (p) => fmtCredits(p.value) },
      },
    ],
  }
}

/** The units of a tree (GET /units) as a flat list with depth, for lookups. */
export function flattenUnits(tree, depth = 0, out = []) {
  for (const u of tree || []) {
    out.push({ ...u, depth })
    flattenUnits(u.children, depth + 1, out)
  }
  return out
}
