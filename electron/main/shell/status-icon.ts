import { deflateSync } from 'node:zlib'

/** RGB colours of the tray dot: the Skype for Business presence set, grey when not signed in. */
export const statusColours = {
  available: [0x5d, 0xb6, 0x2a],
  busy: [0xd8, 0x3b, 0x01],
  'do-not-disturb': [0x8f, 0x14, 0x14],
  away: [0xf2, 0xb6, 0x0c],
  'be-right-back': [0xf2, 0xb6, 0x0c],
  offline: [0x8a, 0x8a, 0x8a],
  unknown: [0x8a, 0x8a, 0x8a]
} as const satisfies Record<string, readonly [number, number, number]>

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(data: Buffer): number {
  let c = 0xffffffff
  for (const byte of data) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/**
 * A size×size RGBA PNG: a filled dot in `rgb`, with a red ring when the connection is not
 * trusted, so the tray says both "what is my status" and "is this safe" at a glance.
 */
export function statusIconPng(
  rgb: readonly [number, number, number],
  untrusted: boolean,
  size = 32
): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1))
  const centre = (size - 1) / 2
  const radius = size / 2 - 1
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1)
    raw[row] = 0 // filter: none
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - centre, y - centre)
      const i = row + 1 + x * 4
      const ring = untrusted && d > radius - size / 8 && d <= radius
      const inside = d <= radius
      const colour = ring ? [0xe0, 0x00, 0x00] : rgb
      raw[i] = colour[0]!
      raw[i + 1] = colour[1]!
      raw[i + 2] = colour[2]!
      raw[i + 3] = inside ? 255 : 0
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0))
  ])
}
