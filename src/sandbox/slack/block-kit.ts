/**
 * Checks a message the way Slack does before posting it, for the block types and limits Slack
 * documents. Written from Slack's reference, not from onetrack's renderer, so that a renderer that
 * misreads the limits fails against it.
 * @see https://docs.slack.dev/reference/block-kit/blocks
 * @see https://docs.slack.dev/reference/block-kit/composition-objects/text-object
 */

export type SlackErrorCode = 'invalid_payload' | 'invalid_blocks' | 'no_text' | 'msg_too_long'

export interface MessageProblem {
  error: SlackErrorCode
  /** Where and why, in the style of Slack's response_metadata.messages. */
  messages: string[]
}

const MAX_BLOCKS = 50
/** Slack truncates `text` beyond 40,000 characters and refuses far longer ones; refused here. */
const MAX_TEXT = 40_000

type Json = Record<string, unknown>

/** Null when Slack would accept the message; otherwise its error code and what is wrong. */
export function messageProblem(body: unknown): MessageProblem | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: 'invalid_payload', messages: ['[ERROR] the body must be a JSON object'] }
  }
  const message = body as Json
  const text = message.text
  if (text !== undefined && typeof text !== 'string') {
    return { error: 'invalid_payload', messages: ['[ERROR] text must be a string [json-pointer:/text]'] }
  }
  // Slack takes blocks without `text`, but then notifications and screen readers get nothing;
  // this simulator insists on the fallback so a renderer that forgets it fails.
  if (typeof text !== 'string' || text.trim() === '') {
    return { error: 'no_text', messages: ['[ERROR] a message needs text, also as the fallback of blocks'] }
  }
  if (text.length > MAX_TEXT)
    return { error: 'msg_too_long', messages: [`[ERROR] text is ${text.length} characters`] }
  if (message.blocks === undefined) return null
  if (!Array.isArray(message.blocks)) {
    return { error: 'invalid_blocks', messages: ['[ERROR] must be an array [json-pointer:/blocks]'] }
  }
  const problems: string[] = []
  if (message.blocks.length > MAX_BLOCKS) {
    problems.push(`[ERROR] must be less than ${MAX_BLOCKS + 1} items [json-pointer:/blocks]`)
  }
  const ids = new Set<string>()
  message.blocks.forEach((block, i) => {
    problems.push(...blockProblems(block, `/blocks/${i}`, ids))
  })
  return problems.length === 0 ? null : { error: 'invalid_blocks', messages: problems }
}

