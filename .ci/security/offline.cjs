// Preloaded (node --require) into electronegativity by scripts/security-gate.mjs.
//
// 1. Offline, reproducible runs. electronegativity fetches translations and Electron's release list
// with got; without network got v11 retries and then throws from a timer ("The `onCancel` handler
// was attached after the promise settled", sindresorhus/got#1489), killing the process while it
// writes the CSV. Every got call here fails at once instead, which electronegativity already
// handles (English messages; no "newer Electron has security fixes" check, which needs the
// network and which the pinned Electron version in package.json answers anyway).
//
// 2. Ordered CSV writes. electronegativity writes the CSV header with fs.writeFile(…, 'w') and the
// rows with a second fs.writeFile(…, { flag: 'a' }) without waiting for the first
// (dist/util/file.js writeIssues); when the truncating header write lands last, the rows are
// lost and the gate would pass on an empty report. In this process writeFile runs synchronously,
// so the writes happen in call order.
'use strict'
const fs = require('node:fs')
const Module = require('node:module')

fs.writeFile = function writeFileInOrder(file, data, options, callback) {
  const done = typeof options === 'function' ? options : callback
  const opts = typeof options === 'function' ? undefined : options
  let error = null
  try {
    fs.writeFileSync(file, data, opts)
  } catch (e) {
    error = e
  }
  if (done) process.nextTick(done, error)
}

const offline = () => Promise.reject(new Error('security gate: no network'))
const stub = Object.assign(offline, { head: offline, get: offline, extend: () => stub })
const load = Module._load

Module._load = function (request, parent, isMain) {
  if (request === 'got') return stub
  return load.call(this, request, parent, isMain)
}
