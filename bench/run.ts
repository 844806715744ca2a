/**
 * Runs every benchmark in this folder, one after another (each in its own process, so one's heap
 * does not weigh on the next). Extra arguments are passed to each script.
 *
 *   npm run bench [-- --seconds 3]
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const scripts = readdirSync(import.meta.dirname)
  .filter((file) => file.endsWith('.bench.ts'))
  .sort()
let failed = 0
for (const script of scripts) {
  console.log(`\n# ${script}`)
  const result = spawnSync(process.execPath, [join(import.meta.dirname, script), ...process.argv.slice(2)], {
    stdio: 'inherit',
  })
  if (result.status !== 0) failed += 1
}
process.exitCode = failed === 0 ? 0 : 1
