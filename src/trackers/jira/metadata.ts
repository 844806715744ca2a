import { getCurrentUser, getFields, getIssueAllTypes } from 'jira.js/cloud'
import { OnetrackError } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import { type FieldCatalog, fieldCatalog } from './field-catalog.ts'
import type { JiraTransport, Operation } from './http.ts'
import type { ResolvedOptions } from './options.ts'
import type { JiraSource } from './source.ts'
import { isTimeZone } from './time-zone.ts'

/**
 * What a sync needs to know about the site before it can ask for epics: the time zone Jira reads JQL
 * dates in (the account's), which issue types are epics (hierarchy level 1, whatever they are
 * called), and the field list. Kept for a while: these change rarely and cost three requests.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-types/#api-rest-api-3-issuetype-get
 * @see https://support.atlassian.com/jira-cloud-administration/docs/configure-the-issue-type-hierarchy/
 */
export interface SiteMetadata {
  timeZone: string
  /** False when neither the config nor the account gave a usable zone (UTC is assumed, carefully). */
  timeZoneKnown: boolean
  epicTypeIds: string[]
  fields: FieldCatalog
}

export const EPIC_HIERARCHY_LEVEL = 1

export class MetadataCache {
  readonly #transport: JiraTransport
  readonly #source: JiraSource
  readonly #logger: Logger
  readonly #options: ResolvedOptions
  #cached: { at: number; value: SiteMetadata } | null = null
  #loading: Promise<SiteMetadata> | null = null

  constructor(transport: JiraTransport, source: JiraSource, logger: Logger, options: ResolvedOptions) {
    this.#transport = transport
    this.#source = source
    this.#logger = logger
    this.#options = options
  }

  /** What is known without asking (for webhooks, which must not call out). */
  peek(): SiteMetadata | null {
    return this.#cached?.value ?? null
  }

  invalidate(): void {
    this.#cached = null
  }

  async get(operation: Operation): Promise<SiteMetadata> {
    const now = this.#options.now()
    if (this.#cached !== null && now - this.#cached.at < this.#options.metadataTtlMs)
      return this.#cached.value
    this.#loading ??= this.#load(operation).finally(() => {
      this.#loading = null
    })
    const value = await this.#loading
    this.#cached = { at: now, value }
    return value
  }

  async #load(operation: Operation): Promise<SiteMetadata> {
    const browse = this.#transport.client(operation, { permission: 'Browse projects', idempotent: true })
    const [zone, types, fields] = await Promise.all([
      this.#timeZone(operation),
      getIssueAllTypes(browse),
      getFields(browse),
    ])
    const epicTypeIds = types.filter((t) => t.hierarchyLevel === EPIC_HIERARCHY_LEVEL && t.id !== undefined)
    if (epicTypeIds.length === 0) {
      throw new OnetrackError(
        'ONETRACK_CONFIG_INVALID',
        `Jira source '${this.#source.id}': the site has no issue type on hierarchy level 1 (epics), so there is nothing to sync`,
      )
    }
    return { ...zone, epicTypeIds: epicTypeIds.map((t) => t.id as string), fields: fieldCatalog(fields) }
  }

  async #timeZone(operation: Operation): Promise<{ timeZone: string; timeZoneKnown: boolean }> {
    const configured = this.#source.timeZone
    if (configured !== undefined) {
      if (isTimeZone(configured)) return { timeZone: configured, timeZoneKnown: true }
      this.#logger.warn({ timeZone: configured }, 'configured timeZone is not an IANA zone; asking Jira')
    }
    // @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/#api-rest-api-3-myself-get
    const me = await getCurrentUser(
      this.#transport.client(operation, { permission: 'Jira product access', idempotent: true }),
    )
    if (me.timeZone !== undefined && isTimeZone(me.timeZone))
      return { timeZone: me.timeZone, timeZoneKnown: true }
    this.#logger.warn(
      { timeZone: me.timeZone ?? null },
      'Jira did not tell the account’s time zone; incremental syncs assume UTC and widen their overlap',
    )
    return { timeZone: 'UTC', timeZoneKnown: false }
  }
}
