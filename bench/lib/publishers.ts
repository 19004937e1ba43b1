import { RawSipClient } from '../../tests/lab/raw-sip'
import type { Lab, LabUser } from '../../tests/lab/lab'

/**
 * PUBLISHes `basic` for each user from a raw SIP client over plain TCP, at most `window` at a
 * time: connect, PUBLISH (answering the digest challenge: Kamailio checks From against the
 * credentials, so every user publishes for itself), close. Short-lived connections keep the
 * lab Kamailio's shared memory (64 MB) for the client under test. Returns how many failed.
 */
export async function publishAll(
  lab: Lab,
  users: LabUser[],
  basic: 'open' | 'closed',
  window = 100
): Promise<number> {
  let failures = 0
  let next = 0
  const one = async (u: LabUser) => {
    const c = new RawSipClient({
      port: lab.ports.tcp,
      transport: 'tcp',
      username: u.username,
      password: u.password,
      domain: lab.domain
    })
    c.on('socket-error', () => undefined)
    try {
      await c.connect()
      const r = await c.publish(basic, '', 600)
      if (r.status !== 200) failures++
    } catch {
      failures++
    } finally {
      c.close()
    }
  }
  const worker = async () => {
    while (next < users.length) await one(users[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(window, users.length) }, worker))
  return failures
}
