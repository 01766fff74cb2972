/**
 * One console-to-BMC connection: a UDP transport, the RMCP+ session on it (established lazily,
 * re-established when lost), per-BMC serialisation with a minimum command interval, and a
 * keepalive. IpmiSessionPool shares connections between clients by host:port:user.
 */
import { createHash } from 'node:crypto'
import { UdpTransport, abortError, sleep } from './transport.js'
import type { RetryPolicy } from './transport.js'
import { IpmiSession, RakpHandshake } from './session.js'
import type { CipherSuite } from './crypto.js'
import { decodeRequest, decodeResponse, decodeSessionPacket, encodeRequest, encodeV15 } from './codec.js'
import { decodeRmcp, encodeRmcp } from './rmcp.js'
import { decodeChannelAuthCaps, encodeChannelAuthCapsRequest } from './commands.js'
import { Address, AppCmd, NetFn, RmcpClass } from './messages.js'
import type { IpmiResponse } from './messages.js'
import { IpmiAuthError, IpmiClosedError, IpmiCompletionCodeError, IpmiSessionError, IpmiTimeoutError } from './errors.js'

/** Everything a connection needs; frozen by the client. */
export interface ConnectionConfig {
  host: string
  port: number
  username: string
  password: string
  suite: CipherSuite
  privilege: number
  kg: Buffer | null
  retry: RetryPolicy
  /** Minimum time between the end of one command and the start of the next (ms). */
  minCommandIntervalMs: number
  /** Send a Get Device ID after this much idle time to keep the session alive (ms; 0 = never). */
  keepaliveMs: number
}

/**
 * A BMC connection. All public methods are safe to call concurrently: `run` queues callers in
 * FIFO order and a queued caller whose signal fires leaves the queue at once.
 */
export class BmcConnection {
  readonly config: Readonly<ConnectionConfig>
  readonly fingerprint: string
  #transport: UdpTransport | null = null
  #session: IpmiSession | null = null
  #busy = false
  readonly #waiters: (() => void)[] = []
  #lastCommandEnd = 0
  #keepalive: NodeJS.Timeout | null = null
  #closed = false

  constructor(config: ConnectionConfig) {
    this.config = Object.freeze({ ...config })
    this.fingerprint = credentialFingerprint(config)
  }

  /** True while an RMCP+ session is established (tests, status). */
  get hasSession(): boolean {
    return this.#session !== null
  }

  get closed(): boolean {
    return this.#closed
  }

  /**
   * Runs `fn` with exclusive use of this BMC. Rejects with IpmiClosedError after close(), or the
   * signal's error (IpmiTimeoutError / IpmiAbortedError) if it fires while waiting.
   */
  async run<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    await this.#acquire(signal)
    try {
      if (this.#closed) throw new IpmiClosedError('IPMI connection closed')
      return await fn()
    } finally {
      this.#release()
    }
  }

  /**
   * Sends one request in the session (logging in first if needed) and returns the response,
   * whatever its completion code. Call inside run(). If a reused session stops answering, it is
   * dropped and the command is retried once in a fresh session. Throws IpmiTimeoutError,
   * IpmiAuthError, IpmiSessionError, IpmiAbortedError.
   */
  async command(netFn: number, cmd: number, data: Buffer, signal: AbortSignal): Promise<IpmiResponse> {
    const reused = this.#session !== null
    try {
      return await this.#commandOnce(netFn, cmd, data, signal)
    } catch (e) {
      if (!(e instanceof IpmiTimeoutError) || !reused || signal.aborted) throw e
      this.#session = null // the BMC may have restarted or expired us: log in again
      return await this.#commandOnce(netFn, cmd, data, signal)
    }
  }

