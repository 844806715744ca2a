import { describe, expect, it } from 'vitest'
import { epicIdOf, parseEpicId } from '../../src/domain/index.ts'

describe('epic ids', () => {
  it('builds source:externalId and reads it back', () => {
    const id = epicIdOf('jira-acme', '10042')
    expect(id).toBe('jira-acme:10042')
    expect(parseEpicId(id)).toEqual({ source: 'jira-acme', externalId: '10042' })
  })

  it('reads an id without a colon as no epic id', () => {
    expect(parseEpicId('PLAT-12')).toBeNull()
    expect(parseEpicId('')).toBeNull()
  })

  it('splits at the first colon: the external id keeps the others', () => {
    expect(parseEpicId('linear-acme:project:a1b2:c3')).toEqual({
      source: 'linear-acme',
      externalId: 'project:a1b2:c3',
    })
    expect(parseEpicId(epicIdOf('what-if', 'NEW:1'))).toEqual({ source: 'what-if', externalId: 'NEW:1' })
  })
})
