/**
 * Test helpers for IPMI: a lab BMC on an ephemeral loopback port, a raw UDP peer that sees every
 * datagram the BMC sends, and a step-by-step RMCP+ login on top of it.
 */
import { createSocket } from 'node:dgram'
import { execFile } from 'node:child_process'
import type { Socket } from 'node:dgram'
import { IpmiBmc } from '../../src/lab/ipmi-bmc.js'
import type { IpmiBmcOptions } from '../../src/lab/ipmi-bmc.js'
import { BasicMachine, defaultHardware } from '../../src/lab/basic-machine.js'
import type { MachineEvent } from '../../src/lab/basic-machine.js'
import type { LabBmcFaults } from '../../src/lab/machine.js'
import { RakpHandshake, IpmiSession } from '../../src/protocols/ipmi/session.js'
import type { HandshakeOptions } from '../../src/protocols/ipmi/session.js'
import { encodePresencePing, decodeRmcp, decodeAsf } from '../../src/protocols/ipmi/rmcp.js'
import { Asf, RmcpClass } from '../../src/protocols/ipmi/messages.js'

export const USER = 'admin'
export const PASSWORD = 'secret'

export interface LabBmc {
  bmc: IpmiBmc
  machine: BasicMachine
  /** Every event the machine emitted, in order. */
  events: MachineEvent[]
  host: string
  port: number
  stop(): Promise<void>
}

/** A BasicMachine behind an IpmiBmc on 127.0.0.1:<ephemeral>, user admin/secret. */
export async function startLabBmc(opts: { faults?: Partial<LabBmcFaults> } & Partial<Omit<IpmiBmcOptions, 'machine'>> = {}): Promise<LabBmc> {
  const events: MachineEvent[] = []
  const machine = new BasicMachine({ name: 'node-ipmi', hardware: defaultHardware(), faults: opts.faults, onEvent: (ev) => void events.push(ev) })
  const bmc = new IpmiBmc({ username: USER, password: PASSWORD, ...opts, machine })
  const { host, port } = await bmc.start()
  return { bmc, machine, events, host, port, stop: () => bmc.stop() }
}

/** Safety net so a broken test fails instead of hanging; tests never assert on it. */
const HANG_GUARD_MS = 10_000

/**
 * A UDP peer of the BMC that queues every datagram it receives. Because the BMC answers
 * datagrams in arrival order, "send X, then a ping, then read until the pong" shows exactly what
 * X produced without waiting for a silence timeout.
 */
export class RawPeer {
  readonly #socket: Socket
  readonly #inbox: Buffer[] = []
  #waiter: ((b: Buffer) => void) | null = null

  private constructor(
    socket: Socket,
    readonly host: string,
    readonly port: number,
  ) {
    this.#socket = socket
    socket.on('message', (msg) => {
      if (this.#waiter) {
        const w = this.#waiter
        this.#waiter = null
        w(msg)
      } else this.#inbox.push(msg)
    })
  }

  static async connect(host: string, port: number): Promise<RawPeer> {
    const socket = createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    return new RawPeer(socket, host, port)
  }

  send(datagram: Buffer): void {
    this.#socket.send(datagram, this.port, this.host)
  }

  /** The next datagram received (rejects after the hang guard). */
  next(): Promise<Buffer> {
    const queued = this.#inbox.shift()
    if (queued) return Promise.resolve(queued)
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.#waiter = null
        reject(new Error('RawPeer: nothing received (hang guard)'))
      }, HANG_GUARD_MS)
      this.#waiter = (b) => {
        clearTimeout(t)
        resolve(b)
      }
    })
  }

  /** Sends `datagram`, then a presence ping; resolves with everything received before the pong. */
  async sendThenSync(datagram: Buffer | null, tag = 0x5a): Promise<Buffer[]> {
    if (datagram) this.send(datagram)
    this.send(encodePresencePing(tag))
    const got: Buffer[] = []
    for (;;) {
      const d = await this.next()
      if (isPong(d, tag)) return got
      got.push(d)
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()))
  }
}

/** True when `d` is a presence pong with this message tag. */
export function isPong(d: Buffer, tag: number): boolean {
  try {
    const r = decodeRmcp(d)
    if (r.messageClass !== RmcpClass.Asf) return false
    const asf = decodeAsf(r.body)
    return asf.messageType === Asf.PresencePong && asf.tag === tag
  } catch {
    return false
  }
}

/** Runs a full RAKP login over `peer`; rejects with the handshake's error. */
export async function login(peer: RawPeer, opts: Omit<HandshakeOptions, 'username' | 'password'> & Partial<HandshakeOptions>): Promise<IpmiSession> {
  const hs = new RakpHandshake({ username: USER, password: PASSWORD, ...opts })
  peer.send(hs.start())
  for (;;) {
    const out = hs.receive(await peer.next())
    if (out instanceof IpmiSession) return out
    if (out) peer.send(out)
  }
}

/** Seals one request in `session`, sends it, and returns the matching response (hang-guarded). */
export async function command(peer: RawPeer, session: IpmiSession, netFn: number, cmd: number, data: Buffer = Buffer.alloc(0)) {
  const req = session.seal(netFn, cmd, data)
  peer.send(req.datagram)
  for (;;) {
    const res = session.open(await peer.next(), req)
    if (res) return res
  }
}

export interface IpmitoolResult {
  code: number
  stdout: string
  stderr: string
}

/** Debian's ipmitool binary (the CI image installs the package). */
export const IPMITOOL = '/usr/bin/ipmitool'

/**
 * Runs `ipmitool -I lanplus` against host:port. `suite` null = let ipmitool discover the cipher
 * suite. Never rejects: the exit code is in the result (a 30 s guard kills a hung ipmitool).
 */
export function ipmitool(
  target: { host: string; port: number },
  args: string[],
  opts: { suite?: number | null; user?: string; password?: string; extra?: string[] } = {},
): Promise<IpmitoolResult> {
  const suite = opts.suite === undefined ? 3 : opts.suite
  const argv = [
    '-I', 'lanplus',
    ...(suite === null ? [] : ['-C', String(suite)]),
    '-H', target.host, '-p', String(target.port),
    '-U', opts.user ?? USER, '-P', opts.password ?? PASSWORD,
    ...(opts.extra ?? []),
    ...args,
  ]
  return new Promise((resolve) => {
    execFile(IPMITOOL, argv, { timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}
