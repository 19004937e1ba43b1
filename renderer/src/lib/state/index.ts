export { appState } from './app.svelte'
