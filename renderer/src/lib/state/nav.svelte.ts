/** The screens reachable from the navigation bar. */
export type View = 'home' | 'connection' | 'helpdesk' | 'settings' | 'about'

/** Which screen is shown. */
class NavStore {
  view = $state<View>('home')

  go(view: View): void {
    this.view = view
  }
}

/** The navigation singleton. */
export const nav = new NavStore()
