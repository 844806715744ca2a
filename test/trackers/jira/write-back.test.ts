import { afterEach, describe, expect, it } from 'vitest'
import type { JiraSimulator } from '../../../src/sandbox/jira/index.ts'
import { noteText } from '../../../src/trackers/jira/own-fields.ts'
import type { WriteBackItem } from '../../../src/trackers/types.ts'
import { connectorFor, type Site, startSite, writeValues } from './site.ts'

interface Write {
  issue: string
  fields: Record<string, unknown>
  notifyUsers: unknown
}

function recordWrites(sim: JiraSimulator): Write[] {
  const writes: Write[] = []
  sim.app.addHook('preHandler', async (request) => {
    if (request.method === 'PUT' && request.routeOptions.url === '/rest/api/3/issue/:issueIdOrKey') {
      writes.push({
        issue: (request.params as { issueIdOrKey: string }).issueIdOrKey,
        fields: (request.body as { fields: Record<string, unknown> }).fields,
        notifyUsers: (request.query as { notifyUsers?: unknown }).notifyUsers,
      })
    }
  })
  return writes
}

/** onetrack's fields as an admin would have made them by hand. */
function addOwnFields(sim: JiraSimulator): Record<string, string> {
  const number = (name: string) => sim.state.addField({ name, type: 'float' }).id
  const text = (name: string) => sim.state.addField({ name, type: 'textfield' }).id
  return {
    score: number('onetrack score'),
    rank: number('onetrack rank'),
    period: text('onetrack period'),
    deferrals: number('onetrack deferrals'),
    costOfDelay: number('onetrack cost of delay'),
    note: text('onetrack note'),
  }
}

function item(site: Site, index: number, values = writeValues(), previous: WriteBackItem['previous'] = null) {
  const id = site.epics[index]?.id as string
  return { epicId: `jira-shop:${id}`, externalId: id, values, previous }
}

const signal = () => AbortSignal.timeout(10_000)

