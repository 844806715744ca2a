import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeferralEvent } from '../../src/domain/index.ts'
import { buildDeps, EPICS, seedHistory } from '../helpers/api-history.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_TOKENS } from '../helpers/config.ts'
import { epicRecord } from '../helpers/epics.ts'

const NOW = new Date('2027-04-10T09:00:00Z')
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** Epics the quarter below adds: a platform epic that takes Q2, and a Linear-like project key. */
const FAILOVER = 'jira-test:14'
const KEYS = 'jira-test:20'
/** A key that is an internal id (a Linear project's slug hash): never shown in a sentence. */
const SLUG = 'c21eca6f3195'

type Ack = { by: string; at: string; reason: string; via: string; decisionId: string } | null
type Event = DeferralEvent & { acknowledgement: Ack; causeText: string | null; deferral: boolean }

/**
 * Q2 2027 goes on from the seeded history (api-history.ts): on Apr 8 a failover epic takes the
 * platform team's whole quarter, pushing the cache layer (rolled over out of Q1 already) and the
 * Kubernetes migration out of their committed Q2; gift cards, committed to Q3, now waits for
 * "Customer-managed keys", an unestimated project whose key is a slug hash, and leaves the plan.
 */
async function secondQuarter(t: TestApp): Promise<void> {
  await seedHistory(t)
  const { step } = buildDeps(t)
  await step('2027-04-08T09:00:00.000Z', [
    epicRecord('14', {
      key: 'PLAT-14',
      title: 'Failover drills',
      team: 'platform',
      track: 'technical',
      inputs: { value: 100, timeCriticality: 50, risk: 10 },
      effort: 30,
    }),
    epicRecord('20', { key: SLUG, title: 'Customer-managed keys', effort: null }),
    epicRecord('3', {
      title: 'Gift cards',
      inputs: { value: 5, timeCriticality: 2, risk: 1 },
      effort: 20,
      blockers: [KEYS],
    }),
  ])
}

