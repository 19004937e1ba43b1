import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Run by `npm run dist:check` after it packed the app (TRUSTLINE_DIST_CHECK_DIR); not part of
// `npm test`, whose projects need no packaged build.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    name: 'packaging',
    environment: 'node',
    include: ['tests/packaging/**/*.test.ts'],
    testTimeout: 60_000
  }
})
