import { describe, expect, it } from 'vitest'
import { compileJql } from '../../../src/sandbox/jira/jql-eval.ts'
import { JqlError } from '../../../src/sandbox/jira/jql-parser.ts'
import { seedSiteDefaults } from '../../../src/sandbox/jira/seed.ts'
import { JiraState } from '../../../src/sandbox/jira/state.ts'

const BERLIN_1030 = Date.parse('2026-01-05T09:30:00Z')

function site() {
  const state = new JiraState(() => BERLIN_1030)
  seedSiteDefaults(state)
  state.addProject({ key: 'SHOP' })
  state.addProject({ key: 'PAY', name: 'Payments' })
  const issues = [
    state.addIssue({ project: 'SHOP', summary: 'a', updated: BERLIN_1030 - 60_000, labels: ['tech-debt'] }),
    state.addIssue({ project: 'SHOP', summary: 'b', updated: BERLIN_1030 }),
    state.addIssue({ project: 'PAY', type: 'Story', summary: 'c', updated: BERLIN_1030 + 60_000 }),
  ]
  for (let i = 0; i < 9; i++) issues.push(state.addIssue({ project: 'SHOP', updated: 0 }))
  return { state, issues }
}

function run(jql: string, timeZone = 'Europe/Berlin') {
  const { state } = site()
  const compiled = compileJql(jql, { state, timeZone, now: BERLIN_1030, canBrowse: true })
  return [...state.issues.values()]
    .filter((i) => compiled.matches(i))
    .map((i) => ({ key: i.key, sort: compiled.sortKey(i) }))
    .sort((a, b) => compiled.compare(a.sort, b.sort))
    .map((i) => i.key)
}

function error(jql: string): string {
  try {
    run(jql)
  } catch (e) {
    if (e instanceof JqlError) return e.message
    throw e
  }
  return 'no error'
}

describe('the simulator’s JQL', () => {
  it('reads date literals as wall-clock minutes in the account’s time zone', () => {
    const jql = 'project in (SHOP, PAY) AND updated >= "2026/01/05 10:30" ORDER BY updated ASC, key ASC'
    expect(run(jql, 'Europe/Berlin')).toEqual(['SHOP-2', 'PAY-1'])
    // Read in UTC the same literal is an hour later than in Berlin: none of these changes is that late.
    expect(run(jql, 'UTC')).toEqual([])
    expect(run('project = SHOP AND updated > "2026-01-05 10:29"', 'Europe/Berlin')).toEqual(['SHOP-2'])
  })

  it('combines project, issue type, labels and NOT, and orders keys by number', () => {
    expect(
      run('project = shop AND issuetype = Epic AND labels is EMPTY ORDER BY key DESC').slice(0, 3),
    ).toEqual(['SHOP-11', 'SHOP-10', 'SHOP-9'])
    expect(run('(project = Payments OR labels = tech-debt) AND NOT issuetype = Epic')).toEqual(['PAY-1'])
    expect(run('key in (SHOP-1, PAY-1) ORDER BY key ASC')).toEqual(['PAY-1', 'SHOP-1'])
  })

  it('refuses what Jira refuses, in Jira’s words', () => {
    expect(error('project = NOPE')).toBe("The value 'NOPE' does not exist for the field 'project'.")
    expect(error('sprint = 3')).toBe(
      "Field 'sprint' does not exist or you do not have permission to view it.",
    )
    expect(error('ORDER BY key')).toBe(
      'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
    )
    expect(error('updated >= "last week"')).toMatch(/^Date value 'last week' for field 'updated' is invalid/)
    expect(error('project = SHOP AND (key = SHOP-1')).toMatch(/Expecting '\)' but reached the end/)
    expect(error('key = SHOP-99')).toBe("An issue with key 'SHOP-99' does not exist for field 'key'.")
    expect(error('project = SHOP ORDER BY rank')).toBe("Not able to sort using field 'rank'.")
    expect(error('assignee = currentUser()')).toMatch(/function 'currentUser' is not supported/)
  })

  it('sees no project and no issue without Browse projects', () => {
    const { state } = site()
    expect(() => compileJql('project = SHOP', { state, timeZone: 'UTC', now: 0, canBrowse: false })).toThrow(
      "The value 'SHOP' does not exist for the field 'project'.",
    )
    const compiled = compileJql('labels is EMPTY', { state, timeZone: 'UTC', now: 0, canBrowse: false })
    expect([...state.issues.values()].filter((i) => compiled.matches(i))).toEqual([])
  })
})

describe('queries that pin issues by key, id or parent', () => {
  const compile = (state: JiraState, jql: string) =>
    compileJql(jql, { state, timeZone: 'UTC', now: BERLIN_1030, canBrowse: true })
  const keys = (issues: Array<{ key: string }> | null) => issues?.map((i) => i.key).sort() ?? null

  it('look their issues up instead of scanning, and match what a scan matches', () => {
    const { state, issues } = site()
    const [shop1, shop2, pay1] = issues as [SimIssueOf, SimIssueOf, SimIssueOf]
    const queries = [
      `(project in (SHOP, PAY)) AND issuetype in (Epic) AND id = ${shop2.id}`,
      `project = SHOP AND key in (${shop1.key}, ${pay1.key})`,
      `issuekey = ${pay1.key}`,
      `project = PAY AND id = ${shop1.id}`,
    ]
    for (const jql of queries) {
      const compiled = compile(state, jql)
      const scanned = [...state.issues.values()].filter((i) => compiled.matches(i)).map((i) => i.key)
      const looked = (compiled.candidates() ?? []).filter((i) => compiled.matches(i)).map((i) => i.key)
      expect(looked.sort(), jql).toEqual(scanned.sort())
    }
    expect(
      keys(compile(state, `project = SHOP AND key in (${shop1.key}, ${pay1.key})`).candidates()),
    ).toEqual([pay1.key, shop1.key])
  })

  it('find children through the parent index, kept as issues are re-parented and deleted', () => {
    const { state, issues } = site()
    const [epicA, epicB] = issues as [SimIssueOf, SimIssueOf]
    const stories = Array.from({ length: 4 }, (_, i) =>
      state.addIssue({
        project: 'SHOP',
        type: 'Story',
        summary: `s${i}`,
        parent: i < 2 ? epicA.key : epicB.key,
      }),
    )
    const [s0, , s2, s3] = stories as [SimIssueOf, SimIssueOf, SimIssueOf, SimIssueOf]
    state.updateIssue(s0.id, { parent: epicB.key })
    state.updateIssue(s2.id, { parent: null })
    state.deleteIssue(s3.key)
    for (const jql of [`parent in (${epicA.key}, ${epicB.key}) ORDER BY key ASC`, `parent = ${epicB.id}`]) {
      const compiled = compile(state, jql)
      const scanned = [...state.issues.values()].filter((i) => compiled.matches(i)).map((i) => i.key)
      expect(keys(compiled.candidates()), jql).toEqual(scanned.sort())
    }
    expect(keys(compile(state, `parent = ${epicB.key}`).candidates())).toEqual([s0.key])
  })

  it('scan when the pin is under an OR or a NOT, or is no pin', () => {
    const { state, issues } = site()
    const shop1 = issues[0] as SimIssueOf
    for (const jql of [
      `project = PAY OR id = ${shop1.id}`,
      `NOT id = ${shop1.id}`,
      `project = SHOP AND id != ${shop1.id}`,
      'project = SHOP',
    ]) {
      expect(compile(state, jql).candidates(), jql).toBeNull()
    }
  })
})

type SimIssueOf = ReturnType<JiraState['addIssue']>
