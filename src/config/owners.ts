import type { OnetrackConfig } from './schema.ts'

export type Role = 'owner' | 'editor' | 'viewer'

/**
 * Who is calling: a signed-in person (name, email, the identity provider's subject and groups), a
 * token's holder (name only), or a Slack user matched to a person.
 */
export interface Person {
  name: string
  role: Role
  email?: string
  /** The identity provider's `sub` for this person. */
  subject?: string
  groups?: readonly string[]
}

const rank: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 }

export function higherRole(a: Role, b: Role): Role {
  return rank[a] >= rank[b] ? a : b
}

/**
 * Whether an entry of an owners list (`roadmap.owners`, `teams[].owners`) names the person: their
 * name, their email (any case), or `group:<name>` for a group they are in.
 */
export function namesPerson(entry: string, person: Person): boolean {
  if (entry === person.name) return true
  if (entry.startsWith('group:')) return person.groups?.includes(entry.slice('group:'.length)) ?? false
  return person.email !== undefined && entry.toLowerCase() === person.email.toLowerCase()
}

/**
 * Who may make the roadmap's owned calls. A **roadmap owner** is anyone of role `owner`, or an
 * `editor` named in `roadmap.owners`: they sign off any deferral and approve versions. A **team
 * owner** is an `editor` or `owner` named in the team's `owners`: they sign off the deferrals of
 * their team's epics only. A viewer never decides, whatever lists name it.
 */
export function isRoadmapOwner(config: OnetrackConfig, person: Person): boolean {
  if (person.role === 'viewer') return false
  return person.role === 'owner' || config.roadmap.owners.some((entry) => namesPerson(entry, person))
}

export function ownsTeam(config: OnetrackConfig, person: Person, team: string): boolean {
  if (person.role === 'viewer') return false
  if (isRoadmapOwner(config, person)) return true
  const owners = config.roadmap.teams.find((t) => t.id === team)?.owners ?? []
  return owners.some((entry) => namesPerson(entry, person))
}

/** The teams whose deferrals the person signs off (every team for a roadmap owner). */
export function teamsOwnedBy(config: OnetrackConfig, person: Person): string[] {
  return config.roadmap.teams.filter((t) => ownsTeam(config, person, t.id)).map((t) => t.id)
}

/** Why a person may not sign off a team's deferral, in words; null when they may. */
export function signOffRefusal(config: OnetrackConfig, person: Person, team: string): string | null {
  if (ownsTeam(config, person, team)) return null
  if (person.role === 'viewer') return `${person.name} has role viewer; signing off a deferral needs an owner`
  const owners = ownersOf(config, team)
  return `${person.name} does not own team ${team}'s deferrals; ${owners.length === 0 ? 'only owners do' : `its owners are ${owners.join(', ')}`}`
}

/** Named owners of a team: its own, then the roadmap's (owner-role tokens and people included). */
export function ownersOf(config: OnetrackConfig, team: string): string[] {
  const byEmail = new Map(config.auth.people.map((p) => [p.email.toLowerCase(), p.name ?? p.email]))
  const names = [
    ...(config.roadmap.teams.find((t) => t.id === team)?.owners ?? []),
    ...config.roadmap.owners,
    ...config.auth.tokens.filter((t) => t.role === 'owner').map((t) => t.name),
    ...config.auth.people.filter((p) => p.role === 'owner').map((p) => p.name ?? p.email),
  ].map((entry) => byEmail.get(entry.toLowerCase()) ?? entry)
  return [...new Set(names)]
}

/** The person a Slack user id is configured for (a token's or a person's slackUserId); null when none. */
export function personBySlackUser(config: OnetrackConfig, userId: string): Person | null {
  const token = config.auth.tokens.find((t) => t.slackUserId === userId)
  if (token !== undefined) return { name: token.name, role: token.role }
  const person = config.auth.people.find((p) => p.slackUserId === userId)
  return person === undefined ? null : personByEmail(config, person.email, person.name ?? person.email)
}

/** The person behind an email (a Slack profile's), as personFrom maps them; null when unmapped. */
export function personByEmail(config: OnetrackConfig, email: string, fallbackName: string): Person | null {
  return personFrom(config, { email, name: fallbackName })
}

/**
 * The person an identity is, with the role the config gives them: the highest of their
 * `auth.people` entry (by email), their groups' `auth.groups`, and editor when an owners list names
 * them. null when nothing in the config maps them.
 */
export function personFrom(
  config: OnetrackConfig,
  identity: {
    email?: string | undefined
    name?: string | undefined
    subject?: string
    groups?: readonly string[]
  },
): Person | null {
  const { email, subject, groups } = identity
  const entry =
    email === undefined
      ? undefined
      : config.auth.people.find((p) => p.email.toLowerCase() === email.toLowerCase())
  const person: Person = {
    name: entry?.name ?? identity.name ?? email ?? subject ?? 'unknown',
    role: 'viewer',
    ...(email === undefined ? {} : { email }),
    ...(subject === undefined ? {} : { subject }),
    ...(groups === undefined ? {} : { groups }),
  }
  const roles: Role[] = [
    ...(entry === undefined ? [] : [entry.role]),
    ...config.auth.groups.filter((g) => groups?.includes(g.group) ?? false).map((g) => g.role),
  ]
  const owners = [...config.roadmap.owners, ...config.roadmap.teams.flatMap((t) => t.owners ?? [])]
  if (owners.some((o) => namesPerson(o, person))) roles.push('editor')
  if (roles.length === 0) return null
  return { ...person, role: roles.reduce(higherRole) }
}
