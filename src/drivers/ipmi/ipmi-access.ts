/**
 * What the ipmitool power, management and vendor interfaces share: one IpmiSessionPool (RMCP+
 * sessions reused per host:port:user, serialised per BMC with a minimum command interval), a
 * per-BMC gate, the driver_info parser and the mapping of IPMI errors to messages an operator can
 * act on. The registry builds one IpmiAccess and hands it to all three interfaces.
 */
import { IpmiClient } from '../../protocols/ipmi/client.js'
import type { CallOptions } from '../../protocols/ipmi/client.js'
import { IpmiSessionPool } from '../../protocols/ipmi/connection.js'
import type { RetryPolicy } from '../../protocols/ipmi/transport.js'
import type { DriverContext } from '../driver-context.js'
import type { InterfaceKind } from '../interface-kinds.js'
import type { NodeView } from '../node-view.js'
import { BmcGate } from './bmc-gate.js'
import { ipmiFailure } from './ipmi-failure.js'
import { parseIpmiDriverInfo, type IpmiDriverInfo } from './ipmi-driver-info.js'

/** Tuning of the IPMI interfaces; every field has a default. */
export interface IpmiAccessOptions {
  /** Sessions shared by every interface built with this access; a new pool by default. */
  readonly pool?: IpmiSessionPool
  /** How long an unused session stays open when the pool is created here (ms). Default 180 000. */
  readonly idleCloseMs?: number
  /** Deadline of one IPMI call, retries and login included (ms), unless ipmi_retry_timeout says otherwise. Default 20 000. */
  readonly callTimeoutMs?: number
  /** Retransmission policy of each datagram exchange. Default: the client's (1 s, ×1.5, ≤ 3 s, 5 attempts). */
  readonly retry?: Partial<RetryPolicy>
  /** Minimum gap between two commands to one BMC (ms). Default 100. */
  readonly minCommandIntervalMs?: number
  /** Session keepalive period (ms; 0 = off). Default 20 000. */
  readonly keepaliveMs?: number
  /** Poll interval while waiting for a power state (ms). Default 1000. */
  readonly pollMs?: number
}

/** Shared access to IPMI BMCs for the ipmitool interfaces. */
export class IpmiAccess {
  readonly pool: IpmiSessionPool
  readonly pollMs: number
  readonly #opts: IpmiAccessOptions
  readonly #ownsPool: boolean
  readonly #gate = new BmcGate()

  constructor(opts: IpmiAccessOptions = {}) {
    this.#opts = opts
    this.#ownsPool = opts.pool === undefined
    this.pool = opts.pool ?? new IpmiSessionPool(opts.idleCloseMs ?? 180_000)
    this.pollMs = opts.pollMs ?? 1000
  }

  /** @throws ValidationError for bad driver_info */
  info(node: NodeView, kind: InterfaceKind, name: string): IpmiDriverInfo {
    return parseIpmiDriverInfo(node, kind, name)
  }

  /**
   * Runs one IPMI operation on the node's BMC: parses driver_info, waits for the BMC's gate (one
   * operation per BMC address and port at a time, whatever the user), and maps IPMI errors to
   * DriverErrors whose message says what went wrong (unreachable, wrong credentials…). An abort
   * of the caller's signal (conductor deadline, operator abort) rethrows the signal's reason.
   */
  async run<T>(ctx: DriverContext, kind: InterfaceKind, name: string, what: string, fn: (client: IpmiClient, call: CallOptions) => Promise<T>): Promise<T> {
    const info = this.info(ctx.node, kind, name)
    const client = this.#client(info)
    const call: CallOptions = { signal: ctx.signal, timeoutMs: info.callTimeoutMs ?? this.#opts.callTimeoutMs ?? 20_000 }
    try {
      return await this.#gate.run(`${info.address}:${info.port}`, ctx.signal, () => fn(client, call))
    } catch (e) {
      if (ctx.signal.aborted) throw ctx.signal.reason
      throw ipmiFailure(e, ctx.node, info, what)
    } finally {
      await client.close()
    }
  }

  /** Closes every session (when the pool is this access's own). */
  async close(): Promise<void> {
    if (this.#ownsPool) await this.pool.closeAll()
  }

  #client(info: IpmiDriverInfo): IpmiClient {
    return new IpmiClient({
      host: info.address,
      port: info.port,
      username: info.username,
      password: info.password,
      cipherSuite: info.cipherSuite,
      privilege: info.privilege,
      ...(info.kg ? { kg: info.kg } : {}),
      ...(this.#opts.retry ? { retry: this.#opts.retry } : {}),
      minCommandIntervalMs: this.#opts.minCommandIntervalMs ?? 100,
      keepaliveMs: this.#opts.keepaliveMs ?? 20_000,
      pool: this.pool,
    })
  }
}
