// The workflow pages' own logic: which inputs a claim form shows for an item
// (from the real GET /claims/items answer of the demo), the request bodies
// built from the forms, states → actions, the server's messages placed next
// to their fields, working days left of a 公示 window by the shipped 2026
// calendar, scorecard checks, objection resolutions, notice links, the
// printable forms' helpers, and the menu the workflow routes add.
import { describe, expect, test } from 'vitest'
import {
  activityFacts,
  batchOutcome,
  claimActions,
  claimBody,
  claimErrors,
  claimModel,
  factsLine,
  factValue,
  formFields,
  itemLevels,
  itemRule,
  itemsForForm,
  ownerActions,
  previewKind,
  reasonProblem,
} from '@/components/workflow/claims.js'
import { shippedCalendar } from '@/components/workflow/calendar.js'
import { isWorkday, mergeCalendars, parseCalendar, quarterName, windowInfo, workdaysBetween } from '@/components/workflow/workdays.js'
import { changedScores, lineErrors, localProblems, scoreProblem, sectionSums, sectionsOf, sumScores } from '@/components/workflow/scorecard.js'
import { correctionText, fieldValue, resolveBody, resolveErrors } from '@/components/workflow/publish.js'
import { badgeText, noticeKind, noticeTarget } from '@/components/workflow/notices.js'
import { activityBody, activityModel, activitySteps, scopedUnits, unitPolicy } from '@/components/workflow/activities.js'
import { duplicateText, evidenceProblem } from '@/components/workflow/evidence.js'
import { problemLines, problemText } from '@/components/workflow/messages.js'
import { recordItems } from '@/components/workflow/policies.js'
import { dateParts, orgName, studyTime } from '@/print/forms.js'
import { menuFor } from '@/router/access.js'
import { routes } from '@/router/routes.js'

// Parts of `GET /api/v1/claims/items?year=2026` as 赵家燕 (bigdata-bureau).
const LEVELS = [
  { key: 'bureau', name: '局级' },
  { key: 'district', name: '区级' },
  { key: 'city', name: '市级' },
  { key: 'national', name: '国家级' },
  { key: 'district_paper', name: '江北报' },
]
const TRAINING = {
  key: 'listen.training',
  name: '学习培训',
  category: 'listen',
  category_name: '听',
  article: '第五条第1款、第六条',
  per: 'session',
  unit: '次',
  points: null,
  level_points: { bureau: 2, district: 3, city: 4, national: 5 },
  cap: null,
  fields: ['date', 'level', 'days', 'minutes', 'attended_minutes', 'score', 'passed', 'completed', 'online', 'kind'],
  required: ['date', 'level', 'minutes', 'attended_minutes'],
  forms: ['claim'],
  needs_evidence: false,
}
const BOOK = {
  key: 'read.book',
  name: '读书',
  category: 'read',
  category_name: '读',
  per: 'count',
  unit: '本',
  points: 2,
  level_points: null,
  cap: 4,
  fields: ['date', 'count'],
  required: ['date'],
  forms: ['claim', 'self_study'],
  needs_evidence: false,
}
const BRIEFING = {
  key: 'write.briefing',
  name: '信息简报',
  category: 'write',
  category_name: '写',
  per: 'count',
  unit: '篇',
  points: null,
  level_points: { district: 5, city: 10, national: 20, district_paper: 2 },
  cap: null,
  fields: ['date', 'level', 'count', 'awarded'],
  required: ['date', 'level'],
  forms: ['claim'],
  needs_evidence: true,
}

