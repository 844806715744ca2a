import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DeliveryIngest, type VerifiedDelivery } from '../../src/http/webhook-ingest.ts'
import { closeQueues, createQueues, type Queues } from '../../src/jobs/index.ts'
import { createMetrics } from '../../src/metrics.ts'
import { type TestDatabase, testDatabase } from '../helpers/database.ts'
import { dropPrefix, testRedis, uniquePrefix } from '../helpers/redis.ts'

/**
 * Group commit of webhook deliveries against real Postgres and Redis: what arrives together is
 * recorded by one statement and queued by one addBulk, each caller answered after the commit, with
 * the de-duplication of one delivery at a time (by delivery id and by body, within a batch and
 * across batches) and nothing recorded when Redis refuses the syncs.
 */
let redis: Redis
const prefixes: string[] = []
const opened: Queues[] = []

beforeAll(() => {
  redis = testRedis('api')
})
afterEach(async () => {
  await Promise.all(opened.splice(0).map((q) => closeQueues(q)))
})
afterAll(async () => {
  for (const prefix of prefixes) await dropPrefix(redis, prefix)
  redis.disconnect()
})

function queuesOn(connection: Redis, prefix = uniquePrefix()) {
  prefixes.push(prefix)
  const queues = createQueues({ connection, prefix })
  opened.push(queues)
  return { queues, prefix }
}

let serial = 0
function delivery(overrides: Partial<VerifiedDelivery> = {}): VerifiedDelivery {
  serial += 1
  return {
    sourceId: 'shop',
    deliveryId: randomUUID(),
    event: 'jira:issue_updated',
    contentHash: `body-${randomUUID()}`,
    externalIds: [`${10_000 + serial}`],
    ...overrides,
  }
}

