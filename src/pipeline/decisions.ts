// Decisions: the owner's calls, shared by the REST API and the Slack buttons — accept a deferral
// with a reason, keep a deferred epic planned (a pin that answers its open deferrals), record or
// revoke an override (pin, defer, exclude, always with a rationale), and approve a proposed version.
// Each call is recorded first; the build or write-back it needs is then queued, and a Redis that
// cannot take the job never loses the decision (the next scheduled build applies it).
import { randomUUID } from 'node:crypto'
import { isRoadmapOwner, ownsTeam, type Person, roadmapSettings, signOffRefusal } from '../config/index.ts'
import {
  DEFERRAL_KINDS,
  type DeferralEvent,
  isDeferral,
  type OverrideKind,
  parseEpicId,
} from '../domain/index.ts'
import { OnetrackError } from '../errors.ts'
import { enqueue, queueBuild, queueWritebacks } from '../jobs/index.ts'
import type { Logger } from '../logger.ts'
import {
  type AcknowledgedEvent,
  type AuthorIdentity,
  acknowledgeDeferral,
  acknowledgeEpic,
  approveVersion,
  createOverride,
  type Decision,
  type DecisionVia,
  deferralEvent,
  epicDetails,
  newestPublishableId,
  type OverrideRecord,
  openDeferralsOf,
  revokeOverride as revokeStoredOverride,
  type VersionMeta,
  versionMeta,
} from '../store/index.ts'
import type { PipelineDeps } from './deps.ts'

export type DecisionDeps = Pick<PipelineDeps, 'config' | 'database' | 'queues' | 'now'>

/** The request's logger (the API's or Slack's): a decision logs who made it, under the request. */
export type DecisionLog = Pick<Logger, 'info' | 'error'>

/** The build that applies a decision: queued, merged into one already waiting, or not queued (Redis). */
export interface BuildRequest {
  status: 'queued' | 'coalesced' | 'not_queued'
  trigger: string
}

/**
 * How long the same call by the same person on the same epic is one call: as long as Slack accepts
 * a signed request, so a double click or a replay of it records nothing new.
 */
export const REPEAT_WINDOW_MS = 5 * 60_000

/** What the decision log keeps of who made a call besides their name. */
function identityOf(person: Person): AuthorIdentity {
  return {
    ...(person.email === undefined ? {} : { email: person.email }),
    ...(person.subject === undefined ? {} : { subject: person.subject }),
  }
}

/** The source an epic id belongs to; '' (no source) for an id without one. */
function sourceOf(epicId: string): string {
  return parseEpicId(epicId)?.source ?? ''
}

/** The deferral event, or a 404 / 400 for an id that is not one. */
async function loadDeferral(deps: DecisionDeps, eventId: string): Promise<DeferralEvent> {
  const found = await deferralEvent(deps.database.db, eventId)
  if (found === null) throw new OnetrackError('ONETRACK_NOT_FOUND', `no ledger event ${eventId}`)
  if (!isDeferral(found.event.kind)) {
    throw new OnetrackError(
      'ONETRACK_BAD_REQUEST',
      `event ${eventId} is a ${found.event.kind} event; only deferrals (${DEFERRAL_KINDS.join(', ')}) are signed off`,
    )
  }
  return found.event
}

function mayDecide(deps: DecisionDeps, person: Person, event: DeferralEvent): void {
  const refusal = signOffRefusal(deps.config, person, event.epic.team)
  if (refusal !== null) throw new OnetrackError('ONETRACK_FORBIDDEN', refusal)
}

/**
 * Accepts a deferral with a reason. 404 unknown event, 400 not a deferral, 403 not an owner of the
 * epic's team, 409 already signed off (naming by whom). Queues a write-back that clears the flag.
 */
