import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/index.ts'
import { runBuild, runReport, runSync, runWriteback } from '../../src/pipeline/index.ts'
import {
  addScoringFields,
  createJiraSimulator,
  type JiraSimulator,
  seedEpics,
} from '../../src/sandbox/jira/index.ts'
import { buttonsOf, createSlackSimulator, type SlackSimulator } from '../../src/sandbox/slack/index.ts'
import { type Pipeline, startPipeline } from '../helpers/pipeline.ts'

const TOKEN = 'jira-token-owned'
const SIGNING = 'slack-signing-secret-owned'
const T = { owner: 'owner-tok-1', lead: 'lead-tok-2', editor: 'editor-tok-3', viewer: 'viewer-tok-4' }
const signal = AbortSignal.timeout(120_000)
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

let jira: JiraSimulator
let slack: SlackSimulator
let p: Pipeline
let now = new Date('2027-02-01T09:00:00Z')

function config(jiraUrl: string) {
  return parseConfig(
    `
server: { publicUrl: http://onetrack.test }
auth:
  tokens:
    - { name: olivia, token: "\${T_OWNER}", role: owner, slackUserId: U0OLIVIA }
    - { name: gus, token: "\${T_LEAD}", role: editor, slackUserId: U0GUS }
    - { name: eddie, token: "\${T_EDITOR}", role: editor }
    - { name: vic, token: "\${T_VIEWER}", role: viewer, slackUserId: U0VIC }
roadmap:
  name: Acme roadmap
  periods: { quarters: { start: 2027-Q1, count: 4 } }
  teams: [{ id: checkout, capacity: 60 }, { id: growth, capacity: 60, owners: [gus] }]
  publish: on-approval
sources:
  - id: jira-shop
    kind: jira
    baseUrl: ${jiraUrl}
    email: ${jira.account.email}
    apiToken: \${TOKEN}
    jql: project in (SHOP)
    team: checkout
    fields: { value: Business Value, timeCriticality: Time Criticality, risk: Risk Reduction, effort: Story Points, team: Team }
    teamMap: { Checkout: checkout, Growth: growth }
    writeBack: { createFields: true }
    requestsPerSecond: 1000
channels:
  - { id: eng-leads, kind: slack, botToken: "\${SLACK_BOT}", channel: C0ENGLEADS, signingSecret: "\${SLACK_SIGNING}" }
`,
    '/test/owned.yaml',
    {
      TOKEN,
      T_OWNER: T.owner,
      T_LEAD: T.lead,
      T_EDITOR: T.editor,
      T_VIEWER: T.viewer,
      SLACK_BOT: 'xoxb-owned',
      SLACK_SIGNING: SIGNING,
    },
  )
}

/** Requests that write to Jira tickets: edits and bulk edits. */
function jiraWrites(): number {
  return Object.entries(jira.requestCounts())
    .filter(([route]) => route.startsWith('PUT /rest/api/3/issue/') || route.includes('/bulk/'))
    .reduce((sum, [, n]) => sum + n, 0)
}

async function api(method: 'GET' | 'POST', url: string, token?: string, payload?: object) {
  const res = await p.app.inject({
    method,
    url,
    ...(token === undefined ? {} : { headers: bearer(token) }),
    ...(payload === undefined ? {} : { payload }),
  })
  return { status: res.statusCode, body: res.json() }
}

