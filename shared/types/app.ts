import { z } from 'zod'

/** Which adapter carries the contract: Electron IPC or the loopback WebSocket browser host. */
export const hostKindSchema = z.enum(['electron', 'browser'])

/** Which adapter carries the contract. */
export type HostKind = z.infer<typeof hostKindSchema>

/** Facts about the running core, shown in the window and in helpdesk reports. */
export const appInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  arch: z.string(),
  host: hostKindSchema,
  /** Node.js version of the core (Electron's bundled Node under Electron). */
  nodeVersion: z.string(),
  /** Electron version, or null under the browser host. */
  electronVersion: z.string().nullable(),
  /** TLS library version the core uses (OpenSSL or BoringSSL). */
  tlsLibrary: z.string(),
  startedAt: z.string()
})

/** Facts about the running core. */
export type AppInfo = z.infer<typeof appInfoSchema>
