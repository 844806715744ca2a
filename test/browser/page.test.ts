import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/index.ts'
import type {
  DeferralsResponse,
  Entry,
  EpicResponse,
  RoadmapResponse,
  VersionsResponse,
  WholeRoadmap,
} from '../../src/http/web/types.d.ts'
import { onetrackClient, startIdentityProvider } from '../../src/sandbox/identity/index.ts'
import { startTestApp } from '../helpers/app.ts'
import { freePort } from '../helpers/cli.ts'
import { TEST_SOURCES_YAML, TEST_TOKENS, testConfig, testEnv } from '../helpers/config.ts'
import { type DemoWorld, launchChromium, startDemoWorld, WORLD_TOKENS } from './demo-world.ts'

/** Screenshots of each step, kept as test artifacts (gitignored). */
const ARTIFACTS = 'test-artifacts/browser'

/**
 * Every wait is a condition with a deadline inside the test's own timeout, so a slow machine fails
 * with what was awaited instead of a bare timeout: the page's own waits (an element, a navigation)
 * and the polls take WAIT_MS, a build BUILD_MS, and a test TEST_MS.
 */
const WAIT_MS = 10_000
const BUILD_MS = 25_000
const TEST_MS = 60_000

/** expect.poll with a deadline and what it waits for, named in the failure. */
function poll<T>(what: string, read: () => T | Promise<T>, timeout = WAIT_MS) {
  return expect.poll(read, { timeout, interval: 100, message: `waited ${timeout / 1000} s for ${what}` })
}

let world: DemoWorld
let browser: Browser
let context: BrowserContext
let page: Page
let failover: string
/** Console errors and page errors seen by any page: a CSP violation or a script error fails the file. */
const problems: string[] = []

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${world.url}${path}`)
  expect(response.status, `GET ${path}`).toBe(200)
  return (await response.json()) as T
}

async function latestVersionId(): Promise<number> {
  return (await get<VersionsResponse>('/api/versions?limit=1')).versions[0]?.id ?? 0
}

/** Waits for a build newer than `after` to be stored and the build queue to settle, within BUILD_MS. */
async function newVersion(after: number): Promise<number> {
  const deadline = Date.now() + BUILD_MS
  for (;;) {
    const id = await latestVersionId()
    if (id > after) {
      await world.idle(Math.max(1_000, deadline - Date.now()))
      return id
    }
    if (Date.now() > deadline) {
      const jobs = await world.pipeline.queues.build.getJobCounts()
      throw new Error(
        `no version after #${after} within ${BUILD_MS / 1000} s; build jobs: ${JSON.stringify(jobs)}`,
      )
    }
    await new Promise((r) => setTimeout(r, 150))
  }
}

/** Waits for an element, failing with what the page shows instead. */
async function shown(selector: string, on: Page = page): Promise<void> {
  try {
    await on.waitForSelector(selector, { timeout: WAIT_MS })
  } catch {
    const notice = await on
      .locator('#roadmap-notice')
      .textContent({ timeout: 1_000 })
      .catch(() => null)
    throw new Error(
      `no ${selector} within ${WAIT_MS / 1000} s on ${on.url()}${notice ? `; the page says: ${notice}` : ''}`,
    )
  }
}

/** Loads a page of the app and waits for its timeline (or fails with what the page says). */
async function open(path: string): Promise<void> {
  await page.goto(`${world.url}${path}`)
  await shown('html[data-ready]')
  if ((await page.locator('html').getAttribute('data-ready')) !== 'timeline') {
    throw new Error(`the page shows no timeline: ${await page.locator('#roadmap-notice').textContent()}`)
  }
}

function shot(name: string) {
  return page.screenshot({ path: join(ARTIFACTS, `${name}.png`) })
}

function cardOf(epicId: string) {
  return page.locator(`.card[data-epic="${epicId}"]`).first()
}

/** A key people read (PROJECT-123); other keys (a Linear project's slug hash) are never shown. */
const READABLE_KEY = /^[A-Za-z][A-Za-z0-9_]*-\d+$/

/** 1,234.5 → 1234.5: a figure as the page prints it. */
const figure = (text: string | null | undefined) => Number((text ?? '').replace(/,/g, ''))

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true })
  ;[world, browser] = await Promise.all([startDemoWorld(), launchChromium()])
  failover = world.epicId('PLAT-FAILOVER')
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  // Clicks, reads and navigations wait at most this long for their element or page.
  context.setDefaultTimeout(WAIT_MS)
  context.setDefaultNavigationTimeout(WAIT_MS)
  page = await context.newPage()
  page.on('console', (message) => {
    // A refused request (401 in the token test) is logged by Chromium as a console error: expected.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(message.text())
  })
  page.on('pageerror', (error) => problems.push(error.message))
}, 90_000)

afterAll(async () => {
  await browser?.close()
  await world?.close()
})

