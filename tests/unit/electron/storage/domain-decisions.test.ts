import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DomainDecisionStore } from '../../../../electron/main/storage/domain-decisions'

const dir = () => mkdtempSync(join(tmpdir(), 'tl-dd-'))

describe('DomainDecisionStore', () => {
  it('remembers, lists and forgets per domain and server, across restarts', async () => {
    const d = dir()
    const a = new DomainDecisionStore(d)
    await a.decide('Example.org', 'sip.provider.net', true)
    await a.decide('example.org', 'evil.net', false)
    const b = new DomainDecisionStore(d)
    expect(await b.get('example.org', 'SIP.provider.net')).toMatchObject({ allow: true })
    expect(await b.get('example.org', 'evil.net')).toMatchObject({ allow: false })
    expect(await b.get('other.org', 'sip.provider.net')).toBeUndefined()
    expect((await b.list()).length).toBe(2)
    expect(await b.forget('example.org', 'evil.net')).toBe(true)
    expect(await new DomainDecisionStore(d).get('example.org', 'evil.net')).toBeUndefined()
  })

  it('keeps a damaged file aside, says so, and starts empty', async () => {
    const d = dir()
    writeFileSync(join(d, 'domain-decisions.json'), '{"version":1,"decisions":[{"nope":')
    const s = new DomainDecisionStore(d)
    const error = await s.load()
    expect(error).toMatch(/damaged \(not-json/)
    expect(await s.list()).toEqual([])
    const kept = readdirSync(d).find((f) => f.startsWith('domain-decisions.json.damaged-'))
    expect(kept).toBeDefined()
    expect(readFileSync(join(d, kept ?? ''), 'utf8')).toContain('"nope"')
  })

  it('rejects a file of the wrong shape the same way', async () => {
    const d = dir()
    writeFileSync(join(d, 'domain-decisions.json'), JSON.stringify({ version: 2, decisions: 'x' }))
    expect(await new DomainDecisionStore(d).load()).toMatch(/damaged/)
  })
})