function blockProblems(raw: unknown, at: string, ids: Set<string>): string[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return [`[ERROR] must be an object [json-pointer:${at}]`]
  const block = raw as Json
  const problems: string[] = []
  if (block.block_id !== undefined) {
    if (typeof block.block_id !== 'string' || block.block_id.length > 255) {
      problems.push(`[ERROR] must be a string of at most 255 characters [json-pointer:${at}/block_id]`)
    } else if (ids.has(block.block_id)) {
      problems.push(`[ERROR] duplicate block_id [json-pointer:${at}/block_id]`)
    } else ids.add(block.block_id)
  }
  switch (block.type) {
    case 'header':
      // @see https://docs.slack.dev/reference/block-kit/blocks/header-block
      problems.push(...textProblems(block.text, `${at}/text`, { max: 150, plainOnly: true }))
      break
    case 'section': {
      // @see https://docs.slack.dev/reference/block-kit/blocks/section-block
      if (block.text === undefined && block.fields === undefined) {
        problems.push(`[ERROR] must provide either text or fields [json-pointer:${at}]`)
      }
      if (block.text !== undefined) problems.push(...textProblems(block.text, `${at}/text`, { max: 3000 }))
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields) || block.fields.length > 10) {
          problems.push(`[ERROR] must be an array of at most 10 items [json-pointer:${at}/fields]`)
        } else {
          block.fields.forEach((f, j) => {
            problems.push(...textProblems(f, `${at}/fields/${j}`, { max: 2000 }))
          })
        }
      }
      break
    }
    case 'context':
      // @see https://docs.slack.dev/reference/block-kit/blocks/context-block
      if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10) {
        problems.push(`[ERROR] must be an array of 1 to 10 items [json-pointer:${at}/elements]`)
      } else {
        block.elements.forEach((e, j) => {
          const element = e as Json
          if (element?.type === 'image') {
            if (typeof element.image_url !== 'string' || typeof element.alt_text !== 'string') {
              problems.push(
                `[ERROR] an image needs image_url and alt_text [json-pointer:${at}/elements/${j}]`,
              )
            }
          } else problems.push(...textProblems(e, `${at}/elements/${j}`, { max: 3000 }))
        })
      }
      break
    case 'divider':
      break
    case 'actions':
      // @see https://docs.slack.dev/reference/block-kit/blocks/actions-block
      if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 25) {
        problems.push(`[ERROR] must be an array of 1 to 25 items [json-pointer:${at}/elements]`)
      } else {
        block.elements.forEach((e, j) => {
          problems.push(...buttonProblems(e, `${at}/elements/${j}`))
        })
      }
      break
    case 'input': {
      // @see https://docs.slack.dev/reference/block-kit/blocks/input-block
      problems.push(...textProblems(block.label, `${at}/label`, { max: 2000, plainOnly: true }))
      const element = block.element as Json | undefined
      if (element?.type !== 'plain_text_input') {
        problems.push(`[ERROR] unsupported element type [json-pointer:${at}/element/type]`)
      } else if (
        element.action_id !== undefined &&
        (typeof element.action_id !== 'string' || element.action_id.length > 255)
      ) {
        problems.push(
          `[ERROR] must be a string of at most 255 characters [json-pointer:${at}/element/action_id]`,
        )
      }
      break
    }
    default:
      problems.push(`[ERROR] unsupported block type ${JSON.stringify(block.type)} [json-pointer:${at}/type]`)
  }
  return problems
}

function textProblems(raw: unknown, at: string, rule: { max: number; plainOnly?: boolean }): string[] {
  if (typeof raw !== 'object' || raw === null) return [`[ERROR] must be a text object [json-pointer:${at}]`]
  const text = raw as Json
  const types = rule.plainOnly === true ? ['plain_text'] : ['plain_text', 'mrkdwn']
  if (!types.includes(text.type as string)) {
    return [`[ERROR] must be of type ${types.join(' or ')} [json-pointer:${at}/type]`]
  }
  if (typeof text.text !== 'string' || text.text.length === 0) {
    return [`[ERROR] must be more than 0 characters [json-pointer:${at}/text]`]
  }
  if (text.text.length > rule.max) {
    return [`[ERROR] must be less than ${rule.max + 1} characters [json-pointer:${at}/text]`]
  }
  return []
}

function buttonProblems(raw: unknown, at: string): string[] {
  const button = raw as Json
  if (button?.type !== 'button') return [`[ERROR] unsupported element type [json-pointer:${at}/type]`]
  const problems = textProblems(button.text, `${at}/text`, { max: 75, plainOnly: true })
  if (button.url !== undefined && (typeof button.url !== 'string' || button.url.length > 3000)) {
    problems.push(`[ERROR] must be a string of at most 3000 characters [json-pointer:${at}/url]`)
  }
  // @see https://docs.slack.dev/reference/block-kit/block-elements/button-element
  if (
    button.action_id !== undefined &&
    (typeof button.action_id !== 'string' || button.action_id.length > 255)
  ) {
    problems.push(`[ERROR] must be a string of at most 255 characters [json-pointer:${at}/action_id]`)
  }
  if (button.value !== undefined && (typeof button.value !== 'string' || button.value.length > 2000)) {
    problems.push(`[ERROR] must be a string of at most 2000 characters [json-pointer:${at}/value]`)
  }
  if (button.style !== undefined && button.style !== 'primary' && button.style !== 'danger') {
    problems.push(`[ERROR] must be primary or danger [json-pointer:${at}/style]`)
  }
  return problems
}
