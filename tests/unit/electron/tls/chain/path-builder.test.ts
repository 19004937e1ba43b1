import { describe, expect, it } from 'vitest'
import { mustParse } from '../../../../../electron/main/tls/chain/parse'
import { buildPath } from '../../../../../electron/main/tls/chain/path-builder'
import type { Finding } from '../../../../../electron/main/tls/chain/reasons'
import { makeCert, type IssuedCert } from '../../../../fixtures/pki'

const ok = (): Finding[] => []

describe('buildPath', () => {
  it('prefers a cross-signed path to a trusted root when the direct one is not trusted', async () => {
    const oldRoot = await makeCert({ subject: 'CN=Old Root', ca: true })
    const newRoot = await makeCert({ subject: 'CN=New Root', ca: true })
    const cross = await makeCert({
      subject: 'CN=New Root',
      ca: true,
      issuer: oldRoot,
      keys: newRoot.keys
    })
    const int = await makeCert({ subject: 'CN=Int', ca: true, issuer: newRoot })
    const leaf = await makeCert({ subject: 'CN=leaf', issuer: int })
    const pool = [int, cross].map((c, i) => ({
      cert: mustParse(c.der),
      sentIndex: i + 1,
      fetchedFrom: null
    }))
    const out = buildPath(
      mustParse(leaf.der),
      pool,
      [{ cert: mustParse(oldRoot.der), source: 'system' }],
      ok
    )
    expect(out.valid?.path.map((c) => c.subject.text)).toEqual([
      'CN=leaf',
      'CN=Int',
      'CN=New Root',
      'CN=Old Root'
    ])
  })

  it('backtracks when the validator rejects the first complete path', async () => {
    const root = await makeCert({ subject: 'CN=Root', ca: true })
    const a = await makeCert({ subject: 'CN=Int', ca: true, issuer: root })
    const b = await makeCert({ subject: 'CN=Int', ca: true, issuer: root, keys: a.keys })
    const leaf = await makeCert({ subject: 'CN=leaf', issuer: a })
    const pool = [a, b].map((c, i) => ({
      cert: mustParse(c.der),
      sentIndex: i + 1,
      fetchedFrom: null
    }))
    const bad = mustParse(a.der).sha256
    let calls = 0
    const out = buildPath(
      mustParse(leaf.der),
      pool,
      [{ cert: mustParse(root.der), source: 'policy' }],
      (p) => {
        calls++
        return p[1]!.sha256 === bad
          ? [{ code: 'expired', severity: 'error', certIndex: 1, certSubject: null, detail: 'x' }]
          : []
      }
    )
    expect(calls).toBe(2)
    expect(out.valid?.path[1]!.sha256).toBe(mustParse(b.der).sha256)
  })

  it('stops on cycles and within the step budget', async () => {
    const certs: IssuedCert[] = []
    const keys = (await makeCert({ subject: 'CN=k', ca: true })).keys
    const first = await makeCert({ subject: 'CN=Mesh', ca: true, keys })
    certs.push(first)
    for (let i = 0; i < 30; i++)
      certs.push(
        await makeCert({
          subject: 'CN=Mesh',
          ca: true,
          issuer: first,
          keys: (await makeCert({ subject: 'CN=t', ca: true })).keys
        })
      )
    const leaf = await makeCert({ subject: 'CN=leaf', issuer: certs[5]! })
    const pool = certs.map((c, i) => ({
      cert: mustParse(c.der),
      sentIndex: i + 1,
      fetchedFrom: null
    }))
    const t = Date.now()
    const out = buildPath(mustParse(leaf.der), pool, [], ok, { maxDepth: 12, maxSteps: 500 })
    expect(Date.now() - t).toBeLessThan(2000)
    expect(out.valid).toBeNull()
    expect(out.best).not.toBeNull()
  })
})
