import type { FieldDetails } from 'jira.js/cloud'

/**
 * The site's fields, to turn the names a person configured ("Story Points") into the ids Jira's API
 * uses (customfield_10016). Names are not unique in Jira, so an ambiguous name is reported rather
 * than guessed.
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-fields/#api-rest-api-3-field-get
 */
export interface FieldInfo {
  id: string
  name: string
  custom: boolean
  /** JSON type of the value: number, string, option, array, … */
  type: string | undefined
  /** Custom field type key (com.atlassian.jira.plugin.system.customfieldtypes:float). */
  customType: string | undefined
}

export interface FieldCatalog {
  byId: Map<string, FieldInfo>
  byName: Map<string, FieldInfo[]>
}

export type ResolvedField = { ok: true; id: string; name: string } | { ok: false; problem: string }

export function fieldCatalog(fields: FieldDetails[]): FieldCatalog {
  const catalog: FieldCatalog = { byId: new Map(), byName: new Map() }
  for (const field of fields) {
    if (field.id === undefined) continue
    const info: FieldInfo = {
      id: field.id,
      name: field.name ?? field.id,
      custom: field.custom === true,
      type: field.schema?.type,
      customType: field.schema?.custom,
    }
    catalog.byId.set(info.id, info)
    const key = nameKey(info.name)
    catalog.byName.set(key, [...(catalog.byName.get(key) ?? []), info])
  }
  return catalog
}

export function nameKey(name: string): string {
  return name.trim().toLowerCase()
}

/** A configured field reference (an id such as customfield_10050, or a name) → the field id. */
export function resolveFieldRef(catalog: FieldCatalog, ref: string, setting: string): ResolvedField {
  const byId = catalog.byId.get(ref.trim())
  if (byId !== undefined) return { ok: true, id: byId.id, name: byId.name }
  const named = catalog.byName.get(nameKey(ref)) ?? []
  const only = named[0]
  if (named.length === 1 && only !== undefined) return { ok: true, id: only.id, name: only.name }
  if (named.length === 0) {
    return {
      ok: false,
      problem: `${setting}: Jira has no field named or with id '${ref}' (check fields.* in the config)`,
    }
  }
  return {
    ok: false,
    problem: `${setting}: ${named.length} Jira fields are named '${ref}' (${named.map((f) => f.id).join(', ')}): configure the id instead`,
  }
}
