import { describe, expect, it } from 'vitest'
import {
  classifyIncoming,
  outgoingMayMove,
  receiptState
} from '../../../../electron/main/sip/receipts'
import type { ImState } from '../../../../shared/types/im'

describe('outgoingMayMove', () => {
  const table: Array<[ImState, ImState, boolean]> = [
    ['queued', 'sending', true],
    ['sending', 'accepted', true],
    ['sending', 'queued', true],
    ['accepted', 'delivered', true],
    ['accepted', 'displayed', true],
    ['delivered', 'displayed', true],
    ['sending', 'delivered', true],
    ['delivered', 'accepted', false],
    ['displayed', 'delivered', false],
    ['displayed', 'accepted', false],
    ['displayed', 'failed', false],
    ['delivered', 'failed', false],
    ['accepted', 'failed', true],
    ['queued', 'failed', true],
    ['failed', 'delivered', true],
    ['failed', 'accepted', false],
    ['accepted', 'accepted', false]
  ]
  it.each(table)('%s → %s: %s', (from, to, ok) => {
    expect(outgoingMayMove(from, to)).toBe(ok)
  })
})

describe('receiptState', () => {
  it('maps delivery and display notifications; processing says nothing we show', () => {
    expect(receiptState({ messageId: 'x', kind: 'delivery', status: 'delivered' })).toBe(
      'delivered'
    )
    expect(receiptState({ messageId: 'x', kind: 'delivery', status: 'failed' })).toBe('failed')
    expect(receiptState({ messageId: 'x', kind: 'display', status: 'displayed' })).toBe('displayed')
    expect(receiptState({ messageId: 'x', kind: 'display', status: 'forbidden' })).toBeNull()
    expect(receiptState({ messageId: 'x', kind: 'processing', status: 'stored' })).toBeNull()
  })
})

describe('classifyIncoming', () => {
  it.each([
    [undefined, 'hi', 'text'],
    ['text/plain; charset=UTF-8', 'hi', 'text'],
    ['Application/Im-IsComposing+XML', '<isComposing/>', 'composing'],
    ['application/pdf', '%PDF', 'unsupported'],
    ['message/cpim', 'garbage', 'malformed'],
    ['message/imdn+xml', '<imdn/>', 'malformed']
  ])('%s → %s', (type, body, kind) => {
    expect(classifyIncoming(type, body).kind).toBe(kind)
  })
})
