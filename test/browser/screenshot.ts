/**
 * The README's screenshot: the demo company's roadmap in headless Chromium (Debian's), written to
 * docs/screenshot.png. It lives next to the browser tests because it starts the same in-process demo
 * world (test/browser/demo-world.ts); it is not a test (vitest runs *.test.ts only).
 *
 *   npm run screenshot [-- --out docs/screenshot.png] [-- --keep]
 *
 * Needs Redis on 127.0.0.1:6379 (the database is an embedded PGlite). `--keep` leaves the demo
 * serving afterwards, to look at the page in a browser; Ctrl-C stops it.
 */
import { parseArgs } from 'node:util'
import { launchChromium, startDemoWorld } from './demo-world.ts'

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'docs/screenshot.png' },
    keep: { type: 'boolean', default: false },
  },
})
const out = values.out ?? 'docs/screenshot.png'

const world = await startDemoWorld({ database: 'pglite' })
const browser = await launchChromium()
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 860 }, deviceScaleFactor: 2 })
  const page = await context.newPage()
  await page.goto(world.url)
  await page.waitForSelector('html[data-ready="timeline"]')
  await page.screenshot({ path: out })
  process.stdout.write(`wrote ${out}\n`)
} finally {
  await browser.close()
}
if (values.keep) {
  process.stdout.write(`the demo page: ${world.url}/  (Ctrl-C stops it)\n`)
  process.once('SIGINT', () => void world.close().then(() => process.exit(0)))
} else {
  await world.close()
}