// Both backends: PGlite has one connection, so its batches' transactions take turns.
describe.each(['postgres', 'pglite'] as const)('webhook deliveries, group-committed (%s)', (backend) => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await testDatabase(backend)
  })
  afterAll(async () => {
    await db.dispose()
  })

  const recorded = async (deliveryIds: string[]) =>
    (
      await db.database.db
        .selectFrom('webhook_deliveries')
        .select('delivery_id')
        .where('delivery_id', 'in', deliveryIds)
        .execute()
    ).map((r) => r.delivery_id)

  async function batchSizes(metrics: ReturnType<typeof createMetrics>) {
    const values = (await metrics.webhookBatchSize.get()).values
    return {
      batches: values.find((v) => v.metricName === 'onetrack_webhook_batch_deliveries_count')?.value ?? 0,
      deliveries: values.find((v) => v.metricName === 'onetrack_webhook_batch_deliveries_sum')?.value ?? 0,
    }
  }

  it('records and queues deliveries that arrive together in one batch, answering each', async () => {
    const { queues } = queuesOn(redis)
    const metrics = createMetrics()
    const ingest = new DeliveryIngest({ database: db.database, queues, batchSizes: metrics.webhookBatchSize })
    const deliveries = Array.from({ length: 40 }, () => delivery())
    const outcomes = await Promise.all(deliveries.map((d) => ingest.submit(d)))

    expect(outcomes).toEqual(deliveries.map(() => ({ status: 'queued', jobs: 1 })))
    expect(await recorded(deliveries.map((d) => d.deliveryId))).toHaveLength(40)
    const waiting = await queues.sync.getJobs(['waiting'])
    expect(waiting.map((j) => j.data.externalId).sort()).toEqual(
      deliveries.map((d) => d.externalIds[0]).sort(),
    )
    expect(waiting.every((j) => j.data.reason === 'webhook' && j.data.mode === 'epic')).toBe(true)
    // Submitted in one turn of the event loop: one statement, one addBulk.
    expect(await batchSizes(metrics)).toEqual({ batches: 1, deliveries: 40 })
  })

  it('deliveries read in a later turn of the event loop commit at once, in a batch of their own', async () => {
    const { queues } = queuesOn(redis)
    const metrics = createMetrics()
    const ingest = new DeliveryIngest({ database: db.database, queues, batchSizes: metrics.webhookBatchSize })
    const first = ingest.submit(delivery())
    await new Promise((resolve) => setImmediate(resolve))
    const later = Array.from({ length: 10 }, () => ingest.submit(delivery()))
    await Promise.all([first, ...later])
    expect(await batchSizes(metrics)).toEqual({ batches: 2, deliveries: 11 })
  })

  it('with four batches committing, what arrives waits and goes together in the next', async () => {
    const { queues } = queuesOn(redis)
    // Redis holds the first commits until the gate opens, so the four are still in flight while
    // more deliveries arrive, one per turn of the event loop.
    let open = (): void => {}
    const gate = new Promise<void>((resolve) => {
      open = resolve
    })
    const addBulk = queues.sync.addBulk.bind(queues.sync)
    queues.sync.addBulk = async (jobs) => {
      await gate
      return addBulk(jobs)
    }
    const metrics = createMetrics()
    const ingest = new DeliveryIngest({ database: db.database, queues, batchSizes: metrics.webhookBatchSize })
    const submitted: Array<Promise<unknown>> = []
    for (let turn = 0; turn < 12; turn++) {
      submitted.push(ingest.submit(delivery()))
      await new Promise((resolve) => setImmediate(resolve))
    }
    open()
    await Promise.all(submitted)
    // The first four went alone; the eight behind them share the first commit that freed up.
    expect(await batchSizes(metrics)).toEqual({ batches: 5, deliveries: 12 })
  })

  it('takes a delivery id or a body seen before as a duplicate, within a batch and across batches', async () => {
    const { queues } = queuesOn(redis)
    const ingest = new DeliveryIngest({ database: db.database, queues })
    const original = delivery()
    const sameId = { ...delivery(), deliveryId: original.deliveryId }
    const sameBody = { ...delivery(), contentHash: original.contentHash }
    const other = delivery()
    const together = await Promise.all([original, sameId, sameBody, other].map((d) => ingest.submit(d)))
    expect(together.map((o) => o.status)).toEqual(['queued', 'duplicate', 'duplicate', 'queued'])

    const retries = await Promise.all(
      [original, { ...original, deliveryId: randomUUID() }, { ...other }].map((d) => ingest.submit(d)),
    )
    expect(retries.map((o) => o.status)).toEqual(['duplicate', 'duplicate', 'duplicate'])
    const waiting = await queues.sync.getJobs(['waiting'])
    expect(waiting.map((j) => j.data.deliveryId).sort()).toEqual(
      [original.deliveryId, other.deliveryId].sort(),
    )
  })

  it('records nothing and refuses the whole batch when Redis refuses the syncs; the retries are then queued', async () => {
    const prefix = uniquePrefix()
    const lost = testRedis('api')
    const down = queuesOn(lost, prefix).queues
    await down.sync.waitUntilReady()
    lost.disconnect()
    const refusing = new DeliveryIngest({ database: db.database, queues: down })
    const deliveries = [delivery(), delivery(), delivery()]
    const refused = await Promise.allSettled(deliveries.map((d) => refusing.submit(d)))
    expect(refused.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'ONETRACK_QUEUE_UNAVAILABLE' })
    expect(await recorded(deliveries.map((d) => d.deliveryId))).toEqual([])

    const { queues } = queuesOn(redis, prefix)
    const ingest = new DeliveryIngest({ database: db.database, queues })
    const retried = await Promise.all(deliveries.map((d) => ingest.submit(d)))
    expect(retried.map((o) => o.status)).toEqual(['queued', 'queued', 'queued'])
    expect(await recorded(deliveries.map((d) => d.deliveryId))).toHaveLength(3)
  })

  it('refuses a delivery the queue would not take on its own, and records its batch mates', async () => {
    const { queues } = queuesOn(redis)
    const ingest = new DeliveryIngest({ database: db.database, queues })
    const good = delivery()
    const bad = delivery({ sourceId: '' })
    const results = await Promise.allSettled([
      ingest.submit(good),
      Promise.resolve().then(() => ingest.submit(bad)),
    ])
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { status: 'queued' } })
    expect(results[1].status).toBe('rejected')
    expect(await recorded([good.deliveryId, bad.deliveryId])).toEqual([good.deliveryId])
  })

  it('close waits for the deliveries already submitted', async () => {
    const { queues } = queuesOn(redis)
    const ingest = new DeliveryIngest({ database: db.database, queues })
    const deliveries = [delivery(), delivery()]
    const settled: string[] = []
    for (const d of deliveries) void ingest.submit(d).then(() => settled.push(d.deliveryId))
    await ingest.close()
    await Promise.resolve()
    expect(settled.sort()).toEqual(deliveries.map((d) => d.deliveryId).sort())
  })
})
