import type {
  EventName,
  InvokeName,
  PayloadOf,
  RequestOf,
  ResponseOf
} from '../../../../shared/ipc/contract'

/**
 * One valid sample per channel. Typed against the contract, so adding a channel without a sample
 * fails `tsc`, and the round-trip test covers every channel.
 */
export const invokeSamples: {
  [K in InvokeName]: { request: RequestOf<K>; response: ResponseOf<K> }
} = {
  'app:get-info': {
    request: undefined,
    response: {
      name: 'TrustLine',
      version: '1.2.3',
      platform: 'linux',
      arch: 'x64',
      host: 'browser',
      nodeVersion: '24.0.0',
      electronVersion: null,
      tlsLibrary: 'OpenSSL 3',
      startedAt: '2026-01-01T00:00:00.000Z'
    }
  }
}

/** One valid payload per event channel. */
export const eventSamples: { [K in EventName]: PayloadOf<K> } = {}
