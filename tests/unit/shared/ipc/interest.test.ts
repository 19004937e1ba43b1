import { describe, expect, it, vi } from 'vitest'
import {
  EventInterest,
  interestSchema,
  ListenerRegistry,
  type Interest
} from '../../../../shared/ipc/interest'

describe('ListenerRegistry (page side)', () => {
  it('reports a channel when its first listener comes and its last one goes', () => {
    const changes: Interest[] = []
    const reg = new ListenerRegistry((i) => changes.push(i))
    const a = vi.fn()
    const b = vi.fn()
    const offA = reg.add('sip:log-appended', a)
    const offB = reg.add('sip:log-appended', b)
    expect(changes).toEqual([{ channel: 'sip:log-appended', on: true }])
    reg.emit('sip:log-appended', 1)
    expect([a.mock.calls, b.mock.calls]).toEqual([[[1]], [[1]]])
    offA()
    offA()
    expect(changes).toHaveLength(1)
    offB()
    expect(changes.at(-1)).toEqual({ channel: 'sip:log-appended', on: false })
    reg.emit('sip:log-appended', 2)
    expect(b).toHaveBeenCalledTimes(1)
  })

  it('counts the same function added twice as two registrations', () => {
    const changes: Interest[] = []
    const reg = new ListenerRegistry((i) => changes.push(i))
    const f = vi.fn()
    const off1 = reg.add('im:received', f)
    const off2 = reg.add('im:received', f)
    reg.emit('im:received', 'x')
    expect(f).toHaveBeenCalledTimes(2)
    off1()
    expect(changes).toHaveLength(1)
    off2()
    expect(changes).toHaveLength(2)
  })
})

describe('EventInterest (host side)', () => {
  it('keeps each client apart and forgets a client that left', () => {
    const interest = new EventInterest<string>()
    interest.set('a', { channel: 'sip:log-appended', on: true })
    interest.set('b', { channel: 'im:received', on: true })
    expect(interest.wants('a', 'sip:log-appended')).toBe(true)
    expect(interest.wants('b', 'sip:log-appended')).toBe(false)
    interest.set('a', { channel: 'sip:log-appended', on: false })
    expect(interest.wants('a', 'sip:log-appended')).toBe(false)
    expect(interest.clients()).toEqual(['a', 'b'])
    interest.forget('b')
    expect(interest.wants('b', 'im:received')).toBe(false)
    expect(interest.clients()).toEqual(['a'])
  })

  it('accepts only event channels of the contract', () => {
    expect(interestSchema.safeParse({ channel: 'im:received', on: true }).success).toBe(true)
    expect(interestSchema.safeParse({ channel: 'im:send', on: true }).success).toBe(false)
    expect(interestSchema.safeParse({ channel: 'nope', on: true }).success).toBe(false)
    expect(interestSchema.safeParse({ channel: 'im:received', on: 'yes' }).success).toBe(false)
  })
})
