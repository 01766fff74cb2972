/**
 * UDP transport for an IPMI console: one node:dgram socket per BMC, request/response exchanges
 * with retransmission and backoff. The only file of the client that touches sockets.
 */
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { isIP } from 'node:net'
import { lookup } from 'node:dns/promises'
import { IpmiAbortedError, IpmiClosedError, IpmiTimeoutError } from './errors.js'

/** How one exchange retransmits. */
export interface RetryPolicy {
  /** Wait for an answer this long before the first retransmission (ms). */
  initialTimeoutMs: number
  /** Each further wait is multiplied by this (≥ 1). */
  backoff: number
  /** Upper bound of one wait (ms). */
  maxTimeoutMs: number
  /** Datagrams sent in total, first one included (≥ 1). */
  maxAttempts: number
}

/** Defaults: 1 s, ×1.5, at most 3 s per wait, 5 attempts (≈ 9 s worst case before the call deadline). */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ initialTimeoutMs: 1000, backoff: 1.5, maxTimeoutMs: 3000, maxAttempts: 5 })

/** A datagram matcher: a value ends the exchange, null means "not ours, keep waiting"; a throw fails it. */
export type Matcher<T> = (datagram: Buffer) => T | null

/**
 * A socket bound to an ephemeral local port that talks to one BMC. Exchanges are serialised by the
 * caller (the connection's queue); a second concurrent exchange is refused.
 */
export class UdpTransport {
  readonly #socket: Socket
  #listener: ((d: Buffer) => void) | null = null
  #closed = false

  private constructor(
    socket: Socket,
    readonly address: string,
    readonly port: number,
  ) {
    this.#socket = socket
    socket.on('message', (msg, rinfo) => {
      // Only the BMC's own address and port may answer (a stray peer cannot inject datagrams).
      if (rinfo.port !== this.port || rinfo.address !== this.address) return
      this.#listener?.(msg)
    })
    socket.on('error', () => {
      // ICMP port unreachable and the like: the exchange times out and retries on its own.
    })
  }

  /** Resolves `host` (once) and binds a socket. Rejects if the name does not resolve. */
  static async open(host: string, port: number): Promise<UdpTransport> {
    const address = isIP(host) ? host : (await lookup(host)).address
    const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4')
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(0, () => {
        socket.off('error', reject)
        resolve()
      })
    })
    socket.unref()
    return new UdpTransport(socket, address, port)
  }

  get closed(): boolean {
    return this.#closed
  }

  /**
   * Sends `build()` and waits for a datagram `match` accepts, rebuilding and resending after each
   * wait of the retry policy. Throws IpmiTimeoutError after the last attempt, IpmiAbortedError
   * when `signal` fires (its reason is kept as the cause), IpmiClosedError if closed meanwhile,
   * or whatever `match` throws.
   */
  exchange<T>(build: () => Buffer, match: Matcher<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
    if (this.#closed) return Promise.reject(new IpmiClosedError('IPMI transport is closed'))
    if (this.#listener) return Promise.reject(new Error('UdpTransport: concurrent exchange'))
    return new Promise<T>((resolve, reject) => {
      let attempts = 0
      let wait = policy.initialTimeoutMs
      let timer: NodeJS.Timeout | undefined
      const finish = (fn: () => void) => {
        clearTimeout(timer)
        this.#listener = null
        signal?.removeEventListener('abort', onAbort)
        fn()
      }
      const onAbort = () => finish(() => reject(abortError(signal!)))
      const send = () => {
        if (this.#closed) return finish(() => reject(new IpmiClosedError('IPMI transport closed during an exchange')))
        attempts++
        let datagram: Buffer
        try {
          datagram = build()
        } catch (e) {
          return finish(() => reject(e))
        }
        this.#socket.send(datagram, this.port, this.address)
        timer = setTimeout(() => {
          if (attempts >= policy.maxAttempts) {
            finish(() => reject(new IpmiTimeoutError(`no answer from ${this.address}:${this.port} after ${attempts} attempts`)))
          } else {
            wait = Math.min(wait * policy.backoff, policy.maxTimeoutMs)
            send()
          }
        }, wait)
      }
      this.#listener = (d) => {
        let v: T | null
        try {
          v = match(d)
        } catch (e) {
          return finish(() => reject(e))
        }
        if (v !== null) finish(() => resolve(v))
      }
      if (signal?.aborted) return onAbort()
      signal?.addEventListener('abort', onAbort, { once: true })
      send()
    })
  }

  /** Closes the socket; a running exchange fails with IpmiClosedError at its next step. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#closed = true
    return new Promise((resolve) => this.#socket.close(() => resolve()))
  }
}

/** Maps an aborted signal to the IPMI error family: our own deadline is a timeout. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  if (reason instanceof IpmiTimeoutError || reason instanceof IpmiAbortedError) return reason
  if (reason instanceof Error && reason.name === 'TimeoutError') return new IpmiTimeoutError('IPMI call timed out', { cause: reason })
  return new IpmiAbortedError('IPMI call aborted', { cause: reason })
}

/** Resolves after `ms`, or rejects with abortError when `signal` fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 && !signal?.aborted) return Promise.resolve()
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal))
    const onAbort = () => {
      clearTimeout(t)
      reject(abortError(signal!))
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
