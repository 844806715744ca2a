import type { OnetrackConfig } from './schema.ts'

/** Who is calling, as the auth plugin or the Slack user map names them. */
export interface Person {
  name: string
  role: 'owner' | 'editor' | 'viewer'
}

/**
 * Who may make the roadmap's owned calls. A **roadmap owner** is any token of role `owner`, or an
 * `editor` named in `roadmap.owners`: they sign off any deferral and approve versions. A **team
 * owner** is an `editor` or `owner` named in the team's `owners`: they sign off the deferrals of
 * their team's epics only. A viewer never decides, whatever lists name it.
 */
export function isRoadmapOwner(config: OnetrackConfig, person: Person): boolean {
  if (person.role === 'viewer') return false
  return person.role === 'owner' || config.roadmap.owners.includes(person.name)
}

export function ownsTeam(config: OnetrackConfig, person: Person, team: string): boolean {
  if (person.role === 'viewer') return false
  if (isRoadmapOwner(config, person)) return true
  return config.roadmap.teams.find((t) => t.id === team)?.owners?.includes(person.name) ?? false
}

/** Why a person may not sign off a team's deferral, in words; null when they may. */
export function signOffRefusal(config: OnetrackConfig, person: Person, team: string): string | null {
  if (ownsTeam(config, person, team)) return null
  if (person.role === 'viewer') return `${person.name} has role viewer; signing off a deferral needs an owner`
  const owners = ownersOf(config, team)
  return `${person.name} does not own team ${team}'s deferrals; ${owners.length === 0 ? 'only owner-role tokens do' : `its owners are ${owners.join(', ')}`}`
}

/** Named owners of a team: its own, then the roadmap's (owner-role tokens included). */
export function ownersOf(config: OnetrackConfig, team: string): string[] {
  const names = [
    ...(config.roadmap.teams.find((t) => t.id === team)?.owners ?? []),
    ...config.roadmap.owners,
    ...config.auth.tokens.filter((t) => t.role === 'owner').map((t) => t.name),
  ]
  return [...new Set(names)]
}

/** The configured person behind a Slack user id; null when none is mapped. */
export function personBySlackUser(config: OnetrackConfig, userId: string): Person | null {
  const token = config.auth.tokens.find((t) => t.slackUserId === userId)
  return token === undefined ? null : { name: token.name, role: token.role }
}
