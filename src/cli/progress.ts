/**
 * A one-line progress bar on stderr when it is a terminal; silent otherwise (logs and CI output
 * stay clean, the summary line says the rest).
 */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const width = 30
  let drawn = false
  return {
    update(done: number, total: number | undefined) {
      if (!stream.isTTY) return
      const ratio = total === undefined || total === 0 ? 0 : Math.min(1, done / total)
      const filled = Math.round(ratio * width)
      const bar = total === undefined ? '' : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] `
      stream.write(`\r${label} ${bar}${done}${total === undefined ? '' : `/${total}`}`)
      drawn = true
    },
    finish() {
      if (drawn) stream.write('\n')
    },
  }
}
