import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { TSchema } from 'typebox'
import Value from 'typebox/value'
import { LineCounter, parseDocument } from 'yaml'
import { DomainError } from '../domain/index.ts'
import { OnetrackError } from '../errors.ts'
import { resolveEnvReferences } from './env-references.ts'
import { describeValidationErrors } from './problems.ts'
import { roadmapSettings } from './roadmap-settings.ts'
import {
  type ChannelConfig,
  ChannelSchemas,
  ConfigFileSchema,
  type OnetrackConfig,
  type SourceConfig,
} from './schema.ts'
import { SourceSchemas } from './sources.ts'

export const EXAMPLE_CONFIG = 'config/onetrack.example.yaml'

export class ConfigError extends OnetrackError {
  readonly problems: string[]

  constructor(path: string, problems: string[]) {
    super('ONETRACK_CONFIG_INVALID', `${path} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      details: { path, problems },
    })
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/**
 * Reads, validates and resolves the configuration file. Every schema and environment problem is
 * collected before failing, so one run shows all of them, each named by its key
 * (`roadmap.teams[0].capacity: must be >= 0`); references between sections (a source's team, unique
 * ids) are checked once the schema holds.
 */
export function loadConfig(path: string, env: Readonly<Record<string, string | undefined>>): OnetrackConfig {
  const absolute = resolve(path)
  let text: string
  try {
    text = readFileSync(absolute, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new OnetrackError(
        'ONETRACK_CONFIG_MISSING',
        `configuration file ${absolute} does not exist: copy ${EXAMPLE_CONFIG} to it and edit it, or point ONETRACK_CONFIG / --config at your file`,
        { cause: error },
      )
    }
    throw new OnetrackError(
      'ONETRACK_CONFIG_INVALID',
      `cannot read ${absolute}: ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
  return parseConfig(text, absolute, env)
}

export function parseConfig(
  text: string,
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): OnetrackConfig {
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter })
  if (document.errors.length > 0) {
    // One syntax slip makes the parser report a cascade; the first few lines locate it.
    throw new ConfigError(
      path,
      document.errors.slice(0, 3).map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0])
        return `line ${line}, column ${col}: ${e.message.split('\n')[0]}`
      }),
    )
  }
  const raw: unknown = document.toJS()
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(path, ['(top level): must be a mapping with roadmap, sources and channels'])
  }

  const problems: string[] = []
  // Sources and channels are checked per kind below; the top level only sees their kinds.
  const { sources: rawSources, channels: rawChannels, ...rest } = raw as Record<string, unknown>
  const top = check(
    ConfigFileSchema,
    { ...rest, sources: kindsOf(rawSources), channels: kindsOf(rawChannels) },
    '',
  )
  const sources = listOf(rawSources).map((s, i) => {
    const schema = SourceSchemas[kindOf(s) as keyof typeof SourceSchemas]
    return schema === undefined ? s : check(schema, s, `sources[${i}]`)
  })
  const channels = listOf(rawChannels).map((c, i) => {
    const schema = ChannelSchemas[kindOf(c) as keyof typeof ChannelSchemas]
    return schema === undefined ? c : check(schema, c, `channels[${i}]`)
  })
  if (problems.length > 0) throw new ConfigError(path, problems)

  const config = {
    ...(top as Omit<OnetrackConfig, 'path' | 'hash'>),
    path,
    hash: createHash('sha256').update(text).digest('hex'),
    sources: sources as SourceConfig[],
    channels: channels as ChannelConfig[],
  }
  problems.push(...crossCheck(config))
  if (problems.length > 0) throw new ConfigError(path, problems)
  return config

  /** Defaults, then environment references, then the schema: the resolved value is what is checked. */
  function check(schema: TSchema, value: unknown, at: string): unknown {
    const withDefaults = Value.Default(schema, Value.Clone(value))
    const resolved = resolveEnvReferences(schema, withDefaults, env, at)
    problems.push(...resolved.problems)
    // A key whose variable is unset is reported once, as that, not again for its empty value.
    const unset = new Set(resolved.problems.map((p) => p.slice(0, p.indexOf(': '))))
    problems.push(
      ...describeValidationErrors(Value.Errors(schema, resolved.value), at).filter(
        (p) => !unset.has(p.slice(0, p.indexOf(': '))),
      ),
    )
    return resolved.value
  }
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