describe('a claim form shows only the fields its item needs', () => {
  test.each([
    [TRAINING, ['date', 'level', 'days', 'minutes', 'attended_minutes', 'score', 'passed', 'completed', 'online', 'kind'], ['date', 'level', 'minutes', 'attended_minutes']],
    [BOOK, ['date', 'count'], ['date']],
    [BRIEFING, ['date', 'level', 'count', 'awarded'], ['date', 'level']],
    [{ fields: ['date', 'activity', 'months'], required: ['months'] }, ['date', 'months'], ['months']],
    [{ fields: ['date', 'future_thing'], required: [] }, ['date', 'future_thing'], []],
    [null, [], []],
  ])('%#', (item, keys, required) => {
    const f = formFields(item)
    expect(f.map((x) => x.key)).toEqual(keys)
    expect(f.filter((x) => x.required).map((x) => x.key)).toEqual(required)
  })
  test('inputs carry their kind and bounds', () => {
    const f = Object.fromEntries(formFields(TRAINING).map((x) => [x.key, x]))
    expect(f.date.type).toBe('date')
    expect(f.level.type).toBe('level')
    expect(f.minutes).toMatchObject({ type: 'int', min: 1, max: 100000, label: '课程时长（分钟）' })
    expect(f.attended_minutes.min).toBe(0)
    expect(f.online.type).toBe('bool')
    expect(f.kind.type).toBe('kind')
  })
  test('levels and the rule of an item', () => {
    expect(itemLevels(TRAINING, LEVELS).map((l) => `${l.name}${l.points}`)).toEqual(['局级2', '区级3', '市级4', '国家级5'])
    expect(itemLevels(BOOK, LEVELS)).toEqual([])
    expect(itemRule(TRAINING, LEVELS)).toBe('每次：局级 2 分、区级 3 分、市级 4 分、国家级 5 分')
    expect(itemRule(BOOK, LEVELS)).toBe('每本 2 分；本项上限 4 学分')
  })
  test('附件4 only with items that take it', () => {
    expect(itemsForForm([TRAINING, BOOK, BRIEFING], 'self_study').map((i) => i.key)).toEqual(['read.book'])
    expect(itemsForForm([TRAINING, BOOK, BRIEFING], 'claim')).toHaveLength(3)
  })
})

describe('the claim request body', () => {
  test('only the item fields with a value, typed', () => {
    const body = claimBody(
      {
        item: 'listen.training',
        form: 'claim',
        fields: { date: '2026-11-02', level: 'city', minutes: '180', attended_minutes: 150, count: 3, online: false, score: null, kind: '' },
        details: { content: ' 数字政府专题培训 ', place: '', host: '市委党校', mode: '集中培训', book: '不属于附件3' },
        activity_id: null,
      },
      TRAINING,
    )
    expect(body).toEqual({
      item: 'listen.training',
      form: 'claim',
      fields: { date: '2026-11-02', level: 'city', minutes: 180, attended_minutes: 150, online: false },
      details: { content: '数字政府专题培训', host: '市委党校', mode: '集中培训' },
      activity_id: null,
    })
  })
  test('附件4 text and an activity', () => {
    const body = claimBody(
      { item: 'read.book', form: 'self_study', fields: { date: '2026-10-08', count: 1, level: 'city' }, details: { book: '习近平谈治国理政', author: '习近平', summary: '概要', reflection: '体会', quotes: '', content: 'x' }, activity_id: '3' },
      BOOK,
    )
    expect(body.fields).toEqual({ date: '2026-10-08', count: 1 })
    expect(body.details).toEqual({ book: '习近平谈治国理政', author: '习近平', summary: '概要', reflection: '体会' })
    expect(body.activity_id).toBe(3)
  })
  test('a stored claim back into the form', () => {
    const m = claimModel({ item: 'read.book', form: 'self_study', fields: { date: '2026-10-08' }, details: { book: 'x' }, activity: { id: 4 } })
    expect(m).toEqual({ item: 'read.book', form: 'self_study', fields: { date: '2026-10-08' }, details: { book: 'x' }, activity_id: 4 })
  })
  test('an activity fills the facts its item uses', () => {
    const act = { date_from: '2026-04-24', date_to: '2026-04-24', level: 'bureau', minutes: 120, days: 1, online: false }
    expect(activityFacts(act, TRAINING)).toEqual({ date: '2026-04-24', level: 'bureau', minutes: 120, days: 1, online: false })
    expect(activityFacts(act, BOOK)).toEqual({ date: '2026-04-24' })
  })
})

