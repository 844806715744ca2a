import type { ColumnType, Generated } from 'kysely'
import type { DeferralEventKind } from '../domain/index.ts'

/** A jsonb column: read as parsed data, written as JSON text (pg would turn JS arrays into SQL arrays). */
type Json<T> = ColumnType<T, string, string>
/** A jsonb column with a default in the migration: optional on insert. */
type JsonWithDefault<T> = ColumnType<T, string | undefined, string>
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>
type Timestamp = ColumnType<Date, Date | string, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>

export type VersionStatus = 'proposed' | 'approved' | 'superseded' | 'published'

/** Kysely's view of the tables in migrations/. */
export interface Tables {
  schema_migrations: {
    version: number
    name: string
    checksum: string
    applied_at: CreatedAt
  }
  sources: {
    id: string
    kind: 'jira' | 'linear'
    config_hash: string
    created_at: CreatedAt
    updated_at: CreatedAt
  }
  epics: {
    id: string
    source_id: string
    external_id: string
    key: string
    title: string
    url: string
    team: string | null
    track: 'product' | 'technical'
    status: 'todo' | 'in_progress' | 'done' | 'canceled'
    inputs: JsonWithDefault<{ value?: number; timeCriticality?: number; risk?: number }>
    effort: number | null
    problems: JsonWithDefault<string[]>
    tracker_updated_at: Timestamp
    synced_at: CreatedAt
    deleted_at: NullableTimestamp
    /** The canonical reference of `url`, as its connector gave it: what cross-tracker links match. */
    item_ref: ColumnType<string | null, string | null | undefined, string | null>
  }
  epic_links: {
    epic_id: string
    source_id: string
    relation: 'blocked_by' | 'blocks'
    target_ref: string
    url: string
  }
  dependencies: {
    blocker_id: string
    blocked_id: string
    source_id: string
  }
  sync_cursors: {
    source_id: string
    cursor: string | null
    last_sync_at: NullableTimestamp
    last_full_sync_at: NullableTimestamp
    updated_at: CreatedAt
  }
  roadmap_versions: {
    id: Generated<number>
    trigger: string
    config_hash: string
    built_at: Timestamp
    created_at: CreatedAt
    roadmap: Json<unknown>
    entry_count: number
    event_count: number
    ranking: Generated<string[]>
    status: ColumnType<VersionStatus, VersionStatus | undefined, VersionStatus>
    approved_by: ColumnType<string | null, string | null | undefined, string | null>
    approved_at: NullableTimestamp
    approval_note: ColumnType<string | null, string | null | undefined, string | null>
  }
  roadmap_entry_ranges: {
    epic_id: string
    /** int4range of version ids, as Postgres prints it: '[3,7)' or '[7,)'. */
    valid: string
    entry_hash: string
    score: number | null
    period: string | null
    team: string
    track: string
    source_id: string
    entry: Json<unknown>
  }
  deferral_events: {
    id: string
    version_id: number
    epic_id: string
    kind: DeferralEventKind
    from_period: string | null
    to_period: string | null
    cause: Json<unknown> | null
    event: Json<unknown>
    occurred_at: Timestamp
  }
  overrides: {
    id: string
    epic_id: string
    kind: 'pin' | 'defer' | 'exclude'
    period: string | null
    rationale: string
    author: string
    created_at: CreatedAt
    revoked_at: NullableTimestamp
    revoked_by: string | null
  }
  decisions: {
    id: string
    kind: 'acknowledgement' | 'override' | 'revocation' | 'approval'
    author: string
    at: Timestamp
    rationale: string | null
    epic_id: string | null
    version_id: number | null
    subject: string
    via: 'api' | 'slack' | 'page'
    /** The identity provider's email and subject of the author, when they signed in (or Slack told). */
    author_email: ColumnType<string | null, string | null | undefined, string | null>
    author_subject: ColumnType<string | null, string | null | undefined, string | null>
    details: JsonWithDefault<Record<string, unknown>>
  }
  deferral_acks: {
    event_id: string
    epic_id: string
    by: string
    at: Timestamp
    reason: string
    via: 'api' | 'slack' | 'page' | 'override'
    override_id: string | null
    decision_id: string
  }
  webhook_deliveries: {
    source_id: string
    delivery_id: string
    event: string
    received_at: CreatedAt
    written_back_at: NullableTimestamp
    /** sha256 (hex) of the verified body; null for deliveries recorded before it was kept. */
    content_hash: ColumnType<string | null, string | null | undefined, string | null>
  }
  sessions: {
    /** sha256 (hex) of the session cookie's value. */
    id_hash: string
    person: Json<Record<string, unknown>>
    id_token: string | null
    created_at: Timestamp
    seen_at: Timestamp
    expires_at: Timestamp
  }
  sign_in_attempts: {
    id_hash: string
    state: string
    nonce: string
    code_verifier: string
    return_to: string
    created_at: Timestamp
  }
  writeback_state: {
    epic_id: string
    source_id: string
    fields: Json<Record<string, unknown>>
    version_id: number | null
    written_at: CreatedAt
    in_doubt: Generated<boolean>
  }
  posted_reports: {
    channel_id: string
    week: string
    status: 'posting' | 'posted' | 'failed' | 'skipped'
    attempts: ColumnType<number, number | undefined, number>
    error: string | null
    version_id: number | null
    updated_at: CreatedAt
    posted_at: NullableTimestamp
  }
}
