import { afterEach, describe, expect, it } from 'vitest'
import { readUrls } from '../../../src/trackers/jira/dependency-field.ts'
import { connectorFor, type Site, startSite, syncAll } from './site.ts'

const SSO = 'https://linear.app/acme/project/enterprise-sso-1a2b3c4d5e6f'
const EVENTS = 'https://linear.app/acme/project/event-bus-v2-abcdef012345'
const ISSUE = 'https://linear.app/acme/issue/PLAT-42/queue-backpressure'

describe('Jira: the blockedBy field, URLs of items in other trackers', () => {
  let site: Site
  afterEach(() => site.close())

  it('reads a URL field, a text field with several URLs and a paragraph field, with no extra request', async () => {
    site = await startSite({ epics: 4 })
    const { state } = site.sim
    const [byUrl, byText, byParagraph, none] = site.epics.map((e) => e.id) as [string, string, string, string]
    for (const [name, type] of [
      ['Blocked by (link)', 'url'],
      ['Blocked by (text)', 'textfield'],
      ['Blocked by (paragraph)', 'textarea'],
    ] as const)
      state.addField({ name, type })
    state.updateIssue(byUrl, { fields: { 'Blocked by (link)': SSO } })
    state.updateIssue(byText, { fields: { 'Blocked by (text)': `${SSO}, ${EVENTS} and ${SSO}` } })
    state.updateIssue(byParagraph, {
      fields: { 'Blocked by (paragraph)': `Event bus: ${EVENTS}.\nQueue work (${ISSUE})` },
    })

    const without = await syncAll(connectorFor(site).connector, { mode: 'full', cursor: null })
    const links = async (field: string) => {
      const { epics, outcome } = await syncAll(
        connectorFor(site, { fields: { blockedBy: field } }).connector,
        {
          mode: 'full',
          cursor: null,
        },
      )
      expect(outcome.requests).toBe(without.outcome.requests)
      expect(epics.every((e) => e.problems.length === 0)).toBe(true)
      return new Map(epics.map((e) => [e.externalId, e.links]))
    }

    const url = await links('Blocked by (link)')
    expect(url.get(byUrl)).toEqual([{ url: SSO, relation: 'blocked_by' }])
    expect(url.get(none)).toEqual([])
    const text = await links(state.field('Blocked by (text)').id)
    expect(text.get(byText)).toEqual([
      { url: SSO, relation: 'blocked_by' },
      { url: EVENTS, relation: 'blocked_by' },
    ])
    // The simulator renders a paragraph field as an ADF document, as Jira's v3 API does.
    const paragraph = await links('Blocked by (paragraph)')
    expect(paragraph.get(byParagraph)).toEqual([
      { url: EVENTS, relation: 'blocked_by' },
      { url: ISSUE, relation: 'blocked_by' },
    ])
    expect(without.epics.every((e) => e.links.length === 0)).toBe(true)
  })

  it('names the field in a problem when it holds no URL, or does not exist, and maps the epic still', async () => {
    site = await startSite({ epics: 2 })
    const { state } = site.sim
    const field = state.addField({ name: 'Blocked by', type: 'textfield' })
    const [vague] = site.epics.map((e) => e.id) as [string]
    state.updateIssue(vague, { fields: { 'Blocked by': 'the platform failover project' } })
    const { epics } = await syncAll(connectorFor(site, { fields: { blockedBy: 'Blocked by' } }).connector, {
      mode: 'full',
      cursor: null,
    })
    expect(epics.find((e) => e.externalId === vague)).toMatchObject({
      links: [],
      problems: [`Blocked by (${field.id}): no http(s) URL in 'the platform failover project'`],
    })
    const missing = await syncAll(connectorFor(site, { fields: { blockedBy: 'Depends' } }).connector, {
      mode: 'full',
      cursor: null,
    })
    expect(missing.epics).toHaveLength(2)
    expect(missing.epics[0]?.problems).toEqual([
      "fields.blockedBy: Jira has no field named or with id 'Depends' (check fields.* in the config)",
    ])
  })
})

describe('reading URLs from a field value', () => {
  it('takes link marks, smart-link cards and bare URLs from an ADF document', () => {
    const doc = {
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Waiting on ' },
            { type: 'text', text: 'the SSO project', marks: [{ type: 'link', attrs: { href: SSO } }] },
            { type: 'text', text: ' and ' },
            { type: 'inlineCard', attrs: { url: EVENTS } },
          ],
        },
        {
          type: 'bulletList',
          content: [
            {
              type: 'listItem',
              content: [{ type: 'paragraph', content: [{ type: 'text', text: `queue: ${ISSUE}` }] }],
            },
          ],
        },
        { type: 'blockCard', attrs: { url: SSO } },
        { type: 'embedCard', attrs: { url: 'https://docs.example/runbook', layout: 'wide' } },
      ],
    }
    expect(readUrls(doc)).toEqual({ ok: true, urls: [SSO, EVENTS, ISSUE, 'https://docs.example/runbook'] })
  })

  it('reads nothing from an empty value, and a problem from one it cannot read', () => {
    expect(readUrls(null)).toEqual({ ok: true, urls: [] })
    expect(readUrls('  ')).toEqual({ ok: true, urls: [] })
    expect(readUrls({ type: 'doc', version: 1, content: [] })).toEqual({ ok: true, urls: [] })
    expect(readUrls([SSO, EVENTS])).toEqual({ ok: true, urls: [SSO, EVENTS] })
    expect(readUrls(42)).toEqual({ ok: false, problem: 'not a URL or text field: 42' })
    expect(readUrls({ value: 'x' })).toEqual({ ok: false, problem: 'not a URL or text field: {"value":"x"}' })
  })
})
