// Arrow-key movement in a list whose items share one Tab stop (WAI-ARIA APG, "roving tabindex"):
// the tabs of the certificate viewer, the status menu, the conversation list.

/** How a list is laid out, and whether moving past an end comes round to the other. */
export interface Movement {
  orientation: 'vertical' | 'horizontal'
  wrap: boolean
}

/**
 * The index the key moves to in a list of `count` items from `index`: the arrows of the list's
 * orientation step, Home and End jump; null for any other key.
 */
export function movedIndex(
  key: string,
  index: number,
  count: number,
  { orientation, wrap }: Movement
): number | null {
  const last = count - 1
  const [back, forward] =
    orientation === 'vertical' ? ['ArrowUp', 'ArrowDown'] : ['ArrowLeft', 'ArrowRight']
  switch (key) {
    case forward:
      return index < last ? index + 1 : wrap ? 0 : last
    case back:
      return index > 0 ? index - 1 : wrap ? last : 0
    case 'Home':
      return 0
    case 'End':
      return last
    default:
      return null
  }
}
