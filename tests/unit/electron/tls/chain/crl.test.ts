import { describe, expect, it } from 'vitest'
import { checkCrls } from '../../../../../electron/main/tls/chain/crl'
import { mustParse } from '../../../../../electron/main/tls/chain/parse'
import { makeCrl, makeHierarchy } from '../../../../fixtures/pki'

describe('checkCrls', () => {
  it('good, revoked, unknown and unusable CRLs', async () => {
    const h = await makeHierarchy()
    const chain = [h.leaf, h.intermediate, h.root].map((c) => mustParse(c.der))
    const serial = chain[0]!.serial.toString('hex')
    const now = new Date()
    expect(checkCrls(chain, [await makeCrl(h.intermediate, ['0abc'])], now).status).toBe('good')
    const revoked = checkCrls(chain, [await makeCrl(h.intermediate, [serial])], now)
    expect(revoked).toMatchObject({ status: 'revoked', source: 'crl' })
    expect(checkCrls(chain, [], now).status).toBe('unknown')
    expect(checkCrls(chain, [await makeCrl(h.root, [serial])], now).status).toBe('unknown')
    expect(
      checkCrls(chain, [await makeCrl(h.intermediate, [], { crlNumber: false })], now).detail
    ).toMatch(/cRLNumber/)
    const stale = await makeCrl(h.intermediate, [], { nextUpdate: new Date(Date.now() - 1000) })
    expect(checkCrls(chain, [stale], now).status).toBe('unknown')
    expect(checkCrls(chain, [Buffer.from('junk')], now).detail).toMatch(/unreadable/)
  })
})
