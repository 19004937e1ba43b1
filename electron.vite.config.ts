import { resolve } from 'node:path'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'electron-vite'

// Entries are explicit: electron-vite's defaults assume src/{main,preload,renderer}.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('electron/main/index.ts'),
          web: resolve('electron/main/web.ts'),
          cli: resolve('electron/main/cli.ts')
        }
      }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require only a few built-ins: bundle every dependency into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        // Sandboxed preloads cannot be ESM or require relative files: one bundled CJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: 'renderer',
    plugins: [svelte({ configFile: resolve('svelte.config.js') })],
    build: {
      outDir: 'out/renderer',
      // electron-vite turns minification off for every target; the renderer is the one bundle
      // that is parsed on each window load (about 149 KB gzip unminified). Source maps stay off,
      // as Vite's default: electron-builder.yml keeps *.map out of the package in any case.
      minify: true,
      rollupOptions: { input: { index: resolve('renderer/index.html') } }
    }
  }
})
