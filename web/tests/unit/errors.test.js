import { describe, expect, test } from 'vitest'
import { ApiError, errorFrom, fieldErrors, importProblems, listErrors } from '@/api/errors.js'

describe('errorFrom', () => {
  test('the server message and details', () => {
    const e = errorFrom(422, { error: { code: 'invalid', message: '文件有问题', details: ['a', 'b'] } })
    expect(e).toBeInstanceOf(ApiError)
    expect([e.status, e.code, e.message, e.details]).toEqual([422, 'invalid', '文件有问题', ['a', 'b']])
  })
  test('no JSON body: a Chinese message by status', () => {
    expect(errorFrom(502, null).message).toBe('服务器暂时不可用，请稍后重试')
    expect(errorFrom(418, 'x').message).toBe('请求失败（418）')
    expect(errorFrom(501, null).message).toBe('该功能尚未开放')
  })
})

describe('fieldErrors: each problem next to its field', () => {
  const people = { phone: {}, id_card: {}, joined: {}, unit_id: {}, name: {}, nickname: {} }
  test('PATCH /people: "key: reason" parts', () => {
    const msg = 'phone: 手机号应为以 1 开头的 11 位数字；id_card: 身份证号校验位不正确；joined: 应为 YYYY-MM-DD 格式的日期；unit_id: 所属单位应为单位编号（正整数）'
    expect(fieldErrors(msg, people)).toEqual({
      phone: '手机号应为以 1 开头的 11 位数字',
      id_card: '身份证号校验位不正确',
      joined: '应为 YYYY-MM-DD 格式的日期',
      unit_id: '所属单位应为单位编号（正整数）',
    })
  })
  test('POST /users: Chinese labels and a keyword', () => {
    const users = { username: { labels: ['用户名'] }, password: { labels: ['密码'], match: /密码/ }, roles: { labels: ['角色', '单位'] } }
    const msg = '用户名：应为 1 到 64 个字母、数字或 . _ @ - (invalid user name)；密码至少 8 位，且包含大写字母、小写字母、数字、符号中的至少 3 类 (password too weak)；单位：审核人 (reviewer) 角色须指定所负责的单位 (unit required)'
    const got = fieldErrors(msg, users)
    expect(got.username).toBe('应为 1 到 64 个字母、数字或 . _ @ - (invalid user name)')
    expect(got.password).toMatch(/^密码至少 8 位/)
    expect(got.roles).toBe('审核人 (reviewer) 角色须指定所负责的单位 (unit required)')
    expect(got._).toBeUndefined()
  })
  test('"字段 x 应为…" and unknown parts go to "_"', () => {
    const got = fieldErrors('字段 username 应为不超过 256 字节的字符串；服务器忙', { username: {} })
    expect(got.username).toBe('字段 username 应为不超过 256 字节的字符串')
    expect(got._).toBe('服务器忙')
  })
  test('empty message', () => {
    expect(fieldErrors('', { a: {} })).toEqual({})
  })
})

test('listErrors: periods by row', () => {
  const msg = 'periods[0].note: 未知字段；periods[0].kind: 类型应为 secondment（借调）、sick_leave（病假）或 leave（事假）；periods[1].to: 结束日期 2026-08-01 早于开始日期 2026-08-31；别的'
  const got = listErrors(msg, 'periods')
  expect(got[0].note).toBe('未知字段')
  expect(got[0].kind).toMatch(/^类型应为/)
  expect(got[1].to).toBe('结束日期 2026-08-01 早于开始日期 2026-08-31')
  expect(got._).toBe('别的')
})

test('importProblems: row, column, title, reason', () => {
  const rows = importProblems([
    'roster-bad.csv: 第 3 行 A 列（姓名）：必填项为空 (required)',
    'roster-bad.csv: 第 4 行 I 列（入职日期）：日期无效 "2026-13-01"，应为 YYYY-MM-DD (bad date)',
    'roster-bad.csv: 导入失败，数据库未作任何改动 (import failed; nothing was changed)',
  ])
  expect(rows[0]).toMatchObject({ row: 3, column: 'A', title: '姓名', reason: '必填项为空 (required)' })
  expect(rows[1]).toMatchObject({ row: 4, column: 'I', title: '入职日期' })
  expect(rows[2]).toMatchObject({ row: null, reason: '导入失败，数据库未作任何改动 (import failed; nothing was changed)' })
})
