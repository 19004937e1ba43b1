import { cleanup, fireEvent, render, screen } from '@testing-library/svelte'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ImMessage } from '../../../../../shared/types/im'
import ChatView from '../../../../../renderer/src/lib/components/ChatView.svelte'
import { i18n } from '../../../../../renderer/src/lib/i18n/i18n.svelte'
import { im, presence } from '../../../../../renderer/src/lib/state'
import { answer, calls, resetApi } from '../../api-mock'

vi.mock(
  '../../../../../renderer/src/lib/api',
  async () => (await import('../../api-mock')).apiModule
)

const bob = 'sip:bob@lab.trustline.test'
const hostile = ['<img src=x onerror=alert(1)>', '<script>alert(2)</script>', '<b>bold</b>']

function message(id: string, body: string, over: Partial<ImMessage> = {}): ImMessage {
  return {
    id,
    conversation: bob,
    direction: 'in',
    body,
    sentAt: '2026-11-28T12:00:00Z',
    state: 'received',
    ...over
  }
}

afterEach(() => cleanup())

describe('ChatView', () => {
  beforeEach(() => {
    resetApi()
    presence.contacts = [
      {
        uri: bob,
        displayName: 'Bob',
        presence: { state: 'busy' },
        subscription: { status: 'active' },
        unread: 0
      }
    ]
    im.active = bob
    im.loading = false
    im.error = null
  })

  it('renders hostile message bodies as text, never as HTML', () => {
    im.conversations = { [bob]: hostile.map((body, i) => message(`h${i}`, body)) }
    const { container } = render(ChatView)
    const bodies = screen.getAllByTestId('message-body')
    expect(bodies.map((b) => b.textContent)).toEqual(hostile)
    expect(container.querySelector('img')).toBeNull()
    expect(container.querySelector('script')).toBeNull()
    expect(container.querySelector('b')).toBeNull()
  })

  it('makes https addresses links that open outside the app, and nothing else', () => {
    const body = 'docs: https://help.example.org/a(b) or http://plain.example/ javascript:alert(1)'
    im.conversations = { [bob]: [message('l', body)] }
    const { container } = render(ChatView)
    expect(screen.getByTestId('message-body').textContent).toBe(body)
    const links = [...container.querySelectorAll('a')]
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://help.example.org/a(b)'])
    expect(links[0]?.getAttribute('target')).toBe('_blank')
    expect(links[0]?.getAttribute('rel')).toBe('noopener noreferrer')
  })

  it('shows each outgoing state, and why a message failed in plain words with the status line', () => {
    im.conversations = {
      [bob]: [
        message('q', 'a', { direction: 'out', state: 'queued' }),
        message('s', 'b', { direction: 'out', state: 'sending' }),
        message('a', 'c', { direction: 'out', state: 'accepted' }),
        message('f', 'd', {
          direction: 'out',
          state: 'failed',
          failure: { code: 'offline', status: 480, reason: 'Temporarily Unavailable' }
        })
      ]
    }
    render(ChatView)
    expect(screen.getAllByTestId('message-state').map((s) => s.textContent)).toEqual([
      'Queued: will be sent when connected',
      'Sending…',
      'Delivered to the server',
      'Not delivered: Bob is offline.'
    ])
    expect(screen.getByTestId('message-failure-detail').textContent).toBe(
      'Server answer: 480 Temporarily Unavailable'
    )
  })

  it.each([
    [
      'en',
      { code: 'not-found', status: 404, reason: 'Not Found' },
      "Not delivered: Bob's address does not exist.",
      'Server answer: 404 Not Found'
    ],
    [
      'zh-CN',
      { code: 'offline', status: 480, reason: 'Temporarily Unavailable' },
      '未送达：Bob 不在线。',
      '服务器响应：480 Temporarily Unavailable'
    ],
    [
      'en',
      { code: 'no-connection', params: { seconds: 300 }, reason: 'no connection' },
      'Not delivered: There was no connection to the server for 300 seconds.',
      null
    ],
    [
      'zh-CN',
      { code: 'connection-failed', params: { cause: 'untrusted' }, reason: 'expired' },
      '未送达：TrustLine 已停止连接服务器。',
      '服务器无法被信任，TrustLine 没有登录。您的密码没有发送。'
    ],
    [
      'zh-CN',
      { code: 'recipient-failed', params: { status: 'error' }, reason: 'peer said error' },
      '未送达：Bob 的应用报告无法接收此消息（error）。',
      null
    ],
    // A record from before failures had codes: the generic words, its own text as the detail.
    [
      'en',
      { status: 480, reason: 'Temporarily Unavailable' },
      'Not delivered',
      'Server answer: 480 Temporarily Unavailable'
    ]
  ] as const)('renders a failure in %s from its code: %j', (language, failure, text, detail) => {
    i18n.setLanguage(language)
    try {
      im.conversations = {
        [bob]: [message('f', 'd', { direction: 'out', state: 'failed', failure: { ...failure } })]
      }
      render(ChatView)
      expect(screen.getByTestId('message-state').textContent).toBe(text)
      expect(screen.queryByTestId('message-failure-detail')?.textContent ?? null).toBe(detail)
    } finally {
      i18n.setLanguage('en')
    }
  })

  it('does not show the peer as live while the subscription is down (reconnecting)', () => {
    im.conversations = { [bob]: [] }
    render(ChatView)
    expect(screen.getByTestId('peer-state').textContent).not.toContain('out of date')
    cleanup()
    presence.contacts = [
      {
        uri: bob,
        displayName: 'Bob',
        presence: { state: 'available' },
        subscription: { status: 'error', reason: 'connection lost' },
        unread: 0
      }
    ]
    render(ChatView)
    expect(screen.getByTestId('peer-state').textContent).toContain('Status may be out of date')
  })

  it('shows Delivered to the peer and Read from receipts, in English and Chinese', () => {
    im.conversations = {
      [bob]: [
        message('d', 'a', { direction: 'out', state: 'delivered' }),
        message('r', 'b', { direction: 'out', state: 'displayed' })
      ]
    }
    render(ChatView)
    expect(screen.getAllByTestId('message-state').map((s) => s.textContent)).toEqual([
      'Delivered to Bob',
      'Read'
    ])
    cleanup()
    i18n.setLanguage('zh-CN')
    try {
      render(ChatView)
      expect(screen.getAllByTestId('message-state').map((s) => s.textContent)).toEqual([
        '已送达 Bob',
        '已读'
      ])
    } finally {
      i18n.setLanguage('en')
    }
  })

  it('shows when the sender wrote a CPIM message, and another author by name', () => {
    im.conversations = {
      [bob]: [
        message('c', 'relayed', {
          writtenAt: '2026-11-28T11:00:00Z',
          author: 'sip:carol@lab.trustline.test'
        })
      ]
    }
    const { container } = render(ChatView)
    expect(container.querySelector('time')?.getAttribute('datetime')).toBe('2026-11-28T11:00:00Z')
    // The hover says which time this is, then the exact UTC value, as every Time does.
    expect(container.querySelector('time')?.getAttribute('title')).toBe(
      'When the sender wrote it · 2026-11-28T11:00:00Z'
    )
    expect(screen.getByText('carol@lab.trustline.test (via Bob)')).toBeTruthy()
  })

  it('shows the typing indicator and the peer status as text', () => {
    im.conversations = { [bob]: [] }
    im.typing = [bob]
    render(ChatView)
    expect(screen.getByTestId('typing').textContent).toContain('Bob is typing')
    expect(screen.getByText('Busy')).toBeTruthy()
    im.typing = []
  })

  it('shows a translated error when history cannot be loaded', () => {
    im.conversations = {}
    im.error = { code: 'unavailable', message: 'not wired yet' }
    render(ChatView)
    expect(screen.getByTestId('chat-error').textContent).toContain('cannot do this yet')
  })

  it('sends a failed message again as a new message', async () => {
    im.conversations = {
      [bob]: [
        message('f', 'are you there?', {
          direction: 'out',
          state: 'failed',
          failure: { code: 'offline', status: 480, reason: 'Temporarily Unavailable' }
        })
      ]
    }
    answer('im', 'typing', { sent: true })
    const send = answer(
      'im',
      'send',
      message('n', 'are you there?', { direction: 'out', state: 'sending' })
    )
    render(ChatView)
    await fireEvent.click(screen.getByTestId('resend'))
    expect(send).toHaveBeenCalledWith({ to: bob, body: 'are you there?' })
    await vi.waitFor(() => expect(screen.getAllByTestId('message')).toHaveLength(2))
  })

  it('dates messages from another day', () => {
    im.conversations = { [bob]: [message('old', 'hi', { sentAt: '2020-01-02T10:00:00Z' })] }
    render(ChatView)
    expect(screen.getByText(/2020/)).toBeTruthy()
  })

  it('loads older messages with a keyboard-usable button, and says when it reached the start', async () => {
    im.conversations = { [bob]: [message('m3', 'three'), message('m4', 'four')] }
    im.hasOlder = true
    const history = answer('im', 'history', {
      conversation: bob,
      messages: [message('m1', 'one'), message('m2', 'two')],
      unread: 0,
      recoveredTornLine: false,
      hasOlder: false
    })
    render(ChatView)
    const button = screen.getByRole('button', { name: 'Show older messages' })
    button.focus()
    await fireEvent.click(button)
    expect(history).toHaveBeenCalledWith({ conversation: bob, limit: 100, before: 'm3' })
    await vi.waitFor(() =>
      expect(screen.getAllByTestId('message-body').map((b) => b.textContent)).toEqual([
        'one',
        'two',
        'three',
        'four'
      ])
    )
    expect(screen.queryByTestId('older')).toBeNull()
    expect(screen.getByText('This is the beginning of the conversation.')).toBeTruthy()
    expect(calls['im']!['history']).toHaveBeenCalledTimes(1)
  })
})
