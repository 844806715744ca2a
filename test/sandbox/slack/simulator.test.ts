import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createSlackSimulator,
  DEFAULT_BOT_SCOPES,
  type SlackSimulator,
} from '../../../src/sandbox/slack/index.ts'

let slack: SlackSimulator
let hook: string

beforeEach(async () => {
  slack = createSlackSimulator({
    channels: [
      { id: 'C0ENGLEADS', name: 'eng-leads' },
      { id: 'C0ARCHIVE', name: 'old-news' },
    ],
  })
  await slack.listen()
  hook = new URL(slack.createWebhook('C0ENGLEADS')).pathname
})

afterEach(async () => {
  await slack.close()
})

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } })
const post = (payload: unknown, path = hook) =>
  slack.app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  })

describe('Slack incoming webhooks', () => {
  it('posts a valid message and answers 200 ok', async () => {
    const answer = await post({ text: 'Deferral report', blocks: [section('*2 epics slipped*')] })
    expect([answer.statusCode, answer.body]).toEqual([200, 'ok'])
    expect(slack.received()).toMatchObject([
      { channel: 'C0ENGLEADS', via: 'webhook', text: 'Deferral report' },
    ])
  })

  it.each([
    [
      '51 blocks',
      { text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) },
      'invalid_blocks',
    ],
    [
      'a header of 151 characters',
      { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] },
      'invalid_blocks',
    ],
    [
      'a mrkdwn header',
      { text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }] },
      'invalid_blocks',
    ],
    ['a section of 3,001 characters', { text: 'x', blocks: [section('s'.repeat(3001))] }, 'invalid_blocks'],
    ['an empty section text', { text: 'x', blocks: [section('')] }, 'invalid_blocks'],
    [
      'a context of 11 elements',
      {
        text: 'x',
        blocks: [
          { type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) },
        ],
      },
      'invalid_blocks',
    ],
    ['an unknown block type', { text: 'x', blocks: [{ type: 'carousel' }] }, 'invalid_blocks'],
    ['blocks without a text fallback', { blocks: [section('no fallback')] }, 'no_text'],
    ['no text at all', {}, 'no_text'],
  ])('refuses %s with 400 and Slack’s error string', async (_case, payload, error) => {
    const answer = await post(payload)
    expect([answer.statusCode, answer.body]).toEqual([400, error])
    expect(slack.received()).toEqual([])
    expect(slack.requests().at(-1)).toMatchObject({ status: 400, error })
  })

  it('accepts exactly 50 blocks, a 150-character header and a 3,000-character section', async () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150) } },
      section('s'.repeat(3000)),
      ...Array.from({ length: 48 }, () => ({ type: 'divider' })),
    ]
    expect((await post({ text: 'x', blocks })).statusCode).toBe(200)
  })

  it('refuses a body that is not JSON with invalid_payload, and takes the legacy form payload', async () => {
    const bad = await slack.app.inject({
      method: 'POST',
      url: hook,
      headers: { 'content-type': 'application/json' },
      payload: '{"text":',
    })
    expect([bad.statusCode, bad.body]).toEqual([400, 'invalid_payload'])
    const form = await slack.app.inject({
      method: 'POST',
      url: hook,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `payload=${encodeURIComponent(JSON.stringify({ text: 'from a form' }))}`,
    })
    expect([form.statusCode, form.body]).toEqual([200, 'ok'])
  })

  it('answers 404 no_service for a webhook that does not exist or was removed', async () => {
    expect((await post({ text: 'x' }, '/services/T0ONETRACK/B000/nope')).body).toBe('no_service')
    slack.revokeWebhook(`${slack.url()}${hook}`)
    const answer = await post({ text: 'x' })
    expect([answer.statusCode, answer.body]).toEqual([404, 'no_service'])
  })

  it('answers 410 channel_is_archived for an archived channel', async () => {
    const archived = new URL(slack.createWebhook('C0ARCHIVE')).pathname
    slack.archive('C0ARCHIVE')
    const answer = await post({ text: 'x' }, archived)
    expect([answer.statusCode, answer.body]).toEqual([410, 'channel_is_archived'])
  })

  it('rate-limits the next posts with 429 and Retry-After, then accepts again', async () => {
    slack.rateLimitNext(2, 7)
    for (let i = 0; i < 2; i++) {
      const limited = await post({ text: 'x' })
      expect(limited.statusCode).toBe(429)
      expect(limited.headers['retry-after']).toBe('7')
    }
    expect((await post({ text: 'x' })).statusCode).toBe(200)
    expect(slack.received()).toHaveLength(1)
  })

  it('fails the next posts with the injected status', async () => {
    slack.failNext(1, 503)
    expect((await post({ text: 'x' })).statusCode).toBe(503)
    expect((await post({ text: 'x' })).statusCode).toBe(200)
  })
})

