import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { buildSchema, getOperationAST, parse, validate } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LINEAR_SCHEMA_PATH, type LinearSimulator } from '../../../src/sandbox/linear/index.ts'
import type { TrackerConnector, WriteBackValues } from '../../../src/trackers/types.ts'
import {
  closeSimulators,
  collect,
  connector,
  expectValidQueries,
  PUBLIC_URL,
  startSimulator,
} from './helpers.ts'

/** The official description beside the clone when there (CI, development), else the vendored copy. */
const OFFICIAL = fileURLToPath(new URL('../../../../shared/specs/linear.schema.graphql', import.meta.url))
const schema = buildSchema(readFileSync(existsSync(OFFICIAL) ? OFFICIAL : LINEAR_SCHEMA_PATH, 'utf8'))

afterAll(async () => {
  expectValidQueries()
  await closeSimulators()
})

const values = (id: string, chronic: boolean): WriteBackValues => ({
  score: 1,
  rank: 1,
  period: null,
  deferrals: 5,
  costOfDelay: 2,
  note: 'blocked by X',
  pageUrl: `${PUBLIC_URL}/epics/lin:${id}`,
  chronic,
})

/**
 * Drives every operation of the connector — both epic kinds with every input, overflowing nested
 * connections, label pages, write-back with label creation — and checks each document it sent
 * against Linear's official schema.
 */
