import type { AppInfo } from '../../../../shared/types/app'
import { api } from '../api'
import { settle, type UiError } from './result'

/** Facts about the running core, loaded once at start. */
class AppState {
  info = $state.raw<AppInfo | null>(null)
  error = $state.raw<UiError | null>(null)
  loading = $state(false)

  async load(): Promise<void> {
    this.loading = true
    const info = await settle(
      () => api.app.getInfo(),
      (e) => (this.error = e)
    )
    this.loading = false
    if (info) {
      this.info = info
      this.error = null
    }
  }
}

/** The app state singleton. */
export const appState = new AppState()
