import { describe, expect, it } from 'vitest'
import {
  ConfigError,
  isRoadmapOwner,
  namesPerson,
  ownersOf,
  ownsTeam,
  parseConfig,
  personFrom,
  teamsOwnedBy,
} from '../../src/config/index.ts'

const env = {
  OWNER: 'owner-token-of-the-people-test',
  SECRET: 'a-session-secret-of-32-characters!!',
  CS: 'cs',
}

function config(auth: string, owners = '[]', teamOwners = '[sam@acme.test]') {
  return parseConfig(
    `
auth:
${auth}
roadmap:
  owners: ${owners}
  periods: { quarters: { start: 2027-Q1, count: 2 } }
  teams:
    - { id: checkout, capacity: 40 }
    - { id: platform, capacity: 30, owners: ${teamOwners} }
`,
    '/test/onetrack.yaml',
    env,
  )
}

const PEOPLE = `  tokens:
    - { name: olivia, token: "\${OWNER}", role: owner }
  people:
    - { email: dana@acme.test, name: Dana Reyes, role: owner }
    - { email: Sam@Acme.test, role: editor }
    - { email: alex@acme.test, role: viewer }
  groups:
    - { group: product, role: editor }
    - { group: leadership, role: owner }`

describe('people from the identity provider', () => {
  const c = config(PEOPLE, '[group:staff-pm]')

  it('maps an email (any case) to its entry, with the entry’s name over the provider’s', () => {
    expect(personFrom(c, { email: 'DANA@acme.test', name: 'D. Reyes', subject: 's1' })).toEqual({
      name: 'Dana Reyes',
      role: 'owner',
      email: 'DANA@acme.test',
      subject: 's1',
    })
    expect(personFrom(c, { email: 'sam@acme.test', name: 'Sam Okafor' })).toMatchObject({
      name: 'Sam Okafor',
      role: 'editor',
    })
  })

  it('gives the highest role of the person’s entry and groups', () => {
    expect(personFrom(c, { email: 'alex@acme.test', groups: ['product'] })?.role).toBe('editor')
    expect(personFrom(c, { email: 'alex@acme.test', groups: ['leadership'] })?.role).toBe('owner')
    expect(personFrom(c, { email: 'new@acme.test', name: 'New', groups: ['product'] })?.role).toBe('editor')
  })

  it('makes someone an owners list names at least an editor, and maps nobody else', () => {
    expect(personFrom(c, { email: 'pm@acme.test', groups: ['staff-pm'] })?.role).toBe('editor')
    expect(personFrom(c, { email: 'stranger@else.test', name: 'Stranger', groups: ['x'] })).toBeNull()
    expect(personFrom(c, { subject: 'no-email' })).toBeNull()
  })

  it('names owners by name, email or group:, and a viewer never decides', () => {
    const pm = { name: 'Pat', role: 'editor' as const, email: 'pat@acme.test', groups: ['staff-pm'] }
    expect(namesPerson('group:staff-pm', pm)).toBe(true)
    expect(namesPerson('PAT@acme.test', pm)).toBe(true)
    expect(namesPerson('Pat', pm)).toBe(true)
    expect(namesPerson('group:other', pm)).toBe(false)
    expect(isRoadmapOwner(c, pm)).toBe(true)
    const sam = { name: 'Sam', role: 'editor' as const, email: 'sam@acme.test' }
    expect(ownsTeam(c, sam, 'platform')).toBe(true)
    expect(ownsTeam(c, sam, 'checkout')).toBe(false)
    expect(teamsOwnedBy(c, sam)).toEqual(['platform'])
    expect(ownsTeam(c, { ...sam, role: 'viewer' }, 'platform')).toBe(false)
    // Owners listed by email read by the person's name where the config knows it.
    expect(ownersOf(config(PEOPLE, '[dana@acme.test]'), 'checkout')).toEqual(['Dana Reyes', 'olivia'])
  })
})

describe('sign-on settings', () => {
  const oidc = (more: string) => `${PEOPLE}
  oidc:
    issuer: https://login.acme.test
    clientId: onetrack
    clientSecret: \${CS}
    redirectUrl: https://onetrack.acme.test/auth/callback
${more}`

  function problems(auth: string, owners = '[]', teamOwners = '[sam@acme.test]'): string[] {
    try {
      config(auth, owners, teamOwners)
      return []
    } catch (error) {
      if (error instanceof ConfigError) return error.problems
      throw error
    }
  }

  it('accepts a provider with a session secret, and fills the defaults', () => {
    const c = config(oidc(`  session: { secret: "\${SECRET}" }`))
    expect(c.auth.oidc).toMatchObject({
      scopes: ['openid', 'email', 'profile'],
      groupsClaim: 'groups',
      unmapped: 'viewer',
    })
    expect(c.auth.session).toMatchObject({ idleMinutes: 480, absoluteHours: 24 })
  })

  it('names the key and the problem for each broken setting', () => {
    expect(problems(oidc(''))).toContain(
      'auth.session.secret: required with auth.oidc (the key of the CSRF tokens and their cookie)',
    )
    expect(problems(oidc(`  session: { secret: "\${CS}" }`))).toContain(
      'auth.session.secret: must be at least 32 characters',
    )
    const plain = oidc(`  session: { secret: "\${SECRET}" }`)
      .replace('https://login.acme.test', 'http://login.acme.test')
      .replace('https://onetrack.acme.test/auth/callback', 'http://onetrack.acme.test/callback')
    expect(problems(plain)).toEqual(
      expect.arrayContaining([
        'auth.oidc.issuer: must be https outside localhost, got http://login.acme.test',
        'auth.oidc.redirectUrl: must be https outside localhost (session cookies are Secure), got http://onetrack.acme.test/callback',
        "auth.oidc.redirectUrl: must end in /auth/callback (onetrack's callback), got http://onetrack.acme.test/callback",
      ]),
    )
  })

  it('refuses owners nobody can be, viewers as owners, and a person twice', () => {
    expect(problems(PEOPLE, '[nobody]')).toContain(
      'roadmap.owners[0]: unknown name nobody (not in auth.tokens or auth.people)',
    )
    expect(problems(PEOPLE, '[alex@acme.test]')).toContain(
      'roadmap.owners[0]: alex@acme.test has role viewer; an owner needs editor or owner',
    )
    expect(problems(PEOPLE, '["group:"]')).toContain('roadmap.owners[0]: group: needs a group name')
    // An email nobody lists signs in through the provider: allowed.
    expect(problems(PEOPLE, '[someone@acme.test]')).toEqual([])
    const twice = PEOPLE.replace('  groups:', '    - { email: dana@ACME.test, role: editor }\n  groups:')
    expect(problems(twice)).toContain('auth.people[3].email: duplicate person dana@ACME.test')
  })
})
