import type { SimField, SimIssue } from './model.ts'
import type { JiraState } from './state.ts'

/**
 * What a new Jira Software site has: the issue type hierarchy (epic 1, standard 0, sub-task −1),
 * statuses of the three categories, and the default issue link types.
 * @see https://support.atlassian.com/jira-cloud-administration/docs/configure-the-issue-type-hierarchy/
 */
export function seedSiteDefaults(state: JiraState): void {
  state.addIssueType({
    name: 'Epic',
    hierarchyLevel: 1,
    description: 'A big user story that needs to be broken down.',
  })
  state.addIssueType({
    name: 'Story',
    hierarchyLevel: 0,
    description: 'Functionality or a feature expressed as a user goal.',
  })
  state.addIssueType({ name: 'Task', hierarchyLevel: 0, description: 'A small, distinct piece of work.' })
  state.addIssueType({ name: 'Bug', hierarchyLevel: 0, description: 'A problem or error.' })
  state.addIssueType({
    name: 'Subtask',
    hierarchyLevel: -1,
    description: 'A small piece of work that is part of a larger task.',
  })
  state.addStatus({ name: 'To Do', category: 'new' })
  state.addStatus({ name: 'In Progress', category: 'indeterminate' })
  state.addStatus({ name: 'In Review', category: 'indeterminate' })
  state.addStatus({ name: 'Done', category: 'done' })
  state.addStatus({ name: "Won't Do", category: 'done' })
  state.addLinkType({ name: 'Blocks', inward: 'is blocked by', outward: 'blocks' })
  state.addLinkType({ name: 'Relates', inward: 'relates to', outward: 'relates to' })
  state.addLinkType({ name: 'Duplicate', inward: 'is duplicated by', outward: 'duplicates' })
  state.addLinkType({ name: 'Cloners', inward: 'is cloned by', outward: 'clones' })
}

/** The fields a team scoring epics in Jira typically adds (the names the demo configuration uses). */
export interface ScoringFields {
  value: SimField
  timeCriticality: SimField
  risk: SimField
  storyPoints: SimField
  team: SimField
}

export function addScoringFields(state: JiraState): ScoringFields {
  return {
    value: state.addField({ name: 'Business Value', type: 'float' }),
    timeCriticality: state.addField({ name: 'Time Criticality', type: 'float' }),
    risk: state.addField({ name: 'Risk Reduction', type: 'float' }),
    storyPoints: state.addField({ name: 'Story Points', type: 'float' }),
    team: state.addField({ name: 'Team', type: 'select' }),
  }
}

export interface EpicSeed {
  count: number
  /** Project keys the epics are spread over (created when missing); default SHOP. */
  projects?: string[]
  /** Team option values, round robin; default Checkout and Growth. */
  teams?: string[]
  /** The last epic's `updated`; earlier ones are `spacingMs` apart before it. Default: now. */
  lastUpdated?: number
  spacingMs?: number
}

/**
 * Creates `count` epics with deterministic, varied scoring values (every 5th labelled tech-debt,
 * every 10th in progress, every 17th done), their `updated` times spread into the past so that an
 * incremental sync has something to skip.
 */
export function seedEpics(state: JiraState, fields: ScoringFields, seed: EpicSeed): SimIssue[] {
  const projects = seed.projects ?? ['SHOP']
  for (const key of projects) if (state.projectByKey(key) === undefined) state.addProject({ key })
  const teams = seed.teams ?? ['Checkout', 'Growth']
  const last = seed.lastUpdated ?? state.now()
  const spacing = seed.spacingMs ?? 60_000
  const epics: SimIssue[] = []
  for (let i = 0; i < seed.count; i++) {
    const updated = last - (seed.count - 1 - i) * spacing
    epics.push(
      state.addIssue({
        project: projects[i % projects.length] as string,
        summary: `Epic ${i + 1}: ${SUBJECTS[i % SUBJECTS.length]}`,
        status: i % 17 === 16 ? 'Done' : i % 10 === 9 ? 'In Progress' : 'To Do',
        labels: i % 5 === 4 ? ['tech-debt'] : [],
        created: updated - 86_400_000,
        updated,
        fields: {
          [fields.value.id]: 1 + ((i * 7) % 10),
          [fields.timeCriticality.id]: 1 + ((i * 3) % 8),
          [fields.risk.id]: (i * 5) % 6,
          [fields.storyPoints.id]: 1 + (i % 13),
          [fields.team.id]: teams[i % teams.length] as string,
        },
      }),
    )
  }
  return epics
}

const SUBJECTS = [
  'one-click checkout',
  'payment retries',
  'search relevance',
  'platform stability work',
  'database upgrade',
  'mobile onboarding',
  'fraud rules engine',
  'observability',
]
