import {
  addScoringFields,
  createJiraSimulator,
  type JiraSimulator,
  type ScoringFields,
} from '../jira/index.ts'
import { createLinearSimulator, type LinearSimulator } from '../linear/index.ts'
import { projectUrl } from '../linear/resolvers.ts'
import { DEMO_TODAY, type DemoEpic, demoCompany, HISTORY, HISTORY_STEPS } from './company.ts'

/** The Jira paragraph field where product teams list what blocks an epic in other trackers. */
export const BLOCKED_BY_FIELD = 'Blocked by (other trackers)'

/**
 * The dependencies across trackers the demo declares (blocker>blocked), and where: on the Jira epic
 * (its "Blocked by" field, listing Linear URLs) or on the Linear project (a "Blocks …" or "Blocked
 * by …" resource link to the Jira epic). The filler's random cross-tracker pairs stay undeclared, as
 * most are in a company that has just started to write them down.
 */
const CROSS_TRACKER: Record<string, 'jira' | 'linear'> = {
  'PLAT-SSO>SHOP-B2B': 'jira',
  'PLAT-EVENTS>SHOP-TRACKING': 'linear',
  'PLAT-EVENTS>GROW-NOTIFY': 'jira',
  'PLAT-FAILOVER>SHOP-MULTIREGION': 'linear',
  'GROW-013>PLAT-EVENTS': 'linear',
}

/** The demo's throwaway credentials (config/demo.env holds the same values). */
export interface DemoCredentials {
  jiraEmail: string
  jiraToken: string
  jiraWebhookSecret: string
  linearApiKey: string
  linearWebhookSecret: string
}

export interface DemoTrackers {
  jira: JiraSimulator
  linear: LinearSimulator
  jiraUrl: string
  linearUrl: string
  epics: DemoEpic[]
  /**
   * Makes the trackers look as they did at history step `step` (HISTORY_STEPS.length: today): the
   * epics that had appeared by then, their links, and the work the story started. What shipped
   * follows the plan: the replay (src/cli/demo-history.ts) says so with start() and finish().
   */
  applyStep(step: number): void
  /** A team starts a demo epic: In Progress in Jira, started in Linear. */
  start(ref: string): void
  /** A demo epic ships: Done in Jira, completed in Linear. */
  finish(ref: string): void
  /** The tracker id of a demo epic, once it exists. */
  trackerId(ref: string): string | undefined
  /** The demo epic of a tracker id (the inverse of trackerId). */
  refOf(trackerId: string): string | undefined
  /** The Jira issue key of a demo epic. */
  jiraKey(ref: string): string | undefined
  scoringFields: ScoringFields
  /** The simulators' clock: a fixed instant, a clock of the caller's, or (null) the real time. */
  setClock(ms: number | (() => number) | null): void
  close(): Promise<void>
}

/**
 * Starts the Jira and Linear simulators with the demo company's structure (projects, teams,
 * fields, label groups); epics appear as the history is replayed with `applyStep`. The clock is
 * shared and settable, so what the replay creates carries the dates of its history.
 */
