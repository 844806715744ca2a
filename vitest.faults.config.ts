import { defineConfig } from 'vitest/config'

/**
 * The fault suite (`npm run test:faults`): real worker processes killed with SIGKILL, Redis
 * connections killed and keys flushed, Postgres backends terminated, trackers failing for a long
 * while. Slow by design, so not part of `npm test`; FAULT_RUNS sets the repeat count, FAULT_SEED
 * the seed (printed). Files run one at a time: each owns the machine's workers while it runs.
 */
export default defineConfig({
  test: {
    globals: false,
    include: ['test/faults/**/*.test.ts'],
    setupFiles: ['test/helpers/secret-scan.ts'],
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 180_000,
  },
})
