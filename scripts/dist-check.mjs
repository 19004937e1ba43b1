// `npm run dist:check`: proves the packaging config on a machine that cannot download Electron.
//
// 1. electron-vite build (out/main, out/preload, out/renderer).
// 2. A stub Electron distribution in a temp dir: an `electron` shell script carrying a fuse wire
//    (the sentinel @electron/fuses searches for, then version 1, length 8, eight fuse bytes), so
//    electron-builder's fuse flipping runs on it exactly as on the real binary. The real config is
//    used unchanged: only electronDist and the output folder are overridden.
// 3. electron-builder --linux dir tar.gz (tar.gz compressed by Debian's 7zip, /usr/bin/7zz, when
//    electron-builder's own 7za cannot be downloaded).
// 4. vitest --config tests/packaging/vitest.config.ts: the asar holds exactly the built app, the
//    fuses in the packed binary are the configured ones, and the tar.gz has the same tree.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outputDir = join(root, 'dist', 'check')
const sentinel = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'

function run(command, args, env = {}) {
  console.log(`\n$ ${command} ${args.join(' ')}`)
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env }
  })
  if (result.status !== 0) {
    console.error(
      `dist:check: ${command} ${args[0] ?? ''} failed (exit ${result.status ?? result.signal})`
    )
    process.exit(1)
  }
}

/** An unpacked "Electron" for linux: the executable and an empty resources folder. */
function makeStubElectron() {
  const dir = mkdtempSync(join(tmpdir(), 'trustline-stub-electron-'))
  mkdirSync(join(dir, 'resources'))
  // Every fuse starts opposite to electron-builder.yml ('1' enabled, '0' disabled, in FuseV1Options
  // order), so the packed binary passes tests/packaging/fuses.test.ts only if electron-builder
  // wrote every single fuse.
  const wire = '10110011'
  const script = Buffer.concat([
    Buffer.from(
      '#!/bin/sh\necho "stub Electron for npm run dist:check; cannot run the app" >&2\nexit 1\n# '
    ),
    Buffer.from(sentinel, 'ascii'),
    Buffer.from([1, wire.length]),
    Buffer.from(wire, 'ascii'),
    Buffer.from('\n')
  ])
  writeFileSync(join(dir, 'electron'), script)
  chmodSync(join(dir, 'electron'), 0o755)
  writeFileSync(join(dir, 'version'), '45.5.0')
  return dir
}

function find7zip() {
  if (process.env.ELECTRON_BUILDER_7ZIP_PATH) return process.env.ELECTRON_BUILDER_7ZIP_PATH
  for (const candidate of ['/usr/bin/7zz', '/usr/bin/7za', '/usr/bin/7z']) {
    if (existsSync(candidate)) return candidate
  }
  return null
}

/** File → sha256 of out/, taken right after the build so the test compares with this build. */
function manifestOf(dir) {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .map((f) => [
      relative(dir, f).split(sep).join('/'),
      createHash('sha256').update(readFileSync(f)).digest('hex')
    ])
    .sort(([a], [b]) => (a < b ? -1 : 1))
  return Object.fromEntries(entries)
}

const bin = (name) => join(root, 'node_modules', '.bin', name)

run(bin('electron-vite'), ['build'])

const stub = makeStubElectron()
rmSync(outputDir, { recursive: true, force: true })
mkdirSync(outputDir, { recursive: true })
writeFileSync(
  join(outputDir, 'out-manifest.json'),
  JSON.stringify(manifestOf(join(root, 'out')), null, 2)
)
const sevenZip = find7zip()
const targets = sevenZip ? ['dir', 'tar.gz'] : ['dir']
if (!sevenZip) console.warn('dist:check: no 7zip found (apt-get install 7zip): packing dir only')
try {
  run(
    bin('electron-builder'),
    [
      '--linux',
      ...targets,
      '--x64',
      '--publish',
      'never',
      `--config.electronDist=${stub}`,
      `--config.directories.output=${outputDir}`
    ],
    {
      ...(sevenZip ? { ELECTRON_BUILDER_7ZIP_PATH: sevenZip } : {}),
      // Nothing to sign on Linux; keeps a developer's signing variables out of this check.
      CSC_IDENTITY_AUTO_DISCOVERY: 'false'
    }
  )
} finally {
  rmSync(stub, { recursive: true, force: true })
}

run(bin('vitest'), ['run', '--config', 'tests/packaging/vitest.config.ts'], {
  TRUSTLINE_DIST_CHECK_DIR: outputDir
})
console.log(`\ndist:check: packaged app in ${outputDir} verified`)
