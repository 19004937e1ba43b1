import type { z } from 'zod'
import { accountChannels } from './channels/account'
import { appChannels } from './channels/app'
import { connectionChannels } from './channels/connection'
import { federationChannels } from './channels/federation'
import { policyChannels } from './channels/policy'
import { profileChannels } from './channels/profile'
import { sipLogChannels } from './channels/sip-log'
import { sipChannels } from './channels/sip'
import { trustChannels } from './channels/trust'
import type { Channel, EventChannel, InvokeChannel } from './define'

/**
 * The single IPC contract between renderer and main: every channel and its zod schemas.
 *
 * Each domain declares its channels in `channels/<domain>.ts`; they meet here and nowhere else.
 * Names are `domain:verb-noun`; `invoke` is renderer→main, `event` is main→renderer.
 */
export const contract = {
  ...appChannels,
  ...trustChannels,
  ...connectionChannels,
  ...sipChannels,
  ...accountChannels,
  ...profileChannels,
  ...policyChannels,
  ...sipLogChannels,
  ...federationChannels
} as const

/** The contract's type. */
export type Contract = typeof contract

/** Names of all invoke channels. */
export type InvokeName = {
  [K in keyof Contract]: Contract[K] extends InvokeChannel ? K : never
}[keyof Contract]

/** Names of all event channels. */
export type EventName = {
  [K in keyof Contract]: Contract[K] extends EventChannel ? K : never
}[keyof Contract]

/** Request type of an invoke channel. */
export type RequestOf<K extends InvokeName> =
  Contract[K] extends InvokeChannel<infer Req, z.ZodType> ? z.input<Req> : never

/** Response type of an invoke channel. */
export type ResponseOf<K extends InvokeName> =
  Contract[K] extends InvokeChannel<z.ZodType, infer Res> ? z.output<Res> : never

/** Payload type of an event channel. */
export type PayloadOf<K extends EventName> =
  Contract[K] extends EventChannel<infer P> ? z.output<P> : never

/** All invoke channel names, at runtime. */
export const invokeNames = Object.keys(contract).filter(
  (k) => (contract[k as keyof Contract] as Channel).kind === 'invoke'
) as InvokeName[]

/** All event channel names, at runtime. */
export const eventNames = Object.keys(contract).filter(
  (k) => (contract[k as keyof Contract] as Channel).kind === 'event'
) as EventName[]

/** True when `name` is a channel of the contract (for checking names that arrive from outside). */
export function isInvokeName(name: unknown): name is InvokeName {
  return typeof name === 'string' && (invokeNames as string[]).includes(name)
}
