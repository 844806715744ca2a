import { readEnvironment } from '../config/index.ts'
import { type Command, commonOptions, configFromArgs, onRealClock, stringValue } from './command.ts'

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the HTTP API (webhooks, REST API, health, metrics, dashboard)',
  usage: 'onetrack serve [--port 3000] [--host 0.0.0.0] [--workers] [--config file]',
  options: {
    port: { type: 'string', short: 'p', description: 'port to listen on (env PORT, default 3000)' },
    host: { type: 'string', description: 'address to bind (env HOST, default 0.0.0.0)' },
    workers: {
      type: 'boolean',
      description: 'also run the workers in this process (needed with the embedded database)',
    },
    ...commonOptions,
  },
  async run(values) {
    // Loaded here, not at the top: `onetrack --help` stays fast.
    const { buildApp } = await import('../http/app.ts')
    const { onShutdown, openServices, startWorkers } = await import('./services.ts')
    const env = onRealClock(readEnvironment(), 'serve')
    const config = configFromArgs(values, env)
    const port = stringValue(values, 'port') === undefined ? env.port : Number(stringValue(values, 'port'))
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port: not a port number')
    const services = await openServices(env, config, 'api')
    const workers = values.workers === true ? await startWorkers(services) : undefined
    const app = await buildApp(services)
    await app.listen({ port, host: stringValue(values, 'host') ?? env.host })
    return onShutdown(services.logger, async () => {
      await app.close()
      await workers?.close()
      await services.close()
    })
  },
}
