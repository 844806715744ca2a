import { describe, expect, it } from 'vitest'
import { itemRef, urlsInText } from '../../src/trackers/item-ref.ts'

describe('canonical item references', () => {
  it.each([
    // Jira: browse pages, board and backlog views, the issue navigator; any host, key upper-cased.
    ['https://acme.atlassian.net/browse/SHOP-12', 'jira:acme.atlassian.net:SHOP-12'],
    ['https://ACME.atlassian.net/browse/shop-12/', 'jira:acme.atlassian.net:SHOP-12'],
    ['https://acme.atlassian.net/browse/SHOP-12?focusedCommentId=3#c3', 'jira:acme.atlassian.net:SHOP-12'],
    [
      'https://acme.atlassian.net/jira/software/projects/SHOP/boards/4?selectedIssue=SHOP-12',
      'jira:acme.atlassian.net:SHOP-12',
    ],
    [
      'https://acme.atlassian.net/jira/software/c/projects/SHOP/issues/SHOP-12?jql=project%3DSHOP',
      'jira:acme.atlassian.net:SHOP-12',
    ],
    ['http://127.0.0.1:4010/browse/GROW-3', 'jira:127.0.0.1:4010:GROW-3'],
    ['https://jira.acme.example/jira/browse/PAY_2-7', 'jira:jira.acme.example:PAY_2-7'],
    // Linear projects: the trailing slug id, whatever the name and the tab.
    [
      'https://linear.app/acme/project/database-failover-and-restore-drills-3f9a1c2b4d5e',
      'linear:acme:project:3f9a1c2b4d5e',
    ],
    [
      'https://linear.app/acme/project/renamed-project-3f9a1c2b4d5e/overview',
      'linear:acme:project:3f9a1c2b4d5e',
    ],
    ['https://linear.app/Acme/project/3F9A1C2B4D5E/issues?layout=board', 'linear:acme:project:3f9a1c2b4d5e'],
    // Linear issues: the identifier, with or without the title slug.
    ['https://linear.app/acme/issue/PLAT-42/move-the-queue', 'linear:acme:issue:PLAT-42'],
    ['https://linear.app/acme/issue/plat-42', 'linear:acme:issue:PLAT-42'],
    // The same shapes on another host (a simulator, a proxy) keep the host.
    [
      'http://127.0.0.1:4020/acme/project/event-bus-v2-abcdef012345',
      'linear:127.0.0.1:4020/acme:project:abcdef012345',
    ],
    ['http://linear.local/acme/issue/PLAT-1/x', 'linear:linear.local/acme:issue:PLAT-1'],
    // Anything else: normalised.
    ['https://Docs.Example.com/Runbooks/Failover/?utm=x#top', 'https://docs.example.com/Runbooks/Failover'],
    ['https://acme.atlassian.net/browse/', 'https://acme.atlassian.net/browse'],
    ['https://linear.app/acme/issue/not-an-identifier', 'https://linear.app/acme/issue/not-an-identifier'],
    ['  not a url ', 'not a url'],
    ['mailto:platform@acme.example', 'mailto:platform@acme.example'],
  ])('%s → %s', (url, ref) => {
    expect(itemRef(url)).toBe(ref)
  })

  it('gives every URL form of one item the same reference', () => {
    const forms = [
      'https://acme.atlassian.net/browse/SHOP-7',
      'https://acme.atlassian.net/browse/shop-7#comment',
      'https://acme.atlassian.net/jira/software/projects/SHOP/boards/1/backlog?selectedIssue=SHOP-7',
    ]
    expect(new Set(forms.map(itemRef)).size).toBe(1)
  })

  it('finds the URLs in text, without the punctuation around them', () => {
    expect(
      urlsInText(
        'Blocked by https://linear.app/acme/project/sso-1a2b3c4d5e6f, and (see https://acme.atlassian.net/browse/SHOP-1).\nAlso <http://x.example/a?b=1>; not ftp://x or https://',
      ),
    ).toEqual([
      'https://linear.app/acme/project/sso-1a2b3c4d5e6f',
      'https://acme.atlassian.net/browse/SHOP-1',
      'http://x.example/a?b=1',
    ])
  })
})
