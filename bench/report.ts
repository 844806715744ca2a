/** Small helpers shared by the benchmark scripts: arguments, statistics and a table printer. */

export function argNumber(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`)
  const value = index === -1 ? undefined : Number(process.argv[index + 1])
  return value === undefined || Number.isNaN(value) ? fallback : value
}

/** A comma-separated list of numbers, `--name 20,100`. */
export function argNumbers(name: string, fallback: number[]): number[] {
  const index = process.argv.indexOf(`--${name}`)
  const values = index === -1 ? [] : (process.argv[index + 1] ?? '').split(',').map(Number)
  return values.length === 0 || values.some(Number.isNaN) ? fallback : values
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0
}

/** Prints a Markdown table (ready to paste into BENCHMARKS.md). */
export function printTable(title: string, rows: string[][]): void {
  const [header, ...body] = rows
  if (header === undefined) return
  console.log(`\n${title}\n`)
  console.log(`| ${header.join(' | ')} |`)
  console.log(`|${header.map(() => '---').join('|')}|`)
  for (const row of body) console.log(`| ${row.join(' | ')} |`)
}
