import type { IdentityPerson } from '../identity/index.ts'

/**
 * The people of the demo company, as its identity provider knows them. config/demo.yaml gives them
 * their roles: the CPTO owns the roadmap, the platform lead owns the platform team's deferrals, a
 * product manager edits (through the product group), and finance reads.
 */
export const DEMO_PEOPLE: readonly IdentityPerson[] = [
  {
    subject: 'acme-dana',
    name: 'Dana Reyes',
    email: 'dana@acme.example',
    groups: ['leadership'],
    title: 'CPTO: owns the roadmap',
  },
  {
    subject: 'acme-sam',
    name: 'Sam Okafor',
    email: 'sam@acme.example',
    groups: ['platform'],
    title: 'Platform lead: owns the platform team',
  },
  {
    subject: 'acme-priya',
    name: 'Priya Natarajan',
    email: 'priya@acme.example',
    groups: ['product'],
    title: 'Product manager, Checkout: edits',
  },
  {
    subject: 'acme-alex',
    name: 'Alex Kim',
    email: 'alex@acme.example',
    groups: ['finance'],
    title: 'Finance partner: reads',
  },
]

/** The demo's client at its identity provider. */
export const DEMO_OIDC_CLIENT_ID = 'onetrack-demo'