describe('the documents the connector sends', () => {
  let sim: LinearSimulator
  beforeAll(async () => {
    sim = await startSimulator()
    sim.state.addTeam({ key: 'PLAT' })
    for (let i = 0; i < 260; i++) sim.state.projectLabel(`label ${i}`)
    for (let i = 0; i < 260; i++) sim.state.issueLabel(`issue label ${i}`)
    const crowded = sim.state.addProject({
      name: 'Crowded',
      teams: ['PLAT'],
      labelIds: [sim.state.projectLabel('5', 'Value')],
    })
    const epic = sim.state.addIssue({
      team: 'PLAT',
      title: 'Big parent',
      labelIds: [sim.state.issueLabel('Epic')],
    })
    for (let i = 0; i < 30; i++)
      sim.state.addIssue({ team: 'PLAT', title: `child ${i}`, parentId: epic.id, estimate: 1 })
    for (let i = 0; i < 7; i++) {
      const other = sim.state.addProject({ name: `Blocker ${i}`, teams: ['PLAT'] })
      sim.state.relateProjects(other.id, crowded.id)
      const otherIssue = sim.state.addIssue({ team: 'PLAT', title: `Blocking issue ${i}` })
      sim.state.relateIssues(otherIssue.id, epic.id)
      const customer = sim.state.addCustomer({ name: `C${i}`, revenue: 10 })
      sim.state.addCustomerNeed({ customerId: customer.id, projectId: crowded.id })
      sim.state.addCustomerNeed({ customerId: customer.id, issueId: epic.id })
    }
    // More epics than one page holds, so the later-page documents are sent too.
    for (let i = 0; i < 255; i++) sim.state.addProject({ name: `Filler ${i}`, teams: ['PLAT'] })
    for (let i = 0; i < 255; i++)
      sim.state.addIssue({ team: 'PLAT', title: `Filler ${i}`, labelIds: [sim.state.issueLabel('Epic')] })
    for (let i = 0; i < 25; i++)
      sim.state.createExternalLink({
        projectId: crowded.id,
        label: `doc ${i}`,
        url: `https://docs.example/${i}`,
      })
    // More dependency attachments than the page's selection holds: the follow-up query is sent too.
    for (let i = 0; i < 7; i++)
      sim.state.upsertAttachment({
        issueId: epic.id,
        title: `Blocked by item ${i}`,
        url: `https://acme.atlassian.net/browse/SHOP-${i + 1}`,
      })
  })

  async function exercise(linear: TrackerConnector, id: string) {
    await linear.checkCredentials(AbortSignal.timeout(5000))
    const full = await collect(linear, { mode: 'full', cursor: null })
    await collect(linear, { mode: 'incremental', cursor: full.outcome.cursor })
    await collect(linear, { mode: 'epic', cursor: null, externalId: id })
    const item = { epicId: `lin:${id}`, externalId: id, previous: null }
    await linear.writeBack([{ ...item, values: values(id, true) }], AbortSignal.timeout(5000))
    await linear.writeBack(
      [{ ...item, values: values(id, false), previous: values(id, true) }],
      AbortSignal.timeout(5000),
    )
  }

  const inputs = {
    value: { labelGroup: 'Value', customerRevenue: true, priority: true },
    risk: { customerRevenue: true },
    effort: { from: 'scope' },
  }
  const track = {
    default: 'product',
    rules: [
      { label: 'label 3', track: 'technical' },
      { project: 'Crowded', track: 'product' },
    ],
  }

  it('validate against the official Linear schema, every one of them', async () => {
    const crowded = [...sim.state.projects.values()].find((p) => p.name === 'Crowded')?.id as string
    const epic = [...sim.state.issues.values()].find((i) => i.title === 'Big parent')?.id as string
    await exercise(
      connector(sim, { teams: ['PLAT'], inputs, track, writeBack: { chronicLabel: 'Chronic' } }).connector,
      crowded,
    )
    for (const epics of [{ epics: 'parent-issues' }, { epics: 'label', epicLabel: 'Epic' }]) {
      const source = { teams: ['PLAT'], ...epics, inputs, track, writeBack: { chronicLabel: 'Chronic' } }
      await exercise(connector(sim, source).connector, epic)
    }
    // No dependency prefixes: links and attachments are still read, for onetrack's own alone.
    const noPrefixes = { blockedBy: [], blocks: [] }
    await exercise(connector(sim, { teams: ['PLAT'], dependencyLinks: noPrefixes }).connector, crowded)
    await exercise(
      connector(sim, { teams: ['PLAT'], epics: 'parent-issues', dependencyLinks: noPrefixes }).connector,
      epic,
    )
    const documents = sim.queries().map((q) => q.query)
    // Pages sized by the connector's own count stay under Linear's ceiling with every selection on.
    for (const q of sim.queries()) expect(q.complexity ?? 0).toBeLessThanOrEqual(10_000)
    // onetrack's attachment text is read back, on the page and when an epic's attachments overflow it.
    const attachmentReads = documents.filter((q) =>
      /attachments\(first: \d+, (after: \$after, )?filter: \$linkFilter\)/.test(q),
    )
    expect(attachmentReads.length).toBeGreaterThan(0)
    for (const q of attachmentReads) expect(q).toMatch(/nodes \{ title url subtitle \}/)
    expect(
      documents.some((q) => q.startsWith('query OnetrackIssueAttachments') && q.includes('subtitle')),
    ).toBe(true)
    const names = new Set<string>()
    for (const query of documents) {
      const document = parse(query)
      expect(validate(schema, document).map((e) => e.message)).toEqual([])
      names.add(getOperationAST(document)?.name?.value ?? '(anonymous)')
    }
    expect([...names].sort()).toEqual([
      'OnetrackCheck',
      'OnetrackCreateIssueLabel',
      'OnetrackCreateProjectLabel',
      'OnetrackIssueAttachments',
      'OnetrackIssueBlockers',
      'OnetrackIssueChildren',
      'OnetrackIssueNeeds',
      'OnetrackIssuesFirstPage',
      'OnetrackIssuesPage',
      'OnetrackLabelByName',
      'OnetrackLabels',
      'OnetrackProjectAllLinks',
      'OnetrackProjectBlockers',
      'OnetrackProjectExternalLinks',
      'OnetrackProjectLinks',
      'OnetrackProjectNeeds',
      'OnetrackProjectsFirstPage',
      'OnetrackProjectsPage',
      'OnetrackWriteBack',
    ])
    expect(documents.length).toBeGreaterThan(20)
  })
})
