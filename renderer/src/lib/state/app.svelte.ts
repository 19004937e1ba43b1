import type { AppInfo } from '../../../../shared/types/app'
import { api } from '../api'

/** Facts about the running core, loaded once at start. */
class AppState {
  info = $state.raw<AppInfo | null>(null)
  error = $state.raw<string | null>(null)
  loading = $state(false)

  async load(): Promise<void> {
    this.loading = true
    const result = await api.app.getInfo()
    this.loading = false
    if (result.ok) {
      this.info = result.value
      this.error = null
    } else {
      this.error = result.error.message
    }
  }
}

/** The app state singleton. */
export const appState = new AppState()
