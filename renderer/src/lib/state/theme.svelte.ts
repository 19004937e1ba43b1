/** The user's theme choice; `system` follows prefers-color-scheme. */
export type ThemeChoice = 'system' | 'light' | 'dark'

const storageKey = 'trustline.theme'

function readStored(): ThemeChoice {
  try {
    const v = localStorage.getItem(storageKey)
    return v === 'light' || v === 'dark' ? v : 'system'
  } catch {
    return 'system'
  }
}

/** Light/dark theme: a choice persisted in localStorage, applied as `data-theme` on `<html>`. */
class ThemeStore {
  choice = $state<ThemeChoice>(readStored())

  constructor() {
    this.#apply()
  }

  set(choice: ThemeChoice): void {
    this.choice = choice
    try {
      localStorage.setItem(storageKey, choice)
    } catch {
      // No storage: the choice lasts for this session.
    }
    this.#apply()
  }

  #apply(): void {
    if (typeof document === 'undefined') return
    // No attribute = follow the system (the stylesheet's prefers-color-scheme query decides).
    if (this.choice === 'system') delete document.documentElement.dataset['theme']
    else document.documentElement.dataset['theme'] = this.choice
  }
}

/** The theme singleton. */
export const theme = new ThemeStore()