describe('states and actions', () => {
  test.each([
    ['draft', ['update', 'upload', 'submit', 'withdraw']],
    ['rejected', ['update', 'upload', 'withdraw']],
    ['submitted', ['withdraw']],
    ['reviewed', ['withdraw']],
    ['approved', []],
    ['withdrawn', []],
  ])('%s', (status, want) => {
    expect(ownerActions(status)).toEqual(want)
  })
  test('the server’s "can" wins', () => {
    expect(claimActions({ status: 'submitted', can: ['review', 'reject', 'preview'] })).toEqual(['review', 'reject', 'preview'])
    expect(claimActions({ status: 'draft' })).toEqual(['update', 'upload', 'submit', 'withdraw'])
    expect(claimActions(null)).toEqual([])
  })
  test('a rejection needs a reason of 1..500 characters', () => {
    expect(reasonProblem('  ')).toBe('请填写退回原因')
    expect(reasonProblem('材料不清晰')).toBe('')
    expect(reasonProblem('字'.repeat(501))).toBe('退回原因不能超过 500 字')
    expect(reasonProblem('字'.repeat(500))).toBe('')
  })
  test('batch outcome', () => {
    const r = batchOutcome({ results: [{ id: 3, ok: true }, { id: 4, ok: false, code: 'conflict', message: '该申报已被他人处理' }] })
    expect(r).toEqual({ ok: [3], failed: [{ id: 4, message: '该申报已被他人处理' }] })
  })
})

describe('the server’s messages next to their fields', () => {
  test('submit: missing facts and text', () => {
    const e = claimErrors('fields.level（级别）：提交前请填写；fields.minutes（时长（分钟））：提交前请填写；details.author（作者）：提交前请填写')
    expect(e.fields).toEqual({ level: '提交前请填写', minutes: '提交前请填写' })
    expect(e.details).toEqual({ author: '提交前请填写' })
    expect(e._).toBe('')
  })
  test('item, activity and the rest', () => {
    const e = claimErrors('item：请选择学分项目；activity_id：培训活动未批准；evidence：“信息简报”须上传刊登或采纳的证明材料（至少一个文件）；该申报已被他人处理，请刷新后重试')
    expect(e.evidence).toBe('“信息简报”须上传刊登或采纳的证明材料（至少一个文件）')
    expect(e.item).toBe('请选择学分项目')
    expect(e.activity_id).toBe('培训活动未批准')
    expect(e._).toBe('该申报已被他人处理，请刷新后重试')
  })
  test('a summary 422 keeps its details', () => {
    const e = { message: '未能提出异议', details: ['text：异议内容应为 1 到 1000 个字符'] }
    expect(problemText(e)).toBe('text：异议内容应为 1 到 1000 个字符')
    expect(problemLines(e)).toEqual({ title: '未能提出异议', lines: ['text：异议内容应为 1 到 1000 个字符'] })
    const c = { message: 'fields.date（日期）：请填写 YYYY-MM-DD 格式的学习日期', details: ['fields.date（日期）：请填写 YYYY-MM-DD 格式的学习日期'] }
    expect(problemText(c)).toBe(c.message)
  })
})

