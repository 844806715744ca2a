import { createHmac, randomUUID } from 'node:crypto'

/**
 * Delivers webhooks the way Jira Cloud does: one POST per event with a JSON body, the delivery's
 * identifier (the same on every retry, the receiver's de-duplication key), the retry count, and for
 * admin webhooks with a secret an `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
 * Failed deliveries (408, 409, 425, 429, 5xx, no answer) are retried. Deliveries go out one at a time,
 * in order, so tests see them in the order the changes happened.
 * @see https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks
 * @see https://developer.atlassian.com/cloud/jira/platform/webhooks/#retry-policy
 */

export interface WebhookConfig {
  url: string
  secret?: string
  /** Waits before each retry; as many retries as entries. Default: 5 retries, 50 ms doubling. */
  retryDelaysMs?: number[]
}

export interface Delivery {
  id: string
  event: string
  body: string
  /** Status of each attempt (0: no answer). */
  statuses: number[]
  delivered: boolean
}

const RETRIED = new Set([408, 409, 425, 429])
const DELIVERY_TIMEOUT_MS = 10_000

/** Deliveries in flight at once: Jira sends webhooks in parallel, in no guaranteed order. */
const PARALLEL_DELIVERIES = 16

export class WebhookSender {
  #config: WebhookConfig | null = null
  readonly #deliveries: Delivery[] = []
  readonly #inFlight = new Set<Promise<void>>()
  readonly #waiting: Array<() => void> = []

  configure(config: WebhookConfig | null): void {
    this.#config = config
  }

  get configured(): boolean {
    return this.#config !== null
  }

  /** Queues a delivery of the event; null when no webhook is configured. */
  send(event: string, payload: unknown): Delivery | null {
    if (this.#config === null) return null
    const delivery: Delivery = {
      id: randomUUID(),
      event,
      body: JSON.stringify(payload),
      statuses: [],
      delivered: false,
    }
    this.#deliveries.push(delivery)
    void this.#schedule(delivery, this.#config)
    return delivery
  }

  /** Sends a delivery again, identifier and body unchanged: what a receiver sees when Jira duplicates one. */
  replay(id: string): Promise<void> {
    const delivery = this.#deliveries.find((d) => d.id === id)
    if (delivery === undefined) throw new Error(`no delivery ${id}`)
    if (this.#config === null) throw new Error('no webhook configured')
    return this.#schedule(delivery, { ...this.#config, retryDelaysMs: [] })
  }

  deliveries(): Delivery[] {
    return [...this.#deliveries]
  }

  /** Deliveries queued or in flight. */
  pending(): number {
    return this.#inFlight.size + this.#waiting.length
  }

  /** Resolves when every queued delivery has been answered or given up on. */
  async settled(): Promise<void> {
    while (this.pending() > 0) {
      // A freed slot hands over to a waiting delivery a tick later.
      if (this.#inFlight.size > 0) await Promise.all(this.#inFlight)
      else await new Promise((resolve) => setImmediate(resolve))
    }
  }

  /** Runs the delivery when a slot is free; resolves when it is done. */
  async #schedule(delivery: Delivery, config: WebhookConfig): Promise<void> {
    if (this.#inFlight.size >= PARALLEL_DELIVERIES) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve))
    }
    const running = this.#deliver(delivery, config).finally(() => {
      this.#inFlight.delete(running)
      this.#waiting.shift()?.()
    })
    this.#inFlight.add(running)
    return running
  }

  async #deliver(delivery: Delivery, config: WebhookConfig): Promise<void> {
    const delays = config.retryDelaysMs ?? [50, 100, 200, 400, 800]
    for (let retry = 0; retry <= delays.length; retry++) {
      if (retry > 0) await new Promise((resolve) => setTimeout(resolve, delays[retry - 1]))
      const status = await post(config, delivery, delivery.statuses.length)
      delivery.statuses.push(status)
      if (status >= 200 && status < 300) {
        delivery.delivered = true
        return
      }
      if (status !== 0 && status < 500 && !RETRIED.has(status)) return
    }
  }
}

async function post(config: WebhookConfig, delivery: Delivery, attempt: number): Promise<number> {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=UTF-8',
    'user-agent': 'Atlassian Webhook HTTP Client',
    'x-atlassian-webhook-identifier': delivery.id,
    'x-atlassian-webhook-retry': String(attempt),
    'x-atlassian-webhook-flow': 'Primary',
  }
  if (config.secret !== undefined) headers['x-hub-signature'] = signature(delivery.body, config.secret)
  try {
    const response = await fetch(config.url, {
      method: 'POST',
      headers,
      body: delivery.body,
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    })
    await response.arrayBuffer()
    return response.status
  } catch {
    return 0
  }
}

export function signature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}
