import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLinearSimulator, type LinearSimulator } from '../../../src/sandbox/linear/index.ts'

/** What cross-tracker dependency links are read from: project resource links, issue attachments. */
describe('the Linear simulator: resource links and attachments', () => {
  let sim: LinearSimulator
  beforeAll(async () => {
    sim = createLinearSimulator()
    await sim.listen()
    sim.state.addTeam({ key: 'PLAT' })
  })
  afterAll(() => sim.close())

  async function post(query: string, variables: object) {
    const response = await fetch(sim.graphqlUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: sim.apiKey },
      body: JSON.stringify({ query, variables }),
    })
    return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] }
  }

  it('serves a project’s links, and an issue’s attachments filtered by title prefix ignoring case', async () => {
    const project = sim.state.addProject({ name: 'Failover drills', teams: ['PLAT'] })
    sim.state.createExternalLink({
      projectId: project.id,
      label: 'Blocks SHOP-2',
      url: 'https://j.example/browse/SHOP-2',
    })
    sim.state.createExternalLink({
      projectId: project.id,
      label: 'Runbook',
      url: 'https://docs.example/runbook',
    })
    const issue = sim.state.addIssue({ team: 'PLAT', title: 'Queue backpressure' })
    sim.state.upsertAttachment({
      issueId: issue.id,
      title: 'blocked BY SHOP-1',
      url: 'https://j.example/browse/SHOP-1',
    })
    sim.state.upsertAttachment({ issueId: issue.id, title: 'PR #4', url: 'https://git.example/pr/4' })
    const answer = await post(
      `query ($project: String!, $issue: String!, $filter: AttachmentFilter!) {
        project(id: $project) { externalLinks(first: 8) { nodes { label url } } }
        issue(id: $issue) { attachments(first: 5, filter: $filter) { nodes { title url } } }
      }`,
      {
        project: project.id,
        issue: issue.id,
        filter: {
          or: [
            { title: { startsWithIgnoreCase: 'Blocked by' } },
            { title: { startsWithIgnoreCase: 'Blocks' } },
          ],
        },
      },
    )
    expect(answer.errors).toBeUndefined()
    const served = answer.data?.project as { externalLinks: { nodes: Array<{ label: string }> } } | undefined
    const links = served?.externalLinks ?? { nodes: [] }
    expect(links.nodes.map((l) => l.label).sort()).toEqual(['Blocks SHOP-2', 'Runbook'])
    expect(answer.data?.issue).toEqual({
      attachments: { nodes: [{ title: 'blocked BY SHOP-1', url: 'https://j.example/browse/SHOP-1' }] },
    })
  })
})
