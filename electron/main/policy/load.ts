import { open } from 'node:fs/promises'
import type { z } from 'zod'
import { policyFileSchema, type PolicyFile } from '../../../shared/types/policy'
import { policyFilePath, type PolicyPathOptions } from './paths'

/** A policy file larger than this is refused unread: real ones are a few hundred bytes. */
export const maxPolicyBytes = 64 * 1024

/**
 * What is in force when the policy file exists but cannot be used (unreadable, not JSON, schema
 * violation, writable by every user). The administrator meant to lock something and we cannot
 * tell what, so we fail closed on everything a policy can loosen: no trust exceptions, a missing
 * revocation answer fails the connection, no CAs beyond the system store, and no SIP domain is
 * allowed, so nobody signs in until IT fixes the file. The error names the file and the problem.
 */
export const lockedDownPolicy: Readonly<PolicyFile> = Object.freeze({
  trustedCaFiles: Object.freeze([]) as unknown as string[],
  revocation: 'hard-fail',
  allowTrustExceptions: false,
  allowedSipDomains: Object.freeze([]) as unknown as string[],
  // Nothing leaves that the user did not send; a broken policy must not reveal reading habits.
  sendReadReceipts: false
})

/** The outcome of reading the policy file. */
export interface LoadedPolicy {
  /**
   * The policy in force: the file's content, `lockedDownPolicy` when the file is invalid, or null
   * when there is no file (nothing locked).
   */
  policy: Readonly<PolicyFile> | null
  /** The file that was looked for. */
  source: string
  /** Why the file was rejected (then `policy` is `lockedDownPolicy`); absent otherwise. */
  error?: string
}

/** Where to look; defaults to the system location of this platform, without the env override. */
export interface LoadPolicyOptions extends Partial<PolicyPathOptions> {
  /** Read exactly this file (takes precedence over platform and env). */
  file?: string
}

/**
 * Reads and validates the enterprise policy file. Never throws: a missing file means no policy; a
 * file that exists but cannot be used yields `lockedDownPolicy` and an error message.
 */
export async function loadPolicy(options: LoadPolicyOptions = {}): Promise<LoadedPolicy> {
  const platform = options.platform ?? process.platform
  const source =
    options.file ??
    policyFilePath({
      platform,
      env: options.env ?? process.env,
      allowEnvOverride: options.allowEnvOverride ?? false
    })
  const read = await readPolicyText(source, platform)
  if (read.kind === 'missing') return { policy: null, source }
  if (read.kind === 'error') return invalid(source, read.detail)

  let json: unknown
  try {
    // Windows Notepad saves UTF-8 with a byte order mark, which JSON.parse refuses.
    json = JSON.parse(read.text.replace(/^\uFEFF/, ''))
  } catch (error) {
    return invalid(source, `it is not valid JSON (${(error as Error).message})`)
  }
  const parsed = policyFileSchema.safeParse(json)
  if (!parsed.success) return invalid(source, describeIssues(parsed.error.issues))
  return { policy: Object.freeze(parsed.data), source }
}

type ReadResult =
  { kind: 'missing' } | { kind: 'error'; detail: string } | { kind: 'ok'; text: string }

async function readPolicyText(file: string, platform: NodeJS.Platform): Promise<ReadResult> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return { kind: 'missing' }
    return { kind: 'error', detail: `it cannot be read (${code ?? (error as Error).message})` }
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) return { kind: 'error', detail: 'it is not a regular file' }
    if (stat.size > maxPolicyBytes) {
      return { kind: 'error', detail: `it is larger than ${maxPolicyBytes} bytes` }
    }
    // A policy any local user can rewrite protects nothing (Windows has no mode bits: ACLs there).
    if (platform !== 'win32' && (stat.mode & 0o002) !== 0) {
      return { kind: 'error', detail: 'it is writable by every user (chmod o-w it)' }
    }
    return { kind: 'ok', text: await handle.readFile({ encoding: 'utf8' }) }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return { kind: 'error', detail: `it cannot be read (${code ?? (error as Error).message})` }
  } finally {
    await handle.close()
  }
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`)
    .join('; ')
}

function invalid(source: string, detail: string): LoadedPolicy {
  return {
    policy: lockedDownPolicy,
    source,
    error:
      `The policy file ${source} is invalid: ${detail}. Until IT fixes it, TrustLine is locked ` +
      'down: no trust exceptions, revocation hard-fail, no extra CAs, and sign-in to any SIP ' +
      'domain is refused.'
  }
}