describe('the web page', { timeout: TEST_MS }, () => {
  it('shows the merged roadmap as a timeline: teams as lanes, open periods as columns', async () => {
    const roadmap = await get<RoadmapResponse>('/api/roadmap/timeline')
    const started = Date.now()
    await open('/')
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(await page.locator('.tl-lane-name').allTextContents()).toEqual(['Checkout', 'Growth', 'Platform'])
    const names = roadmap.periods.filter((p) => roadmap.openPeriods.includes(p.id)).map((p) => p.name)
    const headers = await page.locator('.tl-head .tl-period-name').allTextContents()
    expect(headers.map((h) => h.replace(/now$/i, '').trim())).toEqual([...names, 'Not planned'])
    // One card per booked period of every entry, plus one per unplanned entry.
    const cards = roadmap.entries.reduce((n, e) => n + Math.max(1, e.spans.length), 0)
    expect(await page.locator('.card').count()).toBe(cards)
    // The platform epic of the story: technical, deferred out of committed periods (replans are
    // not counted), chronic from the threshold on.
    const meta = await get<{ chronicThreshold: number }>('/api/meta')
    const story = roadmap.entries.find((e) => e.epicId === failover)
    expect(story?.deferrals).toBeGreaterThan(0)
    const card = cardOf(failover)
    await poll('the failover card’s track class', () => card.getAttribute('class')).toMatch(/t-technical/)
    expect((await card.getAttribute('class'))?.includes('is-chronic')).toBe(
      (story?.deferrals ?? 0) >= meta.chronicThreshold,
    )
    expect(await card.locator('.b-defer').textContent()).toBe(`deferred ×${story?.deferrals}`)
    // Only epics with real deferrals carry the badge, one per card they have.
    const badged = roadmap.entries.reduce(
      (n, e) => n + (e.deferrals > 0 ? Math.max(1, e.spans.length) : 0),
      0,
    )
    expect(await page.locator('.card .b-defer').count()).toBe(badged)
    // Keys are shown only where people read them: never a slug hash or an id.
    for (const key of await page.locator('.card .card-key').allTextContents())
      expect(key === '' || READABLE_KEY.test(key), key).toBe(true)
    if (!READABLE_KEY.test(story?.key ?? '')) expect(await card.locator('.card-key').textContent()).toBe('')
    expect(await page.locator('#roadmap-summary').textContent()).toContain(
      `${roadmap.entries.length} open epics`,
    )
    // Each period of the commitment says what was committed at its start against what is planned now.
    expect(roadmap.commitments.length).toBeGreaterThan(0)
    for (const c of roadmap.commitments) {
      const header = page.locator('.tl-head .tl-period').filter({ hasText: c.name })
      const said = (await header.locator('.tl-commit').getAttribute('aria-label')) ?? ''
      expect(said).toContain(
        `Committed ${c.committed.epics} epic${c.committed.epics === 1 ? '' : 's'}, effort ${c.committed.effort.toLocaleString('en')}`,
      )
      expect(said).toContain(`${c.committed.planned} on plan`)
      expect(said).toContain(`Planned now ${c.plannedNow.epics} epic${c.plannedNow.epics === 1 ? '' : 's'}`)
    }
    await shot('roadmap')
  })

  it('draws the lanes below the first screen when scrolled to, with the filters applied to them', async () => {
    const roadmap = await get<RoadmapResponse>('/api/roadmap/timeline')
    const cardsOf = (entries: RoadmapResponse['entries']) =>
      entries.reduce((n, e) => n + Math.max(1, e.spans.length), 0)
    // A short window: only the first lane fills it, the others wait as shells with their names.
    await page.setViewportSize({ width: 1280, height: 240 })
    try {
      await open('/')
      expect(await page.locator('.tl-lane-name').allTextContents()).toEqual([
        'Checkout',
        'Growth',
        'Platform',
      ])
      // The first screen was painted with the first lane alone; the others were drawn after it.
      const first = await page.evaluate(
        () =>
          (performance.getEntriesByName('timeline-rendered')[0] as { detail?: unknown } | undefined)?.detail,
      )
      expect(first).toEqual({ lanes: 1, of: 3 })
      expect(await page.locator('.tl-lane.is-pending').count()).toBe(0)
      // A filter applies to every lane, those drawn after the first screen included.
      await page.locator('#filters label.seg-technical').click()
      const technical = roadmap.entries.filter((e) => e.track === 'technical')
      // Scrolled through, every lane is drawn, each with the technical cards only.
      const drawnCards = async () => {
        for (const lane of await page.locator('.tl-lane').all()) await lane.scrollIntoViewIfNeeded()
        if ((await page.locator('.tl-lane.is-pending').count()) > 0) return -1
        return page.locator('.card').count()
      }
      await poll('the technical cards of every lane', drawnCards).toBe(cardsOf(technical))
      expect(await page.locator('.card.t-product').count()).toBe(0)
      await page.locator('#filters .seg label').first().click()
      await poll('every card of every lane', drawnCards).toBe(cardsOf(roadmap.entries))
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 })
    }
  })

  it('opens an epic from the keyboard, with its score in plain words and its deferrals priced', async () => {
    const data = await get<EpicResponse>(`/api/epics/${encodeURIComponent(failover)}`)
    await open('/')
    await cardOf(failover).focus()
    await page.keyboard.press('Enter')
    const drawer = page.locator('#drawer')
    await poll('the drawer’s history', () => drawer.locator('.history').count()).toBe(1)
    expect(await drawer.isVisible()).toBe(true)
    expect(new URL(page.url()).pathname).toBe(`/epics/${encodeURIComponent(failover)}`)
    expect(await drawer.locator('#drawer-title').textContent()).toBe('Database failover and restore drills')
    const questions = await drawer.locator('.q h4').allTextContents()
    expect(questions.map((q) => q.slice(1))).toEqual([
      'What business outcome does it advance?',
      'What does it cost not to do it, and how does that grow while we wait?',
      'What does it unblock?',
    ])
    const delay = (await drawer.locator('.q-delay').textContent()) ?? ''
    expect(delay).toMatch(
      new RegExp(`compounds with every deferral: ${data.deferrals} deferrals? at \\+\\d+% each`),
    )
    // The accrued cost, with its unit; the same figure the API serves.
    const accrued = (await drawer.locator('.fact-accrued dd').textContent()) ?? ''
    expect(accrued).toMatch(/^[\d,.]+ EUR k/)
    expect(figure(accrued.split(' ')[0])).toBeCloseTo(data.accruedCost, 0)
    expect(delay).toContain(`waiting has cost ${accrued.split(' ')[0]} EUR k so far`)
    // Each deferral with its reason and its projected cost; replans as replans, never counted.
    const deferrals = drawer.locator('.history .ev.is-deferral')
    const served = data.history.filter((e) => e.deferral)
    expect(await deferrals.count()).toBe(served.length)
    expect(new Set(served.map((e) => e.fromPeriod)).size).toBe(data.deferrals)
    const story = await deferrals.allTextContents()
    for (const [i, event] of story.entries()) {
      expect(event).toMatch(/(?:Deferred|Rolled over) Q\d 20\d\d → (?:Q\d 20\d\d|unplanned)/)
      expect(event).toMatch(
        /Because .+\.Projected cost [\d,.]+ EUR k \(\d+ periods? × [\d,.]+ EUR k per period\)/,
      )
      expect(event).toContain(
        `Projected cost ${served[i]?.projectedCost.toLocaleString('en', { maximumFractionDigits: 1 })} EUR k`,
      )
    }
    const replans = data.history.filter((e) => e.kind === 'replanned')
    const shownReplans = drawer.locator('.history .ev-replanned')
    expect(await shownReplans.count()).toBe(replans.length)
    expect(await shownReplans.locator('.b-defer, .ack, .b-signoff').count()).toBe(0)
    for (const text of await shownReplans.allTextContents())
      expect(text).toMatch(/replan, not counted.*Replanned /s)
    await shot('epic-drawer')
    await drawer.locator('.drawer-inner').evaluate((el) => el.scrollBy(0, 700))
    await shot('epic-history')

    // Escape closes it, gives the focus back to the card and the URL back to the roadmap.
    await page.keyboard.press('Escape')
    await poll('the drawer to close', () => drawer.isVisible()).toBe(false)
    expect(await page.locator(':focus').getAttribute('data-epic')).toBe(failover)
    expect(new URL(page.url()).pathname).toBe('/')
  })

  it('opens the drawer at /epics/<id>, the link written to the tickets', async () => {
    await open(`/epics/${encodeURIComponent(failover)}`)
    const drawer = page.locator('#drawer')
    await poll('the drawer’s title', () => drawer.locator('#drawer-title').textContent()).toBe(
      'Database failover and restore drills',
    )
    const entry = (await get<{ entry: Entry }>(`/api/epics/${encodeURIComponent(failover)}`)).entry
    const ticket = drawer.locator('.dr-links a').first()
    expect(await ticket.getAttribute('href')).toBe(entry.url)
    expect(await ticket.textContent()).toContain('Open in Linear')
    expect(await cardOf(failover).getAttribute('class')).toContain('is-selected')
    // Escape closes it here too (no click opened it), back to the roadmap's URL and to the card.
    await page.keyboard.press('Escape')
    await poll('the drawer to close', () => drawer.isVisible()).toBe(false)
    expect(new URL(page.url()).pathname).toBe('/')
    expect(await page.locator(':focus').getAttribute('data-epic')).toBe(failover)
  })

  it('shows each ledger event’s cause in the words the API sends, in the drawer and the ledger', async () => {
    const { history } = await get<EpicResponse>(`/api/epics/${encodeURIComponent(failover)}`)
    const explained = history.filter((e) => e.causeText !== null)
    expect(explained.length).toBeGreaterThan(2)
    await open(`/epics/${encodeURIComponent(failover)}`)
    const drawer = page.locator('#drawer')
    await poll('the drawer’s history', () => drawer.locator('.history').count()).toBe(1)
    for (const event of explained) {
      const shown = drawer.locator(`[id="ev-${event.id}"] .ev-why`)
      expect(await shown.textContent()).toBe(event.causeText)
    }
    await page.keyboard.press('Escape')

    const ledger = await get<DeferralsResponse>('/api/deferrals?kind=deferrals&limit=50')
    await page.locator('nav.tabs a[data-view="deferrals"]').click()
    await shown('#ledger tbody tr')
    expect(await page.locator('#ledger tbody td.why').allTextContents()).toEqual(
      ledger.events.map((e) => e.causeText ?? '—'),
    )
  })

  it('shows a pin created through the API, with its rationale, once the build has run', async () => {
    const before = await latestVersionId()
    const roadmap = await get<RoadmapResponse>('/api/roadmap')
    const period = roadmap.openPeriods[0] ?? ''
    const rationale = 'Failover drills before the peak season: the auditors asked twice'
    const response = await fetch(`${world.url}/api/overrides`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WORLD_TOKENS.editor}`, 'content-type': 'application/json' },
      body: JSON.stringify({ epicId: failover, kind: 'pin', period, rationale }),
    })
    expect(response.status).toBe(201)
    await newVersion(before)

    await open('/')
    const card = cardOf(failover)
    expect(await card.locator('.b-pin').textContent()).toBe('pinned')
    expect(await card.getAttribute('aria-label')).toContain(rationale)
    await card.click()
    const drawer = page.locator('#drawer')
    await poll('the override’s rationale in the drawer', () =>
      drawer.locator('.note-override').textContent(),
    ).toContain(rationale)
    expect(await drawer.locator('.note-override').textContent()).toContain('by erin')
    expect(await drawer.locator('.overrides .ov').first().textContent()).toContain(rationale)
    await shot('override')
    await page.keyboard.press('Escape')
  })

  it('records a decision from the drawer, with the API’s refusal shown in words first', async () => {
    const roadmap = await get<RoadmapResponse>('/api/roadmap')
    const [first, second] = roadmap.openPeriods
    const target = roadmap.entries.find(
      (e) => e.period === first && e.track === 'product' && e.override === null && e.status === 'todo',
    )
    expect(target).toBeDefined()
    const epicId = target?.epicId ?? ''
    await open(`/epics/${encodeURIComponent(epicId)}`)
    const form = page.locator('#drawer form.ov-form')
    // Nobody signed in and no token: the decision is offered disabled, with the reason on hover.
    expect(await form.locator('button[type="submit"]').isDisabled()).toBe(true)
    expect(await form.locator('.why-not').getAttribute('title')).toBe(
      'Sign in to make this call: it is recorded with your name',
    )

    // Paste the editor token, then record again: the page waits for the build and shows it.
    const before = await latestVersionId()
    await page.locator('#drawer .dr-close').click()
    await page.locator('#token-button').click()
    await page.locator('#token-dialog input[name="token"]').fill(WORLD_TOKENS.editor)
    await page.locator('#token-dialog button[value="save"]').click()
    await poll('the token button to name the editor', () => page.locator('#token-button').textContent()).toBe(
      'erin · editor',
    )
    await open(`/epics/${encodeURIComponent(epicId)}`)
    const again = page.locator('#drawer form.ov-form')
    await again.locator('.seg label', { hasText: 'Defer' }).click()
    await again.locator('select[name="period"]').selectOption(second ?? '')
    // Without a rationale the page says so, and sends nothing.
    await again.locator('button[type="submit"]').click()
    expect(await again.locator('.form-error').textContent()).toContain('Write down why')
    await again.locator('textarea[name="rationale"]').fill('Waits for the new payment provider contract')
    await again.locator('button[type="submit"]').click()
    await poll(
      'the override form to say the build applied it',
      () => page.locator('#drawer .ov-form .form-status').textContent(),
      BUILD_MS,
    ).toMatch(/Applied in version #\d+/)
    expect(await latestVersionId()).toBeGreaterThan(before)
    expect(await page.locator('#drawer .note-override').textContent()).toContain(
      'Waits for the new payment provider contract',
    )
    await page.keyboard.press('Escape')
    expect(await cardOf(epicId).locator('.badge').allTextContents()).toContain('held back')
  })

  it('shows the deferral ledger and the projected cost of the deferrals as a chart', async () => {
    const served = await get<DeferralsResponse>('/api/deferrals?limit=1')
    const cost = await get<{ points: Array<{ added: number }> }>('/api/deferrals/cost')
    await open('/')
    await page.locator('nav.tabs a[data-view="deferrals"]').click()
    expect(new URL(page.url()).pathname).toBe('/deferrals')
    await shown('#ledger tbody tr')
    // Real deferrals only, by default: replans have a filter of their own.
    expect(figure(await page.locator('#ledger-count').textContent())).toBe(served.total)
    expect(await page.locator('#ledger tbody tr').count()).toBe(Math.min(50, served.total))
    expect(await page.locator('#ledger tbody tr:not(.is-deferral)').count()).toBe(0)
    expect(await page.locator('.chart svg path.c-line').count()).toBe(1)
    expect(await page.locator('.chart svg circle.c-dot').count()).toBe(
      cost.points.filter((p) => p.added !== 0).length,
    )
    expect(await page.locator('.stat').first().textContent()).toMatch(
      /Projected cost of the deferrals[\d,.]+ EUR k/,
    )
    expect(await page.locator('.stat').nth(1).textContent()).toMatch(
      /Cost of delay accrued[\d,.]+ EUR k[\d,.]+ EUR k of it on epics still open/,
    )
    await shot('deferrals')
    // The replans, listed as such: not counted, not priced, never awaiting a sign-off.
    const replans = await get<DeferralsResponse>('/api/deferrals?kind=replanned&limit=1')
    await page.locator('#ledger-filters select[name="kind"]').selectOption('replanned')
    await poll('the ledger’s count of replans', async () =>
      figure(await page.locator('#ledger-count').textContent()),
    ).toBe(replans.total)
    if (replans.total > 0) {
      expect(await page.locator('#ledger tbody tr').first().textContent()).toContain(
        'Replanned (not counted)',
      )
      expect(await page.locator('#ledger tbody .b-signoff, #ledger tbody .b-defer').count()).toBe(0)
    }
    await page.locator('#ledger-filters select[name="kind"]').selectOption('deferrals')
    // The platform team's technical deferrals include the story's three.
    await page.locator('#ledger-filters select[name="team"]').selectOption('platform')
    await poll(
      'the platform team’s deferrals in the ledger',
      async () => (await page.locator('#ledger tbody').textContent()) ?? '',
    ).toContain('Database failover and restore drills')
  })

  it('compares two builds in the version picker', async () => {
    await open('/')
    await page.locator('nav.tabs a[data-view="versions"]').click()
    await shown('#diff .dchips')
    const selects = page.locator('#picker select')
    expect(await selects.count()).toBe(2)
    // Latest against the one before: the decision recorded from the drawer moved one epic later.
    expect(await page.locator('#diff').textContent()).toContain('Moved between periods')
    await shot('versions')
    const versions = (await get<VersionsResponse>('/api/versions?limit=100')).versions
    const oldest = versions.at(-1)?.id ?? 0
    await selects.first().selectOption(String(oldest))
    await poll('the diff’s lead to name the oldest version', () =>
      page.locator('#diff .lead').textContent(),
    ).toContain(`From version #${oldest} (`)
    // A year of planning between the two: the page lists what changed, grouped, as the API counts it.
    const latest = versions[0]?.id ?? 0
    const diff = await get<{ changes: Array<{ change: string }> }>(
      `/api/versions/${latest}/diff?against=${oldest}`,
    )
    const counted = (change: string) => diff.changes.filter((c) => c.change === change).length
    expect(counted('added')).toBeGreaterThan(0)
    for (const change of ['added', 'removed', 'moved', 'rescored'])
      expect(Number(await page.locator(`.d-${change} .dchip-n`).textContent()), change).toBe(counted(change))
    expect(await page.locator('#diff .changes tr').count()).toBeGreaterThan(50)
  })

  it('asks what deferring an epic one more period would do, before anyone decides', async () => {
    // An epic committed where it is planned, with a period after it: one more slip is a deferral.
    const roadmap = await get<WholeRoadmap>('/api/roadmap')
    const names = new Map(roadmap.periods.map((p) => [p.id, p.name]))
    const last = roadmap.periods.at(-1)?.id
    const committed = (e: Entry) =>
      e.commitment !== null && e.period === e.commitment && e.period !== last && e.score.status === 'scored'
    const target =
      roadmap.entries.find((e) => e.epicId === failover && committed(e)) ?? roadmap.entries.find(committed)
    expect(target).toBeDefined()
    const epicId = target?.epicId ?? ''
    const from = names.get(target?.period ?? '') ?? ''
    const index = roadmap.periods.findIndex((p) => p.id === target?.period)
    const to = roadmap.periods[index + 1]?.name ?? ''
    // No token in the tab: the page says a what-if needs one, and offers to paste it.
    await open('/')
    await page.evaluate(() => sessionStorage.clear())
    await open(`/epics/${encodeURIComponent(epicId)}`)
    const drawer = page.locator('#drawer')
    const ask = drawer.locator('button[data-what-if]')
    expect(await ask.textContent()).toBe('What if we defer this one more period?')
    expect(await drawer.locator('#wi-note').textContent()).toContain(`To ${to}`)
    await ask.click()
    const result = drawer.locator('[data-what-if-result]')
    await poll('the what-if’s token prompt', () => result.textContent()).toContain('needs a token')
    await result.locator('[data-paste-token]').click()
    await page.locator('#token-dialog input[name="token"]').fill(WORLD_TOKENS.viewer)
    await page.locator('#token-dialog button[value="save"]').click()
    await poll('the token button to name the viewer', () => page.locator('#token-button').textContent()).toBe(
      'vera · viewer',
    )
    // The page reloads with the token, the drawer too (the prompt goes).
    await poll('the what-if prompt to go', () => result.textContent()).toBe('')

    // Asked from the keyboard: the projected cost, the deferrals with their causes, what moves.
    await drawer.locator('button[data-what-if]').focus()
    await page.keyboard.press('Enter')
    await poll('the what-if’s projected cost', () => result.locator('.wi-cost').count(), BUILD_MS).toBe(1)
    expect(await result.locator('.wi-head').textContent()).toContain(`from ${from} to ${to}`)
    expect(await result.locator('.wi-cost').textContent()).toMatch(
      /^\+[\d,.]+ EUR k of cost of delay, projected$/,
    )
    expect(await result.locator('.wi-periods li').first().textContent()).toMatch(/Q\d 20\d\d \+[\d,.]+ EUR k/)
    expect(await result.locator('.wi-deferrals li.is-self').textContent()).toContain(
      `${from} → ${to}: if deferred to ${to}`,
    )
    // The knock-on effects: other epics deferred (with why, in words) or moved.
    const knock = result.locator('li.wi-knock')
    expect(await knock.count()).toBeGreaterThan(0)
    expect(await knock.first().textContent()).toMatch(/→/)
    expect(await result.locator('.wi-foot').textContent()).toContain('Nothing was saved')
    await result.evaluate((el) => el.scrollIntoView())
    await shot('what-if')
    await page.keyboard.press('Escape')

    // An unplanned epic has nothing to defer: the button is off, and says why.
    const unplanned = roadmap.entries.find((e) => e.period === null)
    await open(`/epics/${encodeURIComponent(unplanned?.epicId ?? '')}`)
    await poll('the what-if button of an unplanned epic to be off', () =>
      drawer.locator('.wi-ask button').isDisabled(),
    ).toBe(true)
    expect(await drawer.locator('#wi-note').textContent()).toContain('It is not planned')
    await page.keyboard.press('Escape')
  })

  it('signs an epic off from the drawer: one reason answers all its open deferrals, the badge goes', async () => {
    const roadmap = await get<RoadmapResponse>('/api/roadmap')
    // An epic with more than one deferral awaiting a sign-off, if there is one.
    // (The failover drills are kept for the CPTO to sign off after signing in.)
    const waiting = roadmap.entries.filter(
      (e) => e.unacknowledged > 0 && e.period !== null && e.epicId !== failover,
    )
    const target = waiting.find((e) => e.unacknowledged > 1) ?? waiting[0]
    expect(target).toBeDefined()
    const epicId = target?.epicId ?? ''
    const awaiting = target?.unacknowledged ?? 0
    await open('/')
    expect(await cardOf(epicId).locator('.b-signoff').textContent()).toBe(`${awaiting} unsigned`)
    expect(await cardOf(epicId).getAttribute('aria-label')).toContain(
      `${awaiting} deferral${awaiting === 1 ? '' : 's'} awaiting sign-off`,
    )
    await cardOf(epicId).click()
    const drawer = page.locator('#drawer')
    const toggle = drawer.locator('button[data-ack-open]')
    // One button for the epic, however many deferrals wait; each open one says so.
    await poll('the sign-off button', () => toggle.count()).toBe(1)
    expect(await drawer.locator('.history .ack-pending').count()).toBe(awaiting)
    expect(await drawer.locator('.ack-ask').textContent()).toMatch(
      new RegExp(`${awaiting} deferrals? awaiting the owner’s call, projected at [\\d,.]+ EUR k`),
    )
    // The viewer's token from the what-if: the sign-off is offered disabled, saying why.
    expect(await toggle.isDisabled()).toBe(true)
    expect(await drawer.locator('.ack-open .why-not').getAttribute('title')).toBe(
      'vera has the viewer role: this needs an editor or an owner',
    )

    // The owner's token (config/demo.env): accepted, the badge goes, the history says who and why.
    await page.keyboard.press('Escape')
    await poll('the drawer to close', () => drawer.isVisible()).toBe(false)
    await page.locator('#token-button').click()
    await page.locator('#token-dialog input[name="token"]').fill(WORLD_TOKENS.owner)
    await page.locator('#token-dialog button[value="save"]').click()
    await poll('the token button to name the owner', () => page.locator('#token-button').textContent()).toBe(
      'demo-owner · owner',
    )
    await cardOf(epicId).click()
    // Escape closes the form, not the drawer.
    await poll('the sign-off button to be offered', () => toggle.isEnabled()).toBe(true)
    await toggle.click()
    const form = drawer.locator('form.ack-form')
    expect(await form.isVisible()).toBe(true)
    await page.keyboard.press('Escape')
    expect(await form.isVisible()).toBe(false)
    expect(await drawer.isVisible()).toBe(true)
    await toggle.click()
    // A reason is required.
    await form.locator('button[type="submit"]').click()
    expect(await form.locator('.form-error').textContent()).toContain('Say why')
    const reason = 'Checkout relaunch first; this waits one quarter, agreed with sales'
    await form.locator('textarea[name="reason"]').fill(reason)
    await shot('sign-off')
    await drawer.locator('form.ack-form button[type="submit"]').click()
    const history = await get<EpicResponse>(`/api/epics/${encodeURIComponent(epicId)}`)
    const deferrals = history.history.filter((e) => e.deferral)
    const done = drawer.locator('.history .ack-done')
    await poll('every deferral of the epic to show its sign-off', () => done.count()).toBe(deferrals.length)
    expect(await drawer.locator('.history .ack-pending').count()).toBe(0)
    const mine = done.filter({ hasText: reason })
    expect(await mine.count()).toBe(awaiting)
    expect(await mine.first().locator('.ack-by').textContent()).toBe('demo-owner')
    expect(await drawer.locator('button[data-ack-open]').count()).toBe(0)
    expect(await page.locator('.history .ack-done:focus').count()).toBe(1)
    await mine.last().evaluate((el) => el.scrollIntoView({ block: 'center' }))
    await shot('signed-off')
    // One decision answered them all (the demo's owner may have signed off earlier ones before).
    const decisions = await get<{
      decisions: Array<{ rationale: string | null; details: { eventIds?: string[] } }>
    }>(`/api/decisions?kind=acknowledgement&epic=${encodeURIComponent(epicId)}`)
    const ours = decisions.decisions.filter((d) => d.rationale === reason)
    expect(ours).toHaveLength(1)
    expect(ours[0]?.details.eventIds).toHaveLength(awaiting)
    await page.keyboard.press('Escape')
    await poll('the card’s unsigned badge to go', () => cardOf(epicId).locator('.b-signoff').count()).toBe(0)

    // The ledger's "unacknowledged only" filter lists the open ones, which no longer include it.
    const unsigned = await get<{ total: number }>('/api/deferrals?acknowledged=false&limit=1')
    await page.locator('nav.tabs a[data-view="deferrals"]').click()
    await shown('#ledger tbody tr')
    await page.locator('#ledger-filters input[name="acknowledged"]').check()
    await poll('the ledger’s count of unsigned deferrals', async () =>
      Number((await page.locator('#ledger-count').textContent())?.replace(/,/g, '')),
    ).toBe(unsigned.total)
    expect(await page.locator('#ledger tbody .b-signoff').count()).toBe(
      await page.locator('#ledger tbody tr').count(),
    )
  })

  it('signs the CPTO in through the identity provider; she signs off the failover drills, the log names her', async () => {
    // A tab of its own, signed out and without a token.
    const tab = await context.newPage()
    tab.on('pageerror', (error) => problems.push(error.message))
    const epicPath = `/epics/${encodeURIComponent(failover)}`
    await tab.goto(`${world.url}${epicPath}`)
    const drawer = tab.locator('#drawer')
    const toggle = drawer.locator('button[data-ack-open]')
    await shown('#drawer button[data-ack-open]', tab)
    expect(await toggle.isDisabled()).toBe(true)
    expect(await drawer.locator('.ack-open .why-not').getAttribute('title')).toBe(
      'Sign in to make this call: it is recorded with your name',
    )
    // "Sign in", offered next to it, goes to the company's provider, which lists its people; she
    // picks herself.
    expect(await tab.locator('#sign-in').getAttribute('href')).toBe(
      `/auth/login?returnTo=${encodeURIComponent(epicPath)}`,
    )
    await drawer.locator('a[data-sign-in]').click()
    await tab.waitForURL((url) => url.origin === world.identity.issuer, { timeout: WAIT_MS })
    await shown('button[data-subject="acme-dana"]', tab)
    await tab.screenshot({ path: join(ARTIFACTS, 'sign-in.png') })
    await tab.locator('button[data-subject="acme-dana"]').click()
    // Back on the epic she started from, signed in.
    await tab.waitForURL(`${world.url}${epicPath}`, { timeout: WAIT_MS })
    await poll('the page to name who is signed in', () => tab.locator('#signed-in').textContent()).toBe(
      'Dana Reyes · owner',
    )
    expect(await tab.locator('#signed-in').getAttribute('title')).toBe('Signed in as dana@acme.example')
    expect(await tab.locator('#token-button').isVisible()).toBe(false)
    await poll('the sign-off button to be offered', () => toggle.isEnabled()).toBe(true)
    const open = await drawer.locator('.history .ack-pending').count()
    expect(open).toBe(1)
    await toggle.click()
    const reason =
      'The drills run in the first two weeks of Q1; EU residency ships first, as agreed with legal'
    await drawer.locator('form.ack-form textarea[name="reason"]').fill(reason)
    await drawer.locator('form.ack-form button[type="submit"]').click()
    await poll('the open deferral to show its sign-off', () =>
      drawer.locator('.history .ack-pending').count(),
    ).toBe(0)
    const mine = drawer.locator('.history .ack-done').filter({ hasText: reason })
    expect(await mine.locator('.ack-by').textContent()).toBe('Dana Reyes')
    await tab.screenshot({ path: join(ARTIFACTS, 'signed-in-sign-off.png') })
    await tab.keyboard.press('Escape')
    await poll('the failover card’s unsigned badge to go', () =>
      tab.locator(`.card[data-epic="${failover}"] .b-signoff`).count(),
    ).toBe(0)
    // The decision log names the person, from the identity provider, and the page as the way in.
    const log = await get<{
      decisions: Array<{ author: string; authorEmail: string | null; via: string; rationale: string | null }>
    }>(`/api/decisions?kind=acknowledgement&epic=${encodeURIComponent(failover)}`)
    expect(log.decisions.find((d) => d.rationale === reason)).toMatchObject({
      author: 'Dana Reyes',
      authorEmail: 'dana@acme.example',
      via: 'page',
    })
    // Signing out ends the session here and at the provider, and comes back to the page.
    await tab.locator('#sign-out').click()
    await tab.waitForURL((url) => url.origin === world.identity.issuer, { timeout: WAIT_MS })
    await tab.locator('button[name="logout"]').click()
    await tab.waitForURL(`${world.url}/`, { timeout: WAIT_MS })
    await poll('the sign-in link to be back', () => tab.locator('#sign-in').isVisible()).toBe(true)
    await tab.close()
  })

  it('names epics by key and title on the page, never by id or slug hash', async () => {
    await open(`/epics/${encodeURIComponent(failover)}`)
    const drawer = page.locator('#drawer')
    await poll('the drawer’s history', () => drawer.locator('.history').count()).toBe(1)
    const texts = [(await drawer.textContent()) ?? '', (await page.locator('#timeline').textContent()) ?? '']
    await page.keyboard.press('Escape')
    await page.locator('nav.tabs a[data-view="deferrals"]').click()
    await page.locator('#ledger-filters select[name="kind"]').selectOption('all')
    await shown('#ledger tbody tr')
    texts.push((await page.locator('#ledger').textContent()) ?? '')
    const ids = (await get<RoadmapResponse>('/api/roadmap')).entries.map((e) => e.epicId)
    for (const text of texts) {
      expect(text).not.toMatch(/linear-platform:|jira-shop:|[0-9a-f]{8}-[0-9a-f]{4}-/)
      for (const id of ids) expect(text).not.toContain(id)
    }
    // The failover epic's key is a Linear slug hash: the page names it by its title.
    const key = (await get<EpicResponse>(`/api/epics/${encodeURIComponent(failover)}`)).epic.key
    if (!READABLE_KEY.test(key)) for (const text of texts) expect(text).not.toContain(key)
    await page.locator('#ledger-filters select[name="kind"]').selectOption('deferrals')
  })
})

