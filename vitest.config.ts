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
    // On for `npm test` (V8 adds about a tenth to its time); a subset run with `npx vitest run <files>`
    // has none, since the floors hold for the whole suite. The floors hold the pure core and the use
    // cases at what they had when they were set, so coverage cannot fall without someone noticing.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      // The figures are worth seeing when a test fails too.
      reportOnFailure: true,
      thresholds: {
        // Measured over the whole suite when set: domain 96.5 / 90.5 / 98.2 / 97.3, pipeline
        // 90.6 / 80.8 / 98.2 / 92.7 (statements / branches / functions / lines).
        'src/domain/**': { statements: 94, branches: 88, functions: 96, lines: 95 },
        'src/pipeline/**': { statements: 88, branches: 78, functions: 96, lines: 90 },
      },
    },
  },
})