describe('Slack Web API', () => {
  const api = (method: string, body: Record<string, unknown>, token: string | null = slack.botToken) =>
    slack.app.inject({
      method: 'POST',
      url: `/api/${method}`,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      payload: JSON.stringify(body),
    })

  it('answers errors as 200 with ok false: no token, a wrong token, an unknown channel', async () => {
    expect((await api('chat.postMessage', { channel: 'C0ENGLEADS', text: 'x' }, null)).json()).toEqual({
      ok: false,
      error: 'not_authed',
    })
    expect(
      (await api('chat.postMessage', { channel: 'C0ENGLEADS', text: 'x' }, 'xoxb-wrong')).json(),
    ).toEqual({ ok: false, error: 'invalid_auth' })
    const unknown = await api('chat.postMessage', { channel: '#nowhere', text: 'x' })
    expect([unknown.statusCode, unknown.json()]).toEqual([200, { ok: false, error: 'channel_not_found' }])
  })

  it('validates blocks as webhooks do, explaining where in response_metadata', async () => {
    const answer = await api('chat.postMessage', {
      channel: 'C0ENGLEADS',
      text: 'x',
      blocks: [section('s'.repeat(3001))],
    })
    expect(answer.json()).toEqual({
      ok: false,
      error: 'invalid_blocks',
      response_metadata: {
        messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
      },
    })
  })

  it('posts by channel name or id and returns the message with its ts', async () => {
    const byName = (await api('chat.postMessage', { channel: '#eng-leads', text: 'first' })).json()
    expect(byName).toMatchObject({ ok: true, channel: 'C0ENGLEADS', message: { text: 'first' } })
    expect(byName.ts).toMatch(/^\d+\.\d{6}$/)
  })

  it('keeps message metadata and returns it from history only when asked', async () => {
    const metadata = { event_type: 'onetrack_weekly_report', event_payload: { delivery_id: 'd-1' } }
    await api('chat.postMessage', { channel: 'C0ENGLEADS', text: 'with metadata', metadata })
    const history = (args: string) =>
      slack.app.inject({
        method: 'GET',
        url: `/api/conversations.history?channel=C0ENGLEADS${args}`,
        headers: { authorization: `Bearer ${slack.botToken}` },
      })
    expect((await history('')).json().messages[0]).not.toHaveProperty('metadata')
    expect((await history('&include_all_metadata=true')).json().messages[0]).toMatchObject({
      text: 'with metadata',
      metadata,
    })
  })

  it('reads history by channel id only, newest first, a page at a time', async () => {
    for (let i = 1; i <= 5; i++) await api('chat.postMessage', { channel: 'C0ENGLEADS', text: `m${i}` })
    const get = (query: string) =>
      slack.app.inject({
        method: 'GET',
        url: `/api/conversations.history?${query}`,
        headers: { authorization: `Bearer ${slack.botToken}` },
      })
    expect((await get('channel=%23eng-leads')).json()).toEqual({ ok: false, error: 'channel_not_found' })
    const first = (await get('channel=C0ENGLEADS&limit=2')).json()
    expect(first.messages.map((m: { text: string }) => m.text)).toEqual(['m5', 'm4'])
    expect(first.has_more).toBe(true)
    const second = (
      await get(
        `channel=C0ENGLEADS&limit=2&cursor=${encodeURIComponent(first.response_metadata.next_cursor)}`,
      )
    ).json()
    expect(second.messages.map((m: { text: string }) => m.text)).toEqual(['m3', 'm2'])
    const oldest = first.messages[1].ts
    const newer = (await get(`channel=C0ENGLEADS&oldest=${oldest}`)).json()
    expect(newer.messages.map((m: { text: string }) => m.text)).toEqual(['m5'])
  })

  it('rate-limits with 429, Retry-After and error ratelimited', async () => {
    slack.rateLimitNext(1, 3)
    const answer = await api('chat.postMessage', { channel: 'C0ENGLEADS', text: 'x' })
    expect([answer.statusCode, answer.headers['retry-after'], answer.json()]).toEqual([
      429,
      '3',
      { ok: false, error: 'ratelimited' },
    ])
  })
})

