import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { type OnetrackConfig, type Person, roadmapSettings, signOffRefusal } from '../config/index.ts'
import type { DeferralEvent } from '../domain/index.ts'
import { OnetrackError } from '../errors.ts'
import { enqueue, type Queues } from '../jobs/index.ts'
import {
  type AcknowledgedEvent,
  acknowledgeDeferral,
  createOverride,
  type Database,
  type Decision,
  deferralEvent,
  newestPublishableId,
  type OverrideRecord,
} from '../store/index.ts'

/**
 * The owner's calls on a deferral, shared by the REST API and the Slack buttons: accept it with a
 * reason, or keep the epic planned (a pin, which answers the epic's open deferrals).
 */
export interface OwnedCallDeps {
  config: OnetrackConfig
  database: Database
  queues: Queues
  now(): Date
}

/** The source an epic id (`source:externalId`) belongs to. */
export function sourceOf(epicId: string): string {
  return epicId.slice(0, epicId.indexOf(':'))
}

/** The deferral event, or a 404 / 400 for an id that is not one. */
async function loadDeferral(deps: OwnedCallDeps, eventId: string): Promise<DeferralEvent> {
  const found = await deferralEvent(deps.database.db, eventId)
  if (found === null) throw new OnetrackError('ONETRACK_NOT_FOUND', `no ledger event ${eventId}`)
  if (found.event.kind !== 'deferred' && found.event.kind !== 'rolled_over') {
    throw new OnetrackError(
      'ONETRACK_BAD_REQUEST',
      `event ${eventId} is a ${found.event.kind} event; only deferrals (deferred, rolled_over) are signed off`,
    )
  }
  return found.event
}

function mayDecide(deps: OwnedCallDeps, person: Person, event: DeferralEvent): void {
  const refusal = signOffRefusal(deps.config, person, event.epic.team)
  if (refusal !== null) throw new OnetrackError('ONETRACK_FORBIDDEN', refusal)
}

/**
 * Accepts a deferral with a reason. 404 unknown event, 400 not a deferral, 403 not an owner of the
 * epic's team, 409 already signed off (naming by whom). Queues a write-back that clears the flag.
 */
export async function acceptDeferral(
  deps: OwnedCallDeps,
  input: { person: Person; eventId: string; reason: string; via: 'api' | 'slack' },
  log: FastifyBaseLogger,
): Promise<{ event: AcknowledgedEvent; decision: Decision }> {
  const event = await loadDeferral(deps, input.eventId)
  mayDecide(deps, input.person, event)
  const outcome = await acknowledgeDeferral(deps.database.db, {
    eventId: input.eventId,
    by: input.person.name,
    reason: input.reason,
    via: input.via,
    now: deps.now(),
  })
  if (outcome.status === 'not_found')
    throw new OnetrackError('ONETRACK_NOT_FOUND', `no ledger event ${input.eventId}`)
  if (outcome.status === 'not_a_deferral') {
    throw new OnetrackError('ONETRACK_BAD_REQUEST', `event ${input.eventId} is not a deferral`)
  }
  if (outcome.status === 'already') {
    const ack = outcome.event.acknowledgement
    throw new OnetrackError(
      'ONETRACK_CONFLICT',
      `deferral ${input.eventId} was already signed off by ${ack?.by ?? 'someone'} at ${ack?.at ?? '?'} (${ack?.via ?? '?'}): ${ack?.reason ?? ''}`,
      { details: { acknowledgement: ack } },
    )
  }
  log.info({ eventId: input.eventId, by: input.person.name, via: input.via }, 'deferral acknowledged')
  await queueWriteback(deps, sourceOf(event.epicId), log)
  return { event: outcome.event, decision: outcome.decision }
}

/**
 * Keeps a deferred epic planned: pins it to the period it was deferred from, or, when that period
 * has ended (a roll-over), to the first open one. The pin answers the epic's open deferrals.
 */
export async function keepPlanned(
  deps: OwnedCallDeps,
  input: { person: Person; eventId: string; rationale: string; via: 'api' | 'slack' },
  log: FastifyBaseLogger,
): Promise<{ override: OverrideRecord; answered: string[]; period: string }> {
  const event = await loadDeferral(deps, input.eventId)
  mayDecide(deps, input.person, event)
  const today = deps.now().toISOString().slice(0, 10)
  const periods = roadmapSettings(deps.config).periods
  const from = periods.find((p) => p.id === event.fromPeriod)
  const period = from !== undefined && from.end > today ? from : periods.find((p) => p.end > today)
  if (period === undefined) {
    throw new OnetrackError('ONETRACK_CONFLICT', 'no configured period is still open: nothing to pin to')
  }
  const id = randomUUID().replaceAll('-', '').slice(0, 12)
  const { override, answered } = await createOverride(deps.database.db, {
    id,
    epicId: event.epicId,
    kind: 'pin',
    period: period.id,
    rationale: input.rationale,
    author: input.person.name,
    now: deps.now(),
    answersDeferrals: true,
    via: input.via,
  })
  log.info({ overrideId: id, epicId: event.epicId, answered, via: input.via }, 'kept planned with a pin')
  await queueBuild(deps, `override:${id}`, log)
  if (answered.length > 0) await queueWriteback(deps, sourceOf(event.epicId), log)
  return { override, answered, period: period.id }
}

export async function queueBuild(
  deps: OwnedCallDeps,
  trigger: string,
  log: FastifyBaseLogger,
): Promise<{ status: 'queued' | 'coalesced' | 'not_queued'; trigger: string }> {
  try {
    const outcome = await enqueue(deps.queues, 'build', { trigger, requestedAt: deps.now().toISOString() })
    return { status: outcome.status, trigger }
  } catch (err) {
    log.error({ err, trigger }, 'decision recorded, but the build could not be queued')
    return { status: 'not_queued', trigger }
  }
}

/**
 * Writes the published roadmap's values again for one source (sign-offs change a ticket's values
 * without a build). Nothing when no version was published yet, or the source does not write back.
 */
export async function queueWriteback(
  deps: OwnedCallDeps,
  sourceId: string,
  log: FastifyBaseLogger,
): Promise<void> {
  const source = deps.config.sources.find((s) => s.id === sourceId)
  if (source === undefined || !source.writeBack.enabled) return
  try {
    const versionId = await newestPublishableId(deps.database.db)
    if (versionId !== null) await enqueue(deps.queues, 'writeback', { sourceId, versionId })
  } catch (err) {
    log.error({ err, sourceId }, 'decision recorded, but the write-back could not be queued')
  }
}

/** Queues the write-back of an approved version to every source that writes back. */
export async function queueVersionWriteback(
  deps: OwnedCallDeps,
  versionId: number,
  log: FastifyBaseLogger,
): Promise<number> {
  let queued = 0
  for (const source of deps.config.sources) {
    if (!source.writeBack.enabled) continue
    try {
      await enqueue(deps.queues, 'writeback', { sourceId: source.id, versionId })
      queued += 1
    } catch (err) {
      log.error(
        { err, versionId, sourceId: source.id },
        'version approved, but its write-back could not be queued',
      )
    }
  }
  return queued
}
