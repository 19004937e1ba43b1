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
        // Against the real lab (Kamailio, dnsmasq, PKI server, baresip on 127.0.0.1); each file
        // starts its own lab in a temp run dir, one file at a time to keep ports and CPU calm.
        test: {
          name: 'lab',
          environment: 'node',
          include: ['tests/lab/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 60_000,
          fileParallelism: false
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
