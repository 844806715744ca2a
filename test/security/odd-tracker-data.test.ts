// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the config file's own reference syntax
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { parseConfig } from '../../src/config/index.ts'
import { runBuild, runSync } from '../../src/pipeline/index.ts'
import { loadEpics } from '../../src/store/index.ts'
import { type Pipeline, startPipeline } from '../helpers/pipeline.ts'
import { type Site, startSite, TOKEN } from '../trackers/jira/site.ts'

/**
 * A Jira site whose epics carry what real sites do: null custom fields, huge and exotic strings,
 * numbers as text, a status onetrack has never heard of. The sync and the build go through the
 * real workers' code: the odd epics are reported by name, the rest sync and plan.
 */
let site: Site
let p: Pipeline

beforeAll(async () => {
  site = await startSite({ epics: 30, projects: ['SHOP'] })
  const config = parseConfig(
    stringify({
      roadmap: {
        periods: { quarters: { start: '2027-Q1', count: 4 } },
        teams: [{ id: 'checkout', capacity: 400 }],
      },
      sources: [
        {
          id: 'jira-shop',
          kind: 'jira',
          baseUrl: site.url,
          email: site.sim.account.email,
          apiToken: '${JIRA_TOKEN}',
          jql: 'project = SHOP',
          team: 'checkout',
          fields: {
            value: 'Business Value',
            timeCriticality: 'Time Criticality',
            risk: 'Risk Reduction',
            effort: 'Story Points',
          },
          requestsPerSecond: 1000,
          writeBack: { enabled: false },
        },
      ],
    }),
    '/test/odd.yaml',
    { JIRA_TOKEN: TOKEN },
  )
  p = await startPipeline(config)
})

afterAll(async () => {
  await p?.close()
  await site?.close()
})

describe('tracker answers with missing or odd fields', () => {
  it('reports the bad epics and syncs and plans the rest', async () => {
    await runSync(
      p.deps,
      { sourceId: 'jira-shop', mode: 'full', reason: 'manual' },
      AbortSignal.timeout(15_000),
    )
    await runBuild(p.deps, 'baseline')
    const { latestVersion } = await import('../../src/store/index.ts')
    const baseline = await latestVersion(p.deps.database.db)
    const scoredBefore = (baseline?.roadmap.entries ?? [])
      .filter((e) => e.score.status === 'scored')
      .map((e) => e.key)
    expect(scoredBefore.length).toBeGreaterThan(10)
    const state = site.sim.state
    const odd = state.addStatus({ name: 'Blocked ✋ (légal)', category: 'indeterminate' })
    const [nulls, huge, unicode, text, negative, unknownStatus] = site.epics
    const f = site.fields
    state.updateIssue(nulls?.id ?? '', {
      fields: {
        [f.value.id]: null,
        [f.timeCriticality.id]: null,
        [f.risk.id]: null,
        [f.storyPoints.id]: null,
      },
    })
    state.updateIssue(huge?.id ?? '', { summary: 'x'.repeat(200_000) })
    state.updateIssue(unicode?.id ?? '', {
      summary: '🚀 Ünïcödé ‮RTL‬ 中文 \u0000 "quotes" <b>html</b> \ud83d',
    })
    // Past the simulator's type checks, as a misconfigured field or an app's raw write would be.
    const raw = state.find(text?.id ?? '')
    if (raw !== undefined) {
      raw.values[f.value.id] = '8'
      raw.values[f.risk.id] = { value: 'high' }
    }
    state.updateIssue(negative?.id ?? '', { fields: { [f.storyPoints.id]: -5 } })
    state.updateIssue(unknownStatus?.id ?? '', { status: odd.name })

    const summary = await runSync(
      p.deps,
      { sourceId: 'jira-shop', mode: 'full', reason: 'manual' },
      AbortSignal.timeout(15_000),
    )
    expect(summary).toMatchObject({ fetched: 30 })
    const stored = await loadEpics(p.deps.database.db)
    expect(stored).toHaveLength(30)
    const built = await runBuild(p.deps, 'test')
    expect(built.versionId).not.toBeNull()
    const version = await latestVersion(p.deps.database.db)
    const entries = version?.roadmap.entries ?? []
    const problems = version?.roadmap.problems.join('\n') ?? ''
    const byKey = new Map(entries.map((e) => [e.key, e]))
    // Missing inputs: unscored, with the inputs named — never silently zero.
    const unscored = byKey.get(nulls?.key ?? '')
    expect(unscored?.score.status).toBe('unscored')
    // Odd values either map (a number written as text) or are reported by the epic's key.
    expect(byKey.has(text?.key ?? '') || problems.includes(text?.key ?? '?')).toBe(true)
    expect(
      byKey.has(negative?.key ?? '') ? byKey.get(negative?.key ?? '')?.score.status : problems,
    ).toBeTruthy()
    if (!byKey.has(negative?.key ?? '')) expect(problems).toContain(negative?.key)
    // Strings of any size and alphabet are kept as text, and the status is mapped by its category.
    expect(byKey.get(unicode?.key ?? '')?.title).toContain('🚀 Ünïcödé')
    expect(byKey.get(huge?.key ?? '')).toBeDefined()
    expect(stored.find((e) => e.key === unknownStatus?.key)?.status).toBe('in_progress')
    // Everything else synced and was planned.
    const bad = new Set(site.epics.slice(0, 6).map((e) => e.key))
    const healthy = scoredBefore.filter((key) => !bad.has(key))
    for (const key of healthy) expect(byKey.get(key)?.score.status, key).toBe('scored')
    expect(p.logs()).not.toContain('"level":50')
  })
})
