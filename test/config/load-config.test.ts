// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the config file's own reference syntax
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { inspect, parseEnv } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ConfigError,
  loadConfig,
  type OnetrackConfig,
  parseConfig,
  Secret,
  type SourceConfig,
} from '../../src/config/index.ts'
import { isOnetrackError } from '../../src/errors.ts'

const PATH = '/etc/onetrack/onetrack.yaml'
const JIRA_TOKEN = 'jira-token-3c9f1e'
const env: Record<string, string> = { JIRA_API_TOKEN: JIRA_TOKEN }

/** A small valid file: one team, one Jira source. Tests replace a line of it to break one thing. */
function validYaml(extra = ''): string {
  return `roadmap:
  periods:
    quarters: { start: 2027-Q1, count: 4 }
  teams:
    - id: checkout
      capacity: 40
sources:
  - id: jira-shop
    kind: jira
    baseUrl: https://acme.atlassian.net
    email: bot@acme.example
    apiToken: \${JIRA_API_TOKEN}
    jql: project = SHOP
    team: checkout
${extra}`
}

/** validYaml() with `from` replaced by `to`; fails loudly when `from` is not in it, so a fixture cannot rot. */
function validYamlWith(from: string, to: string, extra = ''): string {
  const text = validYaml(extra)
  if (!text.includes(from)) throw new Error(`fixture does not contain ${JSON.stringify(from)}`)
  return text.replace(from, to)
}

