// Words for an undelivered message, from the code and parameters the core sends.
import type { ImFailure } from '../../../shared/types/im'
import { t } from './i18n/i18n.svelte'

/** What the chat shows under a message that was not delivered. */
export interface FailureText {
  /** Why, in plain words: "Not delivered: Bob is offline." */
  text: string
  /** The technical detail for the helpdesk (the SIP status line), when there is one. */
  detail?: string
}

/**
 * The sentence for a failure, naming the peer as `name`. Records written before failures had
 * codes carry only the status line or the core's own words, shown as the detail.
 */
export function failureText(failure: ImFailure | undefined, name: string): FailureText {
  if (!failure?.code) {
    const detail = failure
      ? failure.status
        ? t('chat.failureDetail', { status: failure.status, reason: failure.reason })
        : failure.reason
      : undefined
    return { text: t('chat.state.failed'), ...(detail ? { detail } : {}) }
  }
  const text = t('chat.failedReason', {
    reason: t(`chat.failure.${failure.code}`, { name, ...failure.params })
  })
  const cause = failure.params?.['cause']
  const detail = failure.status
    ? t('chat.failureDetail', { status: failure.status, reason: failure.reason })
    : failure.code === 'connection-failed' && cause
      ? t(`session.failure.${cause}`)
      : undefined
  return { text, ...(detail ? { detail } : {}) }
}
