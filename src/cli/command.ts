import { parseArgs } from 'node:util'
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
