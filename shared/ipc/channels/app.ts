import { z } from 'zod'
import { invoke } from '../define'
import { appInfoSchema } from '../../types/app'

/** Application-level channels. */
export const appChannels = {
  /** Version, platform and which host (Electron or browser) serves the renderer. */
  'app:get-info': invoke(z.void(), appInfoSchema)
} as const
