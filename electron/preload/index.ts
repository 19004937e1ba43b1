import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { buildApi, type Transport } from '../../shared/ipc/api'
import type { IpcResult } from '../../shared/ipc/result'

// The only file touching contextBridge/ipcRenderer. It exposes `window.api`, generated from the
// contract: one method per invoke channel and one onX per event, with IpcRendererEvent stripped.
// No ipcRenderer and no generic send ever reach the page.
const transport: Transport = {
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload) as Promise<IpcResult<unknown>>,
  subscribe(channel, listener) {
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload)
    ipcRenderer.on(channel, wrapped)
    return () => {
      ipcRenderer.removeListener(channel, wrapped)
    }
  }
}

contextBridge.exposeInMainWorld('api', buildApi(transport))
