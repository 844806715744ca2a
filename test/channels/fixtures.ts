import { isoWeekOf, type ReportContext } from '../../src/channels/index.ts'
import { type OnetrackConfig, parseConfig, reportSettings, roadmapSettings } from '../../src/config/index.ts'
import {
  buildReport,
  buildRoadmap,
  type DecisionNote,
  type DeferralEvent,
  type Epic,
  isDeferral,
  type Override,
  type RateChange,
  type Roadmap,
  type WeeklyReport,
} from '../../src/domain/index.ts'

/** Acme's configuration: two teams, quarters of 2027, costs in EUR k, chronic from 2 deferrals. */
export const acme: OnetrackConfig = parseConfig(
  `
server: { publicUrl: "https://onetrack.acme.example" }
roadmap:
  name: Acme roadmap
  periods: { quarters: { start: 2027-Q1, count: 4 } }
  teams:
    - { id: checkout, capacity: 40 }
    - { id: platform, capacity: 30 }
  costOfDelayUnit: EUR k
  chronicDeferralThreshold: 2
`,
  '/test/acme.yaml',
  {},
)

type EpicFields = Partial<Omit<Epic, 'id' | 'key' | 'effort'>> & { effort?: number | undefined }

/**
 * An epic of the Jira source 'jira-acme' (or `source`), scored with moderate inputs unless told
 * otherwise; `effort: undefined` leaves it unestimated.
 */
export function epic(key: string, fields: EpicFields = {}): Epic {
  const { effort, ...rest } = fields
  const result: Epic = {
    id: `${fields.source ?? 'jira-acme'}:${key}`,
    key,
    title: `Epic ${key}`,
    url: `https://acme.atlassian.net/browse/${key}`,
    source: 'jira-acme',
    team: 'checkout',
    track: 'product',
    status: 'todo',
    inputs: { value: 5, timeCriticality: 2, risk: 1 },
    blockers: [],
    updatedAt: '2027-01-01T00:00:00.000Z',
    ...rest,
  }
  if (!('effort' in fields)) result.effort = 10
  else if (effort !== undefined) result.effort = effort
  return result
}

export interface Step {
  now: string
  epics: Epic[]
  overrides?: Override[]
}

/**
 * Runs the builds in order, as the build worker would, keeping the ledger and each epic's cost of
 * delay per period from each build on (what the store's rateHistories reads back).
 */
export function history(steps: Step[]): {
  roadmap: Roadmap
  ledger: DeferralEvent[]
  rates: Map<string, RateChange[]>
} {
  let previous: Roadmap | null = null
  const ledger: DeferralEvent[] = []
  const rates = new Map<string, RateChange[]>()
  for (const step of steps) {
    const { roadmap, events } = buildRoadmap({
      epics: step.epics,
      overrides: step.overrides ?? [],
      settings: roadmapSettings(acme),
      previous,
      ledger: [...ledger],
      now: step.now,
    })
    ledger.push(...events)
    for (const entry of roadmap.entries) {
      const list = rates.get(entry.epicId) ?? []
      list.push({ from: roadmap.builtAt, costOfDelay: entry.score.breakdown.costOfDelay })
      rates.set(entry.epicId, list)
    }
    // An epic off the roadmap (shipped, canceled) stops accruing from this build on.
    for (const [epicId, list] of rates)
      if (!roadmap.entries.some((e) => e.epicId === epicId) && list.at(-1)?.costOfDelay !== null)
        list.push({ from: roadmap.builtAt, costOfDelay: null })
    previous = roadmap
  }
  if (previous === null) throw new Error('no build')
  return { roadmap: previous, ledger, rates }
}

export interface Scenario {
  report: WeeklyReport
  context: ReportContext
}

/** Who signed off what: the deferrals answered so far (by a predicate on the ledger) and the decisions. */
interface SignOffs {
  acknowledged: (event: DeferralEvent) => boolean
  decisions: (ledger: readonly DeferralEvent[]) => DecisionNote[]
}

function scenario(steps: Step[], overrides: Override[], now: string, signOffs?: SignOffs): Scenario {
  const { roadmap, ledger, rates } = history(steps)
  const signOff =
    signOffs === undefined
      ? {}
      : {
          signOff: {
            acknowledged: new Set(
              ledger.filter((e) => isDeferral(e.kind) && signOffs.acknowledged(e)).map((e) => e.id),
            ),
            decisions: signOffs.decisions(ledger),
          },
        }
  const report = buildReport({
    roadmap,
    ledger,
    rates,
    overrides,
    ...signOff,
    settings: reportSettings(acme),
    now,
  })
  return {
    report,
    context: {
      channelId: 'eng-leads',
      week: isoWeekOf(new Date(now), 'UTC'),
      roadmapName: acme.roadmap.name,
      publicUrl: acme.server.publicUrl,
      periods: roadmap.periods,
      scope: null,
    },
  }
}

