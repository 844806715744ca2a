import { getCurrentUser, getMyPermissions } from 'jira.js/cloud'
import { isOnetrackError } from '../../errors.ts'
import type { CredentialCheck } from '../types.ts'
import type { JiraTransport } from './http.ts'
import type { JiraSource } from './source.ts'

/**
 * Are the credentials accepted, and may the account do what this source needs? Browse projects to
 * sync; Edit issues to write back; Administer Jira only to create onetrack's fields; Make bulk changes
 * only for bulk edits (otherwise each epic is edited on its own).
 * @see https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-permissions/#api-rest-api-3-mypermissions-get
 */
const NEEDS = {
  BROWSE_PROJECTS: 'Browse projects',
  EDIT_ISSUES: 'Edit issues',
  ADMINISTER: 'Administer Jira',
  BULK_CHANGE: 'Make bulk changes',
} as const

export async function checkJiraCredentials(
  transport: JiraTransport,
  source: JiraSource,
  signal: AbortSignal,
): Promise<CredentialCheck> {
  const operation = { signal, requests: 0 }
  const client = transport.client(operation, { permission: 'Jira product access', idempotent: true })
  let account: string
  let zone: string
  try {
    const me = await getCurrentUser(client)
    account = `${me.displayName ?? source.email} (${source.email})`
    zone = me.timeZone ?? 'not shown'
  } catch (error) {
    if (isOnetrackError(error, 'TRACKER_AUTH_FAILED')) return { ok: false, detail: error.message }
    throw error
  }
  const { permissions = {} } = await getMyPermissions(client, { permissions: Object.keys(NEEDS).join(',') })
  const missing = (Object.keys(NEEDS) as Array<keyof typeof NEEDS>).filter(
    (k) => permissions[k]?.havePermission !== true,
  )
  const fatal = missing.filter(
    (k) => k === 'BROWSE_PROJECTS' || (k === 'EDIT_ISSUES' && source.writeBack.enabled),
  )
  const notes = missing
    .filter((k) => !fatal.includes(k))
    .map((k) =>
      k === 'ADMINISTER'
        ? `no '${NEEDS[k]}' (needed only to create onetrack's fields${source.writeBack.createFields ? ', which createFields asks for' : ''})`
        : `no '${NEEDS[k]}' (${k === 'BULK_CHANGE' ? 'epics are then edited one by one' : 'not needed: write-back is off'})`,
    )
  if (fatal.length > 0) {
    return {
      ok: false,
      detail: `Jira source '${source.id}': ${account} lacks ${fatal.map((k) => `'${NEEDS[k]}'`).join(' and ')}`,
    }
  }
  return { ok: true, detail: [`${source.baseUrl} as ${account}, time zone ${zone}`, ...notes].join('; ') }
}
