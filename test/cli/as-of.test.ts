// Running the pipeline at a chosen date: --as-of and ONETRACK_NOW, and how bad values are refused.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { clockOf, withAsOf } from '../../src/cli/command.ts'
import { parseInstant, readEnvironment } from '../../src/config/environment.ts'
import { isOnetrackError } from '../../src/errors.ts'
import { testEnv } from '../helpers/config.ts'

const CLI = join(import.meta.dirname, '../../src/cli.ts')

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...testEnv, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let err = ''
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
    })
    child.once('exit', (code) => resolve({ code, err }))
  })
}

describe('a chosen date', () => {
  it('reads a date as midnight UTC, and a timestamp with its offset', () => {
    expect(parseInstant('2026-10-05')).toEqual({ ok: true, at: new Date('2026-10-05T00:00:00Z') })
    expect(parseInstant('2026-10-05T09:30:00Z')).toEqual({ ok: true, at: new Date('2026-10-05T09:30:00Z') })
    expect(parseInstant('2026-10-05T11:30+02:00')).toEqual({ ok: true, at: new Date('2026-10-05T09:30:00Z') })
    expect(parseInstant(' 2026-10-05T09:30:00.250Z ')).toEqual({
      ok: true,
      at: new Date('2026-10-05T09:30:00.250Z'),
    })
  })

  it('refuses what is not a day that exists or leaves its time zone to the machine', () => {
    for (const text of [
      '2026-02-30',
      '2026-13-01',
      '05/10/2026',
      'yesterday',
      '2026-10-05T09:30',
      '2026-10-05T25:00Z',
      '',
    ])
      expect(parseInstant(text)).toEqual({
        ok: false,
        problem: expect.stringContaining('must be an ISO date'),
      })
  })

  it('takes ONETRACK_NOW from the environment, and names it when it is wrong', () => {
    expect(readEnvironment({ ONETRACK_NOW: '2026-07-06' }).now).toEqual(new Date('2026-07-06T00:00:00Z'))
    expect(readEnvironment({}).now).toBeUndefined()
    let thrown: unknown
    try {
      readEnvironment({ ONETRACK_NOW: 'last monday' })
    } catch (error) {
      thrown = error
    }
    expect(isOnetrackError(thrown, 'ONETRACK_CONFIG_INVALID')).toBe(true)
    expect((thrown as Error).message).toContain(
      "ONETRACK_NOW: must be an ISO date such as 2026-10-05 (midnight UTC) or timestamp such as 2026-10-05T09:00:00Z, got 'last monday'",
    )
  })

  it('lets --as-of win over ONETRACK_NOW, and freezes the clock there', () => {
    const env = readEnvironment({ ONETRACK_NOW: '2026-07-06' })
    const chosen = withAsOf({ 'as-of': '2026-10-05T09:00:00Z' }, env)
    expect(chosen.ok && chosen.env.now).toEqual(new Date('2026-10-05T09:00:00Z'))
    expect(withAsOf({}, env)).toEqual({ ok: true, env })
    expect(withAsOf({ 'as-of': '2026-10-32' }, env)).toEqual({
      ok: false,
      problem: expect.stringMatching(/^--as-of: must be an ISO date/),
    })
    const now = clockOf(env)
    expect(now().toISOString()).toBe('2026-07-06T00:00:00.000Z')
    expect(now()).not.toBe(now())
    expect(Math.abs(clockOf({ now: undefined })().getTime() - Date.now())).toBeLessThan(1_000)
  })

  it('exits 2 naming --as-of or ONETRACK_NOW and the form they take', async () => {
    for (const command of ['build', 'what-if', 'report', 'demo']) {
      const extra = command === 'what-if' ? ['--defer', 'SHOP-1'] : []
      const { code, err } = await run([command, ...extra, '--as-of', 'next tuesday'])
      expect(code, command).toBe(2)
      expect(err, command).toContain(
        `onetrack ${command}:${command === 'what-if' ? '\n ' : ''} --as-of: must be an ISO date such as 2026-10-05`,
      )
    }
    const env = await run(['build'], { ONETRACK_NOW: '2026-10-05 09:00' })
    expect(env.code).toBe(2)
    expect(env.err).toContain(
      "ONETRACK_NOW: must be an ISO date such as 2026-10-05 (midnight UTC) or timestamp such as 2026-10-05T09:00:00Z, got '2026-10-05 09:00'",
    )
    const early = await run(['demo', '--once', '--as-of', '2025-12-01'])
    expect(early.code).toBe(2)
    expect(early.err).toContain(
      "--as-of: the demo's history starts on 2026-01-05; give a date on or after it",
    )
  }, 60_000)
})
