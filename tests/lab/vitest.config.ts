// Vitest config for the real SIP lab tests (they start Kamailio, dnsmasq, a PKI server and
// baresip): not part of the unit projects. Run: npx vitest run --config tests/lab/vitest.config.ts
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    name: 'lab',
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/lab/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false
  }
})
