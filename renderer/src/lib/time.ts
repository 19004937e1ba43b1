// The app's one way of showing a point in time: local time in the UI's language, with the exact
// UTC value (ISO 8601) on hover, and "in 3 months" / "5 years ago" where the distance matters.

const formats = new Map<string, Intl.DateTimeFormat>()

function format(language: string, key: string, options: Intl.DateTimeFormatOptions) {
  const id = `${language}|${key}`
  let f = formats.get(id)
  if (!f) {
    f = new Intl.DateTimeFormat(language, options)
    formats.set(id, f)
  }
  return f
}

/** How a time is shown: date and time (the default), time of day only, or to the millisecond. */
export type TimeStyle = 'datetime' | 'time' | 'precise'

function parse(iso: string): Date | null {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? null : date
}

/** Local date and time ('28 Nov 2026, 13:00'); a value that is not a time comes back as is. */
export function formatTime(iso: string, language: string, style: TimeStyle = 'datetime'): string {
  const date = parse(iso)
  if (!date) return iso
  switch (style) {
    case 'time':
      return format(language, style, { timeStyle: 'short' }).format(date)
    case 'precise':
      return format(language, style, {
        hourCycle: 'h23',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        fractionalSecondDigits: 3
      }).format(date)
    default:
      return format(language, style, { dateStyle: 'medium', timeStyle: 'short' }).format(date)
  }
}

/** The exact value in UTC, ISO 8601 without milliseconds ('2026-11-28T12:00:00Z'), for hover. */
export function utcText(iso: string): string {
  const date = parse(iso)
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : iso
}

const minute = 60_000
const hour = 60 * minute
const day = 24 * hour

/**
 * The distance from `now` in the largest whole unit ('in 3 months', '5 years ago'): whole units,
 * never rounded up, so 2,164 days ago is "5 years ago".
 */
export function relativeTime(iso: string, now: number, language: string): string {
  const date = parse(iso)
  if (!date) return iso
  const diff = date.getTime() - now
  const abs = Math.abs(diff)
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] =
    abs >= 365 * day
      ? [abs / (365 * day), 'year']
      : abs >= 30 * day
        ? [abs / (30 * day), 'month']
        : abs >= day
          ? [abs / day, 'day']
          : abs >= hour
            ? [abs / hour, 'hour']
            : abs >= minute
              ? [abs / minute, 'minute']
              : [abs / 1000, 'second']
  const whole = Math.floor(value) * Math.sign(diff)
  return new Intl.RelativeTimeFormat(language, { numeric: 'always' }).format(whole, unit)
}
