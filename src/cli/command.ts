import { parseArgs } from 'node:util'
import { INSTANT_FORM, parseInstant } from '../config/environment.ts'
import { type Environment, loadConfig, type OnetrackConfig } from '../config/index.ts'

export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
  description: string
}

export type Values = Record<string, string | boolean | undefined>

export interface Command {
  name: string
  summary: string
  usage: string
  options: Record<string, OptionSpec>
  /** `args`: the command's own arguments as typed, for commands whose options depend on their order. */
  run(values: Values, positionals: string[], args: string[]): Promise<number>
}

export const helpOption: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' }

/** Options every command that reads the config file takes. */
export const commonOptions: Record<string, OptionSpec> = {
  config: {
    type: 'string',
    short: 'c',
    description: 'config file (env ONETRACK_CONFIG, default config/onetrack.yaml)',
  },
  help: helpOption,
}

/** The option of the commands that run the pipeline at a chosen date (build, what-if, report, demo). */
export const asOfOption: OptionSpec = {
  type: 'string',
  description: `run as of this date instead of now: ${INSTANT_FORM} (env ONETRACK_NOW)`,
}

/**
 * The environment with the clock --as-of names (it wins over ONETRACK_NOW), or the problem, naming
 * the flag and the form it takes: the command prints it and exits 2.
 */
export function withAsOf(
  values: Values,
  env: Environment,
): { ok: true; env: Environment } | { ok: false; problem: string } {
  const text = stringValue(values, 'as-of')
  if (text === undefined) return { ok: true, env }
  const parsed = parseInstant(text)
  return parsed.ok
    ? { ok: true, env: { ...env, now: parsed.at } }
    : { ok: false, problem: `--as-of: ${parsed.problem}` }
}

/**
 * The environment on the real clock, for the long-running commands (serve, worker) and sync: the
 * trackers' webhooks are checked against it, so ONETRACK_NOW is ignored there, with a warning.
 */
export function onRealClock(env: Environment, command: string): Environment {
  if (env.now === undefined) return env
  console.error(
    `onetrack ${command}: ONETRACK_NOW is ignored here: ${command} runs on the real clock (webhook timestamps are checked against it); build, what-if, report and demo take it`,
  )
  return { ...env, now: undefined }
}

/** The clock of an environment: its fixed instant (ONETRACK_NOW, --as-of), else the real time. */
export function clockOf(env: Pick<Environment, 'now'>): () => Date {
  const fixed = env.now
  return fixed === undefined ? () => new Date() : () => new Date(fixed.getTime())
}

export function parseCommandArgs(
  command: Command,
  args: string[],
): { values: Values; positionals: string[] } {
  const options = Object.fromEntries(
    Object.entries(command.options).map(([name, o]) => [
      name,
      o.short === undefined ? { type: o.type } : { type: o.type, short: o.short },
    ]),
  )
  const parsed = parseArgs({ args, options, allowPositionals: true, strict: true })
  return { values: parsed.values as Values, positionals: parsed.positionals }
}

export function helpText(command: Command): string {
  const lines = [
    `onetrack ${command.name}: ${command.summary}`,
    '',
    `usage: ${command.usage}`,
    '',
    'options:',
  ]
  for (const [name, option] of Object.entries(command.options)) {
    const flag = `${option.short === undefined ? '    ' : `-${option.short}, `}--${name}${option.type === 'string' ? ' <value>' : ''}`
    lines.push(`  ${flag.padEnd(28)} ${option.description}`)
  }
  return lines.join('\n')
}

export function stringValue(values: Values, name: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}

/** The config file named by --config, else by the environment (ONETRACK_CONFIG or the default). */
export function configFromArgs(values: Values, env: Environment): OnetrackConfig {
  return loadConfig(stringValue(values, 'config') ?? env.configPath, env.vars)
}
