/**
 * The company the pipeline benchmarks run: one Jira source on the simulator, two teams with room
 * for thousands of epics, eight quarters. Returned as the config file's object, for `stringify`.
 * The token and the webhook secret come from the environment variables TOKEN and SECRET.
 */
export function jiraCompany(options: {
  simUrl: string
  email: string
  jql: string
  writeBack: { createFields: boolean; bulkEdit?: boolean }
}): Record<string, unknown> {
  return {
    server: { publicUrl: 'http://onetrack.bench' },
    roadmap: {
      periods: { quarters: { start: '2027-Q1', count: 8 } },
      teams: [
        { id: 'checkout', capacity: 4000 },
        { id: 'growth', capacity: 4000 },
      ],
    },
    sources: [
      {
        id: 'jira-shop',
        kind: 'jira',
        baseUrl: options.simUrl,
        email: options.email,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an env reference that parseConfig resolves
        apiToken: '${TOKEN}',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an env reference that parseConfig resolves
        webhookSecret: '${SECRET}',
        jql: options.jql,
        team: 'checkout',
        fields: {
          value: 'Business Value',
          timeCriticality: 'Time Criticality',
          risk: 'Risk Reduction',
          effort: 'Story Points',
          team: 'Team',
        },
        teamMap: { Checkout: 'checkout', Growth: 'growth' },
        writeBack: options.writeBack,
        requestsPerSecond: 5000,
      },
    ],
  }
}
