import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { statusColours, statusIconPng } from '../../../../electron/main/shell/status-icon'

/** Minimal PNG reader for the test: chunks with CRC check, then the raw RGBA rows. */
function readPng(png: Buffer) {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  const chunks = new Map<string, Buffer>()
  let at = 8
  while (at < png.length) {
    const length = png.readUInt32BE(at)
    const type = png.toString('ascii', at + 4, at + 8)
    chunks.set(type, png.subarray(at + 8, at + 8 + length))
    at += 12 + length
  }
  const ihdr = chunks.get('IHDR')!
  const size = ihdr.readUInt32BE(0)
  const raw = inflateSync(chunks.get('IDAT')!)
  const pixel = (x: number, y: number) => [
    ...raw.subarray(y * (size * 4 + 1) + 1 + x * 4).subarray(0, 4)
  ]
  return { size, pixel, types: [...chunks.keys()] }
}

describe('statusIconPng', () => {
  it('draws an RGBA dot in the presence colour with transparent corners', () => {
    const { size, pixel, types } = readPng(statusIconPng(statusColours.busy, false, 32))
    expect(size).toBe(32)
    expect(types).toEqual(['IHDR', 'IDAT', 'IEND'])
    expect(pixel(16, 16)).toEqual([...statusColours.busy, 255])
    expect(pixel(0, 0)[3]).toBe(0)
  })

  it('adds a red ring when the connection is not trusted', () => {
    const { pixel } = readPng(statusIconPng(statusColours.available, true, 32))
    expect(pixel(16, 16)).toEqual([...statusColours.available, 255])
    expect(pixel(16, 1)).toEqual([0xe0, 0, 0, 255])
  })
})
