/**
 * Checks a Workflows webhook body the way Teams would treat the card it carries: the message
 * envelope, Adaptive Card 1.5 at most, elements and actions Teams renders, no Action.Submit (a
 * webhook workflow has nobody to submit to), and Teams' message size limit. Written from
 * Microsoft's documentation, not from onetrack's renderer.
 * @see https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using
 * @see https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/cards-reference#adaptive-card
 * @see https://adaptivecards.io/explorer/
 */

const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive'
/** Teams refuses messages over about 28 KB. */
export const MAX_MESSAGE_BYTES = 28 * 1024
const MAX_VERSION = [1, 5] as const

/** Element types of Adaptive Cards up to 1.5. */
const ELEMENTS = new Set([
  'TextBlock',
  'RichTextBlock',
  'Image',
  'ImageSet',
  'Media',
  'Container',
  'ColumnSet',
  'FactSet',
  'ActionSet',
  'Table',
  'Input.Text',
  'Input.Number',
  'Input.Date',
  'Input.Time',
  'Input.Toggle',
  'Input.ChoiceSet',
])
const ACTIONS = new Set(['Action.OpenUrl', 'Action.ShowCard', 'Action.ToggleVisibility'])
/** Actions that need a bot to receive them: a Workflows webhook card cannot use them. */
const NEEDS_A_BOT = new Set(['Action.Submit', 'Action.Execute'])

type Json = Record<string, unknown>

/** Every problem with the body; empty when Teams would post it. */
export function workflowBodyProblems(body: unknown, bytes: number): string[] {
  if (bytes > MAX_MESSAGE_BYTES)
    return [`the message is ${bytes} bytes; Teams accepts at most ${MAX_MESSAGE_BYTES}`]
  if (!isObject(body)) return ['the body must be a JSON object']
  const problems: string[] = []
  if (body.type !== 'message') problems.push(`type must be "message", got ${JSON.stringify(body.type)}`)
  if (!Array.isArray(body.attachments) || body.attachments.length === 0) {
    return [...problems, 'attachments must be a non-empty array']
  }
  body.attachments.forEach((raw, i) => {
    const at = `attachments[${i}]`
    if (!isObject(raw)) {
      problems.push(`${at} must be an object`)
      return
    }
    if (raw.contentType !== CARD_CONTENT_TYPE) {
      problems.push(`${at}.contentType must be ${CARD_CONTENT_TYPE} (Workflows post Adaptive Cards only)`)
    }
    if (raw.contentUrl !== undefined && raw.contentUrl !== null)
      problems.push(`${at}.contentUrl must be null`)
    problems.push(...cardProblems(raw.content, `${at}.content`))
  })
  return problems
}

function cardProblems(card: unknown, at: string): string[] {
  if (!isObject(card)) return [`${at} must be an Adaptive Card object`]
  const problems: string[] = []
  if (card.type !== 'AdaptiveCard') problems.push(`${at}.type must be "AdaptiveCard"`)
  const version = typeof card.version === 'string' ? /^(\d+)\.(\d+)$/.exec(card.version) : null
  if (version === null) {
    problems.push(`${at}.version must be a version such as "1.5"`)
  } else {
    const [major, minor] = [Number(version[1]), Number(version[2])]
    if (major > MAX_VERSION[0] || (major === MAX_VERSION[0] && minor > MAX_VERSION[1])) {
      problems.push(`${at}.version ${card.version} is newer than Teams supports (1.5)`)
    }
  }
  if (card.body !== undefined) problems.push(...elementsProblems(card.body, `${at}.body`))
  if (card.actions !== undefined) problems.push(...actionsProblems(card.actions, `${at}.actions`))
  return problems
}

function elementsProblems(elements: unknown, at: string): string[] {
  if (!Array.isArray(elements)) return [`${at} must be an array`]
  return elements.flatMap((raw, i) => {
    const here = `${at}[${i}]`
    if (!isObject(raw)) return [`${here} must be an object`]
    if (!ELEMENTS.has(raw.type as string))
      return [`${here}.type ${JSON.stringify(raw.type)} is not an Adaptive Card 1.5 element`]
    switch (raw.type) {
      case 'TextBlock':
        return typeof raw.text === 'string' ? [] : [`${here}.text is required`]
      case 'Container':
        return elementsProblems(raw.items ?? [], `${here}.items`)
      case 'ColumnSet':
        return Array.isArray(raw.columns)
          ? raw.columns.flatMap((c, j) =>
              elementsProblems(isObject(c) ? (c.items ?? []) : null, `${here}.columns[${j}].items`),
            )
          : [`${here}.columns must be an array`]
      case 'FactSet':
        return Array.isArray(raw.facts) &&
          raw.facts.every((f) => isObject(f) && typeof f.title === 'string' && typeof f.value === 'string')
          ? []
          : [`${here}.facts must be an array of {title, value}`]
      case 'Image':
        return typeof raw.url === 'string' ? [] : [`${here}.url is required`]
      case 'ActionSet':
        return actionsProblems(raw.actions, `${here}.actions`)
      default:
        return []
    }
  })
}

function actionsProblems(actions: unknown, at: string): string[] {
  if (!Array.isArray(actions)) return [`${at} must be an array`]
  return actions.flatMap((raw, i) => {
    const here = `${at}[${i}]`
    if (!isObject(raw)) return [`${here} must be an object`]
    if (NEEDS_A_BOT.has(raw.type as string)) {
      return [`${here}.type ${raw.type} is not supported in cards posted by a Workflows webhook`]
    }
    if (!ACTIONS.has(raw.type as string))
      return [`${here}.type ${JSON.stringify(raw.type)} is not an action Teams renders`]
    if (raw.type === 'Action.OpenUrl' && (typeof raw.url !== 'string' || !URL.canParse(raw.url))) {
      return [`${here}.url must be an absolute URL`]
    }
    if (raw.type === 'Action.ShowCard') return cardProblems(raw.card, `${here}.card`)
    return []
  })
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
