// `npm run security`: electronegativity over the main/preload sources and the renderer, failing on
// every HIGH or MEDIUM finding that .ci/security/explained.json does not explain.
//
// - electronegativity lives in .ci/security (own package.json + lock), installed here with
//   `npm ci --prefix .ci/security`, so it never enters the app's dependency tree. `--no-install`
//   skips that when the folder is already installed.
// - It runs offline with ordered CSV writes (.ci/security/offline.cjs says why), once per scan,
//   with the Electron version of package.json; the CSVs go to dist/security/.
// - Each global check runs where its subject lives: navigation and permission handlers in
//   electron/, the CSP in renderer/ (renderer/index.html). The "newer Electron has fixes" check
//   needs the network and is left out.
// - Files electronegativity cannot parse would be skipped silently by it; the gate parses every
//   file first with electronegativity's own parser and fails on any it cannot read.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const toolDir = join(root, '.ci', 'security')
const toolPkg = join(toolDir, 'node_modules', '@doyensec', 'electronegativity')
const outDir = join(root, 'dist', 'security')
const failingSeverities = new Set(['HIGH', 'MEDIUM'])

const scans = [
  {
    name: 'main',
    input: 'electron',
    exclude: ['AvailableSecurityFixesGlobalCheck', 'CSPGlobalCheck']
  },
  {
    name: 'renderer',
    input: 'renderer',
    exclude: [
      'AvailableSecurityFixesGlobalCheck',
      'LimitNavigationGlobalCheck',
      'PermissionRequestHandlerGlobalCheck'
    ]
  }
]

function fail(message) {
  console.error(`security: ${message}`)
  process.exit(1)
}

function install() {
  console.log('$ npm ci --prefix .ci/security')
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const result = spawnSync(
    npm,
    ['ci', '--prefix', toolDir, '--no-audit', '--no-fund', '--ignore-scripts'],
    { stdio: 'inherit', shell: process.platform === 'win32' }
  )
  if (result.status !== 0) fail('npm ci --prefix .ci/security failed')
}

/** The Electron version the app pins (devDependencies.electron, without a range). */
function electronVersion() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const version = /\d+\.\d+\.\d+/.exec(pkg.devDependencies?.electron ?? '')?.[0]
  if (!version) fail('package.json has no pinned electron version')
  return version
}

/** The files electronegativity scans (dist/util/file.js list_files), relative to the repo. */
function scannedFiles(input) {
  return readdirSync(join(root, input), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !f.includes('node_modules') && /\.(?:jsx?|tsx?|html?)$/.test(f))
    .map((f) => relative(root, f).split(sep).join('/'))
}

/** Parses every file as electronegativity will; returns the ones it cannot read. */
function unparsable(files) {
  const require = createRequire(join(toolPkg, 'package.json'))
  const { Parser } = require('./dist/parser')
  // As dist/runner.js constructs it.
  const parser = new Parser(false, true)
  const bad = []
  for (const file of files) {
    try {
      const [, data] = parser.parse(join(root, file), readFileSync(join(root, file), 'utf8'))
      if (data === null || data === undefined) bad.push(`${file}: not parsed`)
    } catch (error) {
      bad.push(`${file}: ${error.message}`)
    }
  }
  return bad
}

/** RFC 4180 CSV: quoted fields, "" inside quotes; electronegativity writes N/A unquoted. */
function parseCsv(text) {
  const rows = []
  let row = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += c
  }
  if (field !== '' || row.length > 0) rows.push([...row, field])
  return rows
}

const header = ['issue', 'severity', 'confidence', 'filename', 'location', 'sample', 'description']

