import { Writable } from 'node:stream'
import { createLogger, type Logger } from '../../src/logger.ts'

/** Every captured log of this test file: test/helpers/secret-scan.ts reads them all after the file ran. */
export const capturedLogs: Array<() => string> = []

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
  capturedLogs.push(text)
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((l) => l !== ''),
  }
}
