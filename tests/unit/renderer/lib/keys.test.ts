import { describe, expect, it } from 'vitest'
import { movedIndex } from '../../../../renderer/src/lib/keys'

describe('movedIndex', () => {
  const vertical = { orientation: 'vertical', wrap: false } as const
  it('steps with the arrows of its orientation and jumps with Home and End', () => {
    expect(movedIndex('ArrowDown', 1, 4, vertical)).toBe(2)
    expect(movedIndex('ArrowUp', 1, 4, vertical)).toBe(0)
    expect(movedIndex('Home', 2, 4, vertical)).toBe(0)
    expect(movedIndex('End', 0, 4, vertical)).toBe(3)
    expect(movedIndex('ArrowRight', 1, 4, vertical)).toBeNull()
    expect(movedIndex('a', 1, 4, vertical)).toBeNull()
    const horizontal = { orientation: 'horizontal', wrap: false } as const
    expect(movedIndex('ArrowRight', 1, 4, horizontal)).toBe(2)
    expect(movedIndex('ArrowDown', 1, 4, horizontal)).toBeNull()
  })

  it('stops at the ends, or comes round when the list wraps', () => {
    expect(movedIndex('ArrowDown', 3, 4, vertical)).toBe(3)
    expect(movedIndex('ArrowUp', 0, 4, vertical)).toBe(0)
    const wrapping = { orientation: 'vertical', wrap: true } as const
    expect(movedIndex('ArrowDown', 3, 4, wrapping)).toBe(0)
    expect(movedIndex('ArrowUp', 0, 4, wrapping)).toBe(3)
  })
})
