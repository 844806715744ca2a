import { describe, expect, it } from 'vitest'
import { driftOf } from '../../src/pipeline/drift.ts'
import type { OwnedValues, WriteBackValues } from '../../src/trackers/types.ts'

const values = (rank: number, period: string | null = '2027-Q1'): WriteBackValues => ({
  score: 1.5,
  rank,
  period,
  deferrals: 0,
  costOfDelay: 10,
  note: 'Planned.',
  pageUrl: 'http://onetrack.test/epics/x',
  chronic: false,
  unacknowledged: 0,
})
// A tracker showing rank and period as they were written.
const connector = {
  ownedValues: (_epicId: string, v: WriteBackValues): OwnedValues => ({ rank: v.rank, period: v.period }),
}
const readFrom = new Date('2026-12-03T10:00:00Z')
const record = (v: WriteBackValues, inDoubt = false, writtenAt = new Date('2026-12-03T09:00:00Z')) => ({
  values: v,
  inDoubt,
  writtenAt,
})

describe('driftOf', () => {
  it('names the tickets and fields that show other values than were written', () => {
    const observed = new Map<string, OwnedValues>([
      ['s:1', { rank: 1, period: '2027-Q1' }],
      ['s:2', { rank: 7, period: null }],
    ])
    const records = new Map([
      ['s:1', record(values(1))],
      ['s:2', record(values(2))],
    ])
    expect(driftOf(connector, observed, records, readFrom)).toEqual([
      { epicId: 's:2', fields: ['rank', 'period'] },
    ])
  })

  it('compares only what the sync read, and skips tickets never written, in doubt or written since the read began', () => {
    const observed = new Map<string, OwnedValues>([
      ['s:1', { rank: 1 }],
      ['s:2', { rank: 9 }],
      ['s:3', { rank: 9 }],
      ['s:4', { rank: 4, unknown: 'x' }],
      ['s:5', { rank: 9 }],
    ])
    const records = new Map([
      ['s:1', record(values(1, '2027-Q4'))],
      ['s:3', record(values(3), true)],
      ['s:4', record(values(4))],
      ['s:5', record(values(5), false, readFrom)],
    ])
    expect(driftOf(connector, observed, records, readFrom)).toEqual([])
  })

  it('takes an emptied field for drift', () => {
    const observed = new Map<string, OwnedValues>([['s:1', { rank: null, period: '2027-Q1' }]])
    expect(driftOf(connector, observed, new Map([['s:1', record(values(1))]]), readFrom)).toEqual([
      { epicId: 's:1', fields: ['rank'] },
    ])
  })
})
