import { spawn, spawnSync } from 'node:child_process'
import { findElectronBinary } from './electron-binary.mjs'

// `npm start`: build, then launch the real Electron app. Where the Electron binary could not be
// downloaded, say what to do instead of printing a stack trace.
const found = findElectronBinary()
if ('reason' in found) {
  console.error(`TrustLine cannot start the desktop app here: ${found.reason}.

What you can do:
  - Run the same app in your browser:   npm run start:web
    (the real renderer and core, served on 127.0.0.1 with a one-time token; open the URL it prints)
  - Or get the Electron binary:          rm -rf node_modules && npm ci   (on a network that reaches
    the Electron download host), or point ELECTRON_EXEC_PATH at an Electron 45 binary.`)
  process.exit(1)
}

const build = spawnSync(
  process.execPath,
  ['node_modules/electron-vite/bin/electron-vite.js', 'build'],
  {
    stdio: 'inherit'
  }
)
if (build.status !== 0) process.exit(build.status ?? 1)

const child = spawn(found.path, ['.', ...process.argv.slice(2)], { stdio: 'inherit' })
child.on('exit', (code) => process.exit(code ?? 0))
