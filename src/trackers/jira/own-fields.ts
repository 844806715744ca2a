import { addFieldToDefaultScreen, createCustomField, getFields } from 'jira.js/cloud'
import { isNotFoundError } from 'jira.js/core'
import { OnetrackError } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import type { OwnedValues, WriteBackValues } from '../types.ts'
import { type FieldCatalog, type FieldInfo, fieldCatalog, nameKey } from './field-catalog.ts'
import type { JiraTransport, Operation } from './http.ts'
import type { JiraSource } from './source.ts'

/**
 * The custom fields onetrack owns on Jira epics, found by name ("<prefix> score" with the default
 * prefix "onetrack"). onetrack writes only these, and recognises its own writes in webhooks by them.
 * Numbers are Number fields (float) with the exact-number searcher, texts single-line text fields
 * with the free-text searcher, so people can use them in JQL (`"onetrack rank" <= 10`).
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-fields/#api-rest-api-3-field-post
 */
export const OWN_FIELDS = {
  score: {
    suffix: 'score',
    kind: 'number',
    description: 'onetrack priority score: cost of delay divided by effort.',
  },
  rank: {
    suffix: 'rank',
    kind: 'number',
    description: 'Position in the merged onetrack roadmap (1 = first).',
  },
  period: {
    suffix: 'period',
    kind: 'text',
    description: 'Period onetrack plans the epic in; empty when unplanned.',
  },
  deferrals: {
    suffix: 'deferrals',
    kind: 'number',
    description: 'Planned periods the epic left unfinished (deferrals).',
  },
  costOfDelay: {
    suffix: 'cost of delay',
    kind: 'number',
    description: 'Cost of delay per period, as onetrack computes it.',
  },
  note: {
    suffix: 'note',
    kind: 'text',
    description: 'Why the epic was last deferred or is unplanned, and its onetrack page.',
  },
} as const satisfies Record<string, { suffix: string; kind: 'number' | 'text'; description: string }>

export type OwnField = keyof typeof OWN_FIELDS
export type OwnFieldIds = Record<OwnField, string>
export type JiraValue = number | string | null

export const OWN_FIELD_KEYS = Object.keys(OWN_FIELDS) as OwnField[]

const TYPE_PREFIX = 'com.atlassian.jira.plugin.system.customfieldtypes:'
const CREATE_AS = {
  number: { type: `${TYPE_PREFIX}float`, searcherKey: `${TYPE_PREFIX}exactnumber` },
  text: { type: `${TYPE_PREFIX}textfield`, searcherKey: `${TYPE_PREFIX}textsearcher` },
} as const
/** A single-line text field holds 255 characters. */
export const TEXT_LIMIT = 255

export function ownFieldName(prefix: string, field: OwnField): string {
  return `${prefix} ${OWN_FIELDS[field].suffix}`
}

/** The values as they are written to Jira: what the "changed since last time" comparison compares. */
export function jiraValues(values: WriteBackValues): Record<OwnField, JiraValue> {
  return {
    score: round(values.score),
    rank: values.rank,
    period: values.period === null || values.period === '' ? null : values.period.slice(0, TEXT_LIMIT),
    deferrals: values.deferrals,
    costOfDelay: round(values.costOfDelay),
    note: noteText(values),
  }
}

/** Two decimals: a score that moves in the ninth decimal is not worth a write (nor a notification). */
function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100
}

/** The note, then the page URL; the note is shortened so the URL always fits the 255 characters. */
export function noteText(values: WriteBackValues): string {
  const note = `${signOffText(values)}${values.chronic ? 'Chronically deferred. ' : ''}${values.note}`.trim()
  const url = values.pageUrl.trim().slice(0, TEXT_LIMIT)
  const room = url === '' ? TEXT_LIMIT : TEXT_LIMIT - url.length - 1
  if (note === '' || room < 2) return url
  const shown = note.length > room ? `${note.slice(0, room - 1).trimEnd()}…` : note
  return url === '' ? shown : `${shown} ${url}`
}

/** Unacknowledged deferrals lead the note, so the team sees the call is still open. */
export function signOffText(values: WriteBackValues): string {
  const open = values.unacknowledged ?? 0
  if (open === 0) return ''
  return `Awaiting the owner's sign-off on ${open === 1 ? '1 deferral' : `${open} deferrals`}. `
}

/**
 * onetrack's fields as an issue shows them now, for the fields whose id is known: the same form as
 * jiraValues, so a ticket edited by hand (or left half-written by a crash) is told by comparison.
 */
export function readOwned(fields: Record<string, unknown>, ids: Partial<OwnFieldIds>): OwnedValues {
  const owned: OwnedValues = {}
  for (const field of OWN_FIELD_KEYS) {
    const id = ids[field]
    if (id === undefined) continue
    const value = fields[id]
    owned[field] =
      typeof value === 'number' || typeof value === 'string' ? (value === '' ? null : value) : null
  }
  return owned
}

