import type { SourceConfig } from '../config/index.ts'
import type { EpicStatus, ScoringInputs, Track } from '../domain/index.ts'
import type { Logger } from '../logger.ts'

/**
 * The port every tracker implements (one folder per tracker under src/trackers/). A connector
 * talks to its tracker and maps its data; it knows nothing of scoring, the store or the queues.
 */
export interface TrackerConnector {
  readonly sourceId: string
  readonly kind: SourceConfig['kind']

  /** Read-only, idempotent: are the credentials valid and allowed to do what onetrack needs? */
  checkCredentials(signal: AbortSignal): Promise<CredentialCheck>

  /**
   * Read-only, idempotent: fetches epics — all in scope (`full`), changed since the cursor
   * (`incremental`), or one (`epic`) — and hands them over page by page. `onPage` is awaited
   * before the next page is fetched (backpressure: the caller stores each page).
   */
  sync(request: SyncRequest, onPage: (page: SyncPage) => Promise<void>): Promise<SyncOutcome>

  /**
   * Idempotent: writes onetrack's values to the tickets. Touches only what onetrack owns. Items
   * whose ticket is gone or not writable come back as failures; the rest is written. `onWritten`
   * is awaited with the epics of each write (or batch) as soon as the tracker accepted it, so the
   * caller records progress as it happens, not only at the end.
   */
  writeBack(
    items: WriteBackItem[],
    signal: AbortSignal,
    onWritten?: (epicIds: string[]) => Promise<void>,
  ): Promise<WriteBackOutcome>

  /**
   * Pure: what a ticket written with these values shows in onetrack's own fields, in the form a
   * sync reads them back (`SyncedEpic.owned`), so the two compare key by key.
   */
  ownedValues(epicId: string, values: WriteBackValues): OwnedValues

  /**
   * Pure apart from the clock: verifies a webhook delivery (signature before parsing, freshness)
   * and says which epics it concerns. Never throws for bad input: a rejection is an outcome.
   */
  receiveWebhook(delivery: WebhookDelivery): WebhookOutcome

  /**
   * Pure: what the headers alone tell, before the body is read — whether the source takes webhooks
   * at all, and whether a signature it requires is there and well formed. null when nothing is
   * wrong yet; receiveWebhook still checks everything.
   */
  screenWebhook(headers: WebhookDelivery['headers']): WebhookRejection | null

  /** Requests sent to the tracker since the connector was created (for summaries and benchmarks). */
  requestCount(): number
}

export type CredentialCheck = { ok: true; detail: string } | { ok: false; detail: string }

export interface SyncRequest {
  mode: 'full' | 'incremental' | 'epic'
  /** The cursor a previous sync returned; null on the first sync. */
  cursor: string | null
  /** With mode 'epic': the tracker's id of the epic. */
  externalId?: string
  signal: AbortSignal
}

/** A tracker epic mapped to onetrack's model (the domain validates it again at build time). */
export interface SyncedEpic {
  externalId: string
  key: string
  title: string
  url: string
  /** null when no mapping gives a team (then `problems` says why). */
  team: string | null
  track: Track
  status: EpicStatus
  /** Only inputs the tracker actually has: a missing one is absent, never 0. */
  inputs: ScoringInputs
  effort: number | null
  /** Epic ids (`source:externalId`, any source) that block this epic. */
  blockers: string[]
  /**
   * Dependencies declared by URL, usually on items of another tracker (see item-ref.ts): the store
   * resolves them to synced epics. `blocked_by`: the linked item blocks this epic; `blocks`: this
   * epic blocks the linked item.
   */
  links: DependencyLink[]
  /** The tracker's last-updated time, ISO 8601. */
  updatedAt: string
  /** Mapping problems, in words a person can act on ("Business Value: not a number: 'high'"). */
  problems: string[]
  /**
   * onetrack's own fields as the ticket shows them now, when this sync read them (absent: not
   * read). A key that is missing was not read; a key with null was read and is empty.
   */
  owned?: OwnedValues
}

/** onetrack's own values on a ticket, in the tracker's own form, by owned field. */
export type OwnedValues = Record<string, string | number | boolean | null>

export interface DependencyLink {
  url: string
  relation: 'blocked_by' | 'blocks'
}

/**
 * A synced epic as the store takes it: with the canonical references (item-ref.ts) of its own item
 * and of each declared link's target, which the store matches links by and knows no rules for.
 */
export interface ReferencedEpic extends Omit<SyncedEpic, 'links'> {
  itemRef: string
  links: Array<DependencyLink & { ref: string }>
}

export interface SyncPage {
  epics: SyncedEpic[]
  /** Total epics the tracker reports for this sync, when it says (for a progress bar). */
  total?: number
}

export interface SyncOutcome {
  /** Where the next incremental sync resumes. */
  cursor: string | null
  /** With mode 'full': every external id in scope, so the caller can mark the rest deleted. */
  inScope?: string[]
  /** With mode 'epic': the epic no longer exists or left the scope. */
  gone?: boolean
  requests: number
}

/** The values onetrack owns on a ticket. */
export interface WriteBackValues {
  score: number | null
  rank: number
  /** Period name, or null when unplanned. */
  period: string | null
  deferrals: number
  costOfDelay: number | null
  /** One sentence: the last deferral's cause, or the reason it is unplanned. */
  note: string
  /** The epic's page in onetrack. */
  pageUrl: string
  /** Deferred at least the chronic threshold. */
  chronic: boolean
  /**
   * Deferrals of the epic the owner has not signed off yet (accepted or answered with a pin).
   * Absent in values written before sign-off existed: read as 0.
   */
  unacknowledged?: number
}

export interface WriteBackItem {
  epicId: string
  externalId: string
  values: WriteBackValues
  /** What was written last time (null: never), so a connector may send only the changed fields. */
  previous: WriteBackValues | null
}

export interface WriteBackOutcome {
  written: string[]
  failed: Array<{ epicId: string; reason: string }>
  requests: number
}

export interface WebhookDelivery {
  headers: Record<string, string | string[] | undefined>
  rawBody: Buffer
  receivedAt: Date
}

/**
 * Why a delivery was refused, in a few classes (metrics are labelled with them; `reason` says the
 * rest): the source takes no webhooks (`no_secret`), the signature is absent (`unsigned`) or wrong
 * (`bad_signature`), the signed timestamp is missing or outside the window (`stale`), or the body
 * is not a webhook of the tracker (`malformed`).
 */
export type WebhookRejectionKind = 'no_secret' | 'unsigned' | 'bad_signature' | 'stale' | 'malformed'

export interface WebhookRejection {
  status: 'rejected'
  kind: WebhookRejectionKind
  reason: string
}

export type WebhookOutcome =
  | WebhookRejection
  | { status: 'ignored'; deliveryId: string; event: string; reason: string }
  | { status: 'accepted'; deliveryId: string; event: string; externalIds: string[] }

export interface ConnectorDeps {
  logger: Logger
  /** onetrack's public URL, for links written to tickets. */
  publicUrl: string
}
