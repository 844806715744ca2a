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

export class DomainError extends Error {
  readonly code: DomainErrorCode
  /** Every problem found, each naming the field or item at fault, so a person can fix them all at once. */
  readonly problems: string[]

  constructor(code: DomainErrorCode, message: string, problems: string[]) {
    super(problems.length > 0 ? `${message}: ${problems.join('; ')}` : message)
    this.name = 'DomainError'
    this.code = code
    this.problems = problems
  }

  toJSON(): { name: string; code: DomainErrorCode; message: string; problems: string[] } {
    return { name: this.name, code: this.code, message: this.message, problems: this.problems }
  }
}