function kindOf(item: unknown): unknown {
  return item !== null && typeof item === 'object' ? (item as { kind?: unknown }).kind : undefined
}

function kindsOf(value: unknown): unknown {
  if (!Array.isArray(value)) return value
  return value.map((item) => (item !== null && typeof item === 'object' ? { kind: kindOf(item) } : item))
}

/** Rules a schema cannot express: references between sections and unique ids. */
function crossCheck(config: OnetrackConfig): string[] {
  const problems: string[] = []
  const { roadmap } = config
  const periods = roadmap.periods
  if ((periods.quarters === undefined) === (periods.list === undefined)) {
    problems.push('roadmap.periods: give exactly one of quarters: {start, count} or list: [...]')
  }
  problems.push(
    ...duplicates(
      roadmap.teams.map((t) => t.id),
      'roadmap.teams',
      'team id',
    ),
  )
  problems.push(
    ...duplicates(
      config.sources.map((s) => s.id),
      'sources',
      'source id',
    ),
  )
  problems.push(
    ...duplicates(
      config.channels.map((c) => c.id),
      'channels',
      'channel id',
    ),
  )
  problems.push(
    ...duplicates(
      config.auth.tokens.map((t) => t.name),
      'auth.tokens',
      'token name',
    ),
  )

  if (problems.length === 0) problems.push(...calendarProblems(config))

  const teams = new Set(roadmap.teams.map((t) => t.id))
  const sourceIds = new Set(config.sources.map((s) => s.id))
  config.sources.forEach((source, i) => {
    if (source.team !== undefined && !teams.has(source.team)) {
      problems.push(
        `sources[${i}].team: unknown team ${source.team} (roadmap.teams has ${[...teams].join(', ')})`,
      )
    }
    for (const [from, team] of Object.entries(source.teamMap ?? {})) {
      if (!teams.has(team)) problems.push(`sources[${i}].teamMap.${from}: unknown team ${team}`)
    }
    if (source.kind === 'linear' && source.epics === 'label' && source.epicLabel === undefined) {
      problems.push(`sources[${i}].epicLabel: is required when epics is label`)
    }
    if (source.allowUnsigned && source.webhookSecret !== undefined) {
      problems.push(
        `sources[${i}].allowUnsigned: cannot be true with a webhookSecret (a signed source takes only signed webhooks)`,
      )
    }
  })
  problems.push(...ownerProblems(config), ...signOnProblems(config))
  config.channels.forEach((channel, i) => {
    if (channel.kind === 'slack' && channel.signingSecret !== undefined && channel.botToken === undefined) {
      problems.push(`channels[${i}].signingSecret: report buttons need a bot channel (botToken and channel)`)
    }
    for (const team of channel.scope.teams ?? []) {
      if (!teams.has(team)) problems.push(`channels[${i}].scope.teams: unknown team ${team}`)
    }
    for (const source of channel.scope.sources ?? []) {
      if (!sourceIds.has(source)) problems.push(`channels[${i}].scope.sources: unknown source ${source}`)
    }
    if (channel.kind === 'slack') {
      const byWebhook = channel.webhookUrl !== undefined
      const byBot = channel.botToken !== undefined && channel.channel !== undefined
      if (byWebhook === byBot) {
        problems.push(`channels[${i}]: a slack channel needs either webhookUrl, or botToken and channel`)
      }
    }
  })
  return problems
}

/**
 * Owners name someone who may write: a token, a person (by name or email) or an identity provider
 * group; a viewer never decides. Slack ids and people's emails are unique.
 */
