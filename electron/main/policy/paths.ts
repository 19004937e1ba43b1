import { posix, win32 } from 'node:path'

/** Environment variable that points the app at another policy file (tests, unpackaged runs). */
export const policyFileEnv = 'TRUSTLINE_POLICY_FILE'

/** What decides where the policy file is. */
export interface PolicyPathOptions {
  platform: NodeJS.Platform
  env: NodeJS.ProcessEnv
  /**
   * Honour TRUSTLINE_POLICY_FILE. Only for tests and unpackaged runs: in an installed app anyone
   * who can set an environment variable could point it at an empty file and escape the policy.
   */
  allowEnvOverride: boolean
}

/**
 * The system-wide policy file: a place only administrators can write.
 *
 * - Linux (and other Unixes): `/etc/trustline/policy.json`
 * - Windows: `%ProgramData%\TrustLine\policy.json` (`C:\ProgramData` when the variable is unset)
 * - macOS: `/Library/Application Support/TrustLine/policy.json`
 */
export function policyFilePath(options: PolicyPathOptions): string {
  const override = options.env[policyFileEnv]
  if (options.allowEnvOverride && override) return override
  switch (options.platform) {
    case 'win32':
      return win32.join(options.env['ProgramData'] ?? 'C:\\ProgramData', 'TrustLine', 'policy.json')
    case 'darwin':
      return posix.join('/Library/Application Support', 'TrustLine', 'policy.json')
    default:
      return posix.join('/etc', 'trustline', 'policy.json')
  }
}