describe('facts as text', () => {
  test('a line and single values', () => {
    expect(factsLine({ date: '2026-05-28', level: 'city', minutes: 180 })).toBe('2026-05-28 · 市级 · 180 分钟')
    expect(factsLine({ date: '2026-09-18', level: 'district', count: 1 }, [], false)).toBe('区级 · 1 次/篇')
    expect(factsLine({ date: '2026-01-02', hours: 2.25, online: true, passed: false })).toBe('2026-01-02 · 2.3 学时 · 网络学习 · 不合格')
    expect(factValue('online', true)).toBe('是')
    expect(factValue('level', 'district_paper', LEVELS)).toBe('江北报')
    expect(factValue('kind', 'work_meeting')).toBe('工作部署会议')
    expect(factValue('credits', 3.333)).toBe('3.3')
    expect(factValue('count', null)).toBe('—')
  })
  test('what can be previewed', () => {
    expect(previewKind('application/pdf')).toBe('pdf')
    expect(previewKind('image/jpeg')).toBe('image')
    expect(previewKind('image/png')).toBe('image')
    expect(previewKind('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe(null)
  })
})

describe('evidence before upload', () => {
  test.each([
    [{ name: '证明.pdf', size: 1000 }, ''],
    [{ name: 'photo.JPG', size: 1000 }, ''],
    [{ name: 'a.exe', size: 10 }, '不支持的文件类型 .exe：请上传 PDF、JPG、PNG、Word 或 Excel 文件'],
    [{ name: 'noext', size: 10 }, '不支持的文件类型：请上传 PDF、JPG、PNG、Word 或 Excel 文件'],
    [{ name: 'big.pdf', size: 21 * 1024 * 1024 }, '文件超过 20 MB，请压缩后再上传'],
    [{ name: 'empty.pdf', size: 0 }, '文件为空'],
  ])('%j', (file, want) => {
    expect(evidenceProblem(file)).toBe(want)
  })
  test('duplicates', () => {
    expect(duplicateText({ duplicate_of: [{ claim_id: 4, person: { id: 19, name: '何梦斌' } }, { claim_id: 9, person: '罗莉' }] })).toEqual([
      '与 何梦斌 的申报 #4 使用了相同的文件',
      '与 罗莉 的申报 #9 使用了相同的文件',
    ])
    expect(duplicateText({})).toEqual([])
  })
})

describe('working days of a 公示 window (calendar/cn-2026.txt, bundled)', () => {
  const cal = shippedCalendar
  test('the calendar file', () => {
    expect(cal.holidays.has('2026-10-01')).toBe(true)
    expect(cal.workdays.has('2026-10-10')).toBe(true)
    expect(isWorkday('2026-10-10', cal)).toBe(true) // 调休 Saturday
    expect(isWorkday('2026-10-05', cal)).toBe(false) // 国庆 Monday
    expect(isWorkday('2026-11-28', cal)).toBe(false) // Saturday
    expect(isWorkday('2026-11-27', cal)).toBe(true)
    const merged = mergeCalendars([cal, parseCalendar('2027-01-01 holiday 元旦\n# x\nbad line\n')])
    expect(merged.holidays.has('2027-01-01')).toBe(true)
  })
  test('counting', () => {
    expect(workdaysBetween('2026-09-28', '2026-10-09', cal)).toBe(5)
    expect(workdaysBetween('2026-11-24', '2026-11-30', cal)).toBe(5)
    expect(workdaysBetween('2026-11-30', '2026-11-24', cal)).toBe(0)
  })
  const pub = { status: 'published', window_start: '2026-11-24', window_end: '2026-11-30', window_open: true }
  test.each([
    ['2026-11-23', 'pending', 5, '将于 2026-11-24 开始公示，至 2026-11-30 止（共 5 个工作日）'],
    ['2026-11-24', 'open', 5, '公示中，还剩 5 个工作日（至 2026-11-30）'],
    ['2026-11-27', 'open', 2, '公示中，还剩 2 个工作日（至 2026-11-30）'],
    ['2026-11-28', 'open', 1, '公示中，还剩 1 个工作日（至 2026-11-30）'],
    ['2026-11-30', 'open', 1, '公示中，还剩 1 个工作日（至 2026-11-30）'],
    ['2026-12-01', 'closed', 0, '公示期已于 2026-11-30 结束，待归档'],
  ])('on %s', (today, state, left, text) => {
    expect(windowInfo(pub, today, cal)).toMatchObject({ state, left, text })
  })
  test('the server decides open, archived, and its own figure wins', () => {
    expect(windowInfo({ ...pub, window_open: false }, '2026-11-25', cal).state).toBe('closed')
    expect(windowInfo({ ...pub, status: 'archived' }, '2026-11-25', cal)).toMatchObject({ state: 'archived', text: '已归档' })
    expect(windowInfo({ ...pub, workdays_left: 4 }, '2026-11-25', cal).left).toBe(4)
    expect(quarterName(2026, 3)).toBe('2026年第三季度')
  })
})

// Parts of `GET /api/v1/me/scorecard?year=2026` as 朱洋 (docs/api.md).
const CARD = {
  status: 'draft',
  max_total: 100,
  sections: [
    { key: 'plan', name: '学习的计划性', max: 15, self: 13, review: 0 },
    { key: 'effect', name: '学习的成效性', max: 50, self: 5, review: 0 },
  ],
  lines: [
    { key: 'plan.goal', name: '制定有具有一定挑战性的学习目标', section: { key: 'plan', name: '学习的计划性' }, max: 7, self: 6, review: null },
    { key: 'plan.analysis', name: '科学分析能力现状，制定学习目标和计划', section: { key: 'plan', name: '学习的计划性' }, max: 8, self: 7, review: null },
    { key: 'effect.exam', name: '上级组织的学习考试考核中达标', section: { key: 'effect', name: '学习的成效性' }, max: 10, self: null, review: null },
    { key: 'effect.skill', name: '工作技能和业务素质得到提高或认可', section: { key: 'effect', name: '学习的成效性' }, max: 13, self: 5, review: null },
  ],
}

describe('scorecards', () => {
  test('sections and sums', () => {
    expect(sectionsOf(CARD).map((s) => [s.key, s.max, s.lines.length])).toEqual([
      ['plan', 15, 2],
      ['effect', 50, 2],
    ])
    const v = { 'plan.goal': 6, 'plan.analysis': 7.5, 'effect.exam': null, 'effect.skill': '' }
    expect(sumScores(v)).toBe(13.5)
    expect(sectionSums(CARD, v)).toEqual({ plan: 13.5, effect: 0 })
  })
  test.each([
    [7, 7, ''],
    [8, 7, '分数不能超过 7'],
    [-1, 7, '分数不能小于 0'],
    [6.125, 7, '最多保留两位小数'],
    [6.25, 7, ''],
    ['x', 7, '应为 0 到 7 之间的数字'],
    [null, 7, ''],
  ])('score %j of max %d', (v, max, want) => {
    expect(scoreProblem(v, max)).toBe(want)
  })
  test('local problems and changed lines', () => {
    expect(localProblems(CARD, { 'plan.goal': 9, 'effect.exam': 10 })).toEqual({ 'plan.goal': '分数不能超过 7' })
    expect(changedScores(CARD, 'self', { 'plan.goal': 6, 'plan.analysis': 8, 'effect.exam': 10, 'effect.skill': null })).toEqual({
      'plan.analysis': 8,
      'effect.exam': 10,
      'effect.skill': null,
    })
  })
  test('the server’s messages by line', () => {
    expect(lineErrors('未知字段 status；plan.goal 的分数不能超过 7；effect.exam 的分数不能小于 0；评分表中没有 plan.target 这一项', CARD)).toEqual({
      _: '未知字段 status；评分表中没有 plan.target 这一项',
      'plan.goal': '分数不能超过 7',
      'effect.exam': '分数不能小于 0',
    })
    expect(lineErrors('以下项目尚未自评，不能提交：effect.exam（上级组织的学习考试考核中达标）、effect.skill（工作技能和业务素质得到提高或认可）', CARD)).toEqual({
      'effect.exam': '尚未自评',
      'effect.skill': '尚未自评',
      _: '还有 2 项尚未自评，不能提交',
    })
    expect(lineErrors('以下项目尚未评分：plan.goal（制定有具有一定挑战性的学习目标）', CARD)).toEqual({ 'plan.goal': '尚未评分', _: '还有 1 项尚未评分' })
  })
})

describe('resolving an objection', () => {
  test('dismissed: a reason only', () => {
    expect(resolveBody({ decision: 'dismissed', reason: ' 经核实无误 ', action: 'update', record_id: 3, fields: [{ key: 'date', value: 'x' }] })).toEqual({ decision: 'dismissed', reason: '经核实无误' })
  })
  test('upheld: update, delete, add', () => {
    expect(resolveBody({ decision: 'upheld', reason: '日期有误', action: 'update', record_id: 12, fields: [{ key: 'date', value: '2026-09-02' }, { key: 'minutes', value: '90' }, { key: 'level', value: '' }, { key: '', value: 'x' }] })).toEqual({
      decision: 'upheld',
      reason: '日期有误',
      correction: { action: 'update', record_id: 12, fields: { date: '2026-09-02', minutes: 90, level: null } },
    })
    expect(resolveBody({ decision: 'upheld', reason: '重复', action: 'delete', record_id: 5, fields: [{ key: 'date', value: '2026-01-01' }] })).toEqual({ decision: 'upheld', reason: '重复', correction: { action: 'delete', record_id: 5 } })
    expect(resolveBody({ decision: 'upheld', reason: '漏记', action: 'add', item: 'listen.training', date: '2026-09-10', fields: [{ key: 'level', value: 'city' }, { key: 'online', value: true }, { key: 'count', value: '' }] })).toEqual({
      decision: 'upheld',
      reason: '漏记',
      correction: { action: 'add', fields: { item: 'listen.training', date: '2026-09-10', level: 'city', online: true } },
    })
  })
  test('values and the problems by place', () => {
    expect(fieldValue('hours', '1.5')).toBe(1.5)
    expect(fieldValue('passed', '是')).toBe(true)
    expect(fieldValue('date', ' ')).toBe(null)
    const e = resolveErrors('reason：处理理由应为 1 到 500 个字符；correction.record_id：该人员没有编号为 99 的记录；correction.fields.date：应在 2026 年内；correction：采纳异议时须给出对记录的更正（update、delete 或 add）；该异议已处理')
    expect(e.reason).toBe('处理理由应为 1 到 500 个字符')
    expect(e.record_id).toBe('该人员没有编号为 99 的记录')
    expect(e.fields).toEqual({ date: '应在 2026 年内' })
    expect(e.action).toBe('采纳异议时须给出对记录的更正（update、delete 或 add）')
    expect(e._).toBe('该异议已处理')
    expect(correctionText({ action: 'update', record_id: 12, fields: { date: '2026-09-02', online: false } })).toBe('修改记录 #12（日期 → 2026-09-02，网络学习 → 否）')
    expect(correctionText({ action: 'delete', record_id: 5 })).toBe('删除记录 #5')
    // As the server keeps it (docs/api.md).
    expect(correctionText({ action: 'add', record_id: 36, before: null, after: { id: 36, item: 'write.briefing', date: '2026-12-10', level: 'city', count: 1 } })).toBe(
      '新增记录 #36（项目 write.briefing，日期 2026-12-10，级别 city，次数/篇数 1）',
    )
    expect(correctionText({ action: 'update', record_id: 12, before: { id: 12, date: '2026-09-01', level: 'city' }, after: { id: 12, date: '2026-09-02', level: 'city' } })).toBe(
      '修改记录 #12（日期 2026-09-01 → 2026-09-02）',
    )
    expect(correctionText({ action: 'delete', record_id: 5, before: { id: 5, item: 'read.book', date: '2026-03-01' }, after: null })).toBe('删除记录 #5（项目 read.book，日期 2026-03-01）')
  })
})

describe('notices', () => {
  const member = { roles: ['member'] }
  const staff = { roles: ['member', 'reviewer'] }
  test.each([
    ['claim:12', member, { name: 'claim', params: { id: '12' } }],
    ['publication:3', member, { name: 'publication', params: { id: '3' } }],
    ['objection:5', member, { name: 'publications' }],
    ['scorecard:55:2026', member, { name: 'my-scorecard', query: { year: '2026' } }],
    ['activity:1', member, null],
    ['activity:1', staff, { name: 'activity', params: { id: '1' } }],
    ['something', member, null],
    [null, member, null],
  ])('%s', (object, user, want) => {
    expect(noticeTarget(object, user)).toEqual(want)
  })
  test('kinds in words, an unknown one as 通知', () => {
    expect(noticeKind('record.corrected').text).toBe('记录更正')
    expect(noticeKind('claim.rejected').type).toBe('danger')
    expect(noticeKind('something.new').text).toBe('通知')
  })
  test('badge', () => {
    expect(badgeText(0)).toBe('')
    expect(badgeText(7)).toBe('7')
    expect(badgeText(120)).toBe('99+')
  })
})

// GET /api/v1/units (parts).
const TREE = [
  {
    id: 1,
    name: '区大数据发展局',
    policy: 'bigdata-bureau',
    children: [
      { id: 3, name: '数据资源科', policy: null, children: [{ id: 9, name: '数据一组', policy: null, children: [] }] },
      { id: 2, name: '综合科', policy: 'bigdata-bureau', children: [] },
    ],
  },
  { id: 7, name: '区规划局机关党支部', policy: 'planning-bureau-member', children: [] },
]

describe('training activities', () => {
  test('the units one may apply for', () => {
    expect(scopedUnits(TREE, { roles: ['admin'] }).map((u) => u.id)).toEqual([1, 3, 9, 2, 7])
    expect(scopedUnits(TREE, { roles: ['member', 'reviewer'], review_units: [3] }).map((u) => [u.id, u.depth])).toEqual([
      [3, 1],
      [9, 2],
    ])
    expect(scopedUnits(TREE, null)).toEqual([])
  })
  test('a unit’s policy is its own or the nearest above', () => {
    expect(unitPolicy(TREE, 9)).toBe('bigdata-bureau')
    expect(unitPolicy(TREE, 7)).toBe('planning-bureau-member')
    expect(unitPolicy(TREE, 99)).toBe(null)
  })
  test('create and update bodies', () => {
    const m = { ...activityModel(null), unit_id: 3, title: ' 专题培训 ', date_from: '2026-12-01', item: 'listen.training', level: 'bureau', minutes: 120, speakers: '' }
    expect(activityBody(m, { levels: [{ key: 'bureau' }] })).toEqual({ unit_id: 3, title: '专题培训', date_from: '2026-12-01', item: 'listen.training', level: 'bureau', minutes: 120, online: false })
    const stored = { id: 5, unit: { id: 3 }, title: 'T', date_from: '2026-12-01', date_to: '2026-12-01', item: 'read.book', level: null, minutes: null, online: true, place: '三楼' }
    const u = activityModel(stored)
    expect(u.date_to).toBe('')
    u.place = ''
    expect(activityBody(u, { levels: [] })).toMatchObject({ unit_id: 3, title: 'T', place: null, date_to: null, level: null, minutes: null, online: true })
  })
  test.each([
    [{ status: 'draft' }, 0, false],
    [{ status: 'submitted' }, 1, false],
    [{ status: 'reviewed', reviewed_by: { name: '孙思睿' } }, 2, false],
    [{ status: 'rejected', reviewed_by: { name: '孙思睿' } }, 2, true],
    [{ status: 'rejected' }, 1, true],
    [{ status: 'approved', attendance: { listed: 0, given: 0 } }, 3, false],
    [{ status: 'approved', attendance: { listed: 3, given: 0 } }, 4, false],
    [{ status: 'approved', attendance: { listed: 3, given: 3 }, records_at: '2026-04-25T01:00:00Z' }, 5, false],
  ])('steps of %j', (a, active, error) => {
    expect(activitySteps(a)).toMatchObject({ active, error })
  })
  test('the items of a policy an activity can be for', () => {
    const pol = {
      levels: LEVELS,
      categories: [
        { name: '听', items: [{ key: 'listen.training', name: '学习培训', per: 'session', levels: { bureau: 2, district: 3, district_paper: null } }] },
        { name: '读', items: [{ key: 'read.xxqg', name: '学习强国', metric: 'xxqg' }, { key: 'read.book', name: '读书', levels: null }] },
      ],
    }
    expect(recordItems(pol)).toEqual([
      { key: 'listen.training', name: '学习培训', category: '听', per: 'session', levels: [{ key: 'bureau', name: '局级', points: 2 }, { key: 'district', name: '区级', points: 3 }] },
      { key: 'read.book', name: '读书', category: '读', per: undefined, levels: [] },
    ])
  })
})

describe('the printable forms', () => {
  test.each([
    ['区大数据发展局学分制管理办法（试行）', '区大数据发展局'],
    ['规划局学习型党员考核细则', '规划局'],
    ['昆山市领导干部教育培训工作考核管理办法（试行）', '昆山市'],
    ['', ''],
  ])('%s', (name, org) => {
    expect(orgName(name)).toBe(org)
  })
  test('dates and times', () => {
    expect(dateParts('2026-09-03')).toEqual({ y: '2026', m: '9', d: '3' })
    expect(dateParts(null)).toEqual({ y: '', m: '', d: '' })
    expect(studyTime({ date: '2026-05-28', minutes: 180 })).toBe('2026-05-28（180 分钟）')
    expect(studyTime({ date: '2026-04-23', days: 2 }, { date_from: '2026-04-23', date_to: '2026-04-24' })).toBe('2026-04-23 至 2026-04-24（2 天）')
  })
})

describe('the menu with the workflow pages', () => {
  const titles = (u) => menuFor(routes, u).flatMap((g) => g.items.map((i) => i.title))
  test('a member: 申报, 我的申报, 评分表, 消息 and 公示', () => {
    const t = titles({ roles: ['member'], person_id: 19 })
    expect(t).toEqual(expect.arrayContaining(['学分申报', '我的申报', '学习评分表', '我的消息', '学分公示']))
    expect(t).not.toContain('申报审核')
    expect(t).not.toContain('培训活动')
    expect(t[0]).toBe('我的学分')
  })
  test('reviewers and approvers get 申报审核 and 培训活动; only reviewers score', () => {
    const r = titles({ roles: ['member', 'reviewer'], person_id: 14 })
    expect(r).toEqual(expect.arrayContaining(['申报审核', '培训活动', '评分表评分']))
    const a = titles({ roles: ['member', 'approver'], person_id: 9 })
    expect(a).toEqual(expect.arrayContaining(['申报审核', '培训活动']))
    expect(a).not.toContain('评分表评分')
  })
  test('an admin: 培训活动, 公示, 季度通报, no claims of their own', () => {
    const t = titles({ roles: ['admin'] })
    expect(t).toEqual(expect.arrayContaining(['培训活动', '学分公示', '季度通报']))
    expect(t).not.toContain('学分申报')
    expect(t).not.toContain('申报审核')
  })
})