function ownerProblems(config: OnetrackConfig): string[] {
  const problems: string[] = []
  const roles = new Map<string, string>(config.auth.tokens.map((t) => [t.name, t.role]))
  for (const person of config.auth.people) {
    roles.set(person.email.toLowerCase(), person.role)
    if (person.name !== undefined) roles.set(person.name, person.role)
  }
  const check = (names: readonly string[], at: string) =>
    names.forEach((name, j) => {
      if (name.startsWith('group:')) {
        if (name.length === 'group:'.length) problems.push(`${at}[${j}]: group: needs a group name`)
        return
      }
      const role = roles.get(name) ?? roles.get(name.toLowerCase())
      if (role === undefined && name.includes('@')) return // signs in through the identity provider
      if (role === undefined)
        problems.push(`${at}[${j}]: unknown name ${name} (not in auth.tokens or auth.people)`)
      else if (role === 'viewer')
        problems.push(`${at}[${j}]: ${name} has role viewer; an owner needs editor or owner`)
    })
  check(config.roadmap.owners, 'roadmap.owners')
  config.roadmap.teams.forEach((team, i) => {
    check(team.owners ?? [], `roadmap.teams[${i}].owners`)
  })
  const slackIds = new Map<string, string>()
  const claimSlackId = (id: string | undefined, who: string, at: string) => {
    if (id === undefined) return
    const other = slackIds.get(id)
    if (other !== undefined) problems.push(`${at}.slackUserId: ${id} is already ${other}'s`)
    slackIds.set(id, who)
  }
  config.auth.tokens.forEach((token, i) => {
    claimSlackId(token.slackUserId, token.name, `auth.tokens[${i}]`)
  })
  const emails = new Set<string>()
  config.auth.people.forEach((person, i) => {
    const email = person.email.toLowerCase()
    if (emails.has(email)) problems.push(`auth.people[${i}].email: duplicate person ${person.email}`)
    emails.add(email)
    claimSlackId(person.slackUserId, person.name ?? person.email, `auth.people[${i}]`)
  })
  return problems
}

/** Sign-on needs a session secret, and a callback that cookies marked Secure can reach. */
function signOnProblems(config: OnetrackConfig): string[] {
  const { oidc, session } = config.auth
  if (oidc === undefined) return []
  const problems: string[] = []
  if (session.secret === undefined) {
    problems.push(
      'auth.session.secret: required with auth.oidc (the key of the CSRF tokens and their cookie)',
    )
  } else if (session.secret.reveal().length < 32) {
    problems.push('auth.session.secret: must be at least 32 characters')
  }
  const issuer = URL.parse(oidc.issuer)
  if (issuer === null) problems.push(`auth.oidc.issuer: not a URL: ${oidc.issuer}`)
  else if (issuer.protocol !== 'https:' && !isLoopback(issuer.hostname)) {
    problems.push(`auth.oidc.issuer: must be https outside localhost, got ${oidc.issuer}`)
  }
  let callback: URL
  try {
    callback = new URL(oidc.redirectUrl)
  } catch {
    return [...problems, `auth.oidc.redirectUrl: not a URL: ${oidc.redirectUrl}`]
  }
  if (callback.protocol !== 'https:' && !isLoopback(callback.hostname)) {
    problems.push(
      `auth.oidc.redirectUrl: must be https outside localhost (session cookies are Secure), got ${oidc.redirectUrl}`,
    )
  }
  if (callback.pathname !== '/auth/callback') {
    problems.push(
      `auth.oidc.redirectUrl: must end in /auth/callback (onetrack's callback), got ${oidc.redirectUrl}`,
    )
  }
  return problems
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]'
}

/** The period calendar the domain will plan with: valid, and every capacity exception names a period. */
function calendarProblems(config: OnetrackConfig): string[] {
  let periods: string[]
  try {
    periods = roadmapSettings(config).periods.map((p) => p.id)
  } catch (error) {
    if (error instanceof DomainError) return error.problems.map((p) => `roadmap.periods: ${p}`)
    throw error
  }
  return config.roadmap.teams.flatMap((team, i) =>
    Object.keys(team.capacityByPeriod ?? {})
      .filter((period) => !periods.includes(period))
      .map(
        (period) =>
          `roadmap.teams[${i}].capacityByPeriod.${period}: unknown period (periods are ${periods.join(', ')})`,
      ),
  )
}

function duplicates(ids: string[], at: string, what: string): string[] {
  const seen = new Set<string>()
  const problems: string[] = []
  ids.forEach((id, i) => {
    if (seen.has(id))
      problems.push(`${at}[${i}].${what === 'token name' ? 'name' : 'id'}: duplicate ${what} ${id}`)
    seen.add(id)
  })
  return problems
}
