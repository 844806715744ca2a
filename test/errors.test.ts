import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type ErrorCode, errorCodes, isOnetrackError, OnetrackError } from '../src/errors.ts'

/** The rows of docs/errors.md's table: `| \`CODE\` | status | meaning | what to do |`. */
function documentedCodes(): Map<string, { status: number; meaning: string; action: string }> {
  const text = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')
  const rows = new Map<string, { status: number; meaning: string; action: string }>()
  for (const line of text.split('\n')) {
    const match = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|\s*(\d{3})\s*\|(.*)\|(.*)\|\s*$/.exec(line)
    if (match === null) continue
    const [, code = '', status = '', meaning = '', action = ''] = match
    expect(rows.has(code), `${code} is listed twice in docs/errors.md`).toBe(false)
    rows.set(code, { status: Number(status), meaning: meaning.trim(), action: action.trim() })
  }
  return rows
}

const codes = Object.keys(errorCodes) as ErrorCode[]

describe('docs/errors.md', () => {
  const documented = documentedCodes()

  it('documents every code of errorCodes', () => {
    expect(codes.filter((code) => !documented.has(code))).toEqual([])
  })

  it('lists no code that errorCodes does not have', () => {
    expect([...documented.keys()].filter((code) => !(code in errorCodes))).toEqual([])
  })

  it.each(codes)('gives %s its HTTP status, a meaning and what to do', (code) => {
    const row = documented.get(code)

    expect(row?.status).toBe(errorCodes[code].status)
    expect(row?.meaning).not.toBe('')
    expect(row?.action).not.toBe('')
  })
})

describe('OnetrackError', () => {
  it('carries its code, message and name', () => {
    const error = new OnetrackError('ONETRACK_NOT_FOUND', 'no epic jira-shop:1')

    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe('ONETRACK_NOT_FOUND')
    expect(error.message).toBe('no epic jira-shop:1')
    expect(error.name).toBe('OnetrackError')
  })

  it.each(codes)('answers with the status of %s from the catalogue', (code) => {
    expect(new OnetrackError(code, 'x').statusCode).toBe(errorCodes[code].status)
  })

  it('serialises to code and message, without a details key when there are none', () => {
    const error = new OnetrackError('ONETRACK_UNAUTHORIZED', 'no bearer token')

    expect(error.toJSON()).toEqual({ code: 'ONETRACK_UNAUTHORIZED', message: 'no bearer token' })
    expect(Object.keys(error.toJSON())).toEqual(['code', 'message'])
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'ONETRACK_UNAUTHORIZED',
      message: 'no bearer token',
    })
  })

  it('serialises its details when given', () => {
    const error = new OnetrackError('ONETRACK_BAD_REQUEST', 'body/reason: is required', {
      details: [{ path: 'body/reason', message: 'is required' }],
    })

    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'ONETRACK_BAD_REQUEST',
      message: 'body/reason: is required',
      details: [{ path: 'body/reason', message: 'is required' }],
    })
  })

  it('keeps the cause for the log but never serialises it', () => {
    const cause = new Error('connect ECONNREFUSED 127.0.0.1:5432 (password pw-5e1)')
    const error = new OnetrackError('ONETRACK_STORE_UNAVAILABLE', 'database unavailable', { cause })

    expect(error.cause).toBe(cause)
    expect(JSON.stringify(error)).not.toContain('pw-5e1')
  })

  it('has no cause when none is given', () => {
    const error = new OnetrackError('ONETRACK_INTERNAL', 'boom')

    expect('cause' in error).toBe(false)
    expect(error.cause).toBeUndefined()
  })

  it('keeps a falsy cause that was given', () => {
    expect(new OnetrackError('ONETRACK_INTERNAL', 'boom', { cause: 0 }).cause).toBe(0)
  })
})

describe('isOnetrackError', () => {
  const error = new OnetrackError('TRACKER_RATE_LIMITED', 'jira answered 429')

  it('recognises an OnetrackError, with or without a code to match', () => {
    expect(isOnetrackError(error)).toBe(true)
    expect(isOnetrackError(error, 'TRACKER_RATE_LIMITED')).toBe(true)
    expect(isOnetrackError(error, 'TRACKER_UNAVAILABLE')).toBe(false)
  })

  it('refuses plain errors and look-alike objects', () => {
    expect(isOnetrackError(new Error('TRACKER_RATE_LIMITED'))).toBe(false)
    expect(isOnetrackError({ code: 'TRACKER_RATE_LIMITED', message: 'x' })).toBe(false)
    expect(isOnetrackError(undefined)).toBe(false)
  })
})
