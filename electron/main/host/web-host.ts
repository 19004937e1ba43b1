import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
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

/** The decoded path of a request target, or null when it is not a valid one (`//[`, `/%`). */
function requestPath(target: string | undefined, origin: string): string | null {
  try {
    return decodeURIComponent(new URL(target ?? '/', origin).pathname)
  } catch {
    return null
  }
}

/** An answer written straight to a socket that is not (or no longer) an HTTP response. */
function refuse(socket: Duplex, status: string): void {
  if (socket.writable)
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  else socket.destroy()
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
 *
 * Anything a page on another localhost port or a local process can send without the token gets
 * a status and never an exception: a malformed request target or header 400 (oversized headers
 * 431), a WebSocket frame over 1 MiB close 1009, invalid UTF-8 1007, an unmasked frame 1002.
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
    serveStatic(req, res).catch((error: unknown) => {
      log(`answering ${req.method ?? '?'} failed: ${String(error)}`)
      if (res.headersSent) res.destroy()
      else res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal error')
    })
  })
  // What Node's parser rejects before there is a request: garbage, bad header lines, headers
  // over its limit.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET') return socket.destroy()
    log(`refused a malformed request (${error.code ?? error.message})`)
    refuse(
      socket,
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : '400 Bad Request'
    )
  })
  server.on('error', (error) => log(`server error: ${error.message}`))
  wss.on('error', (error) => log(`WebSocket server error: ${error.message}`))

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostHeaders.has(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request')
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end()
      return
    }
    const pathname = requestPath(req.url, origin)
    if (pathname === null) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad request')
      return
    }
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

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the socket over as it is: its errors are ours to handle from here.
    socket.on('error', (error) => log(`upgrade socket: ${error.message}`))
    const path = requestPath(req.url, origin)
    if (path === null) {
      refuse(socket, '400 Bad Request')
      return
    }
    const badOrigin = req.headers.origin !== origin
    if (path !== '/ipc' || !hostHeaders.has(req.headers.host ?? '') || badOrigin) {
      log(
        `refused WebSocket from origin ${String(req.headers.origin)} host ${String(req.headers.host)}`
      )
      refuse(socket, '403 Forbidden')
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
    // Events wait for the end of the current turn of the event loop and go as one frame: one
    // socket write, and one message for the page to handle, per turn instead of per event.
    let events: { channel: string; payload: unknown }[] = []
    const flushEvents = () => {
      if (events.length === 0) return
      const frame: ServerFrame = { type: 'events', events }
      events = []
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame))
    }
    const send = (frame: ServerFrame) => {
      // Whatever was emitted before this frame goes before it, as it would unbatched.
      flushEvents()
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame))
    }
    const helloTimer = setTimeout(() => {
      send({ type: 'error', error: { code: 'unauthorized', message: 'No token was presented.' } })
      ws.close(CLOSE_UNAUTHORIZED, 'token required')
    }, HELLO_TIMEOUT_MS)
    sockets.add(ws)
    // A protocol error (frame over the cap, invalid UTF-8, unmasked frame): ws closes the socket
    // with the matching code (1009, 1007, 1002) after this; without a listener it would throw.
    ws.on('error', (error) => log(`WebSocket closed: ${error.message}`))
    ws.on('close', () => {
      events = []
      clearTimeout(helloTimer)
      unsubscribe?.()
      interest.forget(ws)
      sockets.delete(ws)
    })
    ws.on('message', (data, isBinary) => {
      onFrame(data, isBinary).catch((error: unknown) => {
        log(`handling a frame failed: ${String(error)}`)
        ws.close(1011, 'internal error')
      })
    })

    async function onFrame(data: RawData, isBinary: boolean): Promise<void> {
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
          if (!interest.wants(ws, channel)) return
          events.push({ channel, payload })
          if (events.length === 1) setImmediate(flushEvents)
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
    }
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
