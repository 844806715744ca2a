import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { readEnvironment, reportSettings } from '../config/index.ts'
import {
  DomainError,
  DomainErrorCode,
  describeDeferral,
  type Epic,
  epicLabel,
  fieldProblemText,
  type PeriodNames,
  periodNames,
  resolveEpicKey,
  WHAT_IF_INPUTS,
  type WhatIfChange,
  type WhatIfInputName,
  type WhatIfResult,
} from '../domain/index.ts'
import {
  asOfOption,
  type Command,
  clockOf,
  commonOptions,
  configFromArgs,
  helpOption,
  withAsOf,
} from './command.ts'

/** One change as typed on the command line, epics still named by key. */
type Draft =
  | { flag: string; kind: 'defer' | 'pin'; key: string; period?: string }
  | { flag: string; kind: 'exclude'; key: string }
  | { flag: string; kind: 'input'; key: string; input: WhatIfInputName; value: number | null }
  | { flag: string; kind: 'capacity'; team: string; period: string; capacity: number }

const CHANGE_FLAGS = {
  defer: { type: 'string', multiple: true },
  pin: { type: 'string', multiple: true },
  to: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  set: { type: 'string', multiple: true },
  capacity: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  'as-of': { type: 'string' },
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
} as const

/**
 * Reads the changes in the order given: `--to` belongs to the `--defer` or `--pin` before it.
 * Returns the drafts, or the problems (each naming its flag).
 */
export function parseWhatIfArgs(args: string[]): { drafts: Draft[]; problems: string[] } {
  const { tokens } = parseArgs({ args, options: CHANGE_FLAGS, strict: true, tokens: true })
  const drafts: Draft[] = []
  const problems: string[] = []
  let waiting: Extract<Draft, { kind: 'defer' | 'pin' }> | null = null
  const close = () => {
    if (waiting?.kind === 'pin' && waiting.period === undefined)
      problems.push(`${waiting.flag}: a pin needs --to PERIOD`)
    waiting = null
  }
  for (const token of tokens) {
    if (token.kind !== 'option' || token.value === undefined) continue
    const value = token.value
    switch (token.name) {
      case 'defer':
      case 'pin':
        close()
        waiting = { flag: `--${token.name} ${value}`, kind: token.name, key: value }
        drafts.push(waiting)
        break
      case 'to':
        if (waiting === null || waiting.period !== undefined)
          problems.push(`--to ${value}: must follow a --defer KEY or --pin KEY`)
        else {
          waiting.period = value
          waiting.flag += ` --to ${value}`
        }
        break
      case 'exclude':
        close()
        drafts.push({ flag: `--exclude ${value}`, kind: 'exclude', key: value })
        break
      case 'set': {
        close()
        const match = /^(.+)\.(\w+)=(.*)$/.exec(value)
        const input = match?.[2] as WhatIfInputName | undefined
        const raw = match?.[3]?.trim() ?? ''
        const number = raw === '' || raw === 'none' || raw === 'null' ? null : Number(raw)
        if (match === null || input === undefined || !WHAT_IF_INPUTS.includes(input))
          problems.push(`--set ${value}: write KEY.INPUT=N with INPUT one of ${WHAT_IF_INPUTS.join(', ')}`)
        else if (number !== null && !(Number.isFinite(number) && number >= 0))
          problems.push(`--set ${value}: the value must be a number >= 0, or none`)
        else
          drafts.push({
            flag: `--set ${value}`,
            kind: 'input',
            key: match[1] as string,
            input,
            value: number,
          })
        break
      }
      case 'capacity': {
        close()
        const match = /^(.+):([^:=]+)=(.+)$/.exec(value)
        const capacity = Number(match?.[3])
        if (match === null || !(Number.isFinite(capacity) && capacity >= 0))
          problems.push(`--capacity ${value}: write TEAM:PERIOD=N, e.g. platform:2027-Q2=20`)
        else
          drafts.push({
            flag: `--capacity ${value}`,
            kind: 'capacity',
            team: match[1] as string,
            period: match[2] as string,
            capacity,
          })
        break
      }
    }
  }
  close()
  if (drafts.length === 0 && problems.length === 0)
    problems.push('give at least one change: --defer, --pin, --exclude, --set or --capacity')
  return { drafts, problems }
}

