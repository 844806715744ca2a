import type { IncomingMessage, ServerResponse } from 'node:http'
import type Provider from 'oidc-provider'
import { errors, type Interaction } from 'oidc-provider'
import type { IdentityPerson } from './index.ts'
import { errorPage, loginPage, PAGE_CSP } from './pages.ts'

const MAX_FORM_BYTES = 16 * 1024

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': PAGE_CSP,
  })
  res.end(html)
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_FORM_BYTES) throw new Error('form too large')
    chunks.push(chunk)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

/**
 * The provider's interaction pages, at `/interaction/:uid` (oidc-provider's `interactions.url`):
 * a login page listing the people, and a consent that is granted at once with what was asked.
 * Answers `false` for any other path, which then goes to oidc-provider.
 */
export function interactionHandler(
  provider: Provider,
  people: ReadonlyMap<string, IdentityPerson>,
  title: string,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const refuse = (res: ServerResponse, status: number, heading: string, message: string) =>
    sendHtml(res, status, errorPage(title, heading, message))

  async function show(req: IncomingMessage, res: ServerResponse, interaction: Interaction) {
    if (interaction.prompt.name === 'login')
      return sendHtml(
        res,
        200,
        loginPage({
          title,
          action: `/interaction/${encodeURIComponent(interaction.uid)}/login`,
          clientId: String(interaction.params.client_id),
          people: [...people.values()],
        }),
      )
    if (interaction.prompt.name === 'consent') return consent(req, res, interaction)
    return refuse(res, 400, 'Cannot continue', `This sandbox has no "${interaction.prompt.name}" prompt.`)
  }

  async function login(req: IncomingMessage, res: ServerResponse, interaction: Interaction) {
    if (interaction.prompt.name !== 'login')
      return refuse(res, 400, 'Already signed in', 'This sign-in is past its login step.')
    const subject = (await readForm(req)).get('subject') ?? ''
    if (!people.has(subject))
      return refuse(res, 400, 'Unknown person', `No person with subject "${subject}" can sign in here.`)
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId: subject } },
      { mergeWithLastSubmission: false },
    )
  }

  // Consent is implied in a company's own identity provider: grant what the client asked for.
  async function consent(req: IncomingMessage, res: ServerResponse, interaction: Interaction) {
    // What the client asked for that is not granted yet (oidc-provider's consent prompt details).
    const details = interaction.prompt.details as {
      missingOIDCScope?: string[]
      missingOIDCClaims?: string[]
      missingResourceScopes?: Record<string, string[]>
    }
    const accountId = interaction.session?.accountId
    if (accountId === undefined) return refuse(res, 400, 'Not signed in', 'Sign in first.')
    const grant =
      (interaction.grantId === undefined ? undefined : await provider.Grant.find(interaction.grantId)) ??
      new provider.Grant({ accountId, clientId: String(interaction.params.client_id) })
    if (details.missingOIDCScope !== undefined) grant.addOIDCScope(details.missingOIDCScope.join(' '))
    if (details.missingOIDCClaims !== undefined) grant.addOIDCClaims(details.missingOIDCClaims)
    for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {}))
      grant.addResourceScope(resource, scopes.join(' '))
    const grantId = await grant.save()
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true })
  }

  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname
    const match = /^\/interaction\/([^/]+)(\/login)?$/.exec(path)
    if (match === null) return false
    const method = match[2] === undefined ? 'GET' : 'POST'
    if (req.method !== method) {
      refuse(res, 405, 'Method not allowed', `${req.method} is not answered here.`)
      return true
    }
    try {
      const interaction = await provider.interactionDetails(req, res)
      if (interaction.uid !== decodeURIComponent(match[1] ?? ''))
        refuse(res, 400, 'Sign-in mismatch', 'This page belongs to another sign-in: start again.')
      else if (method === 'GET') await show(req, res, interaction)
      else await login(req, res, interaction)
    } catch (error) {
      if (!(error instanceof errors.SessionNotFound)) throw error
      refuse(
        res,
        400,
        'Sign-in expired',
        'This sign-in has expired or began in another browser: start again.',
      )
    }
    return true
  }
}
