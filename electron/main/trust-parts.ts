import { join } from 'node:path'
import type { EffectivePolicy } from '../../shared/types/policy'
import type { RevocationMode } from '../../shared/types/trust'
import type { ClientCertificateOption } from './account/connection-service'
import type { TrustParts } from './core'
import type { ClientCertificate } from './tls/connector'
import type { Storage } from './storage/durable'
import { FederationChecker } from './federation/check'
import { ExceptionStore } from './tls/exceptions'
import { markStage } from './stage-trace'
import { createTrustService } from './tls/trust-service'
import { accountCaLock } from './policy/account-cas'

/** How the trust engine is set up for this run (policy and command-line options). */
export interface TrustSetup {
  /** Admin CA files (enterprise policy, `--ca`): anchors with source 'policy'. */
  policyCaFiles?: string[]
  revocation?: RevocationMode
  /** Use the platform store (default true). */
  platformAnchors?: boolean
  log?: (message: string) => void
}

function clientCert(option: ClientCertificateOption | undefined): ClientCertificate | undefined {
  if (!option) return undefined
  const passphrase = option.passphrase ? { passphrase: option.passphrase } : {}
  if (option.pfx) return { pfx: option.pfx, ...passphrase }
  // A PEM file with both blocks: Node takes the certificates for `cert` and the key for `key`.
  if (option.pem) return { cert: option.pem, key: option.pem, ...passphrase }
  return undefined
}

/** Builds the real trust engine (electron/main/tls) for the core. */
export function createTrustParts(
  setup: TrustSetup = {}
): (
  dataDir: string,
  policyNow: () => EffectivePolicy | null,
  storage?: Partial<Storage>
) => TrustParts {
  return (dataDir, policyNow, storage) => {
    // CA files and the revocation mode are read once, when the engine is built; whether
    // exceptions are allowed is read at every decision, so a reloaded policy applies at once.
    const policy = policyNow()
    // Policy CA files add to the command line's; a revocation mode set by policy wins.
    const policyCaFiles = [
      ...(setup.policyCaFiles ?? []),
      ...(policy?.settings.trustedCaFiles.value ?? [])
    ]
    const revocation = policy?.settings.revocation.locked
      ? policy.settings.revocation.value
      : (setup.revocation ?? policy?.settings.revocation.value)
    const exceptions = new ExceptionStore(
      join(dataDir, 'trust-exceptions.json'),
      undefined,
      storage
    )
    const service = createTrustService({
      exceptions,
      exceptionPolicy: () => {
        const setting = policyNow()?.settings.allowTrustExceptions
        return { allowed: setting?.value ?? true, lockedBy: setting?.lockedBy ?? null }
      },
      accountCaPolicy: () => {
        const lock = accountCaLock(policyNow())
        return { allowed: lock === null, lockedBy: lock?.by ?? null }
      },
      policyCaFiles,
      ...(revocation ? { revocation } : {}),
      ...(setup.platformAnchors === false ? { platformAnchors: false } : {}),
      ...(setup.log ? { log: setup.log } : {})
    })
    // Parse the OS store (and the CA files) now, off the critical path, rather than in the first
    // sign-in; the result is shared by every later check in this process.
    service.preload().catch((error: unknown) => setup.log?.(`preloading anchors: ${String(error)}`))
    const federationRevocation = (asked: RevocationMode | undefined) =>
      policy?.settings.revocation.locked ? revocation : (asked ?? revocation)
    return {
      federation: {
        check: (request, resolver) =>
          new FederationChecker({
            resolver,
            policyCaFiles,
            ...(setup.platformAnchors === false ? { platformAnchors: false } : {}),
            ...(setup.log ? { log: setup.log } : {})
          }).check({
            partnerDomain: request.partnerDomain,
            identity: clientCert(request.identity)!,
            ...(request.server ? { server: request.server } : {}),
            revocation: federationRevocation(request.revocation) ?? 'soft-fail'
          })
      },
      checker: async (request) => {
        // Discovery is done when the connection service asks for a check.
        markStage('discovered')
        const cert = clientCert(request.clientCertificate)
        const { report, socket, redecide } = await service.checkServer({
          host: request.host,
          address: request.address,
          port: request.port,
          sipDomain: request.sipDomain,
          server: request.server,
          domainAnswer: request.domainAnswer,
          attemptId: request.attemptId,
          ...(cert ? { clientCert: cert } : {}),
          ...(request.extraCas ? { extraCas: request.extraCas } : {})
        })
        markStage('verdict', report.verdict)
        return { report, socket: socket ?? null, redecide }
      },
      // The helpdesk's "test a server": `host` is where to connect, `servername` (when given)
      // the name the certificate must carry; the same check and report as a sign-in.
      engine: {
        checkServer: async (r) => {
          const cert = clientCert(r.clientCertificate)
          const { report } = await service.checkServer({
            host: r.servername ?? r.host,
            address: r.host,
            port: r.port,
            ...(r.servername ? { servername: r.servername } : {}),
            ...(r.sipDomain ? { sipDomain: r.sipDomain } : {}),
            ...(cert ? { clientCert: cert } : {}),
            ...(r.revocation ? { revocation: r.revocation } : {}),
            keepOpen: false,
            offersException: false
          })
          return report
        }
      },
      exceptions
    }
  }
}
