#!/usr/bin/env node
import { buildCommand } from './cli/build.ts'
import { type Command, helpText, parseCommandArgs } from './cli/command.ts'
import { demoCommand } from './cli/demo.ts'
import { doctorCommand } from './cli/doctor.ts'
import { migrateCommand } from './cli/migrate.ts'
import { reportCommand } from './cli/report.ts'
import { serveCommand } from './cli/serve.ts'
import { syncCommand } from './cli/sync.ts'
import { whatIfCommand } from './cli/what-if.ts'
import { workerCommand } from './cli/worker.ts'
import { ConfigError } from './config/index.ts'
import { isOnetrackError } from './errors.ts'

const commands: Command[] = [
  demoCommand,
  serveCommand,
  workerCommand,
  syncCommand,
  buildCommand,
  whatIfCommand,
  reportCommand,
  migrateCommand,
  doctorCommand,
]

const usage = [
  'onetrack: one merged roadmap for product and engineering',
  '',
  'usage: onetrack <command> [options]   (onetrack <command> --help for its options)',
  '',
  'commands:',
  ...commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
].join('\n')

/** Exit codes: 0 done, 1 failed, 2 bad configuration or bad usage. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage)
    return name === undefined ? 2 : 0
  }
  const command = commands.find((c) => c.name === name)
  if (command === undefined) {
    console.error(`unknown command ${name}\n\n${usage}`)
    return 2
  }
  let parsed: ReturnType<typeof parseCommandArgs>
  try {
    parsed = parseCommandArgs(command, rest)
  } catch (error) {
    // One line: what is wrong with the arguments, and where the options are listed.
    const problem = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '')
    console.error(`onetrack ${command.name}: ${problem} (onetrack ${command.name} --help lists the options)`)
    return 2
  }
  if (parsed.values.help === true) {
    console.log(helpText(command))
    return 0
  }
  return command.run(parsed.values, parsed.positionals, rest)
}

/**
 * Once a command has finished (a server or worker only after its shutdown has closed everything),
 * nothing should hold the process. The embedded Postgres can: it keeps a 10 s timer of its own
 * after its last statement, which would delay every exit, and a stop under Docker's 10 s grace
 * would end in a SIGKILL. So a finished command that is still running a moment later exits.
 */
const LINGER_MS = 500

main(process.argv.slice(2))
  .then(
    (code) => code,
    (error: unknown) => {
      if (
        error instanceof ConfigError ||
        isOnetrackError(error, 'ONETRACK_CONFIG_INVALID') ||
        isOnetrackError(error, 'ONETRACK_CONFIG_MISSING')
      ) {
        console.error(`onetrack: ${(error as Error).message}`)
        return 2
      }
      if (isOnetrackError(error)) console.error(`onetrack: ${error.code}: ${error.message}`)
      else console.error('onetrack: unexpected failure', error)
      return 1
    },
  )
  .then((code) => {
    process.exitCode = code
    setTimeout(() => process.exit(code), LINGER_MS).unref()
  })
