/**
 * The demo company, Acme: a Checkout and a Growth team planning in Jira (projects SHOP and GROW)
 * and a Platform team planning in Linear (team PLAT). About 150 epics, a few of them with a story
 * (the platform work that keeps losing to features), the rest believable filler from a fixed seed.
 * Plain data: the demo loads it into the simulators and replays its history quarter by quarter.
 */
import { seededRandom } from '../random.ts'

export type DemoTracker = 'jira' | 'linear'
export type DemoStatus = 'todo' | 'in_progress' | 'done'

export interface DemoEpic {
  /** Stable handle used by the story and by dependencies ('SHOP-SSO', 'PLAT-FAILOVER'). */
  ref: string
  tracker: DemoTracker
  /** Jira project key or Linear team key. */
  project: 'SHOP' | 'GROW' | 'PLAT'
  /** Team as the tracker names it (Jira's Team field value; Linear's team key). */
  team: 'Checkout' | 'Growth' | 'PLAT'
  title: string
  /** Jira labels / Linear project labels that decide the track (tech-debt, Feature). */
  labels: string[]
  value?: number
  timeCriticality?: number
  risk?: number
  effort?: number
  status: DemoStatus
  /** refs of epics this one blocks. */
  blocks: string[]
  /** The history step at which the epic appears (0 = there from the start). */
  appearsAt: number
  /**
   * false: never ships in the story, whatever the plan says (the platform epic that keeps losing).
   * Every other epic ships by the end of the quarter it is planned in when the demo replays its
   * history (src/cli/demo-history.ts), but for a few that roll over.
   */
  ships?: false
  /**
   * The history step at which it is finished whatever the plan (applyStep does it). The company
   * sets none: its work ships by the plan when the history is replayed.
   */
  doneAt?: number
}

/** Where a history step falls in its quarter: what the demo's teams do at it. */
export type StepPhase = 'start' | 'mid' | 'end'

/**
 * The history the demo replays before it opens: one sync and build per step, at these dates. Each
 * quarter has a start (the plan is committed and the teams start the committed work), a middle
 * (new work arrives and may take a committed epic's place) and an end (what was planned ships; a
 * few epics roll over). Q4 2026 is under way on the demo's date.
 */
export const HISTORY: ReadonlyArray<{ at: string; phase: StepPhase }> = [
  { at: '2026-01-05T09:00:00Z', phase: 'start' },
  { at: '2026-02-16T09:00:00Z', phase: 'mid' },
  { at: '2026-03-23T09:00:00Z', phase: 'end' },
  { at: '2026-04-06T09:00:00Z', phase: 'start' },
  { at: '2026-05-18T09:00:00Z', phase: 'mid' },
  { at: '2026-06-22T09:00:00Z', phase: 'end' },
  { at: '2026-07-06T09:00:00Z', phase: 'start' },
  { at: '2026-08-17T09:00:00Z', phase: 'mid' },
  { at: '2026-09-21T09:00:00Z', phase: 'end' },
  { at: '2026-10-05T09:00:00Z', phase: 'start' },
  { at: '2026-11-30T09:00:00Z', phase: 'mid' },
]

/** The dates of the history steps (HISTORY's), in order. */
export const HISTORY_STEPS: readonly string[] = HISTORY.map((step) => step.at)

/**
 * The demo's today: it runs the pipeline at this date unless told another (--as-of, ONETRACK_NOW),
 * so it tells the same story on every run, whatever the real date.
 */
export const DEMO_TODAY = '2026-12-03T00:00:00Z'

/**
 * The epics with a story. The platform failover drills are committed every quarter and lose their
 * place three quarters running to a platform feature that arrives mid-quarter: Enterprise SSO for
 * three pilot deals (Q1), usage-based billing (Q2), EU data residency (Q3). Each deferral raises
 * their risk; in Q4 they are committed again, and the owner has one call open.
 */