const checkout = [
  epic('SHOP-1', {
    title: 'One-click checkout',
    inputs: { value: 20, timeCriticality: 8, risk: 2 },
    effort: 20,
  }),
  epic('SHOP-2', { title: 'Gift cards', inputs: { value: 8, timeCriticality: 2, risk: 1 }, effort: 15 }),
  epic('SHOP-3', { title: 'Loyalty points', inputs: { timeCriticality: 3 }, effort: 5 }),
]
const platform = [
  epic('PLAT-1', {
    title: 'Platform stability work',
    team: 'platform',
    track: 'technical',
    inputs: { value: 3, timeCriticality: 1, risk: 6 },
    effort: 20,
  }),
  epic('PLAT-2', {
    title: 'Postgres 17 upgrade',
    team: 'platform',
    track: 'technical',
    inputs: { value: 4, timeCriticality: 3, risk: 4 },
    effort: 10,
  }),
  epic('PLAT-3', {
    title: 'Tracing <everywhere> & more',
    team: 'platform',
    track: 'technical',
    effort: undefined,
  }),
]
/** The enterprise deal that takes the platform team's third quarter. */
const sso = epic('PLAT-9', {
  title: 'Enterprise SSO for the Globex deal',
  team: 'platform',
  track: 'product',
  inputs: { value: 40, timeCriticality: 20, risk: 5 },
  effort: 25,
})
const pin: Override = {
  id: 'ovr-1',
  epicId: 'jira-acme:SHOP-2',
  kind: 'pin',
  period: '2027-Q3',
  rationale: 'promised to Initech for the renewal in September',
  author: 'olivia',
  createdAt: '2027-07-07T10:00:00.000Z',
}
/** One-click checkout shipped in Q2. */
const shipped = checkout.map((e) => (e.key === 'SHOP-1' ? { ...e, status: 'done' as const } : e))
/** Quarters ended twice with the platform work unfinished, then SSO took its capacity this week. */
const busySteps: Step[] = [
  { now: '2027-01-04T09:00:00.000Z', epics: [...checkout, ...platform] },
  { now: '2027-04-02T09:00:00.000Z', epics: [...checkout, ...platform] },
  { now: '2027-06-20T09:00:00.000Z', epics: [...shipped, ...platform] },
  { now: '2027-07-02T09:00:00.000Z', epics: [...shipped, ...platform] },
  { now: '2027-07-08T09:00:00.000Z', epics: [...shipped, ...platform, sso], overrides: [pin] },
]

/** The busy week's roadmap, ledger, rates and overrides, before the report is made of them. */
export function busyHistory(): {
  roadmap: Roadmap
  ledger: DeferralEvent[]
  rates: Map<string, RateChange[]>
  overrides: Override[]
} {
  return { ...history(busySteps), overrides: [pin] }
}

const eventOf = (ledger: readonly DeferralEvent[], key: string, from: string): DeferralEvent => {
  const found = ledger.find((e) => isDeferral(e.kind) && e.epic.key === key && e.fromPeriod === from)
  if (found === undefined) throw new Error(`no deferral of ${key} out of ${from}`)
  return found
}

/**
 * The owner's calls so far: every Q1 roll-over signed off in April; this week olivia pinned Gift
 * cards (the pin answers its Q2 roll-over) and accepted Loyalty points' Q2 roll-over in Slack.
 */
const busySignOffs: SignOffs = {
  acknowledged: (e) =>
    e.fromPeriod === '2027-Q1' ||
    (e.fromPeriod === '2027-Q2' && (e.epic.key === 'SHOP-2' || e.epic.key === 'SHOP-3')),
  decisions: (ledger) => [
    {
      id: 'dec_pin',
      kind: 'override',
      author: 'olivia',
      at: pin.createdAt,
      rationale: pin.rationale,
      epicId: pin.epicId,
      versionId: 4,
      via: 'api',
      details: { kind: 'pin', period: '2027-Q3', answered: [eventOf(ledger, 'SHOP-2', '2027-Q2').id] },
    },
    {
      id: 'dec_loyalty',
      kind: 'acknowledgement',
      author: 'olivia',
      at: '2027-07-09T15:30:00.000Z',
      rationale: 'loyalty waits for the new pricing model',
      epicId: 'jira-acme:SHOP-3',
      versionId: 5,
      via: 'slack',
      details: { eventIds: [eventOf(ledger, 'SHOP-3', '2027-Q2').id] },
    },
  ],
}

/** A week with deferrals of committed work awaiting sign-off, chronic deferrals, owner's calls and unscored epics. */
export function busyWeek(): Scenario {
  return scenario(busySteps, [pin], '2027-07-12T09:00:00.000Z', busySignOffs)
}

/** Two weeks later, nothing happened: no deferral and no decision in the window. */
export function quietWeek(): Scenario {
  return scenario(busySteps, [pin], '2027-07-26T09:00:00.000Z', busySignOffs)
}

/**
 * A reorganisation week: 40 small epics with long titles fill the platform team's quarters, then
 * two large deals displace most of them at once; a quarter of them lack a business value.
 */
export function overLimitWeek(): Scenario {
  const many = Array.from({ length: 40 }, (_, i) =>
    epic(`OPS-${i + 1}`, {
      title: `Operational hardening item ${i + 1}: ${'retire the legacy batch scheduler and its cron tables, '.repeat(2)}then measure`,
      team: 'platform',
      track: 'technical',
      inputs:
        i % 4 === 3 ? { timeCriticality: 1 } : { value: 2 + (i % 7), timeCriticality: 1, risk: 1 + (i % 3) },
      effort: 1,
    }),
  )
  const deals = [1, 2].map((n) =>
    epic(`DEAL-${n}`, {
      title: `Strategic deal ${n}`,
      team: 'platform',
      inputs: { value: 150, timeCriticality: 40, risk: 5 },
      effort: 12,
    }),
  )
  return scenario(
    [
      { now: '2027-07-02T09:00:00.000Z', epics: many },
      { now: '2027-07-08T09:00:00.000Z', epics: [...many, ...deals] },
    ],
    [],
    '2027-07-12T09:00:00.000Z',
    { acknowledged: () => false, decisions: () => [] },
  )
}
