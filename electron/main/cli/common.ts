import { readFileSync } from 'node:fs'
import type { RevocationMode } from '../../../shared/types/trust'
import type { FederationCheckerOptions } from '../federation/check'
import type { DnsResolver } from '../sip/discovery'
import { CaFileError } from '../tls/anchors'
import { ConnectError, type ClientCertificate } from '../tls/connector'
import type { ServerOrigin } from '../tls/identity'
import type { TrustServiceOptions } from '../tls/trust-service'

/** Where to connect for a target, and how that server was found (for the SIP-domain rule). */
export type TargetResolver = (target: {
  host: string
  port: number | null
  sipDomain: string | null
}) => Promise<{ host: string; port: number; address?: string; origin?: ServerOrigin }>

/** Output channels and dependencies of a CLI run (injectable for tests). */
export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  resolve?: TargetResolver
  service?: TrustServiceOptions
  /** DNS for `federation` (the system's when absent). */
  dns?: DnsResolver
  /** Federation checker settings for tests (anchors, time limits). */
  federation?: Partial<FederationCheckerOptions>
}

/** Bad command line; the message says what to fix. */
export class UsageError extends Error {}

/** The usage text of every command. */
export const usage = `Usage: trustline check <host[:port] | sip:user@domain> [--ca FILE]...
       [--client-cert FILE.p12 | --client-cert CERT.pem --client-key KEY.pem] [--passphrase X]
       [--servername NAME] [--revocation off|soft-fail|hard-fail] [--json]
       trustline federation <partner-domain> --client-cert FILE [--client-key KEY.pem]
       [--passphrase X] [--server HOST[:PORT]] [--ca FILE]... [--public-ca FILE]...
       [--servername NAME] [--revocation off|soft-fail|hard-fail] [--json]`

/** Parses `host`, `host:port`, `[v6]:port` or `sip:user@domain[:port]`. */
export function parseTarget(text: string): {
  host: string
  port: number | null
  sipDomain: string | null
} {
  let t = text.trim()
  let sip = false
  const m = /^sips?:(.*)$/i.exec(t)
  if (m) {
    sip = true
    t = m[1]!.replace(/^[^@]*@/, '').replace(/[;?].*$/, '')
  }
  let host = t
  let port: number | null = null
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t)
  if (v6) {
    host = v6[1]!
    port = v6[2] ? Number(v6[2]) : null
  } else if ((t.match(/:/g) ?? []).length === 1) {
    const [h, p] = t.split(':')
    host = h!
    if (!/^\d+$/.test(p!)) throw new UsageError(`"${p}" is not a port number.`)
    port = Number(p)
  }
  if (!host) throw new UsageError(`No host in "${text}".`)
  if (port !== null && (port < 1 || port > 65535))
    throw new UsageError(`Port ${port} is out of range.`)
  return { host, port, sipDomain: sip ? host : null }
}

/** Validates a --revocation value. */
export function parseRevocation(v: string): RevocationMode {
  if (v !== 'off' && v !== 'soft-fail' && v !== 'hard-fail') {
    throw new UsageError(`--revocation must be off, soft-fail or hard-fail, not "${v}".`)
  }
  return v
}

/** Reads --client-cert (PKCS#12, or PEM with --client-key or both blocks in one file). */
export function loadClientCert(a: {
  clientCert: string | null
  clientKey: string | null
  passphrase: string | null
}): ClientCertificate | undefined {
  if (!a.clientCert) return undefined
  const read = (f: string) => {
    try {
      return readFileSync(f)
    } catch (e) {
      throw new UsageError(`Cannot read ${f}: ${(e as Error).message}`)
    }
  }
  const pass = a.passphrase !== null ? { passphrase: a.passphrase } : {}
  if (a.clientKey) return { cert: read(a.clientCert), key: read(a.clientKey), ...pass }
  const bytes = read(a.clientCert)
  if (bytes.includes('-----BEGIN')) {
    // A PEM file holding both the certificate and its key.
    return { cert: bytes, key: bytes, ...pass }
  }
  return { pfx: bytes, ...pass }
}

/** Options and positionals of one command line, after its command. */
export interface ReadArgs {
  values: Map<string, string[]>
  flags: Set<string>
  positionals: string[]
}

/** Splits `rest` into `--name value` options, `--flag`s and positionals; throws UsageError. */
export function readArgs(
  rest: string[],
  valued: readonly string[],
  flags: readonly string[]
): ReadArgs {
  const out: ReadArgs = { values: new Map(), flags: new Set(), positionals: [] }
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!
    if (valued.includes(arg)) {
      const v = rest[++i]
      if (v === undefined) throw new UsageError(`${arg} needs a value.`)
      out.values.set(arg, [...(out.values.get(arg) ?? []), v])
    } else if (flags.includes(arg)) out.flags.add(arg)
    else if (arg.startsWith('-')) throw new UsageError(`Unknown option ${arg}.`)
    else out.positionals.push(arg)
  }
  return out
}

/** The last value of an option, or null. */
export function lastValue(a: ReadArgs, name: string): string | null {
  return a.values.get(name)?.at(-1) ?? null
}

/**
 * The exit of a command that failed on its input or its connection: 2, with the sentence on
 * stderr (and as JSON on stdout when asked); null for errors that are not the user's to fix.
 */
export function failedRun(e: unknown, io: CliIo, json: boolean): number | null {
  if (e instanceof UsageError) {
    io.err(`${e.message}\n${usage}`)
    return 2
  }
  if (e instanceof ConnectError || e instanceof CaFileError) {
    if (json) {
      io.out(
        JSON.stringify({
          error: { code: e instanceof ConnectError ? e.code : 'ca-file', message: e.message }
        })
      )
    }
    io.err(e.message)
    return 2
  }
  return null
}
