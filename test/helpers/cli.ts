// Runs the real `onetrack` command in child processes, as an operator would, for the tests of its
// start-up, exit codes and outages.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testEnv } from './config.ts'

const CLI = join(import.meta.dirname, '../../src/cli.ts')

export type CliProcess = ChildProcess & { output: () => string }

export interface CliRunner {
  /** The folder of the runs' embedded database and config files. */
  dataDir: string
  /** Every process started, for the test to stop whatever is left. */
  children: ChildProcess[]
  writeConfig(name: string, text: string): string
  /** `onetrack <args>` with the test's environment (and `env` over it); stdout and stderr in `output()`. */
  run(args: string[], env?: Record<string, string>): CliProcess
}

export function cliRunner(options: { folder: string; queuePrefix: string }): CliRunner {
  const dataDir = mkdtempSync(join(tmpdir(), `${options.folder}-`))
  const children: ChildProcess[] = []
  return {
    dataDir,
    children,
    writeConfig(name, text) {
      const path = join(dataDir, name)
      writeFileSync(path, text)
      return path
    },
    run(args, env = {}) {
      const child = spawn(process.execPath, [CLI, ...args], {
        env: {
          PATH: process.env.PATH ?? '',
          ONETRACK_DATA_DIR: dataDir,
          ONETRACK_QUEUE_PREFIX: options.queuePrefix,
          ...testEnv,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      children.push(child)
      let output = ''
      const collect = (d: Buffer) => {
        output += d.toString()
      }
      child.stdout?.on('data', collect)
      child.stderr?.on('data', collect)
      return Object.assign(child, { output: () => output })
    },
  }
}

/** The exit code, once the process has exited (at once if it has). */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 15_000,
): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** A port nothing listens on (it was free a moment ago). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
