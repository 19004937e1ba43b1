import type { Notice } from '../../shared/types/notice'
import type { EventSink } from './ipc/types'

/** A notice as a producer raises it: the board adds id, time and count. */
export type NoticeInput = WithoutMeta<Notice>
type WithoutMeta<N> = N extends Notice ? Omit<N, 'id' | 'at' | 'count'> : never

/** Where producers (stores, the last-resort handler) report what the user must know. */
export interface NoticeSink {
  raise(notice: NoticeInput): void
}

/** A sink that drops notices (tests, and stores used outside the core). */
export const noNotices: NoticeSink = { raise: () => undefined }

/** What makes two notices the same: code and parameters, the technical detail aside. */
function sameness(notice: NoticeInput | Notice): string {
  return JSON.stringify([notice.code, { ...notice.params, detail: null }])
}

/** Most notices kept; the oldest go first, so a flood of errors cannot grow memory. */
const MAX_NOTICES = 50

/**
 * Notices raised before the core's board exists (a file the host reads first, such as the user's
 * settings): kept until `attach`, then passed on, so none is lost for being early.
 */
export class NoticeRelay implements NoticeSink {
  #target: NoticeSink | null = null
  readonly #early: NoticeInput[] = []

  raise(notice: NoticeInput): void {
    if (this.#target) this.#target.raise(notice)
    else if (this.#early.length < MAX_NOTICES) this.#early.push(notice)
  }

  /** From now on notices go to `target`, the early ones first. */
  attach(target: NoticeSink): void {
    this.#target = target
    for (const notice of this.#early.splice(0)) target.raise(notice)
  }
}

/**
 * The core's notices: raised by producers, logged, sent to the renderer as `app:notice`, listed
 * by `app:list-notices` (a window that opens later sees them too), included in the helpdesk
 * report, and dismissed by the user. A repeat of the same notice (same code and parameters but
 * the detail) bumps the count of the one already shown instead of adding another.
 */
export class NoticeBoard implements NoticeSink {
  readonly #notices: Notice[] = []
  #next = 1

  constructor(
    private readonly events: EventSink | null,
    private readonly log: (message: string) => void = () => undefined
  ) {}

  raise(input: NoticeInput): void {
    const key = sameness(input)
    const at = new Date().toISOString()
    const i = this.#notices.findIndex((n) => sameness(n) === key)
    let notice: Notice
    if (i >= 0) {
      const [same] = this.#notices.splice(i, 1)
      notice = { ...same!, params: input.params, at, count: same!.count + 1 } as Notice
    } else {
      notice = { ...input, id: `n${this.#next++}`, at, count: 1 }
    }
    this.#notices.push(notice)
    if (this.#notices.length > MAX_NOTICES) this.#notices.shift()
    this.log(`notice ${notice.code}: ${JSON.stringify(notice.params)}`)
    this.events?.emit('app:notice', notice)
  }

  /** Notices not dismissed, oldest first. */
  list(): Notice[] {
    return this.#notices.map((n) => ({ ...n }))
  }

  dismiss(id: string): boolean {
    const i = this.#notices.findIndex((n) => n.id === id)
    if (i < 0) return false
    this.#notices.splice(i, 1)
    return true
  }
}
