/** Finds the Electron binary: ELECTRON_EXEC_PATH, then node_modules/electron/path.txt. */
export function findElectronBinary(
  root?: string,
  env?: NodeJS.ProcessEnv
): { path: string } | { reason: string }
