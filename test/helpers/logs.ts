import { Writable } from 'node:stream'
import { createLogger, type Logger } from '../../src/logger.ts'

/** A real pino logger (with the production redaction) whose lines are kept for assertions. */
export function capturedLogger(level = 'info'): {
  logger: Logger
  lines: () => string[]
  text: () => string
} {
  const chunks: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'))
      done()
    },
  })
  const logger = createLogger({ level, destination })
  const text = () => chunks.join('')
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((l) => l !== ''),
  }
}
