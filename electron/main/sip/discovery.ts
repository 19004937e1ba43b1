import { isIP } from 'node:net'
import type {
  DiscoveredServer,
  DiscoveryResult,
  DiscoveryStep
} from '../../../shared/types/connection'
import { aLabelName } from '../tls/chain/names'

/** The DNS look-ups discovery needs (node:dns/promises Resolver fits; tests point it at dnsmasq). */
export interface DnsResolver {
  resolveNaptr(name: string): Promise<
    {
      flags: string
      service: string
      regexp: string
      replacement: string
      order: number
      preference: number
    }[]
  >
  resolveSrv(
    name: string
  ): Promise<{ name: string; port: number; priority: number; weight: number }[]>
  resolve4(name: string): Promise<string[]>
  resolve6(name: string): Promise<string[]>
}

/** Default SIP over TLS port (RFC 3261 §19.1.2). */
export const SIPS_PORT = 5061

/**
 * SRV owners tried in order when NAPTR gives nothing usable: RFC 3263 `_sips._tcp`, the common
 * `_sip._tls`, then the Skype for Business / Lync names.
 */
export const SRV_NAMES = ['_sips._tcp', '_sip._tls', '_sipinternaltls._tcp', '_sipexternaltls._tcp']

/** NAPTR services that lead to SIP over TLS (RFC 3263 §4.1). */
const TLS_NAPTR_SERVICES = new Set(['SIPS+D2T'])

/** How a caller other than sign-in (the federation check) tunes the SRV names tried. */
export interface DiscoveryOptions {
  /** SRV owner prefixes tried before NAPTR (e.g. `_sipfederationtls._tcp`); the first hit wins. */
  leadingSrv?: string[]
  /** SRV owner prefixes tried when NAPTR gives nothing usable (default SRV_NAMES). */
  srvNames?: string[]
}

/** Result of discovery: candidates in the order to try, and every step taken. */
export interface Discovery {
  candidates: DiscoveredServer[]
  trace: DiscoveryStep[]
}

/** A configured server override. */
export interface ServerOverride {
  host: string
  port?: number
}

/** A resolver error as a discovery result: no record, DNS server unreachable, or its code. */
function errorResult(error: unknown): DiscoveryResult {
  const code = (error as { code?: string }).code
  if (code === 'ENOTFOUND' || code === 'ENODATA') return { type: 'no-record' }
  if (code === 'ETIMEOUT' || code === 'ECONNREFUSED') return { type: 'dns-unreachable', code }
  return { type: 'dns-error', code: code ?? (error as Error).message }
}

/** Orders SRV records: priority ascending, then weight descending (RFC 2782, deterministically). */
export function orderSrv<T extends { priority: number; weight: number }>(records: T[]): T[] {
  return [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight)
}

/**
 * Finds the SIP over TLS server for a SIP domain, as RFC 3263 and the Skype for Business clients
 * do: a configured server wins; else NAPTR (SIPS+D2T) → SRV, else the SRV names in SRV_NAMES,
 * else the domain's own A/AAAA on 5061. Every look-up is written to the trace.
 */
export async function discoverServer(
  domain: string,
  resolver: DnsResolver,
  override?: ServerOverride,
  options: DiscoveryOptions = {}
): Promise<Discovery> {
  // DNS speaks A-labels: an IDN SIP domain (bücher.test) is looked up as xn--bcher-kva.test.
  const sipDomain = aLabelName(domain)
  const trace: DiscoveryStep[] = []
  const candidates: DiscoveredServer[] = []

  const addresses = async (host: string): Promise<string[]> => {
    if (isIP(host)) return [host]
    const found: string[] = []
    for (const [kind, lookup] of [
      ['a', (n: string) => resolver.resolve4(n)],
      ['aaaa', (n: string) => resolver.resolve6(n)]
    ] as const) {
      try {
        const list = await lookup(host)
        trace.push({
          kind,
          name: host,
          result: list.length ? { type: 'addresses', addresses: list } : { type: 'no-record' },
          ok: list.length > 0
        })
        found.push(...list)
      } catch (error) {
        trace.push({ kind, name: host, result: errorResult(error), ok: false })
      }
      if (found.length) break
    }
    return found
  }

  const addTargets = async (
    records: { name: string; port: number }[],
    source: DiscoveredServer['source'],
    via: string | null
  ) => {
    for (const record of records) {
      const host = record.name.replace(/\.$/, '').toLowerCase()
      for (const address of await addresses(host)) {
        candidates.push({ host, port: record.port, address, source, via })
      }
    }
  }

  if (override) {
    const port = override.port ?? SIPS_PORT
    trace.push({
      kind: 'configured',
      name: override.host,
      result: { type: 'configured', host: override.host, port },
      ok: true
    })
    await addTargets([{ name: override.host, port }], 'configured', null)
    return { candidates, trace }
  }

  /** Looks up one SRV owner and its targets' addresses; true once there is a candidate. */
  const trySrv = async (owner: string, from: DiscoveredServer['source']): Promise<boolean> => {
    try {
      const records = orderSrv(await resolver.resolveSrv(owner))
      trace.push({
        kind: 'srv',
        name: owner,
        result: records.length
          ? {
              type: 'srv',
              records: records.map((r) => ({
                target: r.name,
                port: r.port,
                priority: r.priority,
                weight: r.weight
              }))
            }
          : { type: 'no-record' },
        ok: records.length > 0
      })
      await addTargets(records, from, owner)
    } catch (error) {
      trace.push({ kind: 'srv', name: owner, result: errorResult(error), ok: false })
    }
    return candidates.length > 0
  }

  for (const prefix of options.leadingSrv ?? []) {
    if (await trySrv(`${prefix}.${sipDomain}`, 'srv')) return { candidates, trace }
  }

  // RFC 3263 §4.1: NAPTR first; only TLS services are of use to us.
  let srvNames: string[] = []
  try {
    const naptr = (await resolver.resolveNaptr(sipDomain))
      .filter(
        (r) => r.flags.toLowerCase() === 's' && TLS_NAPTR_SERVICES.has(r.service.toUpperCase())
      )
      .sort((a, b) => a.order - b.order || a.preference - b.preference)
    trace.push({
      kind: 'naptr',
      name: sipDomain,
      result: naptr.length
        ? {
            type: 'naptr',
            records: naptr.map((r) => ({ service: r.service, replacement: r.replacement }))
          }
        : { type: 'no-tls-service' },
      ok: naptr.length > 0
    })
    srvNames = naptr.map((r) => r.replacement.replace(/\.$/, ''))
  } catch (error) {
    trace.push({ kind: 'naptr', name: sipDomain, result: errorResult(error), ok: false })
  }
  const source: DiscoveredServer['source'] = srvNames.length ? 'naptr' : 'srv'
  if (!srvNames.length) {
    srvNames = (options.srvNames ?? SRV_NAMES).map((prefix) => `${prefix}.${sipDomain}`)
  }

  for (const owner of srvNames) {
    if (await trySrv(owner, source)) return { candidates, trace }
  }

  // RFC 3263 §4.2: no SRV: the domain itself on the default port.
  await addTargets([{ name: sipDomain, port: SIPS_PORT }], 'address', null)
  return { candidates, trace }
}