const STORY: DemoEpic[] = [
  {
    ref: 'PLAT-FAILOVER',
    tracker: 'linear',
    project: 'PLAT',
    team: 'PLAT',
    title: 'Database failover and restore drills',
    labels: [],
    value: 5,
    timeCriticality: 5,
    risk: 20,
    effort: 13,
    status: 'todo',
    // A second region is only as safe as the failover it relies on.
    blocks: ['SHOP-MULTIREGION'],
    appearsAt: 0,
    ships: false,
  },
  {
    ref: 'PLAT-K8S',
    tracker: 'linear',
    project: 'PLAT',
    team: 'PLAT',
    title: 'Kubernetes upgrade before end of support',
    labels: [],
    value: 3,
    timeCriticality: 8,
    risk: 13,
    effort: 8,
    status: 'in_progress',
    blocks: [],
    appearsAt: 0,
  },
  {
    ref: 'PLAT-PG',
    tracker: 'linear',
    project: 'PLAT',
    team: 'PLAT',
    title: 'Postgres 17 upgrade',
    labels: [],
    value: 3,
    timeCriticality: 8,
    risk: 13,
    effort: 8,
    status: 'todo',
    blocks: [],
    appearsAt: 0,
  },
  {
    ref: 'PLAT-SSO',
    tracker: 'linear',
    project: 'PLAT',
    team: 'PLAT',
    title: 'Enterprise SSO (SAML) for the three pilot deals',
    labels: ['Feature'],
    value: 20,
    timeCriticality: 20,
    risk: 1,
    effort: 13,
    status: 'todo',
    blocks: ['SHOP-B2B'],
    appearsAt: 1,
  },
  {
    ref: 'PLAT-BILLING',
    tracker: 'linear',
    project: 'PLAT',
    team: 'PLAT',
    title: 'Usage-based billing engine',
    labels: ['Feature'],
    value: 20,
    timeCriticality: 8,
    risk: 2,
    effort: 8,
    status: 'todo',
    blocks: [],
    appearsAt: 4,
  },
  {
    ref: 'PLAT-EU',
    tracker: 'linear',
    project: 'PLAT',
    team: 'PLAT',
    title: 'EU data residency for the Munich account',
    labels: ['Feature'],
    value: 13,
    timeCriticality: 20,
    risk: 3,
    effort: 8,
    status: 'todo',
    blocks: [],
    appearsAt: 7,
  },
  {
    ref: 'PLAT-EVENTS',
    tracker: 'linear',
    project: 'PLAT',
    team: 'PLAT',
    title: 'Event bus v2',
    labels: [],
    value: 5,
    timeCriticality: 3,
    risk: 5,
    effort: 8,
    status: 'todo',
    blocks: ['SHOP-TRACKING', 'GROW-NOTIFY'],
    appearsAt: 6,
  },
  {
    ref: 'SHOP-MULTIREGION',
    tracker: 'jira',
    project: 'SHOP',
    team: 'Checkout',
    title: 'Checkout in a second region',
    labels: [],
    value: 8,
    timeCriticality: 3,
    risk: 5,
    effort: 13,
    status: 'todo',
    blocks: [],
    // Asked for in the spring: from then on it waits on the failover drills.
    appearsAt: 3,
  },
  {
    ref: 'SHOP-B2B',
    tracker: 'jira',
    project: 'SHOP',
    team: 'Checkout',
    title: 'B2B invoices and purchase orders',
    labels: [],
    value: 13,
    timeCriticality: 8,
    risk: 1,
    effort: 8,
    status: 'todo',
    blocks: [],
    appearsAt: 1,
  },
  {
    ref: 'SHOP-TRACKING',
    tracker: 'jira',
    project: 'SHOP',
    team: 'Checkout',
    title: 'Real-time order tracking',
    labels: [],
    value: 13,
    timeCriticality: 5,
    risk: 1,
    effort: 8,
    status: 'todo',
    blocks: [],
    appearsAt: 0,
  },
  {
    ref: 'GROW-NOTIFY',
    tracker: 'jira',
    project: 'GROW',
    team: 'Growth',
    title: 'Lifecycle notifications',
    labels: [],
    value: 8,
    timeCriticality: 5,
    risk: 1,
    effort: 5,
    status: 'todo',
    blocks: [],
    appearsAt: 0,
  },
  {
    // Late in Q4 the card networks move a deadline: it takes a committed epic's place this week.
    ref: 'SHOP-SCA',
    tracker: 'jira',
    project: 'SHOP',
    team: 'Checkout',
    title: 'Strong customer authentication for the new card network rules',
    labels: [],
    value: 8,
    timeCriticality: 20,
    risk: 8,
    effort: 8,
    status: 'todo',
    blocks: [],
    appearsAt: 10,
  },
  {
    ref: 'GROW-GIFTS',
    tracker: 'jira',
    project: 'GROW',
    team: 'Growth',
    title: 'Gift guide for the holiday season',
    labels: [],
    value: 13,
    timeCriticality: 20,
    risk: 1,
    effort: 5,
    status: 'todo',
    blocks: [],
    appearsAt: 10,
  },
  {
    ref: 'SHOP-ONECLICK',
    tracker: 'jira',
    project: 'SHOP',
    team: 'Checkout',
    title: 'One-click checkout',
    labels: [],
    value: 20,
    timeCriticality: 8,
    risk: 1,
    effort: 13,
    status: 'in_progress',
    blocks: [],
    appearsAt: 0,
  },
]

/** The handles of the story's epics: the replay never picks them to roll over. */
export const STORY_REFS: ReadonlySet<string> = new Set(STORY.map((e) => e.ref))

