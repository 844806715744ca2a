import { readEnvironment } from '../config/index.ts'
import { type Command, helpOption } from './command.ts'

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply pending database migrations (serve and worker also do this at start)',
  usage: 'onetrack migrate',
  options: { help: helpOption },
  async run() {
    const { migrate, openDatabase, readMigrations } = await import('../store/index.ts')
    const { waitForDependencies } = await import('./startup.ts')
    const env = readEnvironment()
    await waitForDependencies(env, { database: true, redis: false }, (line) =>
      console.error(`onetrack migrate: ${line}`),
    )
    const database = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir })
    try {
      const { applied } = await migrate(database)
      const total = readMigrations().length
      console.log(
        applied.length === 0
          ? `${database.kind}: up to date (${total} migrations)`
          : `${database.kind}: applied ${applied.map((m) => `${m.version} ${m.name}`).join(', ')}`,
      )
      return 0
    } finally {
      await database.close()
    }
  },
}
