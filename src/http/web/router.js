// @ts-check
// The page's routes, kept in the URL so every view is a link: / (roadmap), /deferrals, /versions,
// and /epics/<id> (the drawer, over the view it was opened from).
/** @import { View } from './page-state.js' */
import { showDeferrals } from './deferrals-view.js'
import { closeDrawer, drawerEpic, isDrawerOpen, openEpic } from './drawer-view.js'
import { el, isModified, onClick, shared } from './page-state.js'
import { showVersions } from './versions-view.js'

const VIEWS = /** @type {const} */ (['roadmap', 'deferrals', 'versions'])

/** @param {string} pathname @returns {{ view: View, epicId: string | null }} */
function parseRoute(pathname) {
  if (pathname.startsWith('/epics/')) {
    let id = pathname.slice('/epics/'.length)
    try {
      id = decodeURIComponent(id)
    } catch {
      // Leave a malformed escape as it is: the API will say it does not know the epic.
    }
    return { view: shared.view, epicId: id }
  }
  if (pathname === '/deferrals') return { view: 'deferrals', epicId: null }
  if (pathname === '/versions') return { view: 'versions', epicId: null }
  return { view: 'roadmap', epicId: null }
}

/** @param {string} path */
function navigate(path) {
  history.pushState(null, '', path)
  applyRoute()
}

/** Shows what the URL says: its view, and the drawer when it names an epic. */
export function applyRoute() {
  const route = parseRoute(location.pathname)
  showView(route.view)
  if (route.epicId === null) {
    if (isDrawerOpen()) closeDrawer({ fromHistory: true })
  } else if (route.epicId !== drawerEpic() || !isDrawerOpen()) {
    void openEpic(route.epicId, { push: false })
  }
}

/** @param {View} view */
export function showView(view) {
  shared.view = view
  for (const name of VIEWS) el(`view-${name}`).hidden = name !== view
  for (const link of document.querySelectorAll('.tabs a')) {
    if (link instanceof HTMLElement && link.dataset.view === view) link.setAttribute('aria-current', 'page')
    else link.removeAttribute('aria-current')
  }
  document.title = `onetrack · ${view}`
  if (view === 'deferrals') showDeferrals()
  if (view === 'versions') showVersions()
}

onClick('a[data-nav]', (nav, event) => {
  if (!(nav instanceof HTMLAnchorElement) || isModified(event)) return
  event.preventDefault()
  if (isDrawerOpen()) closeDrawer({ fromHistory: true })
  navigate(nav.pathname)
})
window.addEventListener('popstate', applyRoute)
