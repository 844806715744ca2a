// @ts-check
// The first screen needs two answers: this tiny script (no imports, loaded async) asks for them
// while the page's modules are still on their way, and app.js picks up the responses.

/** @type {Record<string, string>} */
const headers = { accept: 'application/json' }
try {
  const token = sessionStorage.getItem('onetrack.token')
  if (token !== null) headers.authorization = `Bearer ${token}`
} catch {
  // No storage: no token.
}
/** @param {string} path */
const early = (path) =>
  fetch(path, { headers }).then(
    (response) => ({ response }),
    (/** @type {unknown} */ error) => ({ error }),
  )
window.onetrackBoot = {
  '/api/meta': early('/api/meta'),
  '/api/roadmap/timeline': early('/api/roadmap/timeline'),
}
