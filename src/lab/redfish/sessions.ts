import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { errors } from './errors.js'

export interface Session {
  id: string
  token: string
  userName: string
  createdAt: Date
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * The BMC's one account and its Redfish sessions (DSP0266 §13.3.4): POST to the Sessions
 * collection with UserName/Password yields an X-Auth-Token; DELETE of the session logs out.
 * HTTP Basic with the same account is accepted on every request as well.
 */
export class SessionStore {
  readonly #username: string
  readonly #password: string
  readonly #sessions = new Map<string, Session>()

  constructor(username: string, password: string) {
    this.#username = username
    this.#password = password
  }

  checkCredentials(userName: unknown, password: unknown): boolean {
    return (
      typeof userName === 'string' &&
      typeof password === 'string' &&
      same(userName, this.#username) &&
      same(password, this.#password)
    )
  }

  create(userName: unknown, password: unknown): Session {
    if (!this.checkCredentials(userName, password)) throw errors.loginFailed()
    const session: Session = {
      id: randomUUID().replaceAll('-', '').slice(0, 16),
      token: randomBytes(24).toString('hex'),
      userName: userName as string,
      createdAt: new Date(),
    }
    this.#sessions.set(session.id, session)
    return session
  }

  get(id: string): Session | undefined {
    return this.#sessions.get(id)
  }

  list(): Session[] {
    return [...this.#sessions.values()]
  }

  delete(id: string): boolean {
    return this.#sessions.delete(id)
  }

  /** The session (or 'basic') that authenticates these headers; throws a 401 otherwise. */
  authenticate(headers: IncomingHttpHeaders): Session | 'basic' {
    const token = headers['x-auth-token']
    if (typeof token === 'string' && token.length > 0) {
      for (const s of this.#sessions.values()) if (same(s.token, token)) return s
      throw errors.noValidSession()
    }
    const auth = headers.authorization
    if (typeof auth === 'string' && /^basic /i.test(auth)) {
      const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon >= 0 && this.checkCredentials(decoded.slice(0, colon), decoded.slice(colon + 1))) return 'basic'
    }
    throw errors.noValidSession()
  }
}
