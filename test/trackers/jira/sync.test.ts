import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connectorFor, recordJql, type Site, startSite, syncAll } from './site.ts'

describe('Jira sync of 1,000 epics', () => {
  let site: Site
  let jql: string[]

  beforeAll(async () => {
    site = await startSite({
      epics: 1000,
      simulator: { account: { timeZone: 'America/Los_Angeles' } },
      beforeListen: (sim) => {
        jql = recordJql(sim)
      },
    })
  })
  afterAll(() => site.close())

  it('reads every epic in pages of 100 with the fewest requests, mapping every field', async () => {
    const { connector, logs } = connectorFor(site)
    const { epics, pages, outcome, totals } = await syncAll(connector, { mode: 'full', cursor: null })

    expect(epics).toHaveLength(1000)
    expect(new Set(outcome.inScope)).toEqual(new Set(site.epics.map((e) => e.id)))
    // 10 pages + account (time zone), issue types, fields, approximate count: nothing else.
    expect(pages).toBe(10)
    expect(outcome.requests).toBe(14)
    expect(site.sim.requestCount()).toBe(14)
    expect(site.sim.requestCounts()['POST /rest/api/3/search/jql']).toBe(10)
    expect(totals.every((t) => t === 1000)).toBe(true)
    expect(jql[0]).toBe('(project in (SHOP, PAY)) AND issuetype in (10001) ORDER BY created ASC, key ASC')

    const byId = new Map(epics.map((e) => [e.externalId, e]))
    const fifth = site.epics[4]
    expect(byId.get(fifth?.id as string)).toEqual({
      externalId: fifth?.id,
      key: fifth?.key,
      title: 'Epic 5: database upgrade',
      url: `${site.url}/browse/${fifth?.key}`,
      team: 'checkout',
      track: 'technical',
      status: 'todo',
      inputs: { value: 9, timeCriticality: 5, risk: 2 },
      effort: 5,
      blockers: [],
      links: [],
      updatedAt: new Date(fifth?.updated as number).toISOString(),
      problems: [],
    })
    expect(byId.get(site.epics[9]?.id as string)).toMatchObject({
      status: 'in_progress',
      team: 'growth',
      track: 'technical',
    })
    expect(byId.get(site.epics[16]?.id as string)).toMatchObject({ status: 'done', inputs: { risk: 2 } })
    expect(epics.filter((e) => e.problems.length > 0)).toEqual([])
    // jira.js checks every answer against its own schemas (made from the same spec): none complained.
    expect(logs()).not.toContain('does not describe')
  })

  it('then reads only the 10 epics edited since, in the account’s time zone, and moves the cursor on', async () => {
    const { connector } = connectorFor(site)
    const full = await syncAll(connector, { mode: 'full', cursor: null })
    const lastSeen = Math.max(...site.epics.map((e) => e.updated))
    const edited = [3, 77, 150, 333, 500, 501, 640, 800, 998, 999].map((i) => site.epics[i]?.id as string)
    for (const id of edited) site.sim.state.updateIssue(id, { summary: `edited ${id}` })
    site.sim.resetCounters()
    jql.length = 0

    const first = await syncAll(connector, { mode: 'incremental', cursor: full.outcome.cursor })
    expect(first.epics.map((e) => e.externalId).sort()).toEqual([...edited].sort())
    expect(first.epics.every((e) => e.title === `edited ${e.externalId}`)).toBe(true)
    expect(first.outcome.inScope).toBeUndefined()
    // Metadata is reused: one search page is the whole cost.
    expect(site.sim.requestCount()).toBe(1)
    // Five minutes before the last change seen by the full sync, in Los Angeles wall-clock time.
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone: 'America/Los_Angeles',
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      })
        .formatToParts(new Date(lastSeen - 5 * 60_000))
        .map((p) => [p.type, p.value]),
    )
    const local = `${parts.year}/${parts.month}/${parts.day} ${parts.hour}:${parts.minute}`
    expect(jql[0]).toContain(`AND updated >= "${local}"`)
    expect(jql[0]).toMatch(/ORDER BY updated ASC, key ASC$/)

    const again = await syncAll(connector, { mode: 'incremental', cursor: first.outcome.cursor })
    expect(again.epics).toEqual([])
    expect(JSON.parse(again.outcome.cursor as string).since).toBe(
      JSON.parse(first.outcome.cursor as string).since,
    )
    expect(
      JSON.parse(first.outcome.cursor as string).since > JSON.parse(full.outcome.cursor as string).since,
    ).toBe(true)
  })
})