export async function acceptDeferral(
  deps: DecisionDeps,
  input: { person: Person; eventId: string; reason: string; via: DecisionVia },
  log: DecisionLog,
): Promise<{ event: AcknowledgedEvent; decision: Decision }> {
  const event = await loadDeferral(deps, input.eventId)
  mayDecide(deps, input.person, event)
  const outcome = await acknowledgeDeferral(deps.database.db, {
    eventId: input.eventId,
    by: input.person.name,
    identity: identityOf(input.person),
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
  await queueSourceWriteback(deps, sourceOf(event.epicId), log)
  return { event: outcome.event, decision: outcome.decision }
}

/**
 * Accepts every open deferral of an epic with one reason: one owner call answers all of an epic's
 * deferrals (the API's acknowledge-by-epic and Slack's per-epic button). 404 unknown epic or one
 * never deferred, 403 not an owner of its team; with nothing left open it answers `already` with
 * the epic's deferrals and their sign-offs, so a second press gets the first outcome.
 */
export async function acceptEpicDeferrals(
  deps: DecisionDeps,
  input: { person: Person; epicId: string; reason: string; via: DecisionVia },
  log: DecisionLog,
): Promise<
  | { status: 'acknowledged'; events: AcknowledgedEvent[]; decision: Decision }
  | { status: 'already'; events: AcknowledgedEvent[] }
> {
  const open = await openDeferralsOf(deps.database.db, input.epicId)
  const details = open.length > 0 ? null : await epicDetails(deps.database.db, input.epicId)
  if (open.length === 0 && details === null)
    throw new OnetrackError('ONETRACK_NOT_FOUND', `no epic ${input.epicId}`)
  // An epic without a team is signed off by the roadmap's owners only.
  const refusal = signOffRefusal(deps.config, input.person, open[0]?.epic.team ?? details?.team ?? '')
  if (refusal !== null) throw new OnetrackError('ONETRACK_FORBIDDEN', refusal)
  const outcome = await acknowledgeEpic(deps.database.db, {
    epicId: input.epicId,
    by: input.person.name,
    identity: identityOf(input.person),
    reason: input.reason,
    via: input.via,
    now: deps.now(),
  })
  if (outcome.status === 'nothing_open') {
    if (outcome.events.length === 0)
      throw new OnetrackError('ONETRACK_NOT_FOUND', `epic ${input.epicId} has no deferral to sign off`)
    return { status: 'already', events: outcome.events }
  }
  log.info(
    {
      epicId: input.epicId,
      deferrals: outcome.decision.details.eventIds,
      by: input.person.name,
      via: input.via,
    },
    'deferrals acknowledged',
  )
  await queueSourceWriteback(deps, sourceOf(input.epicId), log)
  return { status: 'acknowledged', events: outcome.events, decision: outcome.decision }
}

/**
 * Keeps a deferred epic planned: pins it to the period it was deferred from, or, when that period
 * has ended (a roll-over), to the first open one. The pin answers the epic's open deferrals. The
 * same person keeping it planned at the same period again within REPEAT_WINDOW_MS gets the first
 * pin back (`repeated`): nothing recorded, no build.
 */
export async function keepPlanned(
  deps: DecisionDeps,
  input: { person: Person; eventId: string; rationale: string; via: DecisionVia },
  log: DecisionLog,
): Promise<{ override: OverrideRecord; answered: string[]; period: string; repeated: boolean }> {
  const event = await loadDeferral(deps, input.eventId)
  mayDecide(deps, input.person, event)
  const today = deps.now().toISOString().slice(0, 10)
  const periods = roadmapSettings(deps.config).periods
  const from = periods.find((p) => p.id === event.fromPeriod)
  const period = from !== undefined && from.end > today ? from : periods.find((p) => p.end > today)
  if (period === undefined) {
    throw new OnetrackError('ONETRACK_CONFLICT', 'no configured period is still open: nothing to pin to')
  }
  const id = newOverrideId()
  const now = deps.now()
  const { override, answered, repeated } = await createOverride(deps.database.db, {
    id,
    epicId: event.epicId,
    kind: 'pin',
    period: period.id,
    rationale: input.rationale,
    author: input.person.name,
    identity: identityOf(input.person),
    now,
    answersDeferrals: true,
    via: input.via,
    repeatSince: { since: new Date(now.getTime() - REPEAT_WINDOW_MS), sameRationale: false },
  })
  if (repeated) {
    log.info(
      { overrideId: override.id, epicId: event.epicId, via: input.via },
      'kept planned again: a repeat',
    )
    return { override, answered, period: period.id, repeated }
  }
  log.info({ overrideId: id, epicId: event.epicId, answered, via: input.via }, 'kept planned with a pin')
  await requestBuild(deps, `override:${id}`, log)
  if (answered.length > 0) await queueSourceWriteback(deps, sourceOf(event.epicId), log)
  return { override, answered, period: period.id, repeated }
}

export type RecordOverrideOutcome =
  | {
      /** `repeated`: the same override by the same person within REPEAT_WINDOW_MS, returned as first made. */
      status: 'recorded' | 'repeated'
      override: OverrideRecord
      replaced: OverrideRecord[]
      answered: string[]
      build: BuildRequest
    }
  /** The input breaks a rule of overrides; `field` names the input at fault. */
  | { status: 'invalid'; field: 'rationale' | 'period'; message: string }
  | { status: 'no_epic'; message: string }

/**
 * Records an override with its rationale (it replaces the epic's previous one) and asks for the
 * build that applies it. `period` is required for a pin (an open period) and a defer (any
 * configured period), and not allowed for an exclude. A pin by an owner of the epic's team answers
 * the epic's open deferrals, and their tickets are written again.
 */
export async function recordOverride(
  deps: DecisionDeps,
  input: {
    person: Person
    epicId: string
    kind: OverrideKind
    period?: string
    rationale: string
    via?: DecisionVia
  },
  log: DecisionLog,
): Promise<RecordOverrideOutcome> {
  const { epicId, kind, person } = input
  const rationale = input.rationale.trim()
  const period = input.period?.trim() || undefined
  const invalid = (field: 'rationale' | 'period', message: string) =>
    ({ status: 'invalid', field, message }) as const
  if (rationale === '') {
    return invalid(
      'rationale',
      'must not be blank: say why, so the decision reads on its own in reports and the history',
    )
  }
  if (kind === 'exclude' && period !== undefined) return invalid('period', 'an exclude takes no period')
  if (kind !== 'exclude') {
    if (period === undefined) return invalid('period', `is required for a ${kind}`)
    const periods = roadmapSettings(deps.config).periods
    const target = periods.find((p) => p.id === period)
    if (target === undefined) {
      return invalid(
        'period',
        `unknown period '${period}'; the configured ones are ${periods.map((p) => p.id).join(', ')}`,
      )
    }
    const today = deps.now().toISOString().slice(0, 10)
    if (kind === 'pin' && target.end <= today) {
      return invalid('period', `${target.name} has ended; a pin needs an open period`)
    }
  }
  const epic = await epicDetails(deps.database.db, epicId)
  if (epic === null || epic.deleted) {
    const message = epic === null ? `no epic ${epicId}` : `epic ${epicId} is no longer in its tracker`
    return { status: 'no_epic', message }
  }
  const id = newOverrideId()
  const owner = epic.team !== null && ownsTeam(deps.config, person, epic.team)
  const now = deps.now()
  const { override, replaced, answered, repeated } = await createOverride(deps.database.db, {
    id,
    epicId,
    kind,
    period: period ?? null,
    rationale,
    author: person.name,
    identity: identityOf(person),
    ...(input.via === undefined ? {} : { via: input.via }),
    now,
    answersDeferrals: owner,
    repeatSince: { since: new Date(now.getTime() - REPEAT_WINDOW_MS), sameRationale: true },
  })
  if (repeated) {
    log.info({ overrideId: override.id, epicId, kind }, 'override recorded already: a repeat')
    // The first call's build applies it.
    const build: BuildRequest = { status: 'coalesced', trigger: `override:${override.id}` }
    return { status: 'repeated', override, replaced, answered, build }
  }
  log.info(
    { overrideId: id, epicId, kind, replaced: replaced.map((r) => r.id), answered },
    'override recorded',
  )
  const build = await requestBuild(deps, `override:${id}`, log)
  if (answered.length > 0) await queueSourceWriteback(deps, sourceOf(epicId), log)
  return { status: 'recorded', override, replaced, answered, build }
}

/**
 * Revokes an override in force (its row stays, with who and when) and asks for the build that
 * drops it. 404 for an unknown id, 409 when it was already revoked.
 */
export async function revokeOverride(
  deps: DecisionDeps,
  input: { person: Person; id: string; via?: DecisionVia },
  log: DecisionLog,
): Promise<{ override: OverrideRecord; build: BuildRequest }> {
  const { id } = input
  const outcome = await revokeStoredOverride(deps.database.db, id, input.person.name, deps.now(), {
    identity: identityOf(input.person),
    ...(input.via === undefined ? {} : { via: input.via }),
  })
  if (outcome.status === 'not_found') throw new OnetrackError('ONETRACK_NOT_FOUND', `no override ${id}`)
  if (outcome.status === 'already_revoked') {
    const { revokedBy, revokedAt } = outcome.override
    throw new OnetrackError(
      'ONETRACK_CONFLICT',
      `override ${id} was already revoked by ${revokedBy ?? 'someone'} at ${revokedAt}`,
    )
  }
  log.info({ overrideId: id, epicId: outcome.override.epicId }, 'override revoked')
  const build = await requestBuild(deps, `override:${id}:revoked`, log)
  return { override: outcome.override, build }
}

/**
 * Approves the newest proposed version (publish mode on-approval) and queues its write-back to
 * every source. 403 for anyone but a roadmap owner, 404 unknown version, 409 for an older proposal
 * (naming the newest) or a version that is not a proposal.
 */
export async function approveProposal(
  deps: DecisionDeps,
  input: { person: Person; id: number; note: string | null; via: DecisionVia },
  log: DecisionLog,
): Promise<{ version: VersionMeta; decision: Decision; writebacksQueued: number }> {
  const { person, id } = input
  if (!isRoadmapOwner(deps.config, person)) {
    throw new OnetrackError(
      'ONETRACK_FORBIDDEN',
      `${person.name} is not a roadmap owner; approving a version needs an owner-role token or a name in roadmap.owners`,
    )
  }
  const db = deps.database.db
  const outcome = await approveVersion(db, {
    id,
    by: person.name,
    identity: identityOf(person),
    note: input.note,
    via: input.via,
    now: deps.now(),
  })
  if (outcome.status === 'not_found')
    throw new OnetrackError('ONETRACK_NOT_FOUND', `no roadmap version ${id}`)
  if (outcome.status === 'not_newest') {
    throw new OnetrackError(
      'ONETRACK_CONFLICT',
      `version ${id} was superseded by a newer proposal: approve version ${outcome.newest} instead (GET /api/versions/${outcome.newest}/diff shows what it changes)`,
      { details: { newest: outcome.newest } },
    )
  }
  if (outcome.status === 'not_proposed') {
    throw new OnetrackError(
      'ONETRACK_CONFLICT',
      `version ${id} is ${outcome.current}${outcome.approvedBy === null ? '' : ` (approved by ${outcome.approvedBy})`}; only a proposed version can be approved`,
      { details: { status: outcome.current } },
    )
  }
  log.info({ versionId: id, by: person.name }, 'version approved')
  const writebacksQueued = await queueWritebacks(deps.queues, deps.config.sources, id, (err, sourceId) =>
    log.error({ err, versionId: id, sourceId }, 'version approved, but its write-back could not be queued'),
  )
  const version = await versionMeta(db, id)
  if (version === null) throw new OnetrackError('ONETRACK_NOT_FOUND', `no roadmap version ${id}`)
  return { version, decision: outcome.decision, writebacksQueued }
}

const newOverrideId = () => randomUUID().replaceAll('-', '').slice(0, 12)

/** Asks for the build that applies a decision; the decision stands whatever Redis says. */
async function requestBuild(deps: DecisionDeps, trigger: string, log: DecisionLog): Promise<BuildRequest> {
  try {
    const outcome = await queueBuild(deps.queues, { trigger, now: deps.now() })
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
async function queueSourceWriteback(deps: DecisionDeps, sourceId: string, log: DecisionLog): Promise<void> {
  const source = deps.config.sources.find((s) => s.id === sourceId)
  if (source === undefined || !source.writeBack.enabled) return
  try {
    const versionId = await newestPublishableId(deps.database.db)
    if (versionId !== null) await enqueue(deps.queues, 'writeback', { sourceId, versionId })
  } catch (err) {
    log.error({ err, sourceId }, 'decision recorded, but the write-back could not be queued')
  }
}
