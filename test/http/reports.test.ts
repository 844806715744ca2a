import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMetrics } from '../../src/metrics.ts'
import { runBuild } from '../../src/pipeline/index.ts'
import { saveSyncBatch } from '../../src/store/index.ts'
import { startTestApp, type TestApp } from '../helpers/app.ts'
import { testConfig } from '../helpers/config.ts'
import { epicRecord } from '../helpers/epics.ts'
import { capturedLogger } from '../helpers/logs.ts'

describe('report routes', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp()
  })
  afterAll(() => t.close())

  it('says when there is no roadmap to report on yet', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/reports/preview' })
    expect(res.statusCode).toBe(404)
    expect(res.json().error.message).toBe('no roadmap has been built yet')
  })

  it('previews the weekly report as Markdown once a roadmap exists', async () => {
    const now = new Date('2027-01-11T09:00:00Z')
    await saveSyncBatch(t.database.db, {
      sourceId: 'jira-test',
      mode: 'incremental',
      epics: [epicRecord('1', { title: 'One-click checkout' }), epicRecord('2', { inputs: { value: 3 } })],
      cursor: null,
      now,
    })
    await runBuild(
      {
        config: testConfig(),
        database: t.database,
        queues: t.queues,
        logger: capturedLogger().logger,
        metrics: createMetrics(),
        connectorFor: () => {
          throw new Error('unused')
        },
        now: () => now,
      },
      'test',
    )
    const res = await t.app.inject({ method: 'GET', url: '/reports/preview' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/markdown/)
    // Nothing slipped in the week of the app's clock: the preview is the one-line quiet note.
    expect(res.body).toMatch(/^\*\*Roadmap, week \d{4}-W\d{2}:\*\* nothing slipped/)
    expect((await t.app.inject({ method: 'GET', url: '/reports/preview?channel=nope' })).statusCode).toBe(404)
  })

  it('lists deliveries with the error of a failed one', async () => {
    await t.database.db
      .insertInto('posted_reports')
      .values({
        channel_id: 'eng',
        week: '2027-W02',
        status: 'failed',
        attempts: 1,
        error: 'CHANNEL_REJECTED: 404',
      })
      .execute()
    const res = await t.app.inject({ method: 'GET', url: '/reports?channel=eng' })
    expect(res.statusCode).toBe(200)
    expect(res.json().deliveries).toEqual([
      expect.objectContaining({
        channelId: 'eng',
        week: '2027-W02',
        status: 'failed',
        error: 'CHANNEL_REJECTED: 404',
      }),
    ])
  })
})
