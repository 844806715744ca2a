import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Secret } from '../../src/config/index.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { TEST_TOKENS, testConfig } from '../helpers/config.ts'
import { capturedLogger } from '../helpers/logs.ts'

describe('log redaction', () => {
  const captured = capturedLogger('trace')
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp({ logger: captured.logger })
  })
  afterAll(() => t.close())

  it('never writes a token from a request header to the log', async () => {
    await t.app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: { authorization: `Bearer ${TEST_TOKENS.owner}` },
    })
    await t.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { authorization: `Basic ${Buffer.from(`x:${TEST_TOKENS.editor}`).toString('base64')}` },
    })
    await t.app.inject({ method: 'POST', url: '/nowhere', headers: { 'x-hub-signature': 'sha256=deadbeef' } })
    // A handler that logs the request with its headers must not leak them either.
    captured.logger.info({
      req: {
        headers: { authorization: `Bearer ${TEST_TOKENS.owner}`, 'x-hub-signature': 'sha256=deadbeef' },
      },
    })
    const text = captured.text()
    expect(captured.lines().length).toBeGreaterThanOrEqual(5)
    expect(text).not.toContain(TEST_TOKENS.owner)
    expect(text).not.toContain(TEST_TOKENS.editor)
    expect(text).not.toContain('deadbeef')
  })

  it('never writes secrets from the config, whichever way they are logged', () => {
    const config = testConfig()
    const log = captured.logger.child({ component: 'test' })
    log.info({ config }, 'config as an object')
    log.info({ source: config.sources[0] }, 'one source')
    log.info(
      { apiToken: TEST_TOKENS.jira, nested: { token: TEST_TOKENS.viewer } },
      'raw values under secret keys',
    )
    log.info(`interpolated: ${String(new Secret(TEST_TOKENS.jira, 'T_JIRA'))}`)
    log.error(
      { err: new Error('failed', { cause: { webhookSecret: TEST_TOKENS.jira } }) },
      'error with a cause',
    )
    const text = captured.text()
    expect(text).toContain('[secret T_JIRA]')
    for (const token of Object.values(TEST_TOKENS)) expect(text).not.toContain(token)
  })
})