function readFindings(csvFile, input) {
  const rows = parseCsv(readFileSync(csvFile, 'utf8'))
  const head = rows.shift()?.map((h) => h.trim())
  if (!head || header.some((h, i) => head[i] !== h)) fail(`${csvFile}: unexpected CSV header`)
  return rows.map((r, n) => {
    if (r.length !== 8 || !/^[A-Z_]+$/.test(r[0])) fail(`${csvFile}: row ${n + 2} is malformed`)
    const [check, severity, confidence, file, location, sample, description] = r
    return {
      check,
      severity,
      confidence,
      // -r makes paths relative to the scanned folder; the explanations use repo paths.
      file: file === 'N/A' ? 'N/A' : `${input}/${file.split(sep).join('/')}`,
      location,
      sample: sample === 'N/A' ? '' : sample,
      description
    }
  })
}

function loadExplanations() {
  const file = join(toolDir, 'explained.json')
  const list = JSON.parse(readFileSync(file, 'utf8'))
  if (!Array.isArray(list)) fail('explained.json must be an array')
  for (const [n, e] of list.entries()) {
    const ok =
      typeof e?.check === 'string' &&
      typeof e.file === 'string' &&
      typeof e.why === 'string' &&
      e.why.trim().length >= 20 &&
      (e.sample === undefined || typeof e.sample === 'string')
    if (!ok) fail(`explained.json entry ${n}: needs check, file and a real why (sample optional)`)
  }
  return list
}

const explains = (e, f) =>
  e.check === f.check &&
  e.file === f.file &&
  (e.sample === undefined || f.sample.includes(e.sample))

// ---------------------------------------------------------------------------------------------

if (!process.argv.includes('--no-install') || !existsSync(toolPkg)) install()
const toolVersion = JSON.parse(readFileSync(join(toolPkg, 'package.json'), 'utf8')).version
const pinned = JSON.parse(readFileSync(join(toolDir, 'package.json'), 'utf8')).dependencies[
  '@doyensec/electronegativity'
]
if (toolVersion !== pinned) fail(`electronegativity ${toolVersion} installed, ${pinned} pinned`)
const electron = electronVersion()
const explanations = loadExplanations()
mkdirSync(outDir, { recursive: true })

const findings = []
for (const scan of scans) {
  const bad = unparsable(scannedFiles(scan.input))
  if (bad.length) fail(`electronegativity cannot parse, so would not check:\n  ${bad.join('\n  ')}`)

  const csv = join(outDir, `${scan.name}.csv`)
  const args = [
    '--require',
    join(toolDir, 'offline.cjs'),
    join(toolPkg, 'dist', 'index.js'),
    '--input',
    scan.input,
    '--electron-version',
    electron,
    '--exclude-checks',
    scan.exclude.join(','),
    '--relative',
    '--verbose',
    'false',
    '--output',
    csv
  ]
  console.log(`\n$ electronegativity --input ${scan.input} --electron-version ${electron} …`)
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, LANG: 'en-US', FORCE_COLOR: '0' }
  })
  const log = `${result.stdout}${result.stderr}`
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('Could not retrieve updated translations'))
  if (log.length) console.log(log.join('\n'))
  if (result.status !== 0 || !existsSync(csv)) {
    fail(`electronegativity failed on ${scan.input} (exit ${result.status ?? result.signal})`)
  }
  findings.push(...readFindings(csv, scan.input).map((f) => ({ ...f, scan: scan.name })))
}

const unexplained = []
const used = new Set()
console.log('\nfindings:')
for (const f of findings) {
  const gating = failingSeverities.has(f.severity)
  const explanation = explanations.find((e) => explains(e, f))
  if (explanation) used.add(explanation)
  const status = !gating ? 'below gate' : explanation ? 'explained' : 'UNEXPLAINED'
  if (gating && !explanation) unexplained.push(f)
  console.log(`  [${status}] ${f.severity} ${f.check} ${f.file}:${f.location} ${f.sample}`)
}
for (const e of explanations) {
  if (!used.has(e))
    console.warn(`  warning: stale explanation (no such finding): ${e.check} ${e.file}`)
}

if (unexplained.length) {
  fail(
    `${unexplained.length} HIGH/MEDIUM finding(s) not in .ci/security/explained.json: fix them or ` +
      'add { check, file, sample, why } there'
  )
}
console.log(`\nsecurity: ok (${findings.length} findings, every HIGH/MEDIUM one explained)`)