const SUBJECTS: Record<DemoEpic['project'], { product: string[]; technical: string[] }> = {
  SHOP: {
    product: [
      'Saved carts across devices',
      'Apple Pay and Google Pay',
      'Split payments',
      'Gift cards',
      'Address autocomplete',
      'Guest checkout',
      'Subscription orders',
      'Returns self-service',
      'Tax engine for the US',
      'Promo code stacking',
      'Checkout A/B framework',
      'Order edits after purchase',
    ],
    technical: [
      'Payment service timeouts',
      'Cart service on the new runtime',
      'Remove the legacy price calculator',
      'Checkout load tests in CI',
      'Idempotent order creation',
    ],
  },
  GROW: {
    product: [
      'Referral programme',
      'Onboarding checklist',
      'Personalised recommendations',
      'Win-back campaigns',
      'Loyalty points',
      'Localised landing pages',
      'In-app NPS',
      'Pricing page experiments',
      'Wishlist sharing',
      'Product reviews',
    ],
    technical: [
      'Event tracking clean-up',
      'Consent management on every page',
      'Experiment service sunset',
      'Email rendering service upgrade',
    ],
  },
  PLAT: {
    product: ['Public API rate plans', 'Audit log export', 'Customer-managed keys', 'Sandbox environments'],
    technical: [
      'Redis cluster upgrade',
      'Node 24 runtime upgrade',
      'Secrets rotation',
      'Observability: tracing everywhere',
      'CI pipeline under ten minutes',
      'Dependency updates backlog',
      'Cost dashboards per team',
      'Queue backpressure',
      'Disaster recovery runbook',
      'TLS certificate automation',
      'Log retention policy',
      'Service mesh evaluation',
    ],
  },
}

const random = seededRandom

const FIBONACCI = [1, 2, 3, 5, 8, 13, 20]

/** The whole company: the story epics and the filler, ~150 epics in all. */
export function demoCompany(): DemoEpic[] {
  const next = random(20260101)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  const epics: DemoEpic[] = [...STORY]
  const plan: Array<[DemoEpic['project'], number]> = [
    ['SHOP', 50],
    ['GROW', 48],
    ['PLAT', 38],
  ]
  for (const [project, count] of plan) {
    const subjects = SUBJECTS[project]
    for (let i = 0; i < count; i++) {
      const technical = project === 'PLAT' ? next() < 0.75 : next() < 0.25
      const list = technical ? subjects.technical : subjects.product
      const base = list[i % list.length] as string
      const round = Math.floor(i / list.length)
      const title = round === 0 ? base : `${base}, phase ${round + 1}`
      const appearsAt = next() < 0.7 ? 0 : 1 + Math.floor(next() * (HISTORY_STEPS.length - 1))
      const epic: DemoEpic = {
        ref: `${project}-${String(i + 1).padStart(3, '0')}`,
        tracker: project === 'PLAT' ? 'linear' : 'jira',
        project,
        team: project === 'SHOP' ? 'Checkout' : project === 'GROW' ? 'Growth' : 'PLAT',
        title,
        labels: technical ? (project === 'PLAT' ? [] : ['tech-debt']) : project === 'PLAT' ? ['Feature'] : [],
        // The platform backlog below the story is the long tail: small values, large estimates.
        value: pick(project === 'PLAT' ? [1, 2, 3] : technical ? [1, 2, 3, 5] : [3, 5, 8, 13]),
        timeCriticality: pick(project === 'PLAT' ? [1, 2, 3] : [1, 2, 3, 5, 8]),
        risk: pick(project === 'PLAT' ? [1, 2, 3] : technical ? [3, 5, 8, 13] : [1, 2, 3]),
        effort: pick(project === 'PLAT' ? [5, 8, 13] : FIBONACCI),
        status: 'todo',
        blocks: [],
        appearsAt,
      }
      // Some epics lack an input: the demo shows unscored work and asks for the missing numbers.
      if (next() < 0.05) delete epic.value
      if (next() < 0.04) delete epic.effort
      epics.push(epic)
    }
  }
  // About one dependency per three epics.
  // Among the filler only: the story's dependencies are the ones it declares.
  const filler = epics.filter((e) => !STORY_REFS.has(e.ref))
  for (let i = 0; i < 50; i++) {
    const blocker = pick(filler)
    const blocked = pick(filler)
    if (blocker === blocked || blocker.blocks.includes(blocked.ref) || blocked.blocks.includes(blocker.ref))
      continue
    if (blocker.appearsAt > blocked.appearsAt) continue
    blocker.blocks.push(blocked.ref)
  }
  // The platform's event bus moves only the events Growth has cleaned up: Jira work blocking Linear.
  const cleanUp = epics.find((e) => e.ref === 'GROW-013')
  if (cleanUp !== undefined && !cleanUp.blocks.includes('PLAT-EVENTS')) cleanUp.blocks.push('PLAT-EVENTS')
  return epics
}
