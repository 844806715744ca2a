import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLinearSimulator, type LinearSimulator } from '../../../src/sandbox/linear/index.ts'

interface Answer {
  status: number
  headers: Headers
  body: {
    data?: Record<string, unknown> | null
    errors?: Array<{ message: string; path?: string[]; extensions: Record<string, unknown> }>
  }
}

async function post(
  sim: LinearSimulator,
  query: string,
  variables: object = {},
  key: string | null = sim.apiKey,
): Promise<Answer> {
  const response = await fetch(sim.graphqlUrl(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: key }) },
    body: JSON.stringify({ query, variables }),
  })
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Answer['body'],
  }
}

const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions.code

function field<T>(answer: Answer, name: string): T {
  const value = answer.body.data?.[name]
  if (value === undefined || value === null) throw new Error(`no ${name} in ${JSON.stringify(answer.body)}`)
  return value as T
}

describe('the Linear simulator over HTTP', () => {
  let sim: LinearSimulator
  let ids: string[]
  beforeAll(async () => {
    sim = createLinearSimulator({ apiKeys: [{ key: 'lin_api_rw' }, { key: 'lin_api_ro', scopes: ['read'] }] })
    await sim.listen()
    sim.state.addTeam({ key: 'PLAT' })
    sim.state.addTeam({ key: 'WEB' })
    ids = Array.from(
      { length: 20 },
      (_, i) => sim.state.addProject({ name: `P${i}`, teams: [i % 2 ? 'WEB' : 'PLAT'] }).id,
    )
  })
  afterAll(() => sim.close())

  it('authenticates with the bare API key, as personal keys are sent', async () => {
    const ok = await post(sim, '{ viewer { id name } }')
    expect(ok.status).toBe(200)
    expect(ok.body.data?.viewer).toMatchObject({ name: 'onetrack bot' })
    const missing = await post(sim, '{ viewer { id } }', {}, null)
    expect(missing.status).toBe(401)
    expect(missing.body.errors?.[0]?.extensions).toMatchObject({
      code: 'AUTHENTICATION_ERROR',
      type: 'authentication error',
    })
    expect((await post(sim, '{ viewer { id } }', {}, 'lin_api_other')).status).toBe(401)
  })

  it('validates every document against the schema and records what it received', async () => {
    sim.resetCounters()
    const answer = await post(sim, '{ projects { nodes { id nmae } } }')
    expect(answer.status).toBe(400)
    expect(codeOf(answer)).toBe('GRAPHQL_VALIDATION_FAILED')
    expect(answer.body.errors?.[0]?.message).toBe(
      'Cannot query field "nmae" on type "Project". Did you mean "name"?',
    )
    expect(codeOf(await post(sim, '{ projects { '))).toBe('GRAPHQL_PARSE_FAILED')
    expect(sim.queries().map((q) => q.validationErrors.length)).toEqual([1, 1])
    expect(sim.requestCount()).toBe(2)
  })

  it('pages with first/after up to 250, newest first, and refuses bigger pages', async () => {
    const seen: string[] = []
    let after: string | null = null
    for (;;) {
      const page = await post(
        sim,
        'query($after: String) { projects(first: 7, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }',
        { after },
      )
      const projects = page.body.data?.projects as {
        nodes: Array<{ id: string }>
        pageInfo: { hasNextPage: boolean; endCursor: string }
      }
      seen.push(...projects.nodes.map((n) => n.id))
      if (!projects.pageInfo.hasNextPage) break
      after = projects.pageInfo.endCursor
    }
    expect(seen).toEqual([...ids].reverse())
    const tooBig = await post(sim, '{ projects(first: 251) { nodes { id } } }')
    expect(tooBig.status).toBe(400)
    expect(tooBig.body.errors?.[0]?.extensions).toMatchObject({ code: 'INPUT_ERROR', type: 'invalid input' })
    expect((await post(sim, '{ projects(first: 250) { nodes { id } } }')).status).toBe(200)
  })

  it('filters by team, updatedAt and archive state, and orders by updatedAt', async () => {
    const cutoff = sim.state.clock.stamp()
    sim.state.updateProject(ids[3] as string, { priority: 1 })
    sim.state.updateProject(ids[1] as string, { priority: 2 })
    sim.state.archiveProject(ids[5] as string)
    const query = `query($filter: ProjectFilter, $archived: Boolean) {
      projects(first: 50, filter: $filter, includeArchived: $archived, orderBy: updatedAt) { nodes { id } } }`
    const names = async (filter: object, archived = false) =>
      field<{ nodes: Array<{ id: string }> }>(
        await post(sim, query, { filter, archived }),
        'projects',
      ).nodes.map((n) => n.id)
    expect(await names({ updatedAt: { gt: cutoff } })).toEqual([ids[1], ids[3]])
    expect(await names({ updatedAt: { gt: cutoff } }, true)).toEqual([ids[5], ids[1], ids[3]])
    const plat = await names({ accessibleTeams: { some: { key: { in: ['PLAT'] } } } })
    expect(plat.every((id) => ids.indexOf(id) % 2 === 0)).toBe(true)
    expect(plat).toHaveLength(10)
    // A filter the simulator does not implement fails loudly instead of being ignored.
    const unsupported = await post(sim, query, { filter: { health: { eq: 'atRisk' } } })
    expect(codeOf(unsupported)).toBe('SIMULATOR_UNSUPPORTED')
  })

  it("counts complexity by Linear's rule, reports it and the rate limits, and refuses a query over 10,000", async () => {
    const answer = await post(
      sim,
      '{ projects(first: 10) { nodes { id name teams(first: 2) { nodes { key } } } } }',
    )
    // 1 + 10 × ((1 + 0.2 + (1 + 2 × (1 + 0.1)))) = 1 + 10 × 4.4 = 45
    expect(answer.headers.get('x-complexity')).toBe('45')
    expect(Number(answer.headers.get('x-ratelimit-requests-limit'))).toBe(5000)
    expect(Number(answer.headers.get('x-ratelimit-complexity-remaining'))).toBeLessThan(3_000_000)
    expect(Number(answer.headers.get('x-ratelimit-requests-reset'))).toBeGreaterThan(Date.now() - 1000)
    const huge = await post(sim, '{ projects(first: 250) { nodes { teams(first: 250) { nodes { id } } } } }')
    expect(huge.status).toBe(400)
    expect(codeOf(huge)).toBe('QUERY_TOO_COMPLEX')
  })

  it('answers RATELIMITED with retry-after and reset headers once a bucket is spent', async () => {
    const small = createLinearSimulator({ rateLimits: { requests: 3, periodMs: 60_000 } })
    await small.listen()
    const results = []
    for (let i = 0; i < 4; i++) results.push(await post(small, '{ viewer { id } }'))
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 400])
    const limited = results[3] as Answer
    expect(limited.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATELIMITED', type: 'ratelimited' })
    expect(Number(limited.headers.get('retry-after'))).toBe(20)
    expect(limited.headers.get('x-ratelimit-requests-remaining')).toBe('0')
    await small.close()
    const strict = createLinearSimulator({ rateLimits: { complexity: 10, status: 429 } })
    await strict.listen()
    const spent = await post(strict, '{ projects(first: 20) { nodes { id } } }')
    expect(spent.status).toBe(429)
    expect(codeOf(spent)).toBe('RATELIMITED')
    await strict.close()
  })

  it('refuses mutations to a read-only key with FORBIDDEN naming the scope', async () => {
    const answer = await post(
      sim,
      'mutation($input: ProjectLabelCreateInput!) { projectLabelCreate(input: $input) { success } }',
      { input: { name: 'x' } },
      'lin_api_ro',
    )
    expect(answer.status).toBe(403)
    expect(answer.body.errors?.[0]).toMatchObject({
      message: 'Invalid scope: `write` required',
      extensions: { code: 'FORBIDDEN' },
    })
  })

  it('upserts attachments by issue and URL, and keeps one label per group', async () => {
    const issue = sim.state.addIssue({ team: 'PLAT', title: 'I' })
    const create = `mutation($input: AttachmentCreateInput!) { attachmentCreate(input: $input) { success attachment { id title } } }`
    const input = { issueId: issue.id, url: 'https://x.example/1', title: 'one' }
    const first = await post(sim, create, { input })
    const second = await post(sim, create, { input: { ...input, title: 'two' } })
    const id = (a: Answer) => field<{ attachment: { id: string } }>(a, 'attachmentCreate').attachment.id
    expect(id(first)).toBe(id(second))
    expect(sim.state.attachmentsOf(issue.id).map((a) => a.title)).toEqual(['two'])

    const [low, high] = [sim.state.projectLabel('1', 'Value'), sim.state.projectLabel('8', 'Value')]
    const add =
      'mutation($id: String!, $label: String!) { projectAddLabel(id: $id, labelId: $label) { success } }'
    await post(sim, add, { id: ids[0], label: low })
    await post(sim, add, { id: ids[0], label: high })
    expect(sim.state.project(ids[0] as string).labelIds).toEqual([high])
    const missing = await post(sim, add, { id: 'nope', label: high })
    expect(missing.body.errors?.[0]).toMatchObject({
      message: 'Entity not found: Project',
      path: ['projectAddLabel'],
    })
  })

  it('injects 5xx answers, dropped connections and rate limits, counting every request', async () => {
    sim.resetCounters()
    sim.failNext(1, 500)
    sim.failNext(1, 503)
    sim.rateLimitNext(1, 2_500, 429)
    const internal = await post(sim, '{ viewer { id } }')
    expect([internal.status, codeOf(internal)]).toEqual([500, 'INTERNAL_SERVER_ERROR'])
    const proxy = await fetch(sim.graphqlUrl(), {
      method: 'POST',
      headers: { authorization: sim.apiKey },
      body: '{}',
    })
    expect([proxy.status, proxy.headers.get('content-type')]).toEqual([503, 'text/html'])
    const limited = await post(sim, '{ viewer { id } }')
    expect([limited.status, codeOf(limited), limited.headers.get('retry-after')]).toEqual([
      429,
      'RATELIMITED',
      '3',
    ])
    sim.faults.every(2, { kind: 'disconnect' })
    expect((await post(sim, '{ viewer { id } }')).status).toBe(200)
    await expect(post(sim, '{ viewer { id } }')).rejects.toThrow('fetch failed')
    sim.clearFaults()
    expect(sim.requestCount()).toBe(5)
  })
  it('stamps each change after the one before, and follows a clock set back (a replayed history)', () => {
    let now = Date.parse('2026-05-01T09:00:00.000Z')
    const timed = createLinearSimulator({ now: () => now })
    timed.state.addTeam({ key: 'T' })
    const burst = [1, 2, 3].map((i) => timed.state.addProject({ name: `B${i}`, teams: ['T'] }).createdAt)
    expect(new Set(burst).size).toBe(3)
    expect([...burst].sort()).toEqual(burst)
    now = Date.parse('2025-05-01T09:00:00.000Z')
    expect(timed.state.addProject({ name: 'A year ago', teams: ['T'] }).createdAt).toBe(
      '2025-05-01T09:00:00.000Z',
    )
    now += 60_000
    expect(timed.state.addProject({ name: 'A minute later', teams: ['T'] }).createdAt).toBe(
      '2025-05-01T09:01:00.000Z',
    )
  })
})
