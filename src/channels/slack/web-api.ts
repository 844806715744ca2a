import { OnetrackError } from '../../errors.ts'
import { answerFailure, type ChannelFailureDetails, type HttpAnswer } from '../http.ts'
import { SLACK_TRANSIENT, slackHint } from './errors.ts'

export interface WebApiOptions {
  /** Errors after which the call may still have taken effect (a post): their delivery is 'unknown'. */
  maybeDone?: ReadonlySet<string>
  /** Errors that are an answer, not a failure: the body comes back as it is. */
  answers?: ReadonlySet<string>
  /** Words and details of the method's own for an error (missing_scope's needed and provided). */
  explain?: (error: string, body: Record<string, unknown>) => { hint?: string; details?: object } | undefined
}

/**
 * A Slack Web API answer: the body when `ok` (or when its error is one of `answers`), else the
 * failure as a coded error. Slack answers HTTP 200 with `{ok: false, error}` for most failures, and
 * 429 with Retry-After when rate limited.
 * @see https://docs.slack.dev/apis/web-api/#responses
 */
export function webApiResult(
  target: { channel: string; service: string },
  answer: HttpAnswer,
  method: string,
  options: WebApiOptions = {},
): Record<string, unknown> {
  const uncertain = (error: string) => (options.maybeDone?.has(error) === true ? 'unknown' : 'not_delivered')
  if (answer.status !== 200) {
    throw answerFailure(target, answer, { explain: slackHint, delivery: uncertain(errorOf(answer.body)) })
  }
  let body: Record<string, unknown>
  try {
    body = JSON.parse(answer.body) as Record<string, unknown>
  } catch {
    throw new OnetrackError('CHANNEL_UNAVAILABLE', `Slack ${method} answered 200 with no JSON`, {
      details: {
        channel: target.channel,
        delivery: options.maybeDone === undefined ? 'not_delivered' : 'unknown',
        status: 200,
      } satisfies ChannelFailureDetails,
    })
  }
  if (body.ok === true) return body
  const error = typeof body.error === 'string' ? body.error : 'unknown_error'
  if (options.answers?.has(error) === true) return body
  // Documented with a 429, but read from the body too in case only the body says so.
  if (error === 'ratelimited') throw answerFailure(target, { ...answer, status: 429 })
  const own = options.explain?.(error, body)
  const hint = own?.hint ?? slackHint(error)
  const details: ChannelFailureDetails = {
    channel: target.channel,
    delivery: uncertain(error),
    status: 200,
    answer: error,
    ...own?.details,
  }
  throw new OnetrackError(
    SLACK_TRANSIENT.has(error) ? 'CHANNEL_UNAVAILABLE' : 'CHANNEL_REJECTED',
    `Slack ${method} answered ${error}${hint === undefined ? '' : `: ${hint}`}`,
    { details },
  )
}

function errorOf(body: string): string {
  try {
    const error = (JSON.parse(body) as { error?: unknown }).error
    return typeof error === 'string' ? error : ''
  } catch {
    return ''
  }
}
