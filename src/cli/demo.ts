import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import { readEnvironment } from '../config/index.ts'
import { DEMO_TODAY, HISTORY_STEPS } from '../sandbox/demo/company.ts'
import { asOfOption, type Command, helpOption, stringValue, withAsOf } from './command.ts'

export const DEMO_CONFIG = 'config/demo.yaml'
const DEMO_ENV = 'config/demo.env'

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run onetrack on a simulated company: Jira, Linear, a year of history, the API and the workers',
  usage: 'onetrack demo [--port 3000] [--once] [--as-of 2026-12-03]',
  options: {
    port: {
      type: 'string',
      short: 'p',
      description: 'port of the API and web page, which the links it writes follow (env PORT, default 3000)',
    },
    once: { type: 'boolean', description: 'run the whole pipeline once, print a summary and exit' },
    'as-of': {
      ...asOfOption,
      description: `the demo's date: its history is replayed up to it (default ${DEMO_TODAY.slice(0, 10)}, env ONETRACK_NOW)`,
    },
    help: helpOption,
  },
  async run(values) {
    // The demo's throwaway credentials; anything set in the environment wins. It tells its own
    // story on stdout, so the service logs only warnings unless LOG_LEVEL asks for more.
    const vars: Record<string, string | undefined> = {
      LOG_LEVEL: 'warn',
      ...parseEnv(readFileSync(DEMO_ENV, 'utf8')),
      ...process.env,
    }
    const clock = withAsOf(values, readEnvironment(vars))
    if (!clock.ok) {
      console.error(`onetrack demo: ${clock.problem}`)
      return 2
    }
    const env = clock.env
    // The demo runs at its own date unless told another, so it tells the same story on every run.
    const now = env.now ?? new Date(DEMO_TODAY)
    const first = HISTORY_STEPS[0] as string
    if (now.getTime() < Date.parse(first)) {
      const flag = values['as-of'] === undefined ? 'ONETRACK_NOW' : '--as-of'
      console.error(
        `onetrack demo: ${flag}: the demo's history starts on ${first.slice(0, 10)}; give a date on or after it`,
      )
      return 2
    }
    const given = stringValue(values, 'port')
    if (given !== undefined && !(/^\d{1,5}$/.test(given.trim()) && Number(given) <= 65535)) {
      console.error(`onetrack demo: --port: must be a port number from 0 to 65535, got '${given}'`)
      return 2
    }
    const { runDemo } = await import('./demo-run.ts')
    // Its own embedded database and a queue prefix of this run's own: the demo starts from scratch
    // and touches nothing else, not even another demo's queues.
    return runDemo({
      vars,
      env: {
        ...env,
        now,
        dataDir: join(env.dataDir, 'demo'),
        queuePrefix: `${env.queuePrefix}-demo-${process.pid}-${randomBytes(2).toString('hex')}`,
      },
      port: given === undefined ? env.port : Number(given),
      once: values.once === true,
    })
  },
}