describe('Jira incremental sync edges', () => {
  let site: Site
  afterEach(() => site.close())

  it('picks up a change that became visible late inside the overlap window, and nothing older', async () => {
    site = await startSite({ epics: 20 })
    const { connector } = connectorFor(site)
    const full = await syncAll(connector, { mode: 'full', cursor: null })
    const since = Date.parse(JSON.parse(full.outcome.cursor as string).since)
    // Changes the search index showed only after the full sync: one 2 minutes before the cursor
    // (inside the 5-minute overlap), one 20 minutes before (outside it).
    site.sim.state.updateIssue(
      site.epics[2]?.id as string,
      { summary: 'late, inside' },
      { at: since - 120_000 },
    )
    site.sim.state.updateIssue(
      site.epics[3]?.id as string,
      { summary: 'late, outside' },
      { at: since - 1_200_000 },
    )
    const { epics } = await syncAll(connector, { mode: 'incremental', cursor: full.outcome.cursor })
    expect(epics.map((e) => e.title)).toEqual(['late, inside'])
  })

  it('reads everything when the cursor is not one it wrote', async () => {
    site = await startSite({ epics: 5 })
    const { connector, logs } = connectorFor(site)
    const { epics, outcome } = await syncAll(connector, {
      mode: 'incremental',
      cursor: '2026-01-01T00:00:00Z',
    })
    expect(epics).toHaveLength(5)
    expect(outcome.inScope).toHaveLength(5)
    expect(logs()).toContain('no usable cursor')
  })
})

describe('Jira scope changes', () => {
  let site: Site
  beforeAll(async () => {
    site = await startSite({ epics: 30 })
    site.sim.state.addProject({ key: 'OPS' })
  })
  afterAll(() => site.close())

  it('leaves a deleted epic and an epic moved out of the JQL out of scope', async () => {
    const { connector } = connectorFor(site)
    const [deleted, moved, kept] = [site.epics[5], site.epics[6], site.epics[7]].map(
      (e) => e?.id as string,
    ) as [string, string, string]
    site.sim.state.deleteIssue(deleted)
    const movedIssue = site.sim.state.moveIssue(moved, 'OPS')
    expect(movedIssue.key).toBe('OPS-1')

    const { outcome } = await syncAll(connector, { mode: 'full', cursor: null })
    expect(outcome.inScope).toHaveLength(28)
    expect(outcome.inScope).not.toContain(deleted)
    expect(outcome.inScope).not.toContain(moved)
    expect(outcome.inScope).toContain(kept)
  })

  it('says a targeted epic is gone when deleted or moved away, and reads it when it is there', async () => {
    const { connector } = connectorFor(site)
    await syncAll(connector, { mode: 'full', cursor: null })
    site.sim.resetCounters()
    const present = await syncAll(connector, {
      mode: 'epic',
      cursor: 'c',
      externalId: site.epics[8]?.id as string,
    })
    expect(present.epics.map((e) => e.externalId)).toEqual([site.epics[8]?.id])
    expect(present.outcome).toEqual({ cursor: 'c', gone: false, requests: 1 })

    const moved = await syncAll(connector, {
      mode: 'epic',
      cursor: null,
      externalId: site.epics[6]?.id as string,
    })
    expect(moved.outcome.gone).toBe(true)
    expect(moved.epics).toEqual([])

    // Jira refuses the id of a deleted issue in JQL; one look at the issue (404) settles it.
    const deleted = await syncAll(connector, {
      mode: 'epic',
      cursor: null,
      externalId: site.epics[5]?.id as string,
    })
    expect(deleted.outcome).toEqual({ cursor: null, gone: true, requests: 2 })
    expect(site.sim.requestCounts()['GET /rest/api/3/issue/:issueIdOrKey']).toBe(1)
  })
})

