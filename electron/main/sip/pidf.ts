import type { OwnPresenceState, Presence, PresenceState } from '../../../shared/types/presence'
import { escapeXml, parseXml, type XmlElement } from './xml'

/** PIDF namespace (RFC 3863 §4.1). */
export const PIDF_NS = 'urn:ietf:params:xml:ns:pidf'
/** PIDF data model namespace for `<dm:person>` (RFC 4479 §4.2). */
export const DM_NS = 'urn:ietf:params:xml:ns:pidf:data-model'
/** RPID namespace (RFC 4480 §4). */
export const RPID_NS = 'urn:ietf:params:xml:ns:pidf:rpid'
/** Content type of a PIDF document. */
export const PIDF_CONTENT_TYPE = 'application/pidf+xml'

// What each state is published as: the variant Linphone (liblinphone 5.1), baresip and RFC 4480
// readers all map best, found by running them against the lab (README, "Presence on the wire").
// RFC 4480 has no do-not-disturb or be-right-back activity, and `<rpid:other>` must not carry
// them: liblinphone takes the first activity and reads `other` as "Moved". Do-not-disturb is
// busy with the basic status closed (RFC 3863: not accepting communication), which the Linphone
// apps read as do-not-disturb and baresip as busy; be-right-back is in-transit, liblinphone's own
// "be right back", which baresip reads as online.
const published: Record<OwnPresenceState, { basic: 'open' | 'closed'; activity?: string }> = {
  available: { basic: 'open' },
  busy: { basic: 'open', activity: 'busy' },
  'do-not-disturb': { basic: 'closed', activity: 'busy' },
  'be-right-back': { basic: 'open', activity: 'in-transit' },
  away: { basic: 'open', activity: 'away' },
  // Appear offline: closed, and nothing in the document that would say otherwise.
  offline: { basic: 'closed' }
}

const busyActivities = new Set([
  'busy',
  'on-the-phone',
  'meeting',
  'performance',
  'presentation',
  'playing',
  'worship'
])
const awayActivities = new Set([
  'away',
  'vacation',
  'holiday',
  'sleeping',
  'travel',
  'permanent-absence',
  'appointment',
  'looking-for-work',
  'shopping'
])
const brbActivities = new Set(['meal', 'breakfast', 'lunch', 'dinner', 'in-transit', 'steering'])

/** Builds the PIDF + RPID document we PUBLISH for our own presence. */
export function buildPidf(entity: string, state: OwnPresenceState, note?: string): string {
  const { basic, activity } = published[state]
  const noteXml = note ? `<note>${escapeXml(note)}</note>` : ''
  const dmNoteXml = note ? `<dm:note>${escapeXml(note)}</dm:note>` : ''
  const activityXml = activity ? `<rpid:activities><rpid:${activity}/></rpid:activities>` : ''
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    `<presence xmlns="${PIDF_NS}" xmlns:dm="${DM_NS}" xmlns:rpid="${RPID_NS}" entity="${escapeXml(entity)}">\r\n` +
    `<tuple id="t1"><status><basic>${basic}</basic></status>${noteXml}</tuple>\r\n` +
    `<dm:person id="p1">${activityXml}${dmNoteXml}</dm:person>\r\n` +
    '</presence>\r\n'
  )
}

function children(el: XmlElement, local: string, ns?: string): XmlElement[] {
  return el.children.filter((c) => c.local === local && (ns === undefined || c.ns === ns))
}

function descendants(el: XmlElement, local: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of el.children) {
    if (c.local === local) out.push(c)
    descendants(c, local, out)
  }
  return out
}

function firstNote(els: XmlElement[]): string | undefined {
  for (const el of els) {
    for (const n of el.children.filter((c) => c.local === 'note')) {
      const text = n.text.trim()
      if (text) return text.slice(0, 1000)
    }
  }
  return undefined
}

/**
 * Reads a presence document into our states, never throwing: an empty, malformed or foreign
 * document gives `unknown`.
 *
 * Namespace prefixes vary between servers and clients, so elements are matched by namespace URI
 * where it matters (the root) and by local name inside, which also accepts documents that put
 * RPID elements in the wrong namespace — common in the wild.
 */
export function parsePidf(body: string | undefined | null): Presence {
  if (!body || !body.trim()) return { state: 'unknown' }
  let root: XmlElement
  try {
    root = parseXml(body)
  } catch {
    return { state: 'unknown' }
  }
  if (root.local !== 'presence' || (root.ns !== PIDF_NS && root.ns !== '')) {
    return { state: 'unknown' }
  }
  const tuples = children(root, 'tuple')
  const persons = children(root, 'person')
  const basics = tuples
    .flatMap((t) => children(t, 'status'))
    .flatMap((s) => children(s, 'basic'))
    .map((b) => b.text.trim().toLowerCase())
  const open = basics.includes('open')
  const closed = !open && basics.includes('closed')
  const note = firstNote(persons) ?? firstNote(tuples) ?? firstNote([root]) ?? undefined
  const withNote = (state: PresenceState): Presence => (note ? { state, note } : { state })

  // Activities may sit under the person (RFC 4479) or, from older clients, under a tuple's status.
  const activities = descendants(root, 'activities').flatMap((a) => a.children)
  const names = new Set(activities.map((a) => a.local))
  const others = activities
    .filter((a) => a.local === 'other')
    .map((a) => a.text.trim().toLowerCase())
  const userInput = descendants(root, 'user-input').map((u) => u.text.trim().toLowerCase())

  // Closed with nothing going on is offline; closed while doing something is someone who does
  // not take communication now: do-not-disturb (Linphone's own is closed + away, ours closed +
  // busy; liblinphone's consolidated presence reads it so too).
  if (closed) return withNote(activities.length ? 'do-not-disturb' : 'offline')
  if (others.some((o) => /do[\s-]*not[\s-]*disturb|^dnd$/.test(o)))
    return withNote('do-not-disturb')
  if ([...names].some((n) => busyActivities.has(n))) return withNote('busy')
  if (others.some((o) => /be[\s-]*right[\s-]*back|^brb$/.test(o))) return withNote('be-right-back')
  if ([...names].some((n) => brbActivities.has(n))) return withNote('be-right-back')
  if ([...names].some((n) => awayActivities.has(n)) || userInput.includes('idle')) {
    return withNote('away')
  }
  if (open) return withNote('available')
  // No basic status at all: a person-only document with activities we don't know, or nothing.
  return withNote(names.size ? 'available' : 'unknown')
}