function usable(field: FieldInfo, kind: 'number' | 'text'): boolean {
  if (!field.custom) return false
  const type = field.customType ?? ''
  return kind === 'number'
    ? type === CREATE_AS.number.type
    : type === CREATE_AS.text.type || type === `${TYPE_PREFIX}readonlyfield`
}

export class OwnFields {
  readonly #transport: JiraTransport
  readonly #source: JiraSource
  readonly #logger: Logger
  readonly #catalog: () => FieldCatalog | null
  #ids: OwnFieldIds | null = null

  /** `catalog`: a recent field list, when one is at hand (saves a request; a miss is re-checked fresh). */
  constructor(
    transport: JiraTransport,
    source: JiraSource,
    logger: Logger,
    catalog: () => FieldCatalog | null,
  ) {
    this.#transport = transport
    this.#source = source
    this.#logger = logger
    this.#catalog = catalog
  }

  /** The field ids once known (webhooks recognise own writes by them without calling out). */
  knownIds(): OwnFieldIds | null {
    return this.#ids
  }

  /**
   * The ids a sync can read onetrack's fields by, without a request: the resolved ones, or those a
   * field list at hand already shows (a field not created yet is simply not read).
   */
  readableIds(catalog: FieldCatalog): Partial<OwnFieldIds> {
    return this.#ids ?? this.#match(catalog, { quiet: true }).ids
  }

  names(): Record<OwnField, string> {
    const prefix = this.#source.writeBack.fieldPrefix
    return Object.fromEntries(OWN_FIELD_KEYS.map((f) => [f, ownFieldName(prefix, f)])) as Record<
      OwnField,
      string
    >
  }

  /** Forget the ids (a field was deleted or left the screen): the next write-back looks again. */
  invalidate(): void {
    this.#ids = null
  }

  async resolve(operation: Operation): Promise<OwnFieldIds> {
    if (this.#ids !== null) return this.#ids
    const cached = this.#catalog()
    let found = cached === null ? null : this.#match(cached)
    if (found === null || found.missing.length > 0) {
      const client = this.#transport.client(operation, { permission: 'Browse projects', idempotent: true })
      found = this.#match(fieldCatalog(await getFields(client)))
    }
    const ids = found.ids
    if (found.missing.length > 0) {
      if (!this.#source.writeBack.createFields) throw this.#missingError(found.missing)
      for (const field of found.missing) ids[field] = await this.#create(operation, field)
    }
    this.#ids = ids as OwnFieldIds
    return this.#ids
  }

  #match(
    catalog: FieldCatalog,
    options: { quiet?: boolean } = {},
  ): { ids: Partial<OwnFieldIds>; missing: OwnField[] } {
    const ids: Partial<OwnFieldIds> = {}
    const missing: OwnField[] = []
    const names = this.names()
    for (const field of OWN_FIELD_KEYS) {
      const candidates = (catalog.byName.get(nameKey(names[field])) ?? [])
        .filter((f) => usable(f, OWN_FIELDS[field].kind))
        .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }))
      const first = candidates[0]
      if (first === undefined) missing.push(field)
      else ids[field] = first.id
      if (candidates.length > 1 && options.quiet !== true) {
        this.#logger.warn(
          { field: names[field], ids: candidates.map((c) => c.id) },
          'several Jira fields share the name: using the oldest',
        )
      }
    }
    return { ids, missing }
  }

  #missingError(missing: OwnField[]): OnetrackError {
    const names = this.names()
    const list = missing
      .map((f) => `'${names[f]}' (${OWN_FIELDS[f].kind === 'number' ? 'Number field' : 'Short text field'})`)
      .join(', ')
    return new OnetrackError(
      'ONETRACK_CONFIG_INVALID',
      `Jira source '${this.#source.id}': Jira has no custom field ${list}. Create ${missing.length === 1 ? 'it' : 'them'} and add ${missing.length === 1 ? 'it' : 'them'} to the epics' edit screen, or set writeBack.createFields: true (needs Administer Jira)`,
      { details: { sourceId: this.#source.id, missing: missing.map((f) => names[f]) } },
    )
  }

  /** Creates the field, then puts it on the default screen: a field on no screen cannot be edited. */
  async #create(operation: Operation, field: OwnField): Promise<string> {
    const name = this.names()[field]
    const admin = { permission: 'Administer Jira', idempotent: false }
    const created = await createCustomField(this.#transport.client(operation, admin), {
      name,
      description: `${OWN_FIELDS[field].description} Written by onetrack; manual edits are overwritten.`,
      ...CREATE_AS[OWN_FIELDS[field].kind],
    })
    if (created.id === undefined) throw new Error(`Jira created ${name} without an id`)
    try {
      await addFieldToDefaultScreen(this.#transport.client(operation, { ...admin, idempotent: true }), {
        fieldId: created.id,
      })
    } catch (error) {
      // 404: the field is already on the screen; nothing to do.
      if (!isNotFoundError(error)) throw error
    }
    this.#logger.info({ field: name, id: created.id }, 'created onetrack field in Jira')
    return created.id
  }
}
