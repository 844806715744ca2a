import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    globals: false,
    include: ['test/**/*.test.ts'],
    // The long fault runs have their own config (vitest.faults.config.ts, `npm run test:faults`).
    exclude: ['test/faults/**', 'node_modules/**'],
    // After each file: no configured secret in any log it captured.
    setupFiles: ['test/helpers/secret-scan.ts'],
    // Integration tests share one Redis and one Postgres; each test isolates itself by a unique queue
    // prefix or schema, so files may run in parallel.
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
})