describe('Jira field mapping', () => {
  let site: Site
  afterEach(() => site.close())

  it('reports mapping problems on each epic concerned and still maps the rest', async () => {
    site = await startSite({ epics: 6 })
    const { state } = site.sim
    state.addField({ name: 'Value (text)', type: 'textfield' })
    const [high, negative, odd, fine] = site.epics
    state.updateIssue(high?.id as string, { fields: { 'Value (text)': 'high' } })
    state.updateIssue(fine?.id as string, { fields: { 'Value (text)': ' 7 ' } })
    state.updateIssue(negative?.id as string, { fields: { 'Risk Reduction': -3 } })
    state.updateIssue(odd?.id as string, { fields: { Team: 'Platform' } })
    const { connector } = connectorFor(site, {
      fields: { value: 'Value (text)', risk: 'Risk Reduction', timeCriticality: 'Urgency', team: 'Team' },
    })
    const { epics } = await syncAll(connector, { mode: 'full', cursor: null })
    const byId = new Map(epics.map((e) => [e.externalId, e]))
    const urgency =
      "fields.timeCriticality: Jira has no field named or with id 'Urgency' (check fields.* in the config)"
    const valueField = state.field('Value (text)').id

    expect(epics).toHaveLength(6)
    expect(byId.get(high?.id as string)?.problems).toEqual([
      `Value (text) (${valueField}): not a number: 'high'`,
      urgency,
    ])
    expect(byId.get(high?.id as string)?.inputs).toEqual({ risk: 0 })
    expect(byId.get(negative?.id as string)?.problems).toEqual([
      urgency,
      `Risk Reduction (${site.fields.risk.id}): must be 0 or more, got -3`,
    ])
    expect(byId.get(odd?.id as string)).toMatchObject({
      team: 'checkout',
      problems: [urgency, `Team (${site.fields.team.id}): 'Platform' is not in teamMap`],
    })
    expect(byId.get(fine?.id as string)).toMatchObject({ inputs: { value: 7, risk: 3 }, problems: [urgency] })
  })

  it('takes the track from the first rule whose every condition holds', async () => {
    site = await startSite({ epics: 5 })
    // Seeded epics alternate SHOP, PAY, SHOP, …
    const [infra, pay, both, , plain] = site.epics.map((e) => e.id) as [
      string,
      string,
      string,
      string,
      string,
    ]
    site.sim.state.updateIssue(infra, { components: ['Infrastructure'] })
    site.sim.state.updateIssue(both, { labels: ['feature'], components: ['Infrastructure'] })
    const { connector } = connectorFor(site, {
      track: {
        default: 'product',
        rules: [
          { label: 'feature', component: 'Infrastructure', track: 'product' },
          { component: 'infrastructure', track: 'technical' },
          { project: 'PAY', track: 'technical' },
        ],
      },
    })
    const { epics } = await syncAll(connector, { mode: 'full', cursor: null })
    const track = new Map(epics.map((e) => [e.externalId, e.track]))
    expect([track.get(infra), track.get(pay), track.get(both), track.get(plain)]).toEqual([
      'technical',
      'technical',
      'product',
      'product',
    ])
  })

  it('turns Blocks links into blockers, across sources, leaving other links and non-epics out', async () => {
    site = await startSite({ epics: 4 })
    const { state } = site.sim
    state.addProject({ key: 'OPS' })
    const [a, b, c] = site.epics.map((e) => e.id) as [string, string, string]
    const ops = state.addIssue({ project: 'OPS', summary: 'Platform epic' })
    const story = state.addIssue({ project: 'SHOP', type: 'Story' })
    state.link(a, b)
    state.link(ops.id, b)
    state.link(story.id, b)
    state.link(c, b, 'Relates')
    const { connector } = connectorFor(site, { blockerSources: { OPS: 'jira-ops' } })
    const { epics } = await syncAll(connector, { mode: 'full', cursor: null })
    const byId = new Map(epics.map((e) => [e.externalId, e]))
    expect(byId.get(b)?.blockers).toEqual([`jira-ops:${ops.id}`, `jira-shop:${a}`])
    expect(byId.get(a)?.blockers).toEqual([])
    expect(byId.get(c)?.blockers).toEqual([])
  })

  it('sums the children’s estimates when effort comes from children, and reads canceled epics', async () => {
    site = await startSite({ epics: 3 })
    const { state } = site.sim
    const [epic, empty, dropped] = site.epics.map((e) => e.id) as [string, string, string]
    for (const points of [3, 5, null, 13]) {
      const story = state.addIssue({
        project: 'SHOP',
        type: 'Story',
        parent: epic,
        fields: { 'Story Points': points },
      })
      if (points === 13) state.updateIssue(story.id, { status: "Won't Do" })
    }
    state.updateIssue(dropped, { status: 'Done', resolution: "Won't Do" })
    const { connector } = connectorFor(site, { effortFromChildren: true })
    const { epics, outcome } = await syncAll(connector, { mode: 'full', cursor: null })
    const byId = new Map(epics.map((e) => [e.externalId, e]))
    expect(byId.get(epic)).toMatchObject({
      effort: 8,
      problems: ['Effort: 1 of 3 child issues have no Story Points; the sum counts the others'],
    })
    expect(byId.get(empty)).toMatchObject({ effort: null, problems: [] })
    expect(byId.get(dropped)?.status).toBe('canceled')
    // One page of epics and one page of their children.
    expect(outcome.requests).toBe(6)
  })
})
