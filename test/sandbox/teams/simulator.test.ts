import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  createTeamsSimulator,
  MAX_MESSAGE_BYTES,
  type TeamsSimulator,
} from '../../../src/sandbox/teams/index.ts'

let teams: TeamsSimulator
let trigger: URL

beforeEach(async () => {
  teams = createTeamsSimulator()
  await teams.listen()
  trigger = new URL(teams.createWorkflow())
})

afterEach(async () => {
  await teams.close()
})

function card(content: Record<string, unknown> = {}) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.5',
          body: [{ type: 'TextBlock', text: 'Deferral report', wrap: true }],
          actions: [{ type: 'Action.OpenUrl', title: 'Open', url: 'https://onetrack.example/' }],
          ...content,
        },
      },
    ],
  }
}

const send = (body: unknown, url: URL = trigger) =>
  teams.app.inject({
    method: 'POST',
    url: `${url.pathname}${url.search}`,
    headers: { 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  })

describe('Teams Workflows webhook', () => {
  it('accepts a message with an Adaptive Card 1.5 and answers 202 Accepted', async () => {
    const answer = await send(card())
    expect([answer.statusCode, answer.body]).toEqual([202, ''])
    expect(teams.received()).toMatchObject([{ card: { type: 'AdaptiveCard', version: '1.5' } }])
  })

  it.each([
    ['a body that is not a message', { ...card(), type: 'card' }, /type must be "message"/],
    ['no attachments', { type: 'message', attachments: [] }, /attachments must be a non-empty array/],
    [
      'a connector MessageCard',
      {
        type: 'message',
        attachments: [{ contentType: 'application/vnd.microsoft.teams.card.o365connector', content: {} }],
      },
      /contentType must be application\/vnd\.microsoft\.card\.adaptive/,
    ],
    ['a card version newer than 1.5', card({ version: '1.6' }), /version 1\.6 is newer than Teams supports/],
    [
      'Action.Submit',
      card({ actions: [{ type: 'Action.Submit', title: 'Ack' }] }),
      /Action\.Submit is not supported/,
    ],
    [
      'Action.Execute',
      card({ actions: [{ type: 'Action.Execute', title: 'Ack' }] }),
      /Action\.Execute is not supported/,
    ],
    [
      'an element Teams does not know',
      card({ body: [{ type: 'Carousel', pages: [] }] }),
      /"Carousel" is not an Adaptive Card 1\.5 element/,
    ],
    ['a TextBlock without text', card({ body: [{ type: 'TextBlock' }] }), /text is required/],
    [
      'an OpenUrl without a URL',
      card({ actions: [{ type: 'Action.OpenUrl', title: 'x', url: 'not a url' }] }),
      /url must be an absolute URL/,
    ],
  ])('refuses %s with 400 InvalidRequestContent', async (_case, body, problem) => {
    const answer = await send(body)
    expect(answer.statusCode).toBe(400)
    expect(answer.json().error.code).toBe('InvalidRequestContent')
    expect(answer.json().error.message).toMatch(problem)
    expect(teams.received()).toEqual([])
  })

  it('refuses a message over the size Teams accepts', async () => {
    const big = card({ body: [{ type: 'TextBlock', text: 'x'.repeat(MAX_MESSAGE_BYTES), wrap: true }] })
    expect((await send(big)).json().error.message).toMatch(/Teams accepts at most 28672/)
  })

  it('refuses JSON it cannot read', async () => {
    expect((await send('{"type":')).json().error.code).toBe('InvalidRequestContent')
  })

  it('answers 401 without the signature or with a wrong one, and 404 for a deleted workflow', async () => {
    const unsigned = new URL(trigger)
    unsigned.searchParams.delete('sig')
    expect((await send(card(), unsigned)).json().error.code).toBe('DirectApiAuthorizationRequired')
    const wrong = new URL(trigger)
    wrong.searchParams.set('sig', 'forged')
    const answer = await send(card(), wrong)
    expect([answer.statusCode, answer.json().error.code]).toEqual([
      401,
      'DirectApiInvalidAuthorizationSignature',
    ])
    teams.deleteWorkflow(trigger.href)
    const gone = await send(card())
    expect([gone.statusCode, gone.json().error.code]).toEqual([404, 'WorkflowNotFound'])
  })

  it('throttles the next requests with 429 and Retry-After, and fails them with an injected status', async () => {
    teams.rateLimitNext(1, 4)
    teams.failNext(1, 502)
    const limited = await send(card())
    expect([limited.statusCode, limited.headers['retry-after']]).toEqual([429, '4'])
    expect((await send(card())).statusCode).toBe(502)
    expect((await send(card())).statusCode).toBe(202)
    expect(teams.requests().map((r) => r.status)).toEqual([429, 502, 202])
  })
})
