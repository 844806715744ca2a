/**
 * A deterministic id from content, so the same fact computed twice (a retried build) gets the same id
 * and the store can de-duplicate it. Two independent 53-bit hashes (cyrb53 with different seeds,
 * computed in one pass) of the parts joined by a separator no id contains: 106 bits, so collisions
 * are not a practical concern. Pure: no node:crypto, the domain imports nothing outside itself.
 */
export function contentId(prefix: string, parts: ReadonlyArray<string | number | null>): string {
  let text = ''
  for (const part of parts) text += `${part === null ? '\u0000' : String(part)}\u001f`
  let a1 = 0xdeadbeef ^ 0x9e3779b9
  let a2 = 0x41c6ce57 ^ 0x9e3779b9
  let b1 = 0xdeadbeef ^ 0x85ebca6b
  let b2 = 0x41c6ce57 ^ 0x85ebca6b
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    a1 = Math.imul(a1 ^ ch, 2654435761)
    a2 = Math.imul(a2 ^ ch, 1597334677)
    b1 = Math.imul(b1 ^ ch, 2654435761)
    b2 = Math.imul(b2 ^ ch, 1597334677)
  }
  return `${prefix}_${finish(a1, a2)}${finish(b1, b2)}`
}

function finish(h1: number, h2: number): string {
  let x = Math.imul(h1 ^ (h1 >>> 16), 2246822507)
  x ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  let y = Math.imul(h2 ^ (h2 >>> 16), 2246822507)
  y ^= Math.imul(x ^ (x >>> 13), 3266489909)
  return (2097151 & y).toString(16).padStart(6, '0') + (x >>> 0).toString(16).padStart(8, '0')
}