describe('Slack users.info', () => {
  const get = (query: string, token: string | null = slack.botToken) =>
    slack.app.inject({
      method: 'GET',
      url: `/api/users.info?${query}`,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    })

  beforeEach(() => {
    slack.addUser({
      id: 'U0TESS',
      name: 'tess',
      realName: 'Tess Ng',
      displayName: 'tess.ng',
      email: 'tess@example.com',
    })
  })

  it('answers a member with their profile and email, by GET or a POSTed form', async () => {
    const user = {
      id: 'U0TESS',
      team_id: 'T0ONETRACK',
      name: 'tess',
      deleted: false,
      real_name: 'Tess Ng',
      is_bot: false,
      profile: {
        real_name: 'Tess Ng',
        display_name: 'tess.ng',
        real_name_normalized: 'Tess Ng',
        display_name_normalized: 'tess.ng',
        email: 'tess@example.com',
      },
    }
    expect((await get('user=U0TESS')).json()).toEqual({ ok: true, user })
    const form = await slack.app.inject({
      method: 'POST',
      url: '/api/users.info',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${slack.botToken}&user=U0TESS`,
    })
    expect(form.json()).toEqual({ ok: true, user })
  })

  it('does not read a JSON body: its arguments count as absent', async () => {
    const json = await slack.app.inject({
      method: 'POST',
      url: '/api/users.info',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${slack.botToken}` },
      payload: JSON.stringify({ user: 'U0TESS' }),
    })
    expect(json.json()).toEqual({ ok: false, error: 'user_not_found' })
  })

  it('answers user_not_found for someone not in the workspace, and checks the token first', async () => {
    expect((await get('user=U0NOBODY')).json()).toEqual({ ok: false, error: 'user_not_found' })
    expect((await get('user=U0TESS', null)).json()).toEqual({ ok: false, error: 'not_authed' })
    expect((await get('user=U0TESS', 'xoxb-wrong')).json()).toEqual({ ok: false, error: 'invalid_auth' })
  })

  it('leaves the email out without users:read.email, and needs users:read at all', async () => {
    slack.setBotScopes(['chat:write', 'users:read'])
    const withoutEmail = (await get('user=U0TESS')).json()
    expect(withoutEmail.ok).toBe(true)
    expect(withoutEmail.user.profile).not.toHaveProperty('email')
    slack.setBotScopes(['chat:write', 'channels:history'])
    const answer = await get('user=U0TESS')
    expect([answer.statusCode, answer.json()]).toEqual([
      200,
      { ok: false, error: 'missing_scope', needed: 'users:read', provided: 'chat:write,channels:history' },
    ])
    expect(slack.requests().at(-1)).toMatchObject({
      route: 'users.info',
      status: 200,
      error: 'missing_scope',
    })
  })

  it('grants the default scopes, users:read.email included, unless told otherwise', async () => {
    expect(DEFAULT_BOT_SCOPES).toEqual(expect.arrayContaining(['users:read', 'users:read.email']))
    const scoped = createSlackSimulator({
      botScopes: ['users:read'],
      users: [{ id: 'U0B', email: 'b@example.com' }],
    })
    const answer = await scoped.app.inject({
      method: 'GET',
      url: '/api/users.info?user=U0B',
      headers: { authorization: `Bearer ${scoped.botToken}` },
    })
    expect(answer.json().user).toMatchObject({ id: 'U0B', name: 'u0b', profile: { display_name: 'u0b' } })
    expect(answer.json().user.profile).not.toHaveProperty('email')
    await scoped.close()
  })
})
