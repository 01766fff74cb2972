/**
 * Ferrum's IPMI v2.0 client: RMCP+ sessions (cipher suite 3 or 17, integrity and confidentiality),
 * reused across calls and clients through a pool, serialised per BMC with a minimum command
 * interval, retransmitted with backoff on loss, and bounded by a deadline on every call.
 *
 * @example
 * const ipmi = new IpmiClient({ host: '10.0.0.5', username: 'admin', password: 's3cret' })
 * await ipmi.setBootDevice('pxe', { persistent: false, efi: true })
 * await ipmi.chassisControl('power-cycle')
 * await ipmi.close()
 */
import { IpmiSessionPool } from './connection.js'
import type { BmcConnection, ConnectionConfig } from './connection.js'
import { DEFAULT_RETRY } from './transport.js'
import type { RetryPolicy } from './transport.js'
import { CIPHER_SUITES } from './crypto.js'
import { AppCmd, BootDeviceSelector, BootParam, ChassisCmd, ChassisControl, NetFn, Privilege } from './messages.js'
import {
  decodeBootFlags,
  decodeBootOptionResponse,
  decodeChassisStatus,
  decodeDeviceId,
  encodeBootFlags,
  encodeGetBootOptionRequest,
  encodeSetBootOption,
} from './commands.js'
import type { ChassisStatus, DeviceId } from './commands.js'
import { IpmiClosedError, IpmiCompletionCodeError, IpmiMalformedError } from './errors.js'

export interface IpmiClientOptions {
  host: string
  /** UDP port of the BMC (default 623). */
  port?: number
  username: string
  /** At most 20 bytes (IPMI v2.0 passwords). */
  password: string
  /** 3 (SHA1, the most widely supported) or 17 (SHA256). Default 3. */
  cipherSuite?: 3 | 17
  /** Session privilege (default Administrator; chassis control needs Operator). */
  privilege?: Privilege
  /** BMC key KG for two-key logins (default none). */
  kg?: Buffer
  /** Deadline of each call, retries and login included (default 20 000 ms). */
  timeoutMs?: number
  /** Retransmission policy of each datagram exchange (default DEFAULT_RETRY). */
  retry?: Partial<RetryPolicy>
  /** Minimum gap between commands to this BMC (default 100 ms). */
  minCommandIntervalMs?: number
  /** Keep an idle session alive with Get Device ID every this many ms (default 20 000; 0 = off). */
  keepaliveMs?: number
  /** Share sessions with other clients; default: a pool private to this client. */
  pool?: IpmiSessionPool
}

/** Per-call options: an AbortSignal and/or a deadline replacing the client's default. */
export interface CallOptions {
  signal?: AbortSignal
  timeoutMs?: number
}

/** Chassis Control actions (§28.3). */
export type ChassisAction = 'power-off' | 'power-on' | 'power-cycle' | 'hard-reset' | 'diagnostic-interrupt' | 'soft-off'

/** Boot devices of boot flags parameter 5 (§28.13), by selector. */
export type IpmiBootDevice = 'none' | 'pxe' | 'disk' | 'disk-safe-mode' | 'diagnostic' | 'cdrom' | 'bios' | 'remote-floppy' | 'remote-cdrom' | 'remote-media' | 'remote-disk' | 'floppy'

export interface BootDeviceSetting {
  /** The boot device selector. NOTE: read even when `valid` is clear, as Ironic does: some BMCs
   *  (openipmi's ipmi_sim) report the selected device without the valid bit. */
  device: IpmiBootDevice
  /** Boot flag valid bit: an override is pending. */
  valid: boolean
  /** Applies to every boot (true) or the next one only. */
  persistent: boolean
  /** EFI boot (true) or legacy PC-compatible boot. */
  efi: boolean
}

const ACTIONS: Record<ChassisAction, ChassisControl> = {
  'power-off': ChassisControl.PowerDown,
  'power-on': ChassisControl.PowerUp,
  'power-cycle': ChassisControl.PowerCycle,
  'hard-reset': ChassisControl.HardReset,
  'diagnostic-interrupt': ChassisControl.DiagnosticInterrupt,
  'soft-off': ChassisControl.SoftShutdown,
}

