// Draws the TrustLine icon (a white check mark on a blue rounded square) and writes every size
// electron-builder wants into build/: icons/NxN.png (Linux), icon.png, icon.ico (Windows, PNG
// entries, Vista+) and icon.icns (macOS, PNG entries, 10.7+). Plain Node, no image tools:
// `node scripts/dist-icons.mjs` regenerates them; the results are committed.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'

const buildDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'build')

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'ascii')
  data.copy(out, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}
/** RGBA pixels → PNG (8-bit RGBA, filter 0 per row). */
function png(size, rgba) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8
  ihdr[9] = 6
  const raw = Buffer.alloc((size * 4 + 1) * size)
  for (let y = 0; y < size; y++)
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0))
  ])
}

function roundedRectDistance(x, y, half, radius) {
  const qx = Math.abs(x) - half + radius
  const qy = Math.abs(y) - half + radius
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius
}
function segmentDistance(px, py, ax, ay, bx, by) {
  const t = Math.max(
    0,
    Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2))
  )
  return Math.hypot(px - ax - t * (bx - ax), py - ay - t * (by - ay))
}

/** Renders the icon at `size` px with signed-distance anti-aliasing (coordinates in -1..1). */
function render(size) {
  const rgba = Buffer.alloc(size * size * 4)
  const px = 2 / size
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const x = (i + 0.5) * px - 1
      const y = (j + 0.5) * px - 1
      const bg = Math.min(1, Math.max(0, 0.5 - roundedRectDistance(x, y, 0.94, 0.4) / px))
      const check = Math.min(
        segmentDistance(x, y, -0.46, 0.02, -0.14, 0.34),
        segmentDistance(x, y, -0.14, 0.34, 0.5, -0.32)
      )
      const mark = Math.min(1, Math.max(0, 0.5 - (check - 0.11) / px))
      const t = (y + 1) / 2
      const r = 31 + (11 - 31) * t
      const g = 111 + (61 - 111) * t
      const b = 235 + (145 - 235) * t
      const o = (j * size + i) * 4
      rgba[o] = Math.round(r + (255 - r) * mark)
      rgba[o + 1] = Math.round(g + (255 - g) * mark)
      rgba[o + 2] = Math.round(b + (255 - b) * mark)
      rgba[o + 3] = Math.round(255 * bg)
    }
  }
  return png(size, rgba)
}

function ico(entries) {
  const header = Buffer.alloc(6 + 16 * entries.length)
  header.writeUInt16LE(1, 2)
  header.writeUInt16LE(entries.length, 4)
  let offset = header.length
  entries.forEach(([size, data], n) => {
    const e = 6 + 16 * n
    header[e] = size >= 256 ? 0 : size
    header[e + 1] = size >= 256 ? 0 : size
    header.writeUInt16LE(1, e + 4)
    header.writeUInt16LE(32, e + 6)
    header.writeUInt32LE(data.length, e + 8)
    header.writeUInt32LE(offset, e + 12)
    offset += data.length
  })
  return Buffer.concat([header, ...entries.map(([, data]) => data)])
}

function icns(entries) {
  const parts = entries.map(([type, data]) => {
    const head = Buffer.alloc(8)
    head.write(type, 0, 'ascii')
    head.writeUInt32BE(data.length + 8, 4)
    return Buffer.concat([head, data])
  })
  const head = Buffer.alloc(8)
  head.write('icns', 0, 'ascii')
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 4)
  return Buffer.concat([head, ...parts])
}

const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024]
const pngs = new Map(sizes.map((s) => [s, render(s)]))
mkdirSync(join(buildDir, 'icons'), { recursive: true })
for (const s of [16, 24, 32, 48, 64, 128, 256, 512]) {
  writeFileSync(join(buildDir, 'icons', `${s}x${s}.png`), pngs.get(s))
}
writeFileSync(join(buildDir, 'icon.png'), pngs.get(1024))
writeFileSync(
  join(buildDir, 'icon.ico'),
  ico([16, 24, 32, 48, 64, 128, 256].map((s) => [s, pngs.get(s)]))
)
writeFileSync(
  join(buildDir, 'icon.icns'),
  icns([
    ['icp4', pngs.get(16)],
    ['icp5', pngs.get(32)],
    ['icp6', pngs.get(64)],
    ['ic07', pngs.get(128)],
    ['ic08', pngs.get(256)],
    ['ic09', pngs.get(512)],
    ['ic10', pngs.get(1024)],
    ['ic11', pngs.get(32)],
    ['ic12', pngs.get(64)],
    ['ic13', pngs.get(256)],
    ['ic14', pngs.get(512)]
  ])
)
console.log(`icons written to ${buildDir}`)