describe('REST API: signing an epic off', () => {
  let t: TestApp
  const request = async (method: 'GET' | 'POST', url: string, token?: string, body?: unknown) => {
    const res = await t.app.inject({
      method,
      url,
      ...(token === undefined ? {} : { headers: bearer(token) }),
      ...(body === undefined ? {} : { payload: body as object }),
    })
    return { status: res.statusCode, body: res.json() }
  }
  const ackEpic = (epicId: string, token: string | undefined, reason: unknown = 'fine') =>
    request('POST', `/api/epics/${encodeURIComponent(epicId)}/ack`, token, { reason })
  const openOf = async (epicId: string): Promise<Event[]> =>
    (await request('GET', `/api/deferrals?acknowledged=false&epic=${encodeURIComponent(epicId)}`)).body.events
  const decisionsOf = async (epicId: string) =>
    (await request('GET', `/api/decisions?kind=acknowledgement&epic=${encodeURIComponent(epicId)}`)).body
      .decisions

  beforeAll(async () => {
    t = await startTestApp({ now: () => NOW })
    await secondQuarter(t)
  })
  afterAll(() => t.close())

  it('answers every open deferral of the epic with one decision', async () => {
    // The cache layer: rolled over out of Q1, then deferred out of Q2, both awaiting a sign-off.
    const open = await openOf(EPICS.cache)
    expect(open.map((e) => [e.kind, e.fromPeriod])).toEqual([
      ['deferred', '2027-Q2'],
      ['rolled_over', '2027-Q1'],
    ])
    const roadmap = (await request('GET', '/api/roadmap?team=platform')).body
    const entry = roadmap.entries.find((e: { epicId: string }) => e.epicId === EPICS.cache)
    expect(entry).toMatchObject({ deferrals: 2, unacknowledged: 2 })

    const res = await ackEpic(
      EPICS.cache,
      TEST_TOKENS.owner,
      '  The failover drills are the audit’s condition  ',
    )
    expect(res.status).toBe(201)
    expect(res.body.status).toBe('acknowledged')
    const decision = res.body.decision
    expect(decision).toMatchObject({
      kind: 'acknowledgement',
      author: 'olivia',
      epicId: EPICS.cache,
      rationale: 'The failover drills are the audit’s condition',
      via: 'api',
    })
    expect([...(decision.details.eventIds as string[])].sort()).toEqual(open.map((e) => e.id).sort())
    // Every deferral of the epic, oldest first, each answered by that one decision.
    const events: Event[] = res.body.events
    expect(events.map((e) => e.kind)).toEqual(['rolled_over', 'deferred'])
    for (const e of events) {
      expect(e.acknowledgement).toEqual({
        by: 'olivia',
        at: NOW.toISOString(),
        reason: 'The failover drills are the audit’s condition',
        via: 'api',
        overrideId: null,
        decisionId: decision.id,
      })
      expect(e).toMatchObject({ deferral: true, causeText: expect.any(String) })
    }

    expect(await openOf(EPICS.cache)).toEqual([])
    expect(await decisionsOf(EPICS.cache)).toEqual([decision])
    const after = (await request('GET', '/api/roadmap?team=platform')).body.entries.find(
      (e: { epicId: string }) => e.epicId === EPICS.cache,
    )
    expect(after).toMatchObject({ deferrals: 2, unacknowledged: 0 })
  })

  it('records no second decision for a second call: 409 naming who signed off', async () => {
    const again = await ackEpic(EPICS.cache, TEST_TOKENS.owner, 'again')
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('ONETRACK_CONFLICT')
    expect(again.body.error.message).toBe(
      `the deferrals of PLAT-12 Cache layer were already signed off by olivia at ${NOW.toISOString()} (api): The failover drills are the audit’s condition`,
    )
    expect(again.body.error.details.acknowledgement).toMatchObject({ by: 'olivia', via: 'api' })
    expect(await decisionsOf(EPICS.cache)).toHaveLength(1)
    // The per-deferral route agrees: each was signed off already.
    const [one] = (await request('GET', `/api/deferrals?epic=${encodeURIComponent(EPICS.cache)}`)).body.events
    const perEvent = await request('POST', `/api/deferrals/${one.id}/ack`, TEST_TOKENS.owner, { reason: 'x' })
    expect(perEvent.status).toBe(409)
    expect(await decisionsOf(EPICS.cache)).toHaveLength(1)
  })

  it('records one decision when two owners press at once', async () => {
    // The database upgrade: deferred out of Q1, then out of Q3; two calls race for them.
    expect(await openOf(EPICS.dbUpgrade)).toHaveLength(2)
    const [a, b] = await Promise.all([
      ackEpic(EPICS.dbUpgrade, TEST_TOKENS.owner, 'Postgres 13 holds until Q4'),
      ackEpic(EPICS.dbUpgrade, TEST_TOKENS.owner, 'Postgres 13 holds until Q4'),
    ])
    expect([a.status, b.status].sort()).toEqual([201, 409])
    expect(await decisionsOf(EPICS.dbUpgrade)).toHaveLength(1)
    expect(await openOf(EPICS.dbUpgrade)).toEqual([])
  })

  it('answers only the deferrals still open: one signed off by event keeps its own decision', async () => {
    // Gift cards: deferred out of Q2, then out of Q3 (waiting for its blocker).
    const [q3, q2] = await openOf(EPICS.giftCards)
    expect([q2?.fromPeriod, q3?.fromPeriod]).toEqual(['2027-Q2', '2027-Q3'])
    const first = await request('POST', `/api/deferrals/${q2?.id}/ack`, TEST_TOKENS.owner, {
      reason: 'Q2 went to SSO',
    })
    expect(first.status).toBe(201)
    const res = await ackEpic(EPICS.giftCards, TEST_TOKENS.owner, 'Keys first')
    expect(res.status).toBe(201)
    expect(res.body.decision.details.eventIds).toEqual([q3?.id])
    const byPeriod = new Map(
      (res.body.events as Event[]).map((e) => [e.fromPeriod, e.acknowledgement?.decisionId]),
    )
    expect(byPeriod.get('2027-Q2')).toBe(first.body.decision.id)
    expect(byPeriod.get('2027-Q3')).toBe(res.body.decision.id)
    expect(await decisionsOf(EPICS.giftCards)).toHaveLength(2)
  })

  it('keeps the per-deferral route’s rules: a token, an owner of the team, a reason', async () => {
    const anonymous = await ackEpic(EPICS.k8s, undefined)
    expect(anonymous.status).toBe(401)
    expect(anonymous.body.error.code).toBe('ONETRACK_UNAUTHORIZED')
    expect(await ackEpic(EPICS.k8s, TEST_TOKENS.viewer)).toEqual({
      status: 403,
      body: {
        error: { code: 'ONETRACK_FORBIDDEN', message: 'vic has role viewer; this needs editor or above' },
      },
    })
    expect(await ackEpic(EPICS.k8s, TEST_TOKENS.editor)).toEqual({
      status: 403,
      body: {
        error: {
          code: 'ONETRACK_FORBIDDEN',
          message: "eddie does not own team platform's deferrals; its owners are olivia",
        },
      },
    })
    const blank = await ackEpic(EPICS.k8s, TEST_TOKENS.owner, '   ')
    expect(blank.status).toBe(400)
    expect(blank.body.error.message).toMatch(/^body\/reason: must not be blank/)
    const missing = await request(
      'POST',
      `/api/epics/${encodeURIComponent(EPICS.k8s)}/ack`,
      TEST_TOKENS.owner,
      {},
    )
    expect(missing.status).toBe(400)
    expect(await ackEpic('jira-test:999', TEST_TOKENS.owner)).toEqual({
      status: 404,
      body: { error: { code: 'ONETRACK_NOT_FOUND', message: 'no epic jira-test:999' } },
    })
    // SSO was never deferred: its moves out of Q1 were replans, never signed off.
    const never = await ackEpic(EPICS.sso, TEST_TOKENS.owner)
    expect(never.status).toBe(404)
    expect(never.body.error.message).toBe(`epic ${EPICS.sso} has no deferral to sign off`)
    // Nothing of it was recorded.
    expect(await decisionsOf(EPICS.k8s)).toEqual([])
    expect(await openOf(EPICS.k8s)).toHaveLength(1)
  })

  it('names epics in every sentence it serves by key and title, never by id', async () => {
    const sentences: string[] = []
    const ledger = (await request('GET', '/api/deferrals?kind=all&limit=500')).body.events as Event[]
    sentences.push(...ledger.flatMap((e) => (e.causeText === null ? [] : [e.causeText])))
    const roadmap = (await request('GET', '/api/roadmap')).body
    sentences.push(
      ...roadmap.entries.flatMap((e: { unplannedReason: string | null }) => e.unplannedReason ?? []),
    )
    sentences.push(...roadmap.problems)
    for (const epicId of [EPICS.giftCards, EPICS.cache, KEYS, FAILOVER]) {
      const epic = (await request('GET', `/api/epics/${encodeURIComponent(epicId)}`)).body
      sentences.push(...(epic.history as Event[]).flatMap((e) => (e.causeText === null ? [] : [e.causeText])))
      if (epic.entry?.unplannedReason) sentences.push(epic.entry.unplannedReason)
    }
    const diff = (await request('GET', `/api/versions/${roadmap.version.id}/diff`)).body
    sentences.push(...(diff.events as Event[]).flatMap((e) => (e.causeText === null ? [] : [e.causeText])))
    const whatIf = await request('POST', '/api/what-if', TEST_TOKENS.viewer, {
      changes: [{ kind: 'defer', epicId: FAILOVER, period: '2027-Q3' }],
    })
    expect(whatIf.status).toBe(200)
    sentences.push(...whatIf.body.deferrals.map((d: { description: string }) => d.description))
    sentences.push((await ackEpic(EPICS.cache, TEST_TOKENS.owner)).body.error.message)

    // The blocker is named by its title: its key is a slug hash.
    const giftCards = roadmap.entries.find((e: { epicId: string }) => e.epicId === EPICS.giftCards)
    expect(giftCards.unplannedReason).toBe('blocked by Customer-managed keys')
    const slipped = ledger.find((e) => e.epicId === EPICS.giftCards && e.fromPeriod === '2027-Q3')
    expect(slipped?.causeText).toMatch(/^its blocker slipped: Customer-managed keys/)
    // The failover drills displaced the cache layer, named by key and title.
    const displaced = ledger.find((e) => e.epicId === EPICS.cache && e.fromPeriod === '2027-Q2')
    expect(displaced?.displacedBy.map((d) => [d.key, d.title])).toEqual([['PLAT-14', 'Failover drills']])

    expect(sentences.length).toBeGreaterThan(20)
    for (const sentence of sentences) {
      expect(sentence).not.toMatch(/jira-test:|jira:|linear-/)
      expect(sentence).not.toContain(SLUG)
      expect(sentence).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/)
    }
  })
})