const DEVICES: Record<IpmiBootDevice, BootDeviceSelector> = {
  none: BootDeviceSelector.NoOverride,
  pxe: BootDeviceSelector.Pxe,
  disk: BootDeviceSelector.Disk,
  'disk-safe-mode': BootDeviceSelector.DiskSafeMode,
  diagnostic: BootDeviceSelector.DiagnosticPartition,
  cdrom: BootDeviceSelector.CdDvd,
  bios: BootDeviceSelector.BiosSetup,
  'remote-floppy': BootDeviceSelector.RemoteFloppy,
  'remote-cdrom': BootDeviceSelector.RemoteCdDvd,
  'remote-media': BootDeviceSelector.PrimaryRemoteMedia,
  'remote-disk': BootDeviceSelector.RemoteDisk,
  floppy: BootDeviceSelector.Floppy,
}

interface SessionIo {
  send(netFn: number, cmd: number, data: Buffer): Promise<Buffer>
  trySend(netFn: number, cmd: number, data: Buffer): Promise<number>
}

const SELECTORS = new Map<number, IpmiBootDevice>(Object.entries(DEVICES).map(([k, v]) => [v, k as IpmiBootDevice]))

/**
 * An IPMI client for one BMC. Methods may be called concurrently; they run one at a time on the
 * wire. Every method rejects with an IpmiError: IpmiTimeoutError (deadline or no answer),
 * IpmiAbortedError, IpmiAuthError (credentials or privilege refused), IpmiSessionError,
 * IpmiCompletionCodeError (non-zero completion code), IpmiMalformedError, IpmiClosedError.
 */
export class IpmiClient {
  readonly #pool: IpmiSessionPool
  readonly #ownsPool: boolean
  readonly #conn: BmcConnection
  readonly #timeoutMs: number
  #closed = false

  constructor(opts: IpmiClientOptions) {
    const suite = CIPHER_SUITES.get(opts.cipherSuite ?? 3)
    if (!suite) throw new RangeError(`unsupported IPMI cipher suite ${String(opts.cipherSuite)}`)
    if (Buffer.byteLength(opts.password, 'latin1') > 20) throw new RangeError('IPMI v2.0 passwords are at most 20 bytes')
    const config: ConnectionConfig = {
      host: opts.host,
      port: opts.port ?? 623,
      username: opts.username,
      password: opts.password,
      suite,
      privilege: opts.privilege ?? Privilege.Administrator,
      kg: opts.kg ?? null,
      retry: { ...DEFAULT_RETRY, ...opts.retry },
      minCommandIntervalMs: opts.minCommandIntervalMs ?? 100,
      keepaliveMs: opts.keepaliveMs ?? 20_000,
    }
    this.#timeoutMs = opts.timeoutMs ?? 20_000
    this.#ownsPool = !opts.pool
    this.#pool = opts.pool ?? new IpmiSessionPool()
    this.#conn = this.#pool.acquire(config)
  }

  /** True while the underlying connection holds an established session. */
  get hasSession(): boolean {
    return this.#conn.hasSession
  }

  /** 'on' or 'off' from Get Chassis Status (§28.2). */
  async getPowerState(o?: CallOptions): Promise<'on' | 'off'> {
    return (await this.getChassisStatus(o)).powerOn ? 'on' : 'off'
  }