/** The drafts as changes, keys resolved among the epics; throws a DomainError naming the flags. */
function toChanges(drafts: Draft[], epics: readonly Epic[]): WhatIfChange[] {
  const problems: string[] = []
  const changes: WhatIfChange[] = []
  for (const draft of drafts) {
    if (draft.kind === 'capacity') {
      changes.push({ kind: 'capacity', team: draft.team, period: draft.period, capacity: draft.capacity })
      continue
    }
    const found = resolveKeyOrTitle(epics, draft.key)
    if (!found.ok) {
      problems.push(`${draft.flag}: ${found.problem}`)
      continue
    }
    const epicId = found.epicId
    if (draft.kind === 'input')
      changes.push({ kind: 'input', epicId, input: draft.input, value: draft.value })
    else if (draft.kind === 'exclude') changes.push({ kind: 'exclude', epicId })
    else if (draft.kind === 'pin') changes.push({ kind: 'pin', epicId, period: draft.period as string })
    else
      changes.push({ kind: 'defer', epicId, ...(draft.period === undefined ? {} : { period: draft.period }) })
  }
  if (problems.length > 0) throw new DomainError(DomainErrorCode.inputInvalid, 'Invalid what-if', problems)
  return changes
}

/**
 * An epic by key or id (resolveEpicKey), or else by its exact title (any case): a Linear project
 * has no key people type, only a slug hash, so its title is how people name it.
 */
function resolveKeyOrTitle(epics: readonly Epic[], keyOrTitle: string): ReturnType<typeof resolveEpicKey> {
  const found = resolveEpicKey(epics, keyOrTitle)
  if (found.ok) return found
  const wanted = keyOrTitle.trim().toLowerCase()
  const titled = epics.filter((e) => e.title.toLowerCase() === wanted)
  if (titled.length === 1) return { ok: true, epicId: (titled[0] as Epic).id }
  if (titled.length === 0) return { ok: false, problem: `no epic with key, id or title ${keyOrTitle}` }
  return {
    ok: false,
    problem: `${titled.length} epics are titled ${keyOrTitle}: ${titled.map((e) => e.key).join(', ')} — give the key instead`,
  }
}

const round = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1))

/** The what-if in a few readable lines. */
export function whatIfText(
  result: WhatIfResult,
  options: { names: PeriodNames; unit: string; versionId: number | null; changes: string[] },
): string {
  const { names, unit } = options
  const lines: string[] = []
  lines.push(
    result.basedOn === null
      ? 'what-if (no roadmap built yet: everything is new):'
      : `what-if against roadmap version ${options.versionId} (built ${result.basedOn.slice(0, 16).replace('T', ' ')}), as a build at ${result.now.slice(0, 16).replace('T', ' ')} UTC would see it:`,
  )
  for (const change of options.changes) lines.push(`  ${change}`)
  lines.push('')
  lines.push(
    result.moved.length === 0 ? 'no epic changes period' : `epics that move (${result.moved.length}):`,
  )
  for (const m of result.moved) {
    lines.push(
      `  ${`${names(m.fromPeriod)} → ${names(m.toPeriod)}`.padEnd(24)} rank ${`${m.fromRank} → ${m.toRank}`.padEnd(12)} ${epicLabel(m)}`,
    )
  }
  lines.push('')
  lines.push(
    result.deferrals.length === 0
      ? 'no deferrals'
      : `deferrals (${result.deferrals.length}), projected cost of delay: ${round(result.projectedCost)} ${unit}`,
  )
  for (const event of result.deferrals)
    lines.push(`  ${epicLabel(event.epic)}: ${describeDeferral(event, names)}`)
  const byPeriod = Object.entries(result.projectedCostByPeriod)
  if (byPeriod.length > 0) {
    lines.push('projected cost of delay per committed period (the period each epic slips out of):')
    for (const [period, cost] of byPeriod)
      lines.push(`  ${names(period === 'unplanned' ? null : period).padEnd(12)} ${round(cost)} ${unit}`)
  }
  lines.push('')
  lines.push(
    result.newlyBlocked.length === 0
      ? 'nothing newly blocked'
      : `newly blocked (${result.newlyBlocked.length}):`,
  )
  const byId = new Map(result.roadmap.entries.map((e) => [e.epicId, e]))
  const named = (id: string) => {
    const entry = byId.get(id)
    return entry === undefined ? id : epicLabel(entry)
  }
  for (const b of result.newlyBlocked)
    lines.push(`  ${epicLabel(b)}: waits on ${b.blockedBy.map(named).join(', ')}`)
  const { before, after } = result.summary
  const was = (n: number, m: number | undefined) => (m === undefined || m === n ? `${n}` : `${n} (now ${m})`)
  lines.push(
    `plan: ${was(after.epics, before?.epics)} open epics, ${was(after.planned, before?.planned)} planned, ${was(after.unplanned, before?.unplanned)} unplanned, ${was(after.unscored, before?.unscored)} unscored`,
  )
  for (const problem of result.problems) lines.push(`new problem: ${problem}`)
  lines.push('nothing was saved')
  return lines.join('\n')
}

