import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/** The Prometheus metrics of one process (API or worker); each process exposes its own registry. */
export interface Metrics {
  registry: Registry
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>
  jobDuration: Histogram<'queue' | 'outcome'>
  jobsProcessed: Counter<'queue' | 'outcome'>
  queueDepth: Gauge<'queue' | 'state'>
  webhookToWriteback: Histogram<'source'>
  /** Webhook requests refused, by source (`unknown` when the path names none) and reason class. */
  webhookRejections: Counter<'source' | 'reason'>
  /** Deliveries per group-committed batch of webhook records (see DeliveryIngest). */
  webhookBatchSize: Histogram
  /** Tickets a sync found showing other values than onetrack wrote (a hand edit, a crash mid-write). */
  writebackDrift: Counter<'source'>
  /** Weekly report runs per channel and outcome (posted, skipped, failed, retrying, unconfirmed, …). */
  reports: Counter<'channel' | 'outcome'>
  /** Deferrals the owner has not signed off yet, per team (read from the database at scrape time). */
  unacknowledgedDeferrals: Gauge<'team'>
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'onetrack_' })
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'onetrack_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'onetrack_job_duration_seconds',
      help: 'Job processing time by queue and outcome',
      labelNames: ['queue', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    jobsProcessed: new Counter({
      name: 'onetrack_jobs_processed_total',
      help: 'Jobs processed by queue and outcome (completed, failed, released)',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
    webhookToWriteback: new Histogram({
      name: 'onetrack_webhook_to_writeback_seconds',
      help: 'From a webhook delivery received to the write-back of the build that includes it',
      labelNames: ['source'],
      buckets: [0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300],
      registers: [registry],
    }),
    writebackDrift: new Counter({
      name: 'onetrack_writeback_drift_total',
      help: 'Tickets whose onetrack fields a sync found different from what was written; each is written again',
      labelNames: ['source'],
      registers: [registry],
    }),
    webhookRejections: new Counter({
      name: 'onetrack_webhook_rejections_total',
      help: 'Webhook requests refused, by source (unknown: no such source) and reason (unknown_source, no_secret, unsigned, bad_signature, stale, malformed, address_limit, source_limit)',
      labelNames: ['source', 'reason'],
      registers: [registry],
    }),
    webhookBatchSize: new Histogram({
      name: 'onetrack_webhook_batch_deliveries',
      help: 'Verified webhook deliveries recorded and queued together in one transaction',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    reports: new Counter({
      name: 'onetrack_reports_total',
      help: 'Weekly report runs by channel and outcome (posted, skipped, already_posted, busy, retrying, failed, unconfirmed, no_roadmap)',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    }),
    unacknowledgedDeferrals: new Gauge({
      name: 'onetrack_unacknowledged_deferrals',
      help: 'Deferrals waiting for the owner’s sign-off, per team (of the epic when it slipped)',
      labelNames: ['team'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'onetrack_queue_jobs',
      help: 'Jobs per queue and state, read from Redis at scrape time',
      labelNames: ['queue', 'state'],
      registers: [registry],
    }),
  }
}
