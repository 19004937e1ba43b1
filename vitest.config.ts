import { fileURLToPath } from 'node:url'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vitest/config'

const electronDouble = fileURLToPath(new URL('./tests/mocks/electron.ts', import.meta.url))

export default defineConfig({
  test: {
    projects: [
      {
        // Node code: the core and the thin shell. `electron` is aliased to a test double so
        // nothing ever tries to load (or download) the real binary.
        resolve: { alias: { electron: electronDouble } },
        test: {
          name: 'node',
          environment: 'node',
          include: ['tests/unit/electron/**/*.test.ts', 'tests/unit/shared/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks'
        }
      },
      {
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['tests/unit/renderer/**/*.test.ts']
        }
      }
    ]
  }
})
