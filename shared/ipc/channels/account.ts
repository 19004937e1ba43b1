import { z } from 'zod'
import { event, invoke } from '../define'
import { savedAccountSchema, vaultStatusSchema } from '../../types/account'
import { sessionStateSchema, sipUriSchema } from '../../types/sip'

/** Remembered account and password ("remember me"). */
export const accountChannels = {
  /** The remembered account (if any) and whether passwords can be kept here. */
  'account:get-saved': invoke(
    z.void(),
    z.object({ account: savedAccountSchema.nullable(), vault: vaultStatusSchema })
  ),
  /** Signs in with the remembered account and its password kept by the OS keychain. */
  'account:sign-in-saved': invoke(z.object({ aor: sipUriSchema }), sessionStateSchema),
  /** Forgets the remembered account and deletes its kept password. */
  'account:forget': invoke(z.void(), z.object({ forgotten: z.boolean() })),
  /** The remembered account changed (saved at sign-in, or forgotten). */
  'account:saved-changed': event(savedAccountSchema.nullable())
} as const