describe('the web page with reads protected', { timeout: TEST_MS }, () => {
  it('asks for a token first, then reads with a viewer token', async () => {
    const base = testConfig()
    const app = await startTestApp({ config: { ...base, auth: { ...base.auth, protectReads: true } } })
    try {
      const url = await app.app.listen({ port: 0, host: '127.0.0.1' })
      const tab = await context.newPage()
      tab.on('pageerror', (error) => problems.push(error.message))
      await tab.goto(url)
      await shown('#token-dialog[open]', tab)
      expect(await tab.locator('#roadmap-summary').textContent()).toBe('This roadmap needs a token to read.')
      await tab.locator('#token-dialog input[name="token"]').fill(TEST_TOKENS.viewer)
      await tab.locator('#token-dialog button[value="save"]').click()
      await poll('the token button to name the viewer', () =>
        tab.locator('#token-button').textContent(),
      ).toBe('vic · viewer')
      // Reading works now; this service has not built anything yet, and says so.
      await poll('the page to say nothing was built yet', () =>
        tab.locator('#roadmap-notice').textContent(),
      ).toContain('No roadmap has been built yet')
      await tab.screenshot({ path: join(ARTIFACTS, 'token.png') })
      await tab.close()
    } finally {
      await app.close()
    }
  })
})

