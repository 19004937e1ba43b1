import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { EventInterest, interestSchema } from '../../../shared/ipc/interest'
import { fail } from '../../../shared/ipc/result'
import { CLOSE_UNAUTHORIZED, clientFrameSchema, type ServerFrame } from '../../../shared/ipc/wire'
import type { Dispatcher, EventBus } from '../ipc/dispatch'
import { describeIssues } from '../ipc/dispatch'

/** Largest frame the host accepts from the page. */
const MAX_FRAME_BYTES = 1024 * 1024
/** How long a socket may stay open without presenting the token. */
const HELLO_TIMEOUT_MS = 5_000

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon'
}

/** Options for the browser host. */
export interface WebHostOptions {
  dispatcher: Dispatcher
  events: EventBus
  /** The built renderer (out/renderer). */
  rendererDir: string
  /** 0 picks a free port. */
  port?: number
  /** Fixed token for tests; a random one is made otherwise. */
  token?: string
  log?: (message: string) => void
}

/** A running browser host. */
export interface WebHost {
  url: string
  origin: string
  port: number
  token: string
  close(): Promise<void>
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * Rewrites the renderer's CSP for this host: identical to the Electron one except that the page
 * may open exactly one WebSocket, to this host's own loopback origin.
 */
export function cspForHost(html: string, port: number): string {
  return html.replace(/connect-src 'none'/, `connect-src ws://127.0.0.1:${port}`)
}

/**
 * Serves the built renderer and the IPC contract over a loopback WebSocket. Bound to 127.0.0.1
 * only; the Host and Origin headers must name that exact origin (against DNS rebinding), and every
 * socket must present the per-run token before any invoke is run.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const log = options.log ?? (() => undefined)
  const token = options.token ?? randomBytes(24).toString('base64url')
  const server: Server = createServer()
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('browser host: no port')
  const port = address.port
  const origin = `http://127.0.0.1:${port}`
  const hostHeaders = new Set([`127.0.0.1:${port}`, `localhost:${port}`])

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void serveStatic(req, res)
  })

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostHeaders.has(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request')
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    const pathname = decodeURIComponent(new URL(req.url ?? '/', origin).pathname)
    const relative = pathname === '/' ? 'index.html' : pathname.slice(1)
    const file = normalize(join(options.rendererDir, relative))
    if (!file.startsWith(normalize(options.rendererDir) + sep)) {
      res.writeHead(403).end()
      return
    }
    try {
      let body: Buffer | string = await readFile(file)
      if (extname(file) === '.html') body = cspForHost(body.toString('utf8'), port)
      res.writeHead(200, {
        'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'x-frame-options': 'DENY'
      })
      res.end(req.method === 'HEAD' ? undefined : body)
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
    }
  }

  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', origin).pathname
    const badOrigin = req.headers.origin !== origin
    if (path !== '/ipc' || !hostHeaders.has(req.headers.host ?? '') || badOrigin) {
      log(
        `refused WebSocket from origin ${String(req.headers.origin)} host ${String(req.headers.host)}`
      )
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws))
  })

  const sockets = new Set<WebSocket>()
  // The event channels each page listens to: only those are sent (see shared/ipc/interest).
  const interest = new EventInterest<WebSocket>()

  function accept(ws: WebSocket): void {
    let authorized = false
    let unsubscribe: (() => void) | undefined
    const send = (frame: ServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame))
    }
    const helloTimer = setTimeout(() => {
      send({ type: 'error', error: { code: 'unauthorized', message: 'No token was presented.' } })
      ws.close(CLOSE_UNAUTHORIZED, 'token required')
    }, HELLO_TIMEOUT_MS)
    sockets.add(ws)
    ws.on('close', () => {
      clearTimeout(helloTimer)
      unsubscribe?.()
      interest.forget(ws)
      sockets.delete(ws)
    })
    ws.on('message', (data, isBinary) => {
      void (async () => {
        let raw: unknown
        try {
          raw = isBinary || !Buffer.isBuffer(data) ? undefined : JSON.parse(data.toString('utf8'))
        } catch {
          raw = undefined
        }
        const frame = clientFrameSchema.safeParse(raw)
        if (!frame.success) {
          send({
            type: 'error',
            error: {
              code: 'bad-request',
              message:
                raw === undefined
                  ? 'The frame is not JSON text.'
                  : `The frame is not understood: ${describeIssues(frame.error)}`
            }
          })
          return
        }
        const message = frame.data
        if (message.type === 'hello') {
          if (!sameSecret(message.token, token)) {
            send({
              type: 'error',
              error: {
                code: 'unauthorized',
                message: 'The token is wrong. Open the exact URL the browser host printed.'
              }
            })
            ws.close(CLOSE_UNAUTHORIZED, 'wrong token')
            return
          }
          authorized = true
          clearTimeout(helloTimer)
          unsubscribe = options.events.subscribe((channel, payload) => {
            if (interest.wants(ws, channel)) send({ type: 'event', channel, payload })
          })
          send({ type: 'welcome' })
          return
        }
        if (message.type === 'listen') {
          const change = interestSchema.safeParse(message)
          if (!authorized || !change.success) {
            send({
              type: 'error',
              error: authorized
                ? { code: 'bad-request', message: `No event channel "${message.channel}".` }
                : { code: 'unauthorized', message: 'Present the token before listening.' }
            })
            return
          }
          interest.set(ws, change.data)
          return
        }
        if (!authorized) {
          send({
            type: 'result',
            id: message.id,
            result: fail('unauthorized', 'Present the token before calling the core.')
          })
          return
        }
        const result = await options.dispatcher.invoke(message.channel, message.payload)
        send({ type: 'result', id: message.id, result })
      })()
    })
  }

  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    async close() {
      for (const ws of sockets) ws.terminate()
      wss.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
