import type { Histogram } from 'prom-client'
import { assertPayload, enqueueBulk, type JobPayload, type Queues } from '../jobs/index.ts'
import type { Database, DeliveryRecord } from '../store/index.ts'
import { recordDeliveries } from '../store/index.ts'

/** A verified delivery to record, with the epics whose targeted syncs it asks for. */
export interface VerifiedDelivery extends DeliveryRecord {
  externalIds: readonly string[]
}

export type IngestOutcome = { status: 'queued'; jobs: number } | { status: 'duplicate' }

interface Waiting {
  delivery: VerifiedDelivery
  syncs: Array<JobPayload<'sync'>>
  resolve(outcome: IngestOutcome): void
  reject(error: unknown): void
}

/** Most deliveries recorded by one statement; more wait for the next. */
const MAX_BATCH = 500

/**
 * Batches committing at once. Postgres flushes the WAL of concurrent commits together, so a second
 * batch need not wait for the first's flush; a few in flight keep a burst's wait near one commit.
 */
const MAX_IN_FLIGHT = 4

/**
 * Group commit of webhook deliveries. A delivery's cost is its transaction in Postgres (the record
 * that de-duplicates it, and the flush that makes it durable) and the enqueue of its syncs in
 * Redis, whatever its size; so deliveries that arrive together share them. The requests read in one
 * turn of the event loop form a batch, committed at once while fewer than MAX_IN_FLIGHT are;
 * beyond that, whatever arrives waits for the next free commit and goes with it. One delivery on a
 * quiet system goes alone and at once; a burst goes in batches as large as it is dense.
 *
 * Each batch is one transaction: one insert of every delivery, then one addBulk of every new one's
 * syncs, then the commit. A caller's promise settles only after that commit, so nothing is
 * acknowledged that could be lost: if Redis refuses the syncs the records roll back, every delivery
 * of the batch is refused and the trackers' retries are processed, not taken for duplicates.
 */
export class DeliveryIngest {
  readonly #database: Database
  readonly #queues: Queues
  readonly #batchSizes: Histogram | undefined
  #waiting: Waiting[] = []
  #scheduled = false
  readonly #inFlight = new Set<Promise<void>>()

  constructor(deps: { database: Database; queues: Queues; batchSizes?: Histogram }) {
    this.#database = deps.database
    this.#queues = deps.queues
    this.#batchSizes = deps.batchSizes
  }

  /** Records the delivery and queues its syncs; settles once both are durable (or refused). */
  submit(delivery: VerifiedDelivery): Promise<IngestOutcome> {
    // A payload the queue would refuse fails this delivery alone, not the batch it would join.
    const syncs = delivery.externalIds.map(
      (externalId): JobPayload<'sync'> => ({
        sourceId: delivery.sourceId,
        mode: 'epic',
        externalId,
        reason: 'webhook',
        deliveryId: delivery.deliveryId,
      }),
    )
    for (const sync of syncs) assertPayload('sync', sync)
    return new Promise((resolve, reject) => {
      this.#waiting.push({ delivery, syncs, resolve, reject })
      // The requests read in the same turn of the event loop join this one's batch.
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => {
          this.#scheduled = false
          this.#pump()
        })
      }
    })
  }

  /** Waits for the deliveries already submitted to settle. */
  async close(): Promise<void> {
    while (this.#inFlight.size > 0 || this.#scheduled) {
      await Promise.all(this.#inFlight)
      if (this.#scheduled) await new Promise((resolve) => setImmediate(resolve))
    }
  }

  #pump(): void {
    while (this.#waiting.length > 0 && this.#inFlight.size < MAX_IN_FLIGHT) {
      const commit = this.#commit(this.#waiting.splice(0, MAX_BATCH)).then(() => {
        this.#inFlight.delete(commit)
        this.#pump()
      })
      this.#inFlight.add(commit)
    }
  }

  async #commit(batch: Waiting[]): Promise<void> {
    let outcomes: Array<'new' | 'duplicate'>
    try {
      outcomes = await this.#database.db.transaction().execute(async (trx) => {
        const seen = await recordDeliveries(
          trx,
          batch.map((w) => w.delivery),
        )
        await enqueueBulk(
          this.#queues,
          'sync',
          batch.flatMap((w, index) => (seen[index] === 'new' ? w.syncs : [])),
        )
        return seen
      })
    } catch (error) {
      // Each request answers with the error (the error handler logs it): nothing was recorded.
      for (const w of batch) w.reject(error)
      return
    }
    this.#batchSizes?.observe(batch.length)
    batch.forEach((w, index) => {
      w.resolve(
        outcomes[index] === 'new' ? { status: 'queued', jobs: w.syncs.length } : { status: 'duplicate' },
      )
    })
  }
}
