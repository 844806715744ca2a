import type { EpicRecord } from '../../src/store/index.ts'
import { type SyncedEpic, withItemRefs } from '../../src/trackers/index.ts'

/**
 * A synced epic with sensible defaults, as a sync hands it to the store (with the item references
 * its connector gives); override what the test is about.
 */
export function epicRecord(externalId: string, overrides: Partial<SyncedEpic> = {}): EpicRecord {
  return withItemRefs({
    externalId,
    key: `SHOP-${externalId}`,
    title: `Epic ${externalId}`,
    url: `https://acme.atlassian.net/browse/SHOP-${externalId}`,
    team: 'checkout',
    track: 'product',
    status: 'todo',
    inputs: { value: 5, timeCriticality: 3, risk: 2 },
    effort: 10,
    blockers: [],
    links: [],
    updatedAt: '2027-01-04T09:00:00.000Z',
    problems: [],
    ...overrides,
  })
}
