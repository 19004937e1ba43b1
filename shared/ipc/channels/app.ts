import { z } from 'zod'
import { event, invoke } from '../define'
import { appInfoSchema } from '../../types/app'
import { noticeSchema } from '../../types/notice'

/** Application-level channels. */
export const appChannels = {
  /** Version, platform and which host (Electron or browser) serves the renderer. */
  'app:get-info': invoke(z.void(), appInfoSchema),
  /** Notices not dismissed yet (damaged files moved aside, failed writes, internal errors). */
  'app:list-notices': invoke(z.void(), z.array(noticeSchema)),
  /** Dismisses a notice; false when there was none with that id. */
  'app:dismiss-notice': invoke(
    z.object({ id: z.string().min(1).max(64) }),
    z.object({ dismissed: z.boolean() })
  ),
  /** A notice was raised, or a repeat of one bumped its count. */
  'app:notice': event(noticeSchema)
} as const
