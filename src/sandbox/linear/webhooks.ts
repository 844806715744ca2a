import { createHmac, randomUUID } from 'node:crypto'
import type { Change, ChangeType } from './records.ts'
import { actorOf, dataOf, urlOf } from './webhook-payloads.ts'
import type { LinearWorkspace } from './workspace.ts'

/**
 * Linear's data-change webhooks: after every change the simulator POSTs
 * `{action, actor, createdAt, data, organizationId, type, updatedFrom, url, webhookId, webhookTimestamp}`
 * with `Linear-Signature` (hex HMAC-SHA256 of the raw body with the webhook's secret, no prefix),
 * `Linear-Delivery` (a UUID per delivery, kept by a replay) and `Linear-Event` (the type).
 * `webhookTimestamp` is the sending time in ms; receivers reject it when older than a minute.
 *
 * @see https://linear.app/developers/webhooks
 */

export interface WebhookConfig {
  url: string
  secret: string
  /** Linear's `resourceTypes`; all simulated types when absent. */
  resourceTypes?: ChangeType[]
}

export interface Delivery {
  id: string
  event: ChangeType
  rawBody: string
  headers: Record<string, string>
  /** The receiver's HTTP status, or null when it could not be reached. */
  status: number | null
  error?: string
}

export class WebhookSender {
  readonly #ws: LinearWorkspace
  #config: (WebhookConfig & { webhookId: string }) | null = null
  readonly #deliveries: Delivery[] = []
  readonly #pending = new Set<Promise<void>>()

  constructor(ws: LinearWorkspace) {
    this.#ws = ws
    ws.onChange((change) => {
      this.#send(change)
    })
  }

  configure(config: WebhookConfig): void {
    this.#config = { ...config, webhookId: randomUUID() }
  }

  disable(): void {
    this.#config = null
  }

  /** Every delivery attempted so far, oldest first. */
  deliveries(): Delivery[] {
    return [...this.#deliveries]
  }

  /** Resolves once every delivery under way has been answered. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending])
  }

  /** Sends a delivery again, byte for byte (Linear's retry; a replay attack looks the same). */
  replay(deliveryId: string): Promise<Delivery> {
    const original = this.#find(deliveryId)
    return this.#post(original.event, original.rawBody, original.headers)
  }

  /** Sends a delivery's event again as if it had been held up `ageMs`: same delivery id, old timestamp. */
  sendStale(deliveryId: string, ageMs: number): Promise<Delivery> {
    const original = this.#find(deliveryId)
    const config = this.#requireConfig()
    const body = {
      ...(JSON.parse(original.rawBody) as object),
      webhookTimestamp: this.#ws.clock.now() - ageMs,
    }
    const rawBody = JSON.stringify(body)
    return this.#post(original.event, rawBody, {
      ...original.headers,
      'linear-signature': sign(rawBody, config.secret),
    })
  }

  #send(change: Change): void {
    const config = this.#config
    if (config === null) return
    if (config.resourceTypes !== undefined && !config.resourceTypes.includes(change.type)) return
    const ws = this.#ws
    const actor = ws.users.get(change.actorId) ?? ws.person
    const now = ws.clock.now()
    const body = {
      action: change.action,
      actor: actorOf(ws, actor),
      createdAt: new Date(now).toISOString(),
      data: dataOf(ws, change),
      organizationId: ws.organization.id,
      type: change.type,
      ...(change.updatedFrom === undefined ? {} : { updatedFrom: change.updatedFrom }),
      url: urlOf(ws, change),
      webhookId: config.webhookId,
      webhookTimestamp: now,
    }
    const rawBody = JSON.stringify(body)
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Linear-Webhook',
      'linear-delivery': randomUUID(),
      'linear-event': change.type,
      'linear-signature': sign(rawBody, config.secret),
    }
    void this.#post(change.type, rawBody, headers)
  }

  #post(event: ChangeType, rawBody: string, headers: Record<string, string>): Promise<Delivery> {
    const config = this.#requireConfig()
    const delivery: Delivery = { id: headers['linear-delivery'] ?? '', event, rawBody, headers, status: null }
    this.#deliveries.push(delivery)
    const done = fetch(config.url, { method: 'POST', headers, body: rawBody })
      .then(async (response) => {
        delivery.status = response.status
        await response.arrayBuffer()
      })
      .catch((error: unknown) => {
        delivery.error = error instanceof Error ? error.message : String(error)
      })
      .finally(() => this.#pending.delete(done))
    this.#pending.add(done)
    return done.then(() => delivery)
  }

  #find(deliveryId: string): Delivery {
    const delivery = this.#deliveries.find((d) => d.id === deliveryId)
    if (delivery === undefined) throw new Error(`no delivery ${deliveryId}`)
    return delivery
  }

  #requireConfig(): WebhookConfig & { webhookId: string } {
    if (this.#config === null)
      throw new Error('webhooks are not configured: call webhooks.configure({ url, secret })')
    return this.#config
  }
}

export function sign(rawBody: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex')
}
