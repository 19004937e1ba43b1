import type { Core } from '../../electron/main/core'
import type {
  SubscribeFn,
  SubscriptionEvents,
  SubscriptionHandle
} from '../../electron/main/sip/subscriptions'

/**
 * A what-if for the presence storm, applied to one core instance without touching
 * electron/main: at most `window` SUBSCRIBEs are outstanding (sent, not yet answered by a first
 * NOTIFY or an end), and the next ones start on a later turn of the event loop, so the socket is
 * read while the roster is being subscribed. This is the change suggested for
 * SubscriptionManager.attach; the bench reports figures with and without it.
 */
export function paceSubscriptions(core: Core, window: number): void {
  const subs = core.sip.session.subscriptions
  const attach = subs.attach.bind(subs)
  subs.attach = (subscribe: SubscribeFn) => attach(paced(subscribe, window))
}

function paced(subscribe: SubscribeFn, window: number): SubscribeFn {
  let outstanding = 0
  const queue: (() => void)[] = []
  let scheduled = false
  const pump = () => {
    scheduled = false
    while (outstanding < window && queue.length) queue.shift()!()
  }
  const schedule = () => {
    if (scheduled) return
    scheduled = true
    setImmediate(pump)
  }
  return (target: string, events: SubscriptionEvents): SubscriptionHandle => {
    let real: SubscriptionHandle | null = null
    let cancelled = false
    let counted = false
    const release = () => {
      if (!counted) return
      counted = false
      outstanding--
      schedule()
    }
    const start = () => {
      if (cancelled) return
      outstanding++
      counted = true
      try {
        real = subscribe(target, {
          onPending: () => events.onPending(),
          onActive: () => events.onActive(),
          onNotify: (body, type) => {
            release()
            events.onNotify(body, type)
          },
          onTerminated: (end) => {
            release()
            events.onTerminated(end)
          }
        })
      } catch (error) {
        // As SubscriptionManager does for a synchronous failure: a transport-level end.
        release()
        events.onTerminated({ reason: `could not subscribe: ${String(error)}`, transport: true })
      }
    }
    queue.push(start)
    schedule()
    return {
      terminate: () => {
        cancelled = true
        release()
        real?.terminate()
      }
    }
  }
}
