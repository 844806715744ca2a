import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { FastifyAdapter } from '@bull-board/fastify'
import type { FastifyPluginAsync } from 'fastify'
import { jobNames, type Queues } from '../../jobs/index.ts'

export const DASHBOARD_PATH = '/admin/queues'

/** The BullMQ dashboard (it can retry and remove jobs), for owners only. */
export const dashboardPlugin: FastifyPluginAsync<{ queues: Queues }> = async (app, { queues }) => {
  const serverAdapter = new FastifyAdapter()
  serverAdapter.setBasePath(DASHBOARD_PATH)
  createBullBoard({
    queues: jobNames.map((name) => new BullMQAdapter(queues[name])),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'onetrack queues' } },
  })
  app.addHook('onRequest', app.requireRole('owner'))
  await app.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH })
}