export const whatIfCommand: Command = {
  name: 'what-if',
  summary: 'what would these changes do to the plan? (moves, deferrals, cost of delay; nothing saved)',
  usage:
    'onetrack what-if [--defer KEY [--to PERIOD]] [--pin KEY --to PERIOD] [--exclude KEY] [--set KEY.value=8] [--capacity team:PERIOD=N] [--as-of DATE] [--json]',
  options: {
    defer: {
      type: 'string',
      description: 'defer an epic (key, id or title) to the --to period; without --to, out of the plan',
    },
    pin: { type: 'string', description: 'pin an epic to the --to period' },
    to: { type: 'string', description: 'the period (e.g. 2027-Q2) of the --defer or --pin before it' },
    exclude: { type: 'string', description: 'take an epic out of the plan' },
    set: {
      type: 'string',
      description: 'change an input: KEY.value|timeCriticality|risk|effort=N (none = not given)',
    },
    capacity: { type: 'string', description: "set a team's capacity for a period: team:2027-Q2=20" },
    json: { type: 'boolean', description: 'print the whole result as JSON' },
    'as-of': asOfOption,
    ...commonOptions,
    help: helpOption,
  },
  async run(values, _positionals, args) {
    const { drafts, problems } = parseWhatIfArgs(args)
    if (problems.length > 0) {
      console.error(`onetrack what-if:\n${problems.map((p) => `  ${p}`).join('\n')}`)
      return 2
    }
    const { openDatabase, readMigrations } = await import('../store/index.ts')
    const { runWhatIf } = await import('../pipeline/index.ts')
    const clock = withAsOf(values, readEnvironment())
    if (!clock.ok) {
      console.error(`onetrack what-if:\n  ${clock.problem}`)
      return 2
    }
    const { env } = clock
    const config = configFromArgs(values, env)
    // Read-only: no migration, no source registration, no Redis.
    const { waitForDependencies } = await import('./startup.ts')
    await waitForDependencies(env, { database: true, redis: false }, (line) =>
      console.error(`onetrack what-if: ${line}`),
    )
    const database = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir })
    try {
      const latest = readMigrations().at(-1)?.version ?? 0
      const applied = await sql<{
        version: number | null
      }>`select max(version) as version from schema_migrations`
        .execute(database.db)
        .then((r) => Number(r.rows[0]?.version ?? 0))
        .catch(() => 0)
      if (applied < latest) {
        console.error('onetrack what-if: the database is not migrated: run onetrack migrate (or serve) first')
        return 1
      }
      let outcome: Awaited<ReturnType<typeof runWhatIf>>
      try {
        outcome = await runWhatIf({ config, database, now: clockOf(env) }, (epics) =>
          toChanges(drafts, epics),
        )
      } catch (error) {
        if (!(error instanceof DomainError)) throw error
        // A change's problem is told by the flag that made it: its field path says which change.
        const named =
          error.fields.length === 0
            ? error.problems
            : error.fields.map((f) => {
                const draft =
                  f.path[0] === 'changes' && typeof f.path[1] === 'number' ? drafts[f.path[1]] : undefined
                return draft === undefined ? fieldProblemText(f) : `${draft.flag}: ${f.message}`
              })
        console.error(`onetrack what-if:\n${named.map((p) => `  ${p}`).join('\n')}`)
        return 2
      }
      const { result, basedOnVersion, periods } = outcome
      if (values.json === true) {
        const { roadmap: _roadmap, ...rest } = result
        console.log(
          JSON.stringify({ basedOnVersion, unit: reportSettings(config).costUnit, ...rest }, null, 2),
        )
      } else {
        console.log(
          whatIfText(result, {
            names: periodNames(periods),
            unit: reportSettings(config).costUnit,
            versionId: basedOnVersion,
            changes: drafts.map((d) => d.flag),
          }),
        )
      }
      return 0
    } finally {
      await database.close()
    }
  },
}
