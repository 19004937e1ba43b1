import { mkdirSync } from 'node:fs'
import { basename } from 'node:path'
import { build } from 'esbuild'

/**
 * Bundles a bench child (and the core it imports) into one ES module in bench/results, beside
 * node_modules, so it runs on plain Node as the core ships: tsx's on-the-fly compiler (≈ 70 MB)
 * is not counted against what the child measures. Returns the bundle's path.
 */
export async function bundleChild(entry: string): Promise<string> {
  const outfile = `bench/results/${basename(entry, '.ts')}.bundle.mjs`
  mkdirSync('bench/results', { recursive: true })
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    logLevel: 'error'
  })
  return outfile
}
