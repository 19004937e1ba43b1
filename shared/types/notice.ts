import { z } from 'zod'
import { sipUriSchema } from './sip'

/** Which of the core's local files a notice is about. */
export const dataFileSchema = z.enum([
  'contacts',
  'trust-exceptions',
  'domain-decisions',
  'account',
  'history',
  'history-folder',
  'user-settings',
  'profiles',
  'profile'
])

/** Which of the core's local files a notice is about. */
export type DataFile = z.infer<typeof dataFileSchema>

/**
 * Why a file was found damaged: `not-json` (not parseable at all), `invalid` (JSON, but not
 * our format), `unreadable` (the OS refused to read it), `not-a-folder` (a file where a folder
 * belongs), `no-valid-records` (a history file in which nothing could be read).
 */
export const damageSchema = z.enum([
  'not-json',
  'invalid',
  'unreadable',
  'not-a-folder',
  'no-valid-records'
])

/** Why a file was found damaged. */
export type Damage = z.infer<typeof damageSchema>

const base = {
  /** Stable within a run; what `app:dismiss-notice` takes. */
  id: z.string().min(1).max(64),
  /** When it (last) happened, ISO 8601. */
  at: z.string(),
  /** How many times the same thing happened (repeats are merged into one notice). */
  count: z.number().int().min(1)
}

/**
 * Something the user must know about that is not an answer to what they just did: a damaged file
 * moved aside, a write that failed, an internal error the core survived. Words travel as codes:
 * the renderer writes the sentence in the user's language from `code` and `params`.
 */
export const noticeSchema = z.discriminatedUnion('code', [
  z.object({
    ...base,
    /** A damaged file was moved aside and a fresh one started with what could be kept. */
    code: z.literal('file-damaged'),
    params: z.object({
      file: dataFileSchema,
      path: z.string(),
      damage: damageSchema,
      /** Where the damaged file is now: nothing of it was deleted. */
      backupPath: z.string(),
      /** Entries still in use (contacts, exceptions, decisions read from the damaged file). */
      kept: z.number().int().min(0),
      /** The technical detail (parser or OS message), for the helpdesk. */
      detail: z.string().max(500)
    })
  }),
  z.object({
    ...base,
    /** A damaged file could not even be moved aside: it is left untouched and not written. */
    code: z.literal('file-blocked'),
    params: z.object({
      file: dataFileSchema,
      path: z.string(),
      damage: damageSchema,
      detail: z.string().max(500)
    })
  }),
  z.object({
    ...base,
    /** Saving failed (disk full, no permission): the change was not stored and was refused. */
    code: z.literal('write-failed'),
    params: z.object({
      file: dataFileSchema,
      path: z.string(),
      /** The OS error code (ENOSPC, EACCES, EIO…) or SHORT_WRITE. */
      error: z.string().max(40),
      detail: z.string().max(500)
    })
  }),
  z.object({
    ...base,
    /**
     * The data of an earlier version (one profile at the top of the data folder) was moved to the
     * profile of the account it belongs to (the remembered account).
     */
    code: z.literal('profile-migrated'),
    params: z.object({
      aor: sipUriSchema,
      /** The profile folder it is in now. */
      path: z.string(),
      /** What was moved, for the helpdesk. */
      detail: z.string().max(500)
    })
  }),
  z.object({
    ...base,
    /**
     * The data of an earlier version was kept as a profile of its own because nothing says whose
     * it is: the first account that signs in gets it.
     */
    code: z.literal('profile-unclaimed'),
    params: z.object({ path: z.string(), detail: z.string().max(500) })
  }),
  z.object({
    ...base,
    /** The profile of an earlier version nobody owned went to the first account that signed in. */
    code: z.literal('profile-claimed'),
    params: z.object({ aor: sipUriSchema, path: z.string(), detail: z.string().max(500) })
  }),
  z.object({
    ...base,
    /** An error nothing else handled; the core logged it and kept running. */
    code: z.literal('internal-error'),
    params: z.object({
      source: z.enum(['unhandled-rejection', 'uncaught-exception']),
      detail: z.string().max(500)
    })
  })
])

/** Something the user must know about. */
export type Notice = z.infer<typeof noticeSchema>

/** The codes of notices. */
export type NoticeCode = Notice['code']
