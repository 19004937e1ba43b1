// Copies the screenshots the README shows from the last Playwright run (test-results/screens/,
// written by the specs) to docs/screens/, so the README's pictures are always the specs' own.
// Run after `npm run test:e2e` (or `npm test`): `npm run screens`.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'

export const readmeScreens = [
  'main-signed-in',
  'main-signed-in-zh-CN',
  'connection-untrusted-expired',
  'connection-untrusted-zh-CN',
  'connection-trusted',
  'certificate-viewer-zh-CN',
  'chat',
  'helpdesk-server-check-mtls',
  'helpdesk-zh-CN',
  'chat-zh-CN',
  'federation-ready-en',
  'federation-ready-zh-CN'
]

const from = 'test-results/screens'
const to = 'docs/screens'
mkdirSync(to, { recursive: true })
const missing = readmeScreens.filter((name) => !existsSync(join(from, `${name}.png`)))
if (missing.length > 0) {
  console.error(
    `screens: not in ${from} (run the Playwright specs first, with the lab): ${missing.join(', ')}`
  )
  process.exit(1)
}
for (const name of readmeScreens) copyFileSync(join(from, `${name}.png`), join(to, `${name}.png`))
console.log(`screens: ${readmeScreens.length} screenshots copied to ${to}`)
