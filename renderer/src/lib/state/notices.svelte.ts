import type { Notice } from '../../../../shared/types/notice'
import { api } from '../api'
import { settle } from './result'

/**
 * What the core says the user must know (a damaged file moved aside, a write that failed, an
 * error it survived): the list at start, then each `app:notice` as it comes. Dismissing one
 * tells the core, so another window or a reload does not show it again.
 */
class NoticeStore {
  list = $state.raw<Notice[]>([])
  #off: (() => void) | null = null

  async start(): Promise<void> {
    if (this.#off) return
    this.#off = api.app.onNotice((notice) => this.#upsert(notice))
    const listed = await settle(
      () => api.app.listNotices(),
      () => undefined
    )
    // A notice that arrived while the list was on its way is newer than the list's copy.
    for (const notice of listed ?? []) {
      if (!this.list.some((n) => n.id === notice.id)) this.#upsert(notice)
    }
  }

  async dismiss(id: string): Promise<void> {
    this.list = this.list.filter((n) => n.id !== id)
    await settle(
      () => api.app.dismissNotice({ id }),
      () => undefined
    )
  }

  stop(): void {
    this.#off?.()
    this.#off = null
  }

  /** A repeat of a notice comes with the same id and a higher count: it replaces the old one. */
  #upsert(notice: Notice): void {
    this.list = [...this.list.filter((n) => n.id !== notice.id), notice]
  }
}

/** The notices singleton. */
export const notices = new NoticeStore()
