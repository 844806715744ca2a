import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import { readEnvironment } from '../config/index.ts'
import { type Command, helpOption, stringValue } from './command.ts'

export const DEMO_CONFIG = 'config/demo.yaml'
const DEMO_ENV = 'config/demo.env'

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run onetrack on a simulated company: Jira, Linear, a year of history, the API and the workers',
  usage: 'onetrack demo [--port 3000] [--once]',
  options: {
    port: { type: 'string', short: 'p', description: 'port of the API and web page (default 3000)' },
    once: { type: 'boolean', description: 'run the whole pipeline once, print a summary and exit' },
    help: helpOption,
  },
  async run(values) {
    const { runDemo } = await import('./demo-run.ts')
    // The demo's throwaway credentials; anything set in the environment wins. It tells its own
    // story on stdout, so the service logs only warnings unless LOG_LEVEL asks for more.
    const vars: Record<string, string | undefined> = {
      LOG_LEVEL: 'warn',
      ...parseEnv(readFileSync(DEMO_ENV, 'utf8')),
      ...process.env,
    }
    const env = readEnvironment(vars)
    const port = Number(stringValue(values, 'port') ?? '3000')
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port: not a port number')
    // Its own embedded database and queue prefix: the demo starts from scratch and touches nothing else.
    return runDemo({
      vars,
      env: { ...env, dataDir: join(env.dataDir, 'demo'), queuePrefix: `${env.queuePrefix}-demo` },
      port,
      once: values.once === true,
    })
  },
}
