// A TCP relay for fault tests: listens on 127.0.0.1 and forwards every connection byte for byte
// to a target port (TLS passes through end to end, so the client still checks the server's own
// certificate). `blackHole()` makes the connections open at that moment silently dead: bytes in
// either direction are dropped and neither side gets a FIN or RST, as when a NAT binding or a
// Wi-Fi network vanishes. Connections made afterwards are relayed normally.
import net from 'node:net'

/** One relayed connection. */
interface Pair {
  client: net.Socket
  server: net.Socket
  dead: boolean
}

export interface Relay {
  /** The port to connect to instead of the target. */
  port: number
  /** How many connections the relay has accepted so far. */
  readonly accepted: number
  /** Stops forwarding on every connection open now, without closing any of them. */
  blackHole(): void
  /** Closes the listener and every connection. */
  close(): Promise<void>
}

/** Starts a relay from a free loopback port to `targetPort` on 127.0.0.1. */
export async function startRelay(targetPort: number): Promise<Relay> {
  const pairs = new Set<Pair>()
  let accepted = 0
  const server = net.createServer((client) => {
    accepted++
    const upstream = net.connect(targetPort, '127.0.0.1')
    const pair: Pair = { client, server: upstream, dead: false }
    pairs.add(pair)
    const forward = (from: net.Socket, to: net.Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (!pair.dead && !to.destroyed) to.write(chunk)
      })
      from.on('end', () => {
        if (!pair.dead) to.end()
      })
      from.on('error', () => undefined)
      from.on('close', () => {
        if (!pair.dead) to.destroy()
        pairs.delete(pair)
      })
    }
    forward(client, upstream)
    forward(upstream, client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    get accepted() {
      return accepted
    },
    blackHole() {
      for (const pair of pairs) pair.dead = true
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy()
        pair.server.destroy()
      }
      pairs.clear()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
