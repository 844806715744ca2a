/**
 * The one error type of the domain. Expected outcomes are values (validation results, unplanned
 * reasons); a DomainError means the caller handed the domain something it cannot work with at all
 * (invalid settings, an invalid period calendar, duplicate epic ids). The service maps `code` to its
 * own catalogue of errors.
 */
export const DomainErrorCode = {
  settingsInvalid: 'DOMAIN_SETTINGS_INVALID',
  periodsInvalid: 'DOMAIN_PERIODS_INVALID',
  inputInvalid: 'DOMAIN_INPUT_INVALID',
} as const

export type DomainErrorCode = (typeof DomainErrorCode)[keyof typeof DomainErrorCode]

/**
 * A problem with one input field. `path` names the field segment by segment (`['changes', 0,
 * 'epicId']`), so a caller writes it in its own notation (the API's `body/changes/0/epicId`)
 * without reading the message.
 */
export interface FieldProblem {
  path: ReadonlyArray<string | number>
  message: string
}

/** A field problem as one line: `changes[0].epicId: no epic jira:X`. */
export function fieldProblemText(problem: FieldProblem): string {
  const path = problem.path
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`))
    .join('')
  return `${path}: ${problem.message}`
}

export class DomainError extends Error {
  readonly code: DomainErrorCode
  /** Every problem found, each naming the field or item at fault, so a person can fix them all at once. */
  readonly problems: string[]
  /** The same problems with their field as data, when they are about input fields; else empty. */
  readonly fields: readonly FieldProblem[]

  constructor(
    code: DomainErrorCode,
    message: string,
    problems: string[],
    fields: readonly FieldProblem[] = [],
  ) {
    super(problems.length > 0 ? `${message}: ${problems.join('; ')}` : message)
    this.name = 'DomainError'
    this.code = code
    this.problems = problems
    this.fields = fields
  }

  toJSON(): { name: string; code: DomainErrorCode; message: string; problems: string[] } {
    return { name: this.name, code: this.code, message: this.message, problems: this.problems }
  }
}
