/**
 * Redfish clients shared by the redfish and idrac interfaces: one per (address, user, password,
 * TLS and auth settings), reused across calls so a node's session survives from one operation to
 * the next, and the resolved system path per client. Bounded: the least recently used client is
 * closed (its session logged out) beyond `maxClients`.
 */
import { createHash } from 'node:crypto'
import { RedfishClient } from '../../protocols/redfish/client.js'
import { isRedfishError } from '../../protocols/redfish/errors.js'
import { findSystemPath, type ComputerSystem } from '../../protocols/redfish/resources.js'
import type { DriverContext } from '../driver-context.js'
import type { Clock } from '../../common/clock.js'
import type { RedfishDriverInfo } from './redfish-driver-info.js'

/** Tuning of the clients a pool creates. */
export interface RedfishConnectionOptions {
  /** Per-exchange timeout. Default 30 s. */
  readonly timeoutMs?: number
  /** Extra attempts on connection errors and 5xx. Default 3. */
  readonly retries?: number
  /** First backoff delay. Default 500 ms. */
  readonly retryDelayMs?: number
  /** Clients kept open. Default 256. */
  readonly maxClients?: number
  /** The clock clients wait and time out by (the conductor's). */
  readonly clock?: Clock
}

/** A node's system, freshly read. */
export interface SystemHandle {
  readonly client: RedfishClient
  readonly path: string
  readonly system: ComputerSystem
}

/** A cache of Redfish clients and system paths. */
export class RedfishConnections {
  readonly #opts: RedfishConnectionOptions
  readonly #clients = new Map<string, RedfishClient>()
  readonly #systemPaths = new Map<string, string>()

  constructor(opts: RedfishConnectionOptions = {}) {
    this.#opts = opts
  }

  /** The client for this driver_info, created on first use. */
  client(info: RedfishDriverInfo): RedfishClient {
    const key = keyOf(info)
    const existing = this.#clients.get(key)
    if (existing !== undefined) {
      this.#clients.delete(key)
      this.#clients.set(key, existing)
      return existing
    }
    const client = new RedfishClient({
      baseUrl: info.address,
      username: info.username,
      password: info.password,
      authType: info.authType,
      verify: info.verify,
      timeoutMs: this.#opts.timeoutMs,
      retries: this.#opts.retries,
      retryDelayMs: this.#opts.retryDelayMs,
      clock: this.#opts.clock,
    })
    this.#clients.set(key, client)
    const max = this.#opts.maxClients ?? 256
    while (this.#clients.size > max) {
      const [oldKey, oldest] = this.#clients.entries().next().value as [string, RedfishClient]
      this.#clients.delete(oldKey)
      void oldest.close()
    }
    return client
  }

  /**
   * The node's ComputerSystem (path resolved once per client and system id, then cached).
   * @throws RedfishError from the client; REDFISH_NOT_FOUND when the system is not there
   */
  async system(ctx: DriverContext, info: RedfishDriverInfo): Promise<SystemHandle> {
    const client = this.client(info)
    const key = `${keyOf(info)}|${info.systemId ?? ''}`
    let path = this.#systemPaths.get(key)
    if (path === undefined) {
      path = await findSystemPath(client, info.systemId, { signal: ctx.signal })
      this.#systemPaths.set(key, path)
    }
    try {
      const system = (await client.get<ComputerSystem>(path, { signal: ctx.signal })).body
      return { client, path, system }
    } catch (e) {
      if (isRedfishError(e, 'REDFISH_NOT_FOUND')) this.#systemPaths.delete(key)
      throw e
    }
  }

  /** Number of open clients (for tests and status pages). */
  get size(): number {
    return this.#clients.size
  }

  /** Logs every session out and closes every client. */
  async closeAll(): Promise<void> {
    const clients = [...this.#clients.values()]
    this.#clients.clear()
    this.#systemPaths.clear()
    await Promise.all(clients.map((c) => c.close()))
  }
}

function keyOf(info: RedfishDriverInfo): string {
  // The password is part of the identity (a corrected password must not reuse a failing
  // client), but only as a digest so it never sits in a map key in clear.
  const pw = info.password === undefined ? '' : createHash('sha256').update(info.password).digest('hex').slice(0, 16)
  return [info.address, info.username ?? '', pw, String(info.verify), info.authType].join('|')
}