  /** Get Chassis Status (§28.2). */
  async getChassisStatus(o?: CallOptions): Promise<ChassisStatus> {
    return decodeChassisStatus(await this.#call(NetFn.Chassis, ChassisCmd.GetChassisStatus, Buffer.alloc(0), o))
  }

  /** Chassis Control (§28.3). Resolves once the BMC accepted the action. */
  async chassisControl(action: ChassisAction, o?: CallOptions): Promise<void> {
    const code = ACTIONS[action]
    if (code === undefined) throw new RangeError(`unknown chassis action ${String(action)}`)
    await this.#call(NetFn.Chassis, ChassisCmd.ChassisControl, Buffer.from([code]), o)
  }

  /** Boot flags, parameter 5 of Get System Boot Options (§28.13). */
  async getBootDevice(o?: CallOptions): Promise<BootDeviceSetting> {
    const res = decodeBootOptionResponse(await this.#call(NetFn.Chassis, ChassisCmd.GetSystemBootOptions, encodeGetBootOptionRequest(BootParam.BootFlags), o))
    if (res.parameter !== BootParam.BootFlags) throw new IpmiMalformedError(`asked for boot parameter 5, got ${res.parameter}`)
    const f = decodeBootFlags(res.data)
    const device = SELECTORS.get(f.device)
    if (!device) throw new IpmiMalformedError(`unknown boot device selector 0x${f.device.toString(16)}`)
    return { device, valid: f.valid, persistent: f.persistent, efi: f.efi }
  }

  /**
   * Sets the boot device (§28.12, parameter 5) inside a "set in progress" bracket, as ipmitool
   * does; BMCs that lack parameters 0 or 4 are tolerated. The whole sequence holds the BMC.
   */
  async setBootDevice(device: IpmiBootDevice, flags: { persistent?: boolean; efi?: boolean } = {}, o?: CallOptions): Promise<void> {
    const selector = DEVICES[device]
    if (selector === undefined) throw new RangeError(`unknown boot device ${String(device)}`)
    const data = encodeBootFlags({
      valid: device !== 'none',
      persistent: flags.persistent ?? false,
      efi: flags.efi ?? false,
      device: selector,
      clearCmos: false,
      lockKeyboard: false,
      screenBlank: false,
      lockResetButton: false,
      extra: Buffer.alloc(3),
    })
    const set = (param: number, bytes: number[] | Buffer) => encodeSetBootOption({ parameter: param, markInvalid: false, data: Buffer.from(bytes) })
    await this.#session(o, async ({ trySend, send }) => {
      const setOption = (bytes: Buffer) => trySend(NetFn.Chassis, ChassisCmd.SetSystemBootOptions, bytes)
      const inProgress = (await setOption(set(BootParam.SetInProgress, [0x01]))) === 0
      try {
        await setOption(set(BootParam.BootInfoAcknowledge, [0x01, 0x01]))
        await send(NetFn.Chassis, ChassisCmd.SetSystemBootOptions, set(BootParam.BootFlags, data))
        if (inProgress) await setOption(set(BootParam.SetInProgress, [0x02])) // commit write
      } finally {
        if (inProgress) await setOption(set(BootParam.SetInProgress, [0x00])).catch(() => undefined)
      }
    })
  }

  /** Get Device ID (§20.1). */
  async getDeviceId(o?: CallOptions): Promise<DeviceId> {
    return decodeDeviceId(await this.#call(NetFn.App, AppCmd.GetDeviceId, Buffer.alloc(0), o))
  }

  /** Any request in the session; resolves with the response data (completion code 0 only). */
  async sendRaw(netFn: number, cmd: number, data: Buffer | readonly number[] = Buffer.alloc(0), o?: CallOptions): Promise<Buffer> {
    if (!Number.isInteger(netFn) || netFn < 0 || netFn > 0x3e || netFn % 2 !== 0) throw new RangeError(`netFn must be an even request netFn, got ${netFn}`)
    if (!Number.isInteger(cmd) || cmd < 0 || cmd > 0xff) throw new RangeError(`cmd must be a byte, got ${cmd}`)
    return this.#call(netFn, cmd, Buffer.from(data), o)
  }

  /**
   * Releases the connection: with a private pool the session is closed (Close Session) and the
   * socket freed; with a shared pool it stays for reuse until the pool's idle timeout. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#pool.release(this.#conn)
    if (this.#ownsPool) await this.#pool.closeAll()
  }

  async #call(netFn: number, cmd: number, data: Buffer, o?: CallOptions): Promise<Buffer> {
    let out: Buffer = Buffer.alloc(0)
    await this.#session(o, async ({ send }) => {
      out = await send(netFn, cmd, data)
    })
    return out
  }

  /** Runs `fn` holding the BMC under one deadline. `send` throws on a non-zero cc; `trySend` returns it. */
  async #session(o: CallOptions | undefined, fn: (io: SessionIo) => Promise<void>): Promise<void> {
    if (this.#closed) throw new IpmiClosedError('IpmiClient is closed')
    const deadline = AbortSignal.timeout(o?.timeoutMs ?? this.#timeoutMs)
    const signal = o?.signal ? AbortSignal.any([o.signal, deadline]) : deadline
    const conn = this.#conn
    const io: SessionIo = {
      async send(netFn, cmd, data) {
        const res = await conn.command(netFn, cmd, data, signal)
        if (res.completionCode !== 0) throw new IpmiCompletionCodeError(netFn, cmd, res.completionCode, { details: { host: conn.config.host } })
        return res.data
      },
      async trySend(netFn, cmd, data) {
        return (await conn.command(netFn, cmd, data, signal)).completionCode
      },
    }
    await conn.run(signal, () => fn(io))
  }
}