  async #commandOnce(netFn: number, cmd: number, data: Buffer, signal: AbortSignal): Promise<IpmiResponse> {
    const session = await this.#ensureSession(signal)
    await sleep(this.#lastCommandEnd + this.config.minCommandIntervalMs - Date.now(), signal)
    const first = session.seal(netFn, cmd, data)
    let sent = 0
    // Retransmissions keep the rqSeq but take a new session sequence number.
    const build = () => (sent++ === 0 ? first.datagram : session.seal(netFn, cmd, data, first.rqSeq).datagram)
    try {
      return await this.#transport!.exchange(build, (d) => session.open(d, first), this.config.retry, signal)
    } catch (e) {
      if (e instanceof IpmiTimeoutError && this.#session === session) this.#session = null
      throw e
    } finally {
      this.#lastCommandEnd = Date.now()
    }
  }

  async #ensureSession(signal: AbortSignal): Promise<IpmiSession> {
    if (this.#closed) throw new IpmiClosedError('IPMI connection closed')
    if (this.#session) return this.#session
    this.#transport ??= await UdpTransport.open(this.config.host, this.config.port)
    await this.#checkChannel(signal)
    const hs = new RakpHandshake({ suite: this.config.suite, username: this.config.username, password: this.config.password, privilege: this.config.privilege, kg: this.config.kg })
    let out: Buffer = hs.start()
    let session: IpmiSession | null = null
    while (!session) {
      const next = await this.#transport.exchange(() => out, (d) => hs.receive(d), this.config.retry, signal)
      if (next instanceof IpmiSession) session = next
      else out = next
    }
    // §22.18: the session starts at User; raise it to what the caller asked for.
    const first = session.seal(NetFn.App, AppCmd.SetSessionPrivilegeLevel, Buffer.from([this.config.privilege]))
    const res = await this.#transport.exchange(() => first.datagram, (d) => session.open(d, first), this.config.retry, signal)
    if (res.completionCode !== 0) {
      const err = new IpmiCompletionCodeError(NetFn.App, AppCmd.SetSessionPrivilegeLevel, res.completionCode)
      throw new IpmiAuthError(`BMC refused privilege level ${this.config.privilege} for user ${this.config.username}`, { cause: err })
    }
    session.privilege = this.config.privilege
    this.#session = session
    this.#lastCommandEnd = Date.now()
    this.#armKeepalive()
    return session
  }

  /** Get Channel Authentication Capabilities (§22.13), session-less v1.5 format, as ipmitool does. */
  async #checkChannel(signal: AbortSignal): Promise<void> {
    const msg = encodeRequest({
      rsAddr: Address.Bmc, netFn: NetFn.App, rsLun: 0, rqAddr: Address.RemoteConsole, rqSeq: 0, rqLun: 0,
      cmd: AppCmd.GetChannelAuthCapabilities, data: encodeChannelAuthCapsRequest({ channel: 0x0e, extended: true, privilege: this.config.privilege }),
    })
    const datagram = encodeRmcp(RmcpClass.Ipmi, encodeV15({ authType: 0, sequence: 0, sessionId: 0, message: msg }))
    const res = await this.#transport!.exchange(() => datagram, matchSessionless(msg), this.config.retry, signal)
    if (res.completionCode !== 0) throw new IpmiCompletionCodeError(NetFn.App, AppCmd.GetChannelAuthCapabilities, res.completionCode)
    const caps = decodeChannelAuthCaps(res.data)
    if (!caps.extendedCapabilities || !caps.supportsV20) throw new IpmiSessionError(`BMC ${this.config.host}:${this.config.port} does not support IPMI v2.0 / RMCP+`)
  }

  #armKeepalive(): void {
    if (this.#keepalive || this.config.keepaliveMs <= 0) return
    const every = this.config.keepaliveMs
    this.#keepalive = setInterval(() => {
      if (this.#busy || !this.#session || Date.now() - this.#lastCommandEnd < every) return
      const signal = AbortSignal.timeout(Math.max(every, 5000))
      this.run(signal, async () => {
        if (!this.#session) return
        const res = await this.#commandOnce(NetFn.App, AppCmd.GetDeviceId, Buffer.alloc(0), signal)
        if (res.completionCode !== 0) this.#session = null
      }).catch(() => {
        this.#session = null // the next call logs in again
      })
    }, Math.max(10, Math.floor(every / 2)))
    this.#keepalive.unref()
  }

  /**
   * Closes the session (best effort: Close Session with a short deadline) and the socket.
   * Queued and later calls fail with IpmiClosedError. Never throws.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    if (this.#keepalive) clearInterval(this.#keepalive)
    this.#keepalive = null
    const signal = AbortSignal.timeout(2000)
    await this.run(signal, async () => {
      const session = this.#session
      this.#session = null
      if (!session || !this.#transport) return
      const sid = Buffer.alloc(4)
      sid.writeUInt32LE(session.bmcSessionId)
      const req = session.seal(NetFn.App, AppCmd.CloseSession, sid)
      await this.#transport.exchange(() => req.datagram, (d) => session.open(d, req), { ...this.config.retry, maxAttempts: 2 }, signal)
    }).catch(() => undefined)
    this.#closed = true
    await this.#transport?.close()
    for (const w of this.#waiters.splice(0)) w()
  }

  #acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(abortError(signal))
    if (!this.#busy) {
      this.#busy = true
      return Promise.resolve()
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.#waiters.indexOf(grant)
        if (i >= 0) this.#waiters.splice(i, 1)
        reject(abortError(signal))
      }
      const grant = () => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#waiters.push(grant)
    })
  }

  #release(): void {
    const next = this.#waiters.shift()
    if (next) next() // ownership passes straight to the next caller
    else this.#busy = false
  }
}

/** Matches the session-less response to `request` (v1.5 or v2.0 wrapper). */
function matchSessionless(request: Buffer): (d: Buffer) => IpmiResponse | null {
  const req = decodeRequest(request)
  return (d) => {
    try {
      const rmcp = decodeRmcp(d)
      if (rmcp.messageClass !== RmcpClass.Ipmi) return null
      const pkt = decodeSessionPacket(rmcp.body)
      if (pkt.sessionId !== 0) return null
      const res = decodeResponse(pkt.format === 'v15' ? pkt.message : pkt.payload)
      return res.rqSeq === req.rqSeq && res.cmd === req.cmd && res.netFn === (req.netFn | 1) ? res : null
    } catch {
      return null
    }
  }
}

/** Identifies the credentials without keeping them readable in pool keys. */
export function credentialFingerprint(c: Pick<ConnectionConfig, 'password' | 'suite' | 'kg' | 'privilege'>): string {
  return createHash('sha256')
    .update(`${c.suite.id}\0${c.privilege}\0`)
    .update(c.password)
    .update('\0')
    .update(c.kg ?? Buffer.alloc(0))
    .digest('hex')
}

/**
 * Shares BMC connections (and so RMCP+ sessions) between clients, keyed by host:port:user.
 * A request for the same key with other credentials replaces the old connection. Connections
 * nobody holds are closed after `idleCloseMs`.
 */
export class IpmiSessionPool {
  readonly #entries = new Map<string, { conn: BmcConnection; refs: number; idle: NodeJS.Timeout | null }>()

  constructor(readonly idleCloseMs = 30_000) {}

  /** The shared connection for this config; pair with release(). */
  acquire(config: ConnectionConfig): BmcConnection {
    const key = `${config.host}:${config.port}:${config.username}`
    let e = this.#entries.get(key)
    if (e && (e.conn.closed || e.conn.fingerprint !== credentialFingerprint(config))) {
      if (e.idle) clearTimeout(e.idle)
      void e.conn.close()
      this.#entries.delete(key)
      e = undefined
    }
    if (!e) {
      e = { conn: new BmcConnection(config), refs: 0, idle: null }
      this.#entries.set(key, e)
    }
    if (e.idle) clearTimeout(e.idle)
    e.idle = null
    e.refs++
    return e.conn
  }

  /** Gives a connection back; the last holder starts the idle-close timer. */
  release(conn: BmcConnection): void {
    for (const [key, e] of this.#entries) {
      if (e.conn !== conn) continue
      e.refs = Math.max(0, e.refs - 1)
      if (e.refs === 0) {
        e.idle = setTimeout(() => {
          this.#entries.delete(key)
          void conn.close()
        }, this.idleCloseMs)
        e.idle.unref()
      }
      return
    }
  }

  /** Number of pooled connections (tests). */
  get size(): number {
    return this.#entries.size
  }

  /** Closes every pooled connection. */
  async closeAll(): Promise<void> {
    const all = [...this.#entries.values()]
    this.#entries.clear()
    for (const e of all) if (e.idle) clearTimeout(e.idle)
    await Promise.all(all.map((e) => e.conn.close()))
  }
}
