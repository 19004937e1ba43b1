import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const root = fileURLToPath(new URL('../..', import.meta.url))

/** Where `npm run dist:check` put the packed app. */
export const distDir = process.env['TRUSTLINE_DIST_CHECK_DIR'] ?? join(root, 'dist', 'check')

/** The unpacked Linux app and its archive. */
export const unpackedDir = join(distDir, 'linux-unpacked')
export const asarPath = join(unpackedDir, 'resources', 'app.asar')

/** Fails with the command to run when there is nothing packed to check. */
export function requirePacked(): void {
  if (!existsSync(asarPath)) {
    throw new Error(`${asarPath} is missing: run \`npm run dist:check\` (it packs, then runs this)`)
  }
}

/** Every file under `dir`, relative and with `/` separators. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort()
}

interface LockEntry {
  version?: string
  dev?: boolean
  devOptional?: boolean
  optional?: boolean
}

/** package-lock.json's view of node_modules: install path → entry. */
export function lockPackages(): Map<string, LockEntry> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>
  }
  return new Map(Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/')))
}

/** The app's package.json. */
export function appPackage(): {
  name: string
  version: string
  main: string
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
} {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as ReturnType<
    typeof appPackage
  >
}
