import { readEnvironment } from '../config/index.ts'
import { type Command, commonOptions, configFromArgs, onRealClock, stringValue } from './command.ts'

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run the BullMQ workers (sync, build, write-back, report); run more of them to scale out',
  usage: 'onetrack worker [--metrics-port 9464] [--config file]',
  options: {
    'metrics-port': {
      type: 'string',
      description: 'serve /metrics and /healthz of this process on this port (default 9464, 0 = off)',
    },
    ...commonOptions,
  },
  async run(values) {
    const { default: Fastify } = await import('fastify')
    const { onShutdown, openServices, startWorkers } = await import('./services.ts')
    const env = onRealClock(readEnvironment(), 'worker')
    const config = configFromArgs(values, env)
    const services = await openServices(env, config, 'worker')
    const workers = await startWorkers(services)
    const metricsPort = Number(stringValue(values, 'metrics-port') ?? '9464')
    const metricsServer = Fastify({ logger: false })
    metricsServer.get('/healthz', async () => ({ status: 'ok' }))
    metricsServer.get('/metrics', async (_request, reply) =>
      reply.type(services.metrics.registry.contentType).send(await services.metrics.registry.metrics()),
    )
    if (metricsPort > 0) await metricsServer.listen({ port: metricsPort, host: env.host })
    return onShutdown(services.logger, async () => {
      await workers.close()
      await metricsServer.close()
      await services.close()
    })
  },
}
