import { describe, expect, it } from 'vitest'
import { validateEpic } from '../../src/domain/index.ts'

const raw = {
  id: 'linear-acme:PRJ-7',
  key: 'PRJ-7',
  title: 'Self-serve SSO',
  url: 'https://linear.app/acme/project/prj-7',
  source: 'linear-acme',
  team: 'identity',
  track: 'product',
  status: 'in_progress',
  inputs: { value: 8, timeCriticality: 3, risk: 0 },
  effort: 5,
  blockers: ['jira-acme:PLAT-2', 'jira-acme:PLAT-1', 'jira-acme:PLAT-2'],
  updatedAt: '2026-01-03T10:00:00Z',
  extra: 'dropped',
}

describe('validateEpic', () => {
  it('returns a clean epic: blockers de-duplicated and sorted, unknown fields dropped', () => {
    const result = validateEpic(raw)
    expect(result).toEqual({
      ok: true,
      epic: {
        id: 'linear-acme:PRJ-7',
        key: 'PRJ-7',
        title: 'Self-serve SSO',
        url: 'https://linear.app/acme/project/prj-7',
        source: 'linear-acme',
        team: 'identity',
        track: 'product',
        status: 'in_progress',
        inputs: { value: 8, timeCriticality: 3, risk: 0 },
        effort: 5,
        blockers: ['jira-acme:PLAT-1', 'jira-acme:PLAT-2'],
        updatedAt: '2026-01-03T10:00:00Z',
      },
    })
  })

  it('reads null and absent inputs as not given, never as zero', () => {
    const result = validateEpic({ ...raw, inputs: { value: null, risk: 2 }, effort: null })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.epic.inputs).toEqual({ risk: 2 })
    expect('effort' in result.epic).toBe(false)
    expect('value' in result.epic.inputs).toBe(false)
  })

  it('accepts missing blockers as none', () => {
    const { blockers: _, ...withoutBlockers } = raw
    const result = validateEpic(withoutBlockers)
    expect(result.ok && result.epic.blockers).toEqual([])
  })

  it('names every problem, with the epic id when there is one', () => {
    expect(
      validateEpic({
        ...raw,
        id: 'jira:X-1',
        title: '',
        track: 'platform',
        status: 'blocked',
        inputs: { value: -1, timeCriticality: 'high', risk: Number.NaN },
        effort: Number.POSITIVE_INFINITY,
        blockers: ['jira:X-1', 3],
        updatedAt: 'yesterday',
      }),
    ).toEqual({
      ok: false,
      id: 'jira:X-1',
      problems: [
        'title: must be a non-empty string',
        `id: must be 'source:externalId' with source 'linear-acme', got 'jira:X-1'`,
        'track: must be one of product, technical',
        'status: must be one of todo, in_progress, done, canceled',
        'inputs.value: must be a number >= 0',
        'inputs.timeCriticality: must be a number >= 0',
        'inputs.risk: must be a number >= 0',
        'effort: must be a number >= 0',
        'blockers: must be a list of epic ids',
        'updatedAt: must be an ISO timestamp',
      ],
    })
  })

  it('rejects an epic that blocks itself', () => {
    expect(validateEpic({ ...raw, blockers: ['linear-acme:PRJ-7'] })).toEqual({
      ok: false,
      id: 'linear-acme:PRJ-7',
      problems: ['blockers: an epic cannot block itself'],
    })
  })

  it('rejects what is not an object, without an id', () => {
    expect(validateEpic(null)).toEqual({ ok: false, problems: ['epic: must be an object'] })
    expect(validateEpic([raw])).toEqual({ ok: false, problems: ['epic: must be an object'] })
  })

  it('rejects an id with nothing after the source prefix', () => {
    const result = validateEpic({ ...raw, id: 'linear-acme:' })
    expect(result.ok).toBe(false)
    expect(!result.ok && result.problems).toEqual(['id: external id after the source prefix is empty'])
  })
})
