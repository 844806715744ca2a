import { seededRandom } from '../random.ts'
import type { ProjectStatusType } from './records.ts'
import type { LinearWorkspace } from './workspace.ts'

export interface SeedOptions {
  projects: number
  /** Team keys; created when missing. Projects are spread over them in turn. */
  teams?: string[]
  /** Average number of projects blocking each project (0–4, mostly among the 300 before it). */
  relationsPerProject?: number
  /** Estimated issues per project: the project's scope is the sum of their estimates. */
  issuesPerProject?: number
  /** Every n-th project has no Value label (an input missing); 0: never. */
  missingValueEvery?: number
  seed?: number
}

export interface SeededWorkspace {
  projectIds: string[]
  /** Blockers per project id (project ids that block it). */
  blockers: Map<string, string[]>
  relations: number
}

/** WSJF-style scales, as a workspace using onetrack would set them up as label groups. */
export const VALUE_LABELS = ['1', '2', '3', '5', '8', '13', '20']
export const RISK_LABELS = ['1', '2', '3', '5', '8']

const random = seededRandom

const STATUSES: ProjectStatusType[] = [
  'backlog',
  'planned',
  'planned',
  'started',
  'paused',
  'completed',
  'canceled',
]

/**
 * A workspace of `projects` projects with label-group inputs (Value, Risk), priorities, estimated
 * issues and "blocks" relations — for tests, benchmarks and the demo. Deterministic for a seed.
 */
export function seedWorkspace(ws: LinearWorkspace, options: SeedOptions): SeededWorkspace {
  const rnd = random(options.seed ?? 42)
  const teamKeys = options.teams ?? ['PLAT', 'WEB']
  for (const key of teamKeys) if (![...ws.teams.values()].some((t) => t.key === key)) ws.addTeam({ key })
  const value = VALUE_LABELS.map((name) => ws.projectLabel(name, 'Value'))
  const risk = RISK_LABELS.map((name) => ws.projectLabel(name, 'Risk'))
  const techDebt = ws.projectLabel('tech-debt')
  const perProject = options.relationsPerProject ?? 2
  const issues = options.issuesPerProject ?? 2
  const projectIds: string[] = []
  const blockers = new Map<string, string[]>()
  let relations = 0
  for (let i = 0; i < options.projects; i++) {
    const labelIds: string[] = []
    const missingValue =
      options.missingValueEvery !== undefined &&
      options.missingValueEvery > 0 &&
      i % options.missingValueEvery === 0
    if (!missingValue) labelIds.push(value[Math.floor(rnd() * value.length)] as string)
    labelIds.push(risk[Math.floor(rnd() * risk.length)] as string)
    if (rnd() < 0.3) labelIds.push(techDebt)
    const team = teamKeys[i % teamKeys.length] as string
    const project = ws.addProject({
      name: `Project ${i + 1}`,
      teams: [team],
      status: STATUSES[Math.floor(rnd() * STATUSES.length)] as ProjectStatusType,
      priority: Math.floor(rnd() * 5),
      labelIds,
    })
    for (let k = 0; k < issues; k++) {
      ws.addIssue({
        team,
        title: `Task ${k + 1} of project ${i + 1}`,
        estimate: 1 + Math.floor(rnd() * 5),
        projectId: project.id,
      })
    }
    const own: string[] = []
    const count = i === 0 ? 0 : Math.min(i, Math.round(rnd() * 2 * perProject))
    for (let k = 0; k < count; k++) {
      const back = 1 + Math.floor(rnd() * Math.min(i, 300))
      const blocker = projectIds[i - back] as string
      if (own.includes(blocker)) continue
      ws.relateProjects(blocker, project.id)
      own.push(blocker)
      relations += 1
    }
    blockers.set(project.id, own)
    projectIds.push(project.id)
  }
  return { projectIds, blockers, relations }
}