describe('Jira write-back', () => {
  let site: Site
  let writes: Write[]
  afterEach(() => site.close())

  it('writes only the values that changed, and makes no request when none did', async () => {
    site = await startSite({ epics: 3, beforeListen: (sim) => (writes = recordWrites(sim)) })
    const own = addOwnFields(site.sim)
    const { connector } = connectorFor(site)
    const before = structuredClone(site.sim.state.issues.get(site.epics[0]?.id as string))

    const first = await connector.writeBack(
      [item(site, 0), item(site, 1, writeValues({ rank: 4 }))],
      signal(),
    )
    expect(first).toEqual({ written: ['jira-shop:10001', 'jira-shop:10002'], failed: [], requests: 3 })
    const after = site.sim.state.issues.get(site.epics[0]?.id as string)
    expect(after?.values).toEqual({
      ...before?.values,
      [own.score as string]: 12.5,
      [own.rank as string]: 3,
      [own.period as string]: '2027-Q1',
      [own.deferrals as string]: 1,
      [own.costOfDelay as string]: 40,
      [own.note as string]:
        'Deferred from 2026-Q4: capacity (PAY-7 took its place) http://onetrack.test/epics/jira-shop:10001',
    })
    expect({ ...after, values: undefined, updated: 0 }).toEqual({ ...before, values: undefined, updated: 0 })
    expect(writes.every((w) => w.notifyUsers === 'false')).toBe(true)

    site.sim.resetCounters()
    const same = await connector.writeBack([item(site, 0, writeValues(), writeValues())], signal())
    expect(same).toEqual({ written: ['jira-shop:10001'], failed: [], requests: 0 })
    expect(site.sim.requestCount()).toBe(0)

    writes.length = 0
    const moved = await connector.writeBack(
      [
        item(site, 0, writeValues({ rank: 9, score: 12.501 }), writeValues()),
        item(site, 1, writeValues({ rank: 4 }), writeValues({ rank: 4 })),
      ],
      signal(),
    )
    // Only the rank: a score that moves in the third decimal is not a change worth a write.
    expect(writes).toEqual([
      { issue: site.epics[0]?.id, fields: { [own.rank as string]: 9 }, notifyUsers: 'false' },
    ])
    expect(moved.requests).toBe(1)
  })

  it('names the missing fields when it may not create them, and creates them when it may', async () => {
    site = await startSite({ epics: 2 })
    const strict = connectorFor(site).connector
    await expect(strict.writeBack([item(site, 0)], signal())).rejects.toMatchObject({
      code: 'ONETRACK_CONFIG_INVALID',
      message: expect.stringContaining(
        "Jira has no custom field 'onetrack score' (Number field), 'onetrack rank' (Number field), 'onetrack period' (Short text field),",
      ),
    })
    expect(site.sim.requestCounts()['PUT /rest/api/3/issue/:issueIdOrKey']).toBeUndefined()

    const creating = connectorFor(site, { writeBack: { createFields: true } }).connector
    const outcome = await creating.writeBack([item(site, 0)], signal())
    expect(outcome.written).toEqual([`jira-shop:${site.epics[0]?.id}`])
    const created = [...site.sim.state.fields.values()].filter((f) => f.name.startsWith('onetrack '))
    expect(created.map((f) => [f.name, f.type, f.searcherKey?.split(':')[1], f.onScreen])).toEqual([
      ['onetrack score', 'float', 'exactnumber', true],
      ['onetrack rank', 'float', 'exactnumber', true],
      ['onetrack period', 'textfield', 'textsearcher', true],
      ['onetrack deferrals', 'float', 'exactnumber', true],
      ['onetrack cost of delay', 'float', 'exactnumber', true],
      ['onetrack note', 'textfield', 'textsearcher', true],
    ])
    expect(site.sim.requestCounts()['POST /rest/api/3/field']).toBe(6)

    site.sim.resetCounters()
    const again = connectorFor(site, { writeBack: { createFields: true } }).connector
    await again.writeBack([item(site, 1)], signal())
    expect(site.sim.requestCounts()).toEqual({
      'GET /rest/api/3/field': 1,
      'PUT /rest/api/3/issue/:issueIdOrKey': 1,
    })
  })

  it('sends a change many epics share as one bulk edit, and edits one by one when bulk is refused', async () => {
    site = await startSite({ epics: 24, beforeListen: (sim) => (writes = recordWrites(sim)) })
    const own = addOwnFields(site.sim)
    const { connector, logs } = connectorFor(site)
    const replanned = (i: number) => item(site, i, writeValues({ period: '2027-Q2' }), writeValues())
    const bulk = await connector.writeBack(
      Array.from({ length: 12 }, (_, i) => replanned(i)),
      signal(),
    )
    expect(bulk.written).toHaveLength(12)
    expect(bulk.requests).toBe(3)
    expect(site.sim.requestCounts()).toEqual({
      'GET /rest/api/3/field': 1,
      'POST /rest/api/3/bulk/issues/fields': 1,
      'GET /rest/api/3/bulk/queue/:taskId': 1,
    })
    expect(site.sim.state.issues.get(site.epics[11]?.id as string)?.values[own.period as string]).toBe(
      '2027-Q2',
    )

    site.sim.setPermissions({ BULK_CHANGE: false })
    const oneByOne = await connector.writeBack(
      Array.from({ length: 12 }, (_, i) => replanned(i + 12)),
      signal(),
    )
    expect(oneByOne.written).toHaveLength(12)
    expect(writes).toHaveLength(12)
    expect(writes[0]?.fields).toEqual({ [own.period as string]: '2027-Q2' })
    expect(logs()).toContain('jira bulk edit refused')
    site.sim.resetCounters()
    await connector.writeBack(
      Array.from({ length: 12 }, (_, i) => item(site, i, writeValues({ period: '2027-Q3' }), writeValues())),
      signal(),
    )
    expect(site.sim.requestCounts()['POST /rest/api/3/bulk/issues/fields']).toBeUndefined()
  })

  it('reports the epics it cannot write, with the reason, and writes the rest', async () => {
    site = await startSite({ epics: 3 })
    const own = addOwnFields(site.sim)
    const { connector } = connectorFor(site)
    site.sim.state.deleteIssue(site.epics[0]?.id as string)
    ;(site.sim.state.fields.get(own.note as string) as { onScreen: boolean }).onScreen = false
    const outcome = await connector.writeBack(
      [
        item(site, 0),
        item(site, 1, writeValues({ note: 'Unplanned: blocked by SHOP-9' }), writeValues()),
        item(site, 2, writeValues({ rank: 1 }), writeValues()),
      ],
      signal(),
    )
    expect(outcome.written).toEqual([`jira-shop:${site.epics[2]?.id}`])
    expect(outcome.failed).toEqual([
      {
        epicId: `jira-shop:${site.epics[0]?.id}`,
        reason: 'the issue no longer exists, or onetrack may not see it (404)',
      },
      {
        epicId: `jira-shop:${site.epics[1]?.id}`,
        reason: `Jira refused the edit (400): 'onetrack note' (${own.note}): Field '${own.note}' cannot be set. It is not on the appropriate screen, or unknown.`,
      },
    ])
  })

  it('fails naming the source and the permission when Jira refuses every edit or the field creation', async () => {
    site = await startSite({
      epics: 2,
      simulator: { permissions: { EDIT_ISSUES: false, ADMINISTER: false } },
    })
    addOwnFields(site.sim)
    const { connector } = connectorFor(site)
    await expect(connector.writeBack([item(site, 0), item(site, 1)], signal())).rejects.toMatchObject({
      code: 'TRACKER_AUTH_FAILED',
      message: `Jira source 'jira-shop': ${site.sim.account.email} lacks the 'Edit issues' permission (403: You do not have permission to edit issues in this project.)`,
    })
    for (const field of [...site.sim.state.fields.values()].filter((f) => f.name.startsWith('onetrack'))) {
      site.sim.state.fields.delete(field.id)
    }
    const creating = connectorFor(site, { writeBack: { createFields: true } }).connector
    await expect(creating.writeBack([item(site, 0)], signal())).rejects.toMatchObject({
      code: 'TRACKER_AUTH_FAILED',
      message: expect.stringContaining("lacks the 'Administer Jira' permission"),
    })
  })
})

describe('the note written to Jira', () => {
  const values = {
    score: 1,
    rank: 1,
    period: null,
    deferrals: 4,
    costOfDelay: null,
    note: 'Deferred from 2026-Q3: capacity',
    pageUrl: 'https://onetrack.example/epics/jira-shop:10001',
    chronic: true,
  }

  it('carries the note and the page link, and keeps the link whole within 255 characters', () => {
    expect(noteText(values)).toBe(
      'Chronically deferred. Deferred from 2026-Q3: capacity https://onetrack.example/epics/jira-shop:10001',
    )
    const long = noteText({ ...values, note: 'x'.repeat(400) })
    expect(long).toHaveLength(255)
    expect(long.endsWith('… https://onetrack.example/epics/jira-shop:10001')).toBe(true)
    expect(noteText({ ...values, chronic: false, pageUrl: '' })).toBe('Deferred from 2026-Q3: capacity')
  })
})
