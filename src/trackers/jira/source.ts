import type { SourceConfig } from '../../config/index.ts'

/** A configured Jira source, as the config loader hands it over (defaults applied, secrets resolved). */
export type JiraSource = Extract<SourceConfig, { kind: 'jira' }>

/** The people-facing page of an issue. */
export function browseUrl(source: JiraSource, key: string): string {
  return `${source.baseUrl.replace(/\/+$/, '')}/browse/${key}`
}
