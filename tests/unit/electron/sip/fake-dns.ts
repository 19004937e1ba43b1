import type { DnsResolver } from '../../../../electron/main/sip/discovery'

const nodata = () => Promise.reject(Object.assign(new Error('nodata'), { code: 'ENODATA' }))

/** A resolver answering from fixed records; every other name has no data (ENODATA). */
export function fakeResolver(records: {
  naptr?: Record<string, Awaited<ReturnType<DnsResolver['resolveNaptr']>>>
  srv?: Record<string, Awaited<ReturnType<DnsResolver['resolveSrv']>>>
  a?: Record<string, string[]>
}): DnsResolver {
  return {
    resolveNaptr: (n) => (records.naptr?.[n] ? Promise.resolve(records.naptr[n]) : nodata()),
    resolveSrv: (n) => (records.srv?.[n] ? Promise.resolve(records.srv[n]) : nodata()),
    resolve4: (n) => (records.a?.[n] ? Promise.resolve(records.a[n]) : nodata()),
    resolve6: () => nodata()
  }
}
