import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    globals: false,
    include: ['test/**/*.test.ts'],
    // Integration tests share one Redis and one Postgres; each test isolates itself by a unique queue
    // prefix or schema, so files may run in parallel.
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
})
