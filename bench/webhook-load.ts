/**
 * The load generator of webhooks.bench.ts, run in its own process: autocannon sending signed Jira
 * deliveries, each with a fresh body (timestamp, nonce), signature and delivery id. Prints
 * autocannon's result as JSON.
 *
 *   node bench/webhook-load.ts <url> <secret> <connections> <seconds> [<rate per second>]
 */
import { createHmac, randomUUID } from 'node:crypto'
// @ts-expect-error: autocannon ships no types (and @types/autocannon is not a dependency)
import autocannon from 'autocannon'

const [url = '', secret = '', connections = '20', seconds = '5', rate] = process.argv.slice(2)
let n = 0
const result: unknown = await autocannon({
  url,
  method: 'POST',
  connections: Number(connections),
  duration: Number(seconds),
  ...(rate === undefined ? {} : { overallRate: Number(rate) }),
  requests: [
    {
      setupRequest: (request: Record<string, unknown>) => {
        n += 1
        const body = JSON.stringify({
          webhookEvent: 'jira:issue_updated',
          timestamp: Date.now(),
          issue: {
            id: String(10_000 + (n % 500)),
            key: `SHOP-${n % 500}`,
            fields: { issuetype: { id: '10000', hierarchyLevel: 1 } },
          },
          changelog: { items: [{ field: 'Business Value', fieldId: 'customfield_10001', to: String(n) }] },
        })
        return {
          ...request,
          body,
          headers: {
            'content-type': 'application/json',
            'x-hub-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
            'x-atlassian-webhook-identifier': randomUUID(),
          },
        }
      },
    },
  ],
})
process.stdout.write(JSON.stringify(result))
