import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Where the core keeps its files when Electron's `app.getPath('userData')` is not available (the
 * browser host, the CLI): the same folder Electron would use, or TRUSTLINE_DATA_DIR.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['TRUSTLINE_DATA_DIR']
  if (override) return override
  if (process.platform === 'win32') {
    return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'TrustLine')
  }
  if (process.platform === 'darwin') {
    return join(homedir(), 'Library', 'Application Support', 'TrustLine')
  }
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'TrustLine')
}