function configError(work: () => unknown): ConfigError {
  try {
    work()
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError, but the configuration was accepted')
}

function jiraSource(config: OnetrackConfig, index: number): Extract<SourceConfig, { kind: 'jira' }> {
  const source = config.sources[index]
  if (source?.kind !== 'jira') throw new Error(`sources[${index}] is not a jira source`)
  return source
}

function problemsOf(text: string, vars: Record<string, string> = env): string[] {
  return configError(() => parseConfig(text, PATH, vars)).problems
}

describe('parseConfig: a valid file', () => {
  it('accepts the minimal file and fills every default', () => {
    const config = parseConfig(validYaml(), PATH, env)

    expect(config.path).toBe(PATH)
    expect(config.roadmap.name).toBe('Roadmap')
    expect(config.roadmap.keepInProgress).toBe(true)
    expect(config.roadmap.scoring).toEqual({
      weights: { value: 1, timeCriticality: 1, risk: 1, enablement: 1 },
      enablementDecay: 0.5,
      riskInterest: 0.25,
      minEffort: 1,
    })
    expect(config.roadmap.costOfDelayUnit).toBe('points')
    expect(config.roadmap.chronicDeferralThreshold).toBe(3)
    expect(config.server).toEqual({
      publicUrl: 'http://localhost:3000',
      bodyLimitBytes: 1_048_576,
      webhookRateLimit: { max: 60_000, windowSeconds: 60, unverifiedPerAddress: 600 },
    })
    expect(config.auth).toEqual({
      tokens: [],
      people: [],
      groups: [],
      session: { idleMinutes: 480, absoluteHours: 24 },
      protectReads: false,
    })
    expect(config.channels).toEqual([])
    expect(config.sources[0]).toMatchObject({
      requestsPerSecond: 10,
      effortFromChildren: false,
      fields: {},
      track: { default: 'product', rules: [] },
      writeBack: { enabled: true, createFields: false },
    })
  })

  it('fills a partly given section: weights not written stay 1', () => {
    const config = parseConfig(
      validYamlWith('  teams:\n', '  scoring:\n    weights: { value: 3 }\n    riskInterest: 0.5\n  teams:\n'),
      PATH,
      env,
    )

    expect(config.roadmap.scoring.weights).toEqual({ value: 3, timeCriticality: 1, risk: 1, enablement: 1 })
    expect(config.roadmap.scoring.riskInterest).toBe(0.5)
    expect(config.roadmap.scoring.enablementDecay).toBe(0.5)
  })

  it('fills a linear source and a slack channel with their own defaults', () => {
    const config = parseConfig(
      validYaml(`  - id: linear-platform
    kind: linear
    apiKey: \${LINEAR_API_KEY}
    teams: [PLAT]
channels:
  - id: eng-leads
    kind: slack
    webhookUrl: \${SLACK_WEBHOOK_URL}
`),
      PATH,
      { ...env, LINEAR_API_KEY: 'lin_api_x', SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/x' },
    )

    expect(config.sources[1]).toMatchObject({
      kind: 'linear',
      apiUrl: 'https://api.linear.app/graphql',
      epics: 'projects',
      track: { default: 'technical', rules: [] },
      writeBack: { enabled: true },
    })
    expect(config.channels[0]).toMatchObject({
      kind: 'slack',
      schedule: { cron: '0 9 * * 1', timezone: 'UTC' },
      scope: {},
      minCostOfDelay: 0,
      quietWeek: 'note',
    })
  })

  it('accepts a slack channel that posts with a bot token and a channel', () => {
    const config = parseConfig(
      validYaml(
        'channels:\n  - id: eng\n    kind: slack\n    botToken: ${SLACK_BOT_TOKEN}\n    channel: C0123\n',
      ),
      PATH,
      { ...env, SLACK_BOT_TOKEN: 'xoxb-1' },
    )

    expect(config.channels[0]).toMatchObject({ kind: 'slack', channel: 'C0123' })
  })

  it('accepts an explicit list of periods instead of quarters', () => {
    const config = parseConfig(
      validYamlWith(
        'quarters: { start: 2027-Q1, count: 4 }',
        'list:\n      - { id: H1, start: 2027-01-01, end: 2027-07-01 }\n      - { id: H2, start: 2027-07-01, end: 2028-01-01 }',
      ),
      PATH,
      env,
    )

    expect(config.roadmap.periods.list?.map((p) => p.id)).toEqual(['H1', 'H2'])
    expect(config.roadmap.periods.quarters).toBeUndefined()
  })
})

describe('parseConfig: environment references', () => {
  it('uses the default of ${NAME:-default} when the variable is not set', () => {
    const config = parseConfig(
      validYamlWith('baseUrl: https://acme.atlassian.net', 'baseUrl: ${JIRA_URL:-http://127.0.0.1:4010}'),
      PATH,
      env,
    )

    expect(config.sources[0]).toMatchObject({ baseUrl: 'http://127.0.0.1:4010' })
  })

  it('uses the variable of ${NAME:-default} when it is set, also inside a longer string', () => {
    const config = parseConfig(
      validYamlWith('jql: project = SHOP', 'jql: project = ${JIRA_PROJECT:-SHOP} and type = Epic'),
      PATH,
      { ...env, JIRA_PROJECT: 'PAY' },
    )

    expect(config.sources[0]).toMatchObject({ jql: 'project = PAY and type = Epic' })
  })

  it('names the key of a plain string whose ${NAME} has no value and no default', () => {
    // The empty value is then checked too (email needs 3 characters), so the key may be named twice.
    expect(problemsOf(validYamlWith('email: bot@acme.example', 'email: ${JIRA_EMAIL}'))).toContain(
      'sources[0].email: environment variable JIRA_EMAIL is not set',
    )
  })

  it('checks the resolved value against the schema', () => {
    expect(
      problemsOf(validYamlWith('baseUrl: https://acme.atlassian.net', 'baseUrl: ${JIRA_URL}'), {
        ...env,
        JIRA_URL: 'acme.atlassian.net',
      }),
    ).toEqual(['sources[0].baseUrl: must be an http(s) URL'])
  })
})

describe('parseConfig: secrets', () => {
  const config = () => parseConfig(validYaml(), PATH, env)
  const token = () => jiraSource(config(), 0).apiToken

  it('turns a secret reference into a Secret that reveals the value', () => {
    expect(token()).toBeInstanceOf(Secret)
    expect(token().reveal()).toBe(JIRA_TOKEN)
    expect(token().envName).toBe('JIRA_API_TOKEN')
  })

  it('never prints the value through JSON, String or util.inspect, alone or inside the config', () => {
    const secret = token()
    for (const printed of [
      JSON.stringify(secret),
      String(secret),
      `${secret}`,
      inspect(secret),
      JSON.stringify(config()),
      inspect(config(), { depth: null }),
    ]) {
      expect(printed).not.toContain(JIRA_TOKEN)
    }
    expect(String(secret)).toBe('[secret JIRA_API_TOKEN]')
  })

  it('refuses a secret written in the file and does not repeat it in the error', () => {
    const error = configError(() =>
      parseConfig(validYamlWith('${JIRA_API_TOKEN}', 'literal-token-8d7e6f'), PATH, env),
    )

    expect(error.problems).toEqual([
      'sources[0].apiToken: must be an environment reference such as ${MY_SECRET}; secrets are never written in the file',
    ])
    expect(error.message).not.toContain('literal-token-8d7e6f')
    expect(JSON.stringify(error)).not.toContain('literal-token-8d7e6f')
    expect(inspect(error)).not.toContain('literal-token-8d7e6f')
  })

  it('refuses ${NAME:-default} for a secret: a secret has no default in the file', () => {
    expect(problemsOf(validYamlWith('${JIRA_API_TOKEN}', '${JIRA_API_TOKEN:-fallback-token}'))).toEqual([
      'sources[0].apiToken: must be an environment reference such as ${MY_SECRET}; secrets are never written in the file',
    ])
  })

  it('names the key and the variable when the secret is not set, or set empty', () => {
    const expected = ['sources[0].apiToken: environment variable JIRA_API_TOKEN is not set']

    expect(problemsOf(validYaml(), {})).toEqual(expected)
    expect(problemsOf(validYaml(), { JIRA_API_TOKEN: '' })).toEqual(expected)
  })
})

describe('parseConfig: a bad file lists its problems by key', () => {
  it('reports a YAML syntax error with its line', () => {
    expect(problemsOf('roadmap:\n  name: Acme\n\tteams: []\n')).toEqual([
      'line 3, column 1: Tabs are not allowed as indentation',
    ])
  })

  it('reports where an unclosed quote runs out, without quoting the text', () => {
    const error = configError(() =>
      parseConfig('auth:\n  tokens:\n    - { name: a, token: "literal-token-1f2e }\n', PATH, env),
    )

    expect(error.problems[0]).toMatch(/^line \d+, column \d+: /)
    expect(error.message).not.toContain('literal-token-1f2e')
  })

  it('reports a duplicated key as a YAML error with its line', () => {
    expect(problemsOf('roadmap:\n  name: a\n  name: b\n')).toEqual([
      'line 3, column 3: Map keys must be unique',
    ])
  })

  it.each([
    ['an empty file', ''],
    ['a file of comments only', '# nothing yet\n'],
    ['a list at the top level', '- roadmap\n- sources\n'],
    ['a scalar at the top level', 'roadmap'],
  ])('refuses %s: the top level must be a mapping', (_name, text) => {
    expect(problemsOf(text)).toEqual(['(top level): must be a mapping with roadmap, sources and channels'])
  })

  it('names the missing roadmap section', () => {
    expect(problemsOf('sources: []\n')).toEqual(['roadmap: is required'])
  })

  it('names a misspelt key as unknown and the key it should have been as required', () => {
    expect(problemsOf(validYamlWith('capacity: 40', 'capasity: 40'))).toEqual([
      'roadmap.teams[0].capacity: is required',
      'roadmap.teams[0].capasity: unknown key',
    ])
  })

  it('names an unknown key at the top level and inside a source', () => {
    expect(
      problemsOf(`${validYamlWith('jql: project = SHOP', 'jql: project = SHOP\n    jqll: x')}channel: []\n`),
    ).toEqual(['channel: unknown key', 'sources[0].jqll: unknown key'])
  })

  it('names a value of the wrong type', () => {
    expect(problemsOf(validYamlWith('capacity: 40', 'capacity: lots'))).toEqual([
      'roadmap.teams[0].capacity: must be number',
    ])
  })

  it('names a value out of range', () => {
    expect(problemsOf(validYamlWith('  teams:\n', '  scoring: { enablementDecay: 2 }\n  teams:\n'))).toEqual([
      'roadmap.scoring.enablementDecay: must be <= 1',
    ])
  })

  it('lists the allowed kinds of a source', () => {
    expect(problemsOf(validYamlWith('kind: jira', 'kind: trello'))).toEqual([
      'sources[0].kind: must be one of jira, linear',
    ])
  })

  it('lists the allowed kinds when a source has no kind', () => {
    expect(problemsOf(validYamlWith('    kind: jira\n', ''))).toEqual([
      'sources[0].kind: must be one of jira, linear',
    ])
  })

  it('names a required key a source lacks', () => {
    expect(problemsOf(validYamlWith('    jql: project = SHOP\n', ''))).toEqual([
      'sources[0].jql: is required',
    ])
  })

  it('names a bad quarter', () => {
    expect(problemsOf(validYamlWith('2027-Q1', '2027-Q5'))).toEqual([
      'roadmap.periods.quarters.start: must be a quarter such as 2027-Q1',
    ])
  })

  it('names an id outside the safe alphabet', () => {
    expect(problemsOf(validYamlWith('id: jira-shop', 'id: Jira Shop'))).toEqual([
      'sources[0].id: must be an id of a-z, 0-9, - and _ (at most 63 characters)',
    ])
  })

  it('names sources that are not a list, and entries that are not mappings', () => {
    expect(problemsOf(`${validYaml().split('sources:')[0]}sources: jira\n`)).toEqual([
      'sources: must be array',
    ])
    expect(problemsOf(`${validYaml().split('sources:')[0]}sources:\n  - null\n  - 3\n`)).toEqual([
      'sources[0]: must be object',
      'sources[1]: must be object',
    ])
  })

  it('lists every problem of the file together, from every section', () => {
    const text = validYamlWith('2027-Q1', '27Q1')
      .replace('capacity: 40', 'capasity: 40')
      .replace('kind: jira', 'kind: trello')
      .replace('  teams:\n', '  scoring: { riskInterest: -1 }\n  teams:\n')

    // Sorted: the order follows the schema, not the file, and is not part of the contract.
    expect(
      problemsOf(
        `${text}channels:\n  - id: eng\n    kind: teams\n    webhookUrl: \${TEAMS_WEBHOOK_URL}\n`,
      ).sort(),
    ).toEqual([
      'channels[0].webhookUrl: environment variable TEAMS_WEBHOOK_URL is not set',
      'roadmap.periods.quarters.start: must be a quarter such as 2027-Q1',
      'roadmap.scoring.riskInterest: must be >= 0',
      'roadmap.teams[0].capacity: is required',
      'roadmap.teams[0].capasity: unknown key',
      'sources[0].kind: must be one of jira, linear',
    ])
  })

  it('puts every problem in the message, one per line, under the file path', () => {
    const error = configError(() =>
      parseConfig(
        validYamlWith('capacity: 40', 'capacity: -1').replace('kind: jira', 'kind: trello'),
        PATH,
        env,
      ),
    )

    expect(error.code).toBe('ONETRACK_CONFIG_INVALID')
    expect(error.message).toBe(
      `${PATH} is not valid:\n  - roadmap.teams[0].capacity: must be >= 0\n  - sources[0].kind: must be one of jira, linear`,
    )
    expect(error.toJSON()).toEqual({
      code: 'ONETRACK_CONFIG_INVALID',
      message: error.message,
      details: { path: PATH, problems: error.problems },
    })
  })
})

describe('parseConfig: rules across sections', () => {
  it('names a duplicated team id', () => {
    expect(
      problemsOf(
        validYamlWith('      capacity: 40\n', '      capacity: 40\n    - id: checkout\n      capacity: 5\n'),
      ),
    ).toEqual(['roadmap.teams[1].id: duplicate team id checkout'])
  })

  it('names a duplicated source id', () => {
    const secondSource = validYaml().split('sources:\n')[1] ?? ''

    expect(problemsOf(validYaml(secondSource))).toEqual(['sources[1].id: duplicate source id jira-shop'])
  })

  it('names a team a source refers to that roadmap.teams does not have', () => {
    expect(problemsOf(validYamlWith('team: checkout', 'team: growth'))).toEqual([
      'sources[0].team: unknown team growth (roadmap.teams has checkout)',
    ])
  })

  it('requires exactly one of quarters and list: both given', () => {
    expect(
      problemsOf(
        validYamlWith(
          'quarters: { start: 2027-Q1, count: 4 }',
          'quarters: { start: 2027-Q1, count: 4 }\n    list: [{ id: H1, start: 2027-01-01, end: 2027-07-01 }]',
        ),
      ),
    ).toEqual(['roadmap.periods: give exactly one of quarters: {start, count} or list: [...]'])
  })

  it('requires exactly one of quarters and list: neither given', () => {
    expect(
      problemsOf(
        validYamlWith('  periods:\n    quarters: { start: 2027-Q1, count: 4 }\n', '  periods: {}\n'),
      ),
    ).toEqual(['roadmap.periods: give exactly one of quarters: {start, count} or list: [...]'])
  })

  it.each([
    ['neither a webhook nor a bot token', ''],
    ['a bot token without a channel', '    botToken: ${SLACK_BOT_TOKEN}\n'],
    [
      'both a webhook and a bot token with a channel',
      '    webhookUrl: ${SLACK_WEBHOOK_URL}\n    botToken: ${SLACK_BOT_TOKEN}\n    channel: C0123\n',
    ],
  ])('refuses a slack channel with %s', (_name, keys) => {
    expect(
      problemsOf(validYaml(`channels:\n  - id: eng\n    kind: slack\n${keys}`), {
        ...env,
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/x',
      }),
    ).toEqual(['channels[0]: a slack channel needs either webhookUrl, or botToken and channel'])
  })

  it('lists every cross-section problem together', () => {
    const text = validYamlWith('team: checkout', 'team: growth').replace(
      '  periods:\n    quarters: { start: 2027-Q1, count: 4 }\n',
      '  periods: {}\n',
    )

    expect(
      problemsOf(`${text}channels:\n  - id: eng\n    kind: slack\n    scope: { teams: [ops] }\n`),
    ).toEqual([
      'roadmap.periods: give exactly one of quarters: {start, count} or list: [...]',
      'sources[0].team: unknown team growth (roadmap.teams has checkout)',
      'channels[0].scope.teams: unknown team ops',
      'channels[0]: a slack channel needs either webhookUrl, or botToken and channel',
    ])
  })
})

describe('parseConfig: the hash', () => {
  it('is the sha256 of the text: the same for the same text, different when the text changes', () => {
    const first = parseConfig(validYaml(), PATH, env).hash
    const again = parseConfig(validYaml(), PATH, env).hash
    const edited = parseConfig(validYamlWith('capacity: 40', 'capacity: 41'), PATH, env).hash

    expect(first).toMatch(/^[0-9a-f]{64}$/)
    expect(again).toBe(first)
    expect(edited).not.toBe(first)
  })
})

describe('loadConfig', () => {
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'onetrack-config-'))
  })

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('reads the file and records its absolute path', () => {
    const file = join(dir, 'onetrack.yaml')
    writeFileSync(file, validYaml())

    const config: OnetrackConfig = loadConfig(file, env)

    expect(config.path).toBe(resolve(file))
    expect(config.roadmap.teams.map((t) => t.id)).toEqual(['checkout'])
  })

  it('says a missing file is missing and points to the example', () => {
    const file = join(dir, 'absent.yaml')
    let caught: unknown
    try {
      loadConfig(file, env)
    } catch (error) {
      caught = error
    }

    expect(isOnetrackError(caught, 'ONETRACK_CONFIG_MISSING')).toBe(true)
    expect((caught as Error).message).toContain(file)
    expect((caught as Error).message).toContain('config/onetrack.example.yaml')
  })

  it('reports a path that cannot be read as invalid, not missing', () => {
    expect(() => loadConfig(dir, env)).toThrow(expect.objectContaining({ code: 'ONETRACK_CONFIG_INVALID' }))
  })

  it('loads the example file once its secrets are set', () => {
    const config = loadConfig('config/onetrack.example.yaml', {
      ONETRACK_OWNER_TOKEN: 'owner',
      ONETRACK_CI_TOKEN: 'ci',
      JIRA_API_TOKEN: 'jira',
      JIRA_WEBHOOK_SECRET: 'jira-hook',
      LINEAR_API_KEY: 'lin_api_x',
      LINEAR_WEBHOOK_SECRET: 'linear-hook',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/x',
      TEAMS_WEBHOOK_URL: 'https://example.webhook.office.com/x',
    })

    expect(config.sources.map((s) => `${s.id}:${s.kind}`)).toEqual([
      'jira-shop:jira',
      'linear-platform:linear',
    ])
    expect(config.channels.map((c) => `${c.id}:${c.kind}`)).toEqual(['eng-leads:slack', 'leadership:teams'])
    expect(config.roadmap.teams.find((t) => t.id === 'platform')?.capacityByPeriod).toEqual({ '2027-Q3': 20 })
  })

  it('lists every unset secret of the example file together', () => {
    const error = configError(() => loadConfig('config/onetrack.example.yaml', {}))

    expect(error.problems).toEqual([
      'auth.tokens[0].token: environment variable ONETRACK_OWNER_TOKEN is not set',
      'auth.tokens[1].token: environment variable ONETRACK_CI_TOKEN is not set',
      'sources[0].apiToken: environment variable JIRA_API_TOKEN is not set',
      'sources[0].webhookSecret: environment variable JIRA_WEBHOOK_SECRET is not set',
      'sources[1].apiKey: environment variable LINEAR_API_KEY is not set',
      'sources[1].webhookSecret: environment variable LINEAR_WEBHOOK_SECRET is not set',
      'channels[0].webhookUrl: environment variable SLACK_WEBHOOK_URL is not set',
      'channels[1].webhookUrl: environment variable TEAMS_WEBHOOK_URL is not set',
    ])
  })

  it('loads the demo file with config/demo.env, the simulators as default URLs', () => {
    const demoEnv = parseEnv(readFileSync('config/demo.env', 'utf8'))

    const config = loadConfig('config/demo.yaml', demoEnv)

    expect(config.sources[0]).toMatchObject({ id: 'jira-shop', baseUrl: 'http://127.0.0.1:4010' })
    expect(config.sources[1]).toMatchObject({
      id: 'linear-platform',
      apiUrl: 'http://127.0.0.1:4020/graphql',
    })
    expect(jiraSource(config, 0).apiToken.reveal()).toBe(demoEnv.DEMO_JIRA_API_TOKEN)
    expect(config.auth.tokens[0]?.token.reveal()).toBe(demoEnv.ONETRACK_DEMO_TOKEN)
    expect(inspect(config, { depth: null })).not.toContain('demo-jira-token')
  })

  it('points the demo at other simulator URLs when they are set', () => {
    const demoEnv = parseEnv(readFileSync('config/demo.env', 'utf8'))

    const config = loadConfig('config/demo.yaml', { ...demoEnv, DEMO_JIRA_URL: 'http://jira-sim:4010' })

    expect(config.sources[0]).toMatchObject({ baseUrl: 'http://jira-sim:4010' })
  })
})