describe('the web page with single sign-on and reads protected', { timeout: TEST_MS }, () => {
  it('offers the sign-in rather than a token box, and reads once signed in', async () => {
    const port = await freePort()
    const url = `http://localhost:${port}`
    const identity = await startIdentityProvider({
      people: [{ subject: 'u-vi', name: 'Vi Reader', email: 'vi@acme.test', groups: [] }],
      clients: [onetrackClient(url, 'onetrack', 'browser-oidc-secret')],
    })
    const config = parseConfig(
      `
server: { publicUrl: "${url}" }
auth:
  protectReads: true
  oidc:
    issuer: ${identity.issuer}
    clientId: onetrack
    clientSecret: \${OIDC_SECRET}
    redirectUrl: ${url}/auth/callback
  session: { secret: "\${SESSION_SECRET}" }
roadmap:
  periods: { quarters: { start: 2027-Q1, count: 4 } }
  teams:
    - { id: checkout, capacity: 40 }
${TEST_SOURCES_YAML}`,
      '/test/onetrack.yaml',
      {
        ...testEnv,
        OIDC_SECRET: 'browser-oidc-secret',
        SESSION_SECRET: 'a-session-secret-for-the-browser-test',
      },
    )
    const app = await startTestApp({ config })
    try {
      await app.app.listen({ port, host: '127.0.0.1' })
      const tab = await context.newPage()
      tab.on('pageerror', (error) => problems.push(error.message))
      await tab.goto(url)
      await poll('the page to ask for a sign-in', () => tab.locator('#roadmap-summary').textContent()).toBe(
        'Sign in to read this roadmap.',
      )
      expect(await tab.locator('#token-dialog[open]').count()).toBe(0)
      await tab.locator('#sign-in').click()
      await tab.locator('button[data-subject="u-vi"]').click()
      await tab.waitForURL(`${url}/`, { timeout: WAIT_MS })
      await poll('the page to name who is signed in', () => tab.locator('#signed-in').textContent()).toBe(
        'Vi Reader · viewer',
      )
      await poll('the page to say nothing was built yet', () =>
        tab.locator('#roadmap-notice').textContent(),
      ).toContain('No roadmap has been built yet')
      await tab.close()
    } finally {
      await app.close()
      await identity.close()
    }
  })
})

describe('the web page, all along', () => {
  it('ran without script errors or Content-Security-Policy violations', () => {
    expect(problems).toEqual([])
  })
})
