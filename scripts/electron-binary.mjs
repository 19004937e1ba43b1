import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Finds the Electron binary without `require('electron')` (which throws when the download never
 * happened): ELECTRON_EXEC_PATH first, then the electron package's path.txt.
 * @param {string} [root]
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {{ path: string } | { reason: string }}
 */
export function findElectronBinary(root = process.cwd(), env = process.env) {
  const fromEnv = env['ELECTRON_EXEC_PATH']
  if (fromEnv) {
    return existsSync(fromEnv)
      ? { path: fromEnv }
      : { reason: `ELECTRON_EXEC_PATH points at ${fromEnv}, which does not exist` }
  }
  const pkgDir = join(root, 'node_modules', 'electron')
  const pathTxt = join(pkgDir, 'path.txt')
  if (!existsSync(pathTxt)) {
    return {
      reason:
        'the Electron binary was never downloaded (node_modules/electron/path.txt is missing; ' +
        'its install step could not reach the Electron download host)'
    }
  }
  const binary = join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8').trim())
  return existsSync(binary) ? { path: binary } : { reason: `${binary} is missing` }
}
