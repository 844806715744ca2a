import { inspect } from 'node:util'

/**
 * A value read from the environment that must never reach a log, a job payload or an API answer.
 * Serialising it (JSON, util.inspect, string concatenation) yields a fixed marker; only `reveal()`
 * gives the value, so every place that uses a secret is visible in the code.
 */
export class Secret {
  readonly #value: string
  readonly envName: string

  constructor(value: string, envName: string) {
    this.#value = value
    this.envName = envName
  }

  reveal(): string {
    return this.#value
  }

  toString(): string {
    return `[secret ${this.envName}]`
  }

  toJSON(): string {
    return this.toString()
  }

  [inspect.custom](): string {
    return this.toString()
  }
}