async function counts() {
  const db = p.deps.database.db
  const [acks, decisions, overrides] = await Promise.all([
    db.selectFrom('deferral_acks').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    db.selectFrom('decisions').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    db.selectFrom('overrides').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { acks: Number(acks.n), decisions: Number(decisions.n), overrides: Number(overrides.n) }
}

function noteOf(externalId: string): string {
  const note = [...jira.state.fields.values()].find((f) => f.name === 'onetrack note')
  const issue = jira.state.find(externalId)
  return String(issue?.values[note?.id ?? ''] ?? '')
}

beforeAll(async () => {
  jira = createJiraSimulator({ account: { apiToken: TOKEN } })
  const fields = addScoringFields(jira.state)
  seedEpics(jira.state, fields, { count: 40, projects: ['SHOP'], lastUpdated: jira.state.now() - 3_600_000 })
  const url = await jira.listen()
  slack = createSlackSimulator({ botToken: 'xoxb-owned', clock: () => now.getTime() })
  await slack.listen()
  p = await startPipeline(config(url), { channels: { slackApiUrl: slack.apiUrl() } })
  p.setNow(now)
})

afterAll(async () => {
  await p?.close()
  await jira?.close()
  await slack?.close()
})

describe('owned calls through the pipeline (on-approval publishing, sign-off, Slack buttons)', () => {
  let proposed: number
  let newest: number
  let rolledOver: Array<{ id: string; epicId: string; epic: { team: string } }> = []

  it('builds proposals that write nothing until an owner approves the newest', async () => {
    await runSync(p.deps, { sourceId: 'jira-shop', mode: 'full', reason: 'manual' }, signal)
    const first = await runBuild(p.deps, 'test:first')
    expect(first).toMatchObject({ status: 'proposed', writebacksQueued: 0 })
    proposed = first.versionId as number
    // A write-back asked for anyway writes nothing: the version is not approved.
    const refused = await runWriteback(p.deps, { sourceId: 'jira-shop', versionId: proposed }, signal)
    expect(refused).toMatchObject({ notApproved: true, written: 0, requests: 0 })
    expect(jiraWrites()).toBe(0)

    // Q1 ends with work unfinished: roll-overs, recorded in a second proposal.
    now = new Date('2027-04-02T09:00:00Z')
    p.setNow(now)
    const second = await runBuild(p.deps, 'test:second')
    expect(second.status).toBe('proposed')
    expect(second.deferrals).toBeGreaterThan(1)
    newest = second.versionId as number
    expect(jiraWrites()).toBe(0)

    const versions = await api('GET', '/api/versions')
    expect(versions.body.versions.map((v: { id: number; status: string }) => [v.id, v.status])).toEqual([
      [newest, 'proposed'],
      [proposed, 'superseded'],
    ])
    const older = await api('POST', `/api/versions/${proposed}/approve`, T.owner, {})
    expect(older.status).toBe(409)
    expect(older.body.error.message).toContain(`approve version ${newest} instead`)
    expect((await api('POST', `/api/versions/${newest}/approve`, T.viewer, {})).status).toBe(403)
    const editor = await api('POST', `/api/versions/${newest}/approve`, T.editor, {})
    expect(editor.status).toBe(403)
    expect(editor.body.error.message).toContain('eddie is not a roadmap owner')
    expect(await counts()).toEqual({ acks: 0, decisions: 0, overrides: 0 })
    expect(jiraWrites()).toBe(0)
  })

  it('writes the approved version exactly once, flagging unacknowledged deferrals on the tickets', async () => {
    const approved = await api('POST', `/api/versions/${newest}/approve`, T.owner, {
      note: 'Q2 plan reviewed',
    })
    expect(approved.status).toBe(200)
    expect(approved.body).toMatchObject({
      version: { id: newest, status: 'approved', approvedBy: 'olivia', approvalNote: 'Q2 plan reviewed' },
      decision: { kind: 'approval', author: 'olivia', versionId: newest },
      writebacksQueued: 1,
    })
    const written = await runWriteback(p.deps, { sourceId: 'jira-shop', versionId: newest }, signal)
    expect(written.written).toBeGreaterThan(0)
    const writes = jiraWrites()
    expect(writes).toBeGreaterThan(0)
    const again = await runWriteback(p.deps, { sourceId: 'jira-shop', versionId: newest }, signal)
    expect(again).toMatchObject({ changed: 0, requests: 0 })
    expect(jiraWrites()).toBe(writes)
    expect((await api('GET', '/api/versions')).body.versions[0]).toMatchObject({
      id: newest,
      status: 'published',
    })

    const open = await api('GET', '/api/deferrals?acknowledged=false&limit=500')
    rolledOver = open.body.events
    expect(rolledOver.length).toBeGreaterThan(1)
    expect(open.body.events.every((e: { acknowledgement: unknown }) => e.acknowledgement === null)).toBe(true)
    const one = rolledOver[0] as { epicId: string }
    expect(noteOf(one.epicId.split(':')[1] ?? '')).toMatch(/^Awaiting the owner's sign-off on 1 deferral\./)
    const roadmap = await api('GET', '/api/roadmap')
    const entry = roadmap.body.entries.find((e: { epicId: string }) => e.epicId === one.epicId)
    expect(entry.unacknowledged).toBe(1)
    const metrics = await p.app.inject({ url: '/metrics' })
    expect(metrics.body).toMatch(/onetrack_unacknowledged_deferrals\{team="\w+"\} \d+/)
  })

  it('records an acknowledgement by API with its author, and clears the flag on the ticket', async () => {
    const target = rolledOver[0] as { id: string; epicId: string; epic: { team: string } }
    const before = await counts()
    const viewer = await api('POST', `/api/deferrals/${target.id}/ack`, T.viewer, { reason: 'fine' })
    expect(viewer.status).toBe(403)
    expect(viewer.body.error.message).toContain('vic has role viewer')
    const blank = await api('POST', `/api/deferrals/${target.id}/ack`, T.owner, { reason: '  ' })
    expect(blank.status).toBe(400)
    expect(await counts()).toEqual(before)

    const writesBefore = jiraWrites()
    const ack = await api('POST', `/api/deferrals/${target.id}/ack`, T.owner, {
      reason: 'Checkout freeze until the migration lands',
    })
    expect(ack.status).toBe(201)
    expect(ack.body.event.acknowledgement).toMatchObject({
      by: 'olivia',
      via: 'api',
      reason: 'Checkout freeze until the migration lands',
    })
    expect(ack.body.decision).toMatchObject({ kind: 'acknowledgement', author: 'olivia', subject: target.id })
    const twice = await api('POST', `/api/deferrals/${target.id}/ack`, T.owner, { reason: 'again' })
    expect(twice.status).toBe(409)
    expect(twice.body.error.message).toContain('already signed off by olivia')
    expect(await counts()).toEqual({ ...before, acks: before.acks + 1, decisions: before.decisions + 1 })

    // The ack queued a write-back of the published version: it rewrites that one ticket.
    const jobs = await p.queues.writeback.getJobs(['waiting', 'delayed', 'prioritized'])
    expect(jobs.map((j) => j.data)).toContainEqual({ sourceId: 'jira-shop', versionId: newest })
    const rewrite = await runWriteback(p.deps, { sourceId: 'jira-shop', versionId: newest }, signal)
    expect(rewrite.written).toBe(1)
    expect(jiraWrites()).toBe(writesBefore + 1)
    expect(noteOf(target.epicId.split(':')[1] ?? '')).not.toContain('sign-off')
    expect(noteOf(target.epicId.split(':')[1] ?? '')).toContain('onetrack.test/epics/')
    const history = await api('GET', `/api/epics/${encodeURIComponent(target.epicId)}`)
    const signed = history.body.history.find((e: { id: string }) => e.id === target.id)
    expect(signed.acknowledgement).toMatchObject({ by: 'olivia', via: 'api' })
    expect(
      (await api('GET', '/api/deferrals?acknowledged=true')).body.events.map((e: { id: string }) => e.id),
    ).toEqual([target.id])
  })

  it('offers Slack buttons per epic awaiting sign-off, and records a signed press by a mapped owner', async () => {
    now = new Date('2027-04-02T10:00:00Z')
    p.setNow(now)
    const outcome = await runReport(p.deps, { channelId: 'eng-leads' }, signal, {
      channels: { slackApiUrl: slack.apiUrl() },
    })
    expect(outcome.status).toBe('posted')
    const message = slack.received()[0]
    if (message === undefined) throw new Error('no report posted')
    const text = JSON.stringify(message.blocks)
    // The calls needed lead the report.
    expect(text.indexOf('Calls needed this week')).toBeGreaterThan(-1)
    expect(text.indexOf('Calls needed this week')).toBeLessThan(text.indexOf('Cost of delay accrued so far'))
    const buttons = buttonsOf(message)
    expect(buttons.length).toBeGreaterThan(1)
    // One pair per epic: its value is the epic id.
    const accepts = buttons.filter((b) => b.action_id === 'onetrack_accept').map((b) => b.value)
    expect(new Set(accepts).size).toBe(accepts.length)
    expect(accepts.every((v) => rolledOver.some((e) => e.epicId === v))).toBe(true)
    const accept = buttons.find((b) => b.action_id === 'onetrack_accept')
    if (accept === undefined) throw new Error('no accept button')
    const requestUrl = `${p.url}/slack/interactions`
    const press = {
      requestUrl,
      signingSecret: SIGNING,
      messageTs: message.ts,
      actionId: 'onetrack_accept',
      value: accept.value,
      userId: 'U0OLIVIA',
    }
    const before = await counts()
    const openOfEpic = (await openDeferrals()).filter((e) => e.epicId === accept.value)
    expect(openOfEpic.length).toBeGreaterThan(0)

    // A forged signature and a stale timestamp change nothing.
    expect((await slack.click({ ...press, signature: `v0=${'0'.repeat(64)}` })).status).toBe(401)
    const stale = Math.floor(now.getTime() / 1000) - 6 * 60
    expect((await slack.click({ ...press, timestamp: stale })).status).toBe(401)
    expect((await slack.click({ ...press, signingSecret: 'not-the-secret' })).status).toBe(401)
    // An unknown Slack user gets an ephemeral answer; a viewer is refused the same way.
    expect((await slack.click({ ...press, userId: 'U0STRANGER' })).status).toBe(200)
    expect((await slack.click({ ...press, userId: 'U0VIC' })).status).toBe(200)
    await waitFor(() => slack.ephemeral().length === 2)
    expect(slack.ephemeral()[0]?.text).toContain('does not know Slack user U0STRANGER')
    expect(slack.ephemeral()[1]?.text).toContain('vic has role viewer')
    expect(await counts()).toEqual(before)

    const accepted = await slack.click(press)
    expect(accepted.status).toBe(200)
    // One decision answers all of the epic's open deferrals.
    expect(await counts()).toEqual({
      ...before,
      acks: before.acks + openOfEpic.length,
      decisions: before.decisions + 1,
    })
    await waitFor(() => slack.received().some((m) => m.via === 'response_url'))
    const reply = slack.received().find((m) => m.via === 'response_url')
    expect(reply).toMatchObject({ thread_ts: message.ts })
    expect(reply?.text).toMatch(/^olivia accepted the (\d+ )?deferrals? of /)
    const decisions = await api('GET', '/api/decisions?kind=acknowledgement')
    expect(decisions.body.decisions[0]).toMatchObject({
      author: 'olivia',
      via: 'slack',
      rationale: 'accepted in Slack by olivia',
      epicId: accept.value,
    })
    expect((await openDeferrals()).filter((e) => e.epicId === accept.value)).toEqual([])
  })

  it('records one decision when a button is pressed twice, and tells the second presser the first outcome', async () => {
    const message = slack.received()[0]
    if (message === undefined) throw new Error('no report posted')
    const open = new Set((await openDeferrals()).map((e) => e.epicId))
    const first = buttonsOf(message).find(
      (b) =>
        b.action_id === 'onetrack_accept' &&
        open.has(b.value) &&
        rolledOver.some((e) => e.epicId === b.value && e.epic.team === 'checkout'),
    )
    if (first === undefined) throw new Error('an open checkout epic is needed')
    const press = (value: string, typed?: Record<string, string>) =>
      slack.click({
        requestUrl: `${p.url}/slack/interactions`,
        signingSecret: SIGNING,
        messageTs: message.ts,
        actionId: 'onetrack_accept',
        value,
        userId: 'U0OLIVIA',
        ...(typed === undefined ? {} : { typed }),
      })
    const before = await counts()
    const ephemeralBefore = slack.ephemeral().length
    // A double click: both presses arrive at once.
    const both = await Promise.all([
      press(first.value, { onetrack_rationale: 'Checkout freeze until the migration lands' }),
      press(first.value, { onetrack_rationale: 'Checkout freeze until the migration lands' }),
    ])
    expect(both.map((r) => r.status)).toEqual([200, 200])
    expect((await counts()).decisions).toBe(before.decisions + 1)
    // A replay later: still nothing new.
    expect((await press(first.value)).status).toBe(200)
    expect((await counts()).decisions).toBe(before.decisions + 1)
    await waitFor(() => slack.ephemeral().length === ephemeralBefore + 2)
    for (const answer of slack.ephemeral().slice(ephemeralBefore)) {
      expect(answer.text).toMatch(/^Already decided, nothing new recorded: olivia accepted the /)
      expect(answer.text).toContain('“Checkout freeze until the migration lands”')
    }
    // "Keep it planned" on an epic already signed off records nothing either.
    const keepAfter = await slack.click({
      requestUrl: `${p.url}/slack/interactions`,
      signingSecret: SIGNING,
      messageTs: message.ts,
      actionId: 'onetrack_keep',
      value: first.value,
      userId: 'U0OLIVIA',
    })
    expect(keepAfter.status).toBe(200)
    await waitFor(() => slack.ephemeral().length === ephemeralBefore + 3)
    expect(slack.ephemeral().at(-1)?.text).toMatch(/^Already decided, nothing new recorded: olivia accepted /)
    expect(await counts()).toMatchObject({ decisions: before.decisions + 1, overrides: before.overrides })
  })

  it('keeps an epic planned from Slack with the typed rationale: a pin that answers its deferrals', async () => {
    const message = slack.received()[0]
    if (message === undefined) throw new Error('no report posted')
    const open = await openDeferrals()
    const growthOpen = new Map(open.filter((e) => e.epic.team === 'growth').map((e) => [e.epicId, e]))
    const keep = buttonsOf(message).find((b) => b.action_id === 'onetrack_keep' && growthOpen.has(b.value))
    const growth = keep === undefined ? undefined : growthOpen.get(keep.value)
    if (growth === undefined || keep === undefined) throw new Error('no open growth deferral with a button')
    // gus owns team growth only.
    const res = await slack.click({
      requestUrl: `${p.url}/slack/interactions`,
      signingSecret: SIGNING,
      messageTs: message.ts,
      actionId: 'onetrack_keep',
      value: keep.value,
      userId: 'U0GUS',
      typed: { onetrack_rationale: 'Growth experiments need it this quarter' },
    })
    expect(res.status).toBe(200)
    const overrides = await api('GET', `/api/overrides?epic=${encodeURIComponent(growth.epicId)}`)
    expect(overrides.body.overrides[0]).toMatchObject({
      kind: 'pin',
      period: '2027-Q2',
      author: 'gus',
      rationale: 'Growth experiments need it this quarter',
    })
    const history = await api('GET', `/api/epics/${encodeURIComponent(growth.epicId)}`)
    const answered = history.body.history.find((e: { id: string }) => e.id === growth.id)
    expect(answered.acknowledgement).toMatchObject({
      by: 'gus',
      via: 'override',
      overrideId: overrides.body.overrides[0].id,
    })
    await waitFor(() =>
      slack.received().some((m) => m.via === 'response_url' && /^gus kept /.test(m.text ?? '')),
    )
    const byGus = await api('GET', '/api/decisions?author=gus')
    expect(byGus.body.decisions.map((d: { kind: string; via: string }) => [d.kind, d.via])).toEqual([
      ['override', 'slack'],
    ])
    const pageOne = await api('GET', '/api/decisions?limit=2')
    expect(pageOne.body.decisions).toHaveLength(2)
    const pageTwo = await api('GET', `/api/decisions?limit=2&cursor=${pageOne.body.nextCursor}`)
    const all = await api('GET', '/api/decisions')
    expect([...pageOne.body.decisions, ...pageTwo.body.decisions].map((d: { id: string }) => d.id)).toEqual(
      all.body.decisions.slice(0, 4).map((d: { id: string }) => d.id),
    )
    expect(all.body.total).toBe(5) // approval, API ack, Slack ack, Slack ack (pressed three times: one), Slack pin
  })
})

/** Deferrals still awaiting sign-off, from the API. */
async function openDeferrals(): Promise<Array<{ id: string; epicId: string; epic: { team: string } }>> {
  return (await api('GET', '/api/deferrals?acknowledged=false&limit=500')).body.events
}

async function waitFor(check: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}
