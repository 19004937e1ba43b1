import {
  discoverServer,
  type Discovery,
  type DnsResolver,
  type ServerOverride
} from '../sip/discovery'

/** The SRV owner federation partners publish (Skype for Business, Lync, Teams), tried first. */
export const FEDERATION_SRV = '_sipfederationtls._tcp'

/** Then RFC 3263: NAPTR, `_sips._tcp`, and the common `_sip._tls`. */
const RFC3263_SRV = ['_sips._tcp', '_sip._tls']

/**
 * Finds a partner's federation server the way federating edges do: `_sipfederationtls._tcp`
 * first, then RFC 3263 (NAPTR → SRV, `_sips._tcp`, `_sip._tls`), then the domain's own address on
 * 5061; every look-up is written to the trace, as sign-in's discovery does.
 */
export function discoverFederationServer(
  partnerDomain: string,
  resolver: DnsResolver,
  override?: ServerOverride
): Promise<Discovery> {
  return discoverServer(partnerDomain, resolver, override, {
    leadingSrv: [FEDERATION_SRV],
    srvNames: RFC3263_SRV
  })
}