export async function startDemoTrackers(credentials: DemoCredentials): Promise<DemoTrackers> {
  let fixed: number | (() => number) | null = null
  const clock = () => (typeof fixed === 'function' ? fixed() : (fixed ?? Date.now()))
  const jira = createJiraSimulator({
    account: { email: credentials.jiraEmail, apiToken: credentials.jiraToken },
    clock,
  })
  // Seeded ids: the planner breaks ties by epic id, so the demo plans the same way on every run.
  const linear = createLinearSimulator({
    apiKeys: [{ key: credentials.linearApiKey }],
    now: clock,
    idSeed: 2026,
  })
  const fields = addScoringFields(jira.state)
  const blockedByField = jira.state.addField({ name: BLOCKED_BY_FIELD, type: 'textarea' })
  jira.state.addProject({ key: 'SHOP', name: 'Shop' })
  jira.state.addProject({ key: 'GROW', name: 'Growth' })
  linear.state.addTeam({ key: 'PLAT', name: 'Platform' })
  const label = (group: string, value: number | undefined) =>
    value === undefined ? [] : [linear.state.projectLabel(String(value), group)]
  const featureLabel = linear.state.projectLabel('Feature')

  const epics = demoCompany()
  const byRef = new Map(epics.map((e) => [e.ref, e]))
  const ids = new Map<string, string>()
  const keys = new Map<string, string>()
  const linked = new Set<string>()
  /** Per Jira epic: the lines of its "Blocked by" field. */
  const blockedByLines = new Map<string, string[]>()
  let applied = -1

  function create(epic: DemoEpic): void {
    if (epic.tracker === 'jira') {
      const issue = jira.state.addIssue({
        project: epic.project,
        summary: epic.title,
        status: 'To Do',
        labels: epic.labels,
        fields: {
          ...(epic.value === undefined ? {} : { [fields.value.id]: epic.value }),
          ...(epic.timeCriticality === undefined
            ? {}
            : { [fields.timeCriticality.id]: epic.timeCriticality }),
          ...(epic.risk === undefined ? {} : { [fields.risk.id]: epic.risk }),
          ...(epic.effort === undefined ? {} : { [fields.storyPoints.id]: epic.effort }),
          [fields.team.id]: epic.team,
        },
      })
      ids.set(epic.ref, issue.id)
      keys.set(epic.ref, issue.key)
      return
    }
    const project = linear.state.addProject({
      name: epic.title,
      teams: ['PLAT'],
      status: 'planned',
      labelIds: [
        ...label('Value', epic.value),
        ...label('Urgency', epic.timeCriticality),
        ...label('Risk', epic.risk),
        ...(epic.labels.includes('Feature') ? [featureLabel] : []),
      ],
    })
    // Scope is the sum of the project's estimates: one estimated issue carries the effort.
    if (epic.effort !== undefined) {
      linear.state.addIssue({
        team: 'PLAT',
        title: `${epic.title}: delivery`,
        estimate: epic.effort,
        projectId: project.id,
      })
    }
    ids.set(epic.ref, project.id)
  }

  function finish(epic: DemoEpic): void {
    const id = ids.get(epic.ref)
    if (id === undefined) return
    if (epic.tracker === 'jira') jira.state.updateIssue(id, { status: 'Done' })
    else linear.state.updateProject(id, { status: 'completed' })
  }

  function start(epic: DemoEpic): void {
    const id = ids.get(epic.ref)
    if (id === undefined) return
    if (epic.tracker === 'jira') jira.state.updateIssue(id, { status: 'In Progress' })
    else linear.state.updateProject(id, { status: 'started' })
  }

  function link(blocker: DemoEpic, blocked: DemoEpic): void {
    const from = ids.get(blocker.ref)
    const to = ids.get(blocked.ref)
    const key = `${blocker.ref}>${blocked.ref}`
    if (from === undefined || to === undefined || linked.has(key)) return
    linked.add(key)
    if (blocker.tracker === blocked.tracker) {
      if (blocker.tracker === 'jira') jira.state.link(from, to, 'Blocks')
      else linear.state.relateProjects(from, to)
      return
    }
    // Across trackers there is no native link: each team declares it where it works, by URL.
    const where = CROSS_TRACKER[key]
    if (where === undefined) return
    if (blocker.tracker === 'jira') {
      // A platform project waiting on product work: a resource link on the Linear project.
      linear.state.createExternalLink({
        projectId: to,
        label: `Depends on ${keys.get(blocker.ref)}: ${blocker.title}`,
        url: browseUrl(blocker),
      })
      return
    }
    if (where === 'jira') {
      const lines = [...(blockedByLines.get(to) ?? []), `${blocker.title} — ${linearUrl(from)}`]
      blockedByLines.set(to, lines)
      jira.state.updateIssue(to, { fields: { [blockedByField.id]: lines.join('\n') } })
    } else {
      linear.state.createExternalLink({
        projectId: from,
        label: `Blocks ${keys.get(blocked.ref)}: ${blocked.title}`,
        url: browseUrl(blocked),
      })
    }
  }

  function browseUrl(epic: DemoEpic): string {
    return `${jira.url()}/browse/${keys.get(epic.ref)}`
  }

  function linearUrl(projectId: string): string {
    const project = linear.state.projects.get(projectId)
    return project === undefined ? '' : projectUrl(linear.state, project)
  }

  function applyStep(step: number): void {
    for (let s = applied + 1; s <= step; s++) {
      for (const epic of epics) if (epic.appearsAt === s) create(epic)
      for (const epic of epics) {
        for (const ref of epic.blocks) {
          const blocked = byRef.get(ref)
          if (blocked !== undefined) link(epic, blocked)
        }
      }
      for (const epic of epics) if (epic.doneAt === s) finish(epic)
      // Work in progress: what the story says had started when it appeared.
      for (const epic of epics) if (epic.status === 'in_progress' && epic.appearsAt === s) start(epic)
    }
    applied = Math.max(applied, step)
  }

  const jiraUrl = await jira.listen()
  await linear.listen()
  return {
    jira,
    linear,
    jiraUrl,
    linearUrl: linear.graphqlUrl(),
    epics,
    applyStep,
    start(ref) {
      const epic = byRef.get(ref)
      if (epic !== undefined) start(epic)
    },
    finish(ref) {
      const epic = byRef.get(ref)
      if (epic !== undefined) finish(epic)
    },
    trackerId: (ref) => ids.get(ref),
    refOf: (trackerId) => {
      for (const [ref, id] of ids) if (id === trackerId) return ref
      return undefined
    },
    jiraKey: (ref) => keys.get(ref),
    scoringFields: fields,
    setClock(ms) {
      fixed = ms
    },
    async close() {
      await Promise.all([jira.close(), linear.close()])
    },
  }
}

export { DEMO_TODAY, HISTORY, HISTORY_STEPS }
