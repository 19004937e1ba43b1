import { describe, expect, it } from 'vitest'
import { createSipServices } from '../../../../electron/main/sip/services'
import { MemoryHistory } from './memory-history'

describe('createSipServices', () => {
  it('records messages in the history it is given and signs out on shutdown', async () => {
    const history = new MemoryHistory()
    const sip = createSipServices({
      history,
      connector: () => Promise.reject(new Error('offline'))
    })
    const state = await sip.session.signIn({ aor: 'sip:alice@lab.test', password: 'x' })
    expect(state).toMatchObject({ status: 'failed', failure: { code: 'network' } })
    await sip.shutdown()
    expect(sip.session.state.status).toBe('signed-out')
    expect(history.events).toEqual([])
  })
})
