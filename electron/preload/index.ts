import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { buildApi, type Transport } from '../../shared/ipc/api'
import type { EventName } from '../../shared/ipc/contract'
import { EVENT_INTEREST_CHANNEL, ListenerRegistry } from '../../shared/ipc/interest'
import type { IpcResult } from '../../shared/ipc/result'

// The only file touching contextBridge/ipcRenderer. It exposes `window.api`, generated from the
// contract: one method per invoke channel and one onX per event, with IpcRendererEvent stripped.
// No ipcRenderer and no generic send ever reach the page.
// Main sends a window only the event channels its page listens to: the registry reports a
// channel's first listener and its last one leaving.
const listeners = new ListenerRegistry((interest) =>
  ipcRenderer.send(EVENT_INTEREST_CHANNEL, interest)
)
// A new page in this window (a reload): it listens to nothing yet.
ipcRenderer.send(EVENT_INTEREST_CHANNEL, { reset: true })
const delivering = new Set<EventName>()
const transport: Transport = {
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload) as Promise<IpcResult<unknown>>,
  subscribe(channel, listener) {
    if (!delivering.has(channel)) {
      delivering.add(channel)
      ipcRenderer.on(channel, (_event: IpcRendererEvent, payload: unknown) =>
        listeners.emit(channel, payload)
      )
    }
    return listeners.add(channel, listener)
  }
}

contextBridge.exposeInMainWorld('api', buildApi(transport))
