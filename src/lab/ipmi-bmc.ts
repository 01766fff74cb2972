/**
 * The lab's IPMI LAN BMC: RMCP presence ping, IPMI v2.0/RMCP+ sessions (cipher suites 3 and 17)
 * and the chassis commands, over node:dgram, fronting one LabMachine. Honours the machine's
 * faults (unreachable, packet loss, latency). No datagram can crash it: anything malformed,
 * unauthenticated or out of window is counted and dropped.
 */
import { createSocket } from 'node:dgram'
import type { RemoteInfo, Socket } from 'node:dgram'
import { randomBytes } from 'node:crypto'
import type { LabMachine } from './machine.js'
import { BmcSessionTable } from './ipmi-bmc-session.js'
import type { BmcSession } from './ipmi-bmc-session.js'
import { handleCommand, initialCommandState } from './ipmi-bmc-commands.js'
import type { BmcCommandState, CommandResult } from './ipmi-bmc-commands.js'
import { decodeAsf, decodeRmcp, encodePresencePong, encodeRmcp } from '../protocols/ipmi/rmcp.js'
import { decodeRequest, decodeSessionPacket, encodeResponse, encodeV15, encodeV20 } from '../protocols/ipmi/codec.js'
import { decodeOpenSessionRequest, decodeRakp1, decodeRakp3, encodeOpenSessionResponse, encodeRakp2, encodeRakp4 } from '../protocols/ipmi/rakp.js'
import { openPayload, sealPayload } from '../protocols/ipmi/secure-payload.js'
import { Asf, AuthType, CompletionCode, PayloadType, Privilege, RmcpClass } from '../protocols/ipmi/messages.js'
import type { IpmiRequest, V15Packet, V20Packet } from '../protocols/ipmi/messages.js'

export interface IpmiBmcOptions {
  machine: LabMachine
  /** Address to bind (default 127.0.0.1). */
  host?: string
  /** UDP port; 0 (the default) picks an ephemeral one. */
  port?: number
  username: string
  password: string
  /** Idle session timeout in ms (default 60 000, §6.12.15). */
  sessionTimeoutMs?: number
  /** Source of randomness for packet loss (default Math.random); tests may pin it. */
  random?: () => number
  /** Clock for session idle timeouts (default Date.now); tests may drive it. */
  now?: () => number
}

/** Counters for tests and status displays. */
export interface IpmiBmcStats {
  received: number
  /** Dropped on purpose by a fault (unreachable or packet loss). */
  faultDropped: number
  /** Undecodable, unauthenticated, replayed or out-of-window datagrams. */
  rejected: number
  answered: number
}

type Peer = { address: string; port: number }

/** LAN channel number this BMC reports for "this channel". */
const CHANNEL = 1

/**
 * An emulated IPMI BMC on UDP. `start()` binds, `stop()` closes; a stopped BMC can be started again.
 */
export class IpmiBmc {
  readonly machine: LabMachine
  readonly stats: IpmiBmcStats = { received: 0, faultDropped: 0, rejected: 0, answered: 0 }
  readonly #opts: IpmiBmcOptions
  readonly #state: BmcCommandState = initialCommandState()
  #sessions: BmcSessionTable
  #socket: Socket | null = null
  #queue: Promise<void> = Promise.resolve()
  readonly #timers = new Set<NodeJS.Timeout>()

  constructor(opts: IpmiBmcOptions) {
    this.machine = opts.machine
    this.#opts = opts
    this.#sessions = this.#newSessionTable()
  }

  #newSessionTable(): BmcSessionTable {
    return new BmcSessionTable({
      users: [{ name: this.#opts.username, password: this.#opts.password, maxPrivilege: Privilege.Administrator }],
      timeoutMs: this.#opts.sessionTimeoutMs ?? 60_000,
      guid: guidFromUuid(this.machine.hardware.uuid),
      ...(this.#opts.now ? { now: this.#opts.now } : {}),
    })
  }

  /** Sessions currently in the table (pending or active). */
  get sessionCount(): number {
    return this.#sessions.size
  }

  /** Binds the UDP socket. Rejects if the address is in use or the BMC is already started. */
  async start(): Promise<{ host: string; port: number }> {
    if (this.#socket) throw new Error('IpmiBmc already started')
    const host = this.#opts.host ?? '127.0.0.1'
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4')
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(this.#opts.port ?? 0, host, () => {
        socket.off('error', reject)
        resolve()
      })
    })
    socket.on('error', () => {
      // ICMP errors from a vanished peer must not bring the BMC down.
    })
    socket.on('message', (msg, rinfo) => this.#onDatagram(msg, rinfo))
    this.#socket = socket
    this.#sessions = this.#newSessionTable()
    return { host, port: socket.address().port }
  }

  /** Closes the socket and forgets all sessions; pending delayed answers are discarded. */
  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t)
    this.#timers.clear()
    const socket = this.#socket
    this.#socket = null
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()))
    await this.#queue
  }

  #onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    this.stats.received++
    const faults = this.machine.faults
    if (faults.unreachable || (faults.packetLoss > 0 && (this.#opts.random ?? Math.random)() < faults.packetLoss)) {
      this.stats.faultDropped++
      return
    }
    const peer = { address: rinfo.address, port: rinfo.port }
    // One datagram at a time, in arrival order, so session state changes are never interleaved.
    const enqueue = () => {
      this.#queue = this.#queue.then(() => this.#handle(msg, peer)).catch(() => {
        this.stats.rejected++
      })
    }
    if (faults.latencyMs > 0) {
      const t = setTimeout(() => {
        this.#timers.delete(t)
        enqueue()
      }, faults.latencyMs)
      this.#timers.add(t)
    } else enqueue()
  }

  async #handle(msg: Buffer, peer: Peer): Promise<void> {
    const rmcp = decodeRmcp(msg)
    if (rmcp.ack) return
    if (rmcp.messageClass === RmcpClass.Asf) {
      const asf = decodeAsf(rmcp.body)
      if (asf.iana === Asf.Iana && asf.messageType === Asf.PresencePing) this.#send(encodePresencePong(asf.tag), peer)
      else this.stats.rejected++
      return
    }
    if (rmcp.messageClass !== RmcpClass.Ipmi) return void this.stats.rejected++
    const pkt = decodeSessionPacket(rmcp.body)
    if (pkt.format === 'v15') return this.#handleV15(pkt, peer)
    if (pkt.sessionId === 0) return this.#handleSessionless(pkt, peer)
    return this.#handleInSession(pkt, peer)
  }

  /** IPMI v1.5 packets: only session-less discovery commands (Get Channel Auth Capabilities). */
  async #handleV15(pkt: V15Packet, peer: Peer): Promise<void> {
    if (pkt.authType !== AuthType.None || pkt.sessionId !== 0) return void this.stats.rejected++
    const req = decodeRequest(pkt.message)
    if (req.netFn & 1) return void this.stats.rejected++
    const result = await this.#run(req, null)
    const body = encodeV15({ authType: AuthType.None, sequence: 0, sessionId: 0, message: responseFor(req, result) })
    this.#send(encodeRmcp(RmcpClass.Ipmi, body), peer)
  }

  /** Session ID 0: session setup payloads, and discovery commands outside a session. */
  async #handleSessionless(pkt: V20Packet, peer: Peer): Promise<void> {
    if (pkt.authenticated || pkt.encrypted) return void this.stats.rejected++
    const key = `${peer.address}:${peer.port}`
    let answerType: number
    let answer: Buffer | null
    switch (pkt.payloadType) {
      case PayloadType.OpenSessionRequest:
        answerType = PayloadType.OpenSessionResponse
        answer = encodeOpenSessionResponse(this.#sessions.openSession(decodeOpenSessionRequest(pkt.payload), key))
        break
      case PayloadType.Rakp1:
        answerType = PayloadType.Rakp2
        answer = encodeRakp2(this.#sessions.rakp1(decodeRakp1(pkt.payload), key))
        break
      case PayloadType.Rakp3: {
        answerType = PayloadType.Rakp4
        const r4 = this.#sessions.rakp3(decodeRakp3(pkt.payload), key)
        answer = r4 && encodeRakp4(r4)
        break
      }
      case PayloadType.Ipmi: {
        const req = decodeRequest(pkt.payload)
        if (req.netFn & 1) return void this.stats.rejected++
        answerType = PayloadType.Ipmi
        answer = responseFor(req, await this.#run(req, null))
        break
      }
      default:
        return void this.stats.rejected++
    }
    if (!answer) return
    this.#send(encodeRmcp(RmcpClass.Ipmi, encodeV20({ payloadType: answerType, encrypted: false, authenticated: false, sessionId: 0, sequence: 0, payload: answer })), peer)
  }

  /** A packet of an established session: verify, de-duplicate, run, answer sealed. */
  async #handleInSession(pkt: V20Packet, peer: Peer): Promise<void> {
    const session = this.#sessions.active(pkt.sessionId, `${peer.address}:${peer.port}`)
    if (!session?.keys || pkt.payloadType !== PayloadType.Ipmi) return void this.stats.rejected++
    const plain = openPayload(session.keys, pkt) // throws on a bad AuthCode or pad: counted as rejected
    if (!this.#sessions.acceptSequence(session, pkt.sequence)) return void this.stats.rejected++
    const req = decodeRequest(plain)
    if (req.netFn & 1) return void this.stats.rejected++
    const result = await this.#run(req, session)
    const datagram = sealPayload(session.keys, {
      payloadType: PayloadType.Ipmi,
      sessionId: session.consoleSessionId,
      sequence: this.#sessions.nextOutboundSeq(session),
      payload: responseFor(req, result),
      encrypt: pkt.encrypted,
    })
    this.#send(datagram, peer)
    if (result.closeAfterSend !== undefined) this.#sessions.close(result.closeAfterSend)
  }

  async #run(req: IpmiRequest, session: BmcSession | null): Promise<CommandResult> {
    try {
      return await handleCommand({ machine: this.machine, session, sessions: this.#sessions, state: this.#state, channel: CHANNEL }, req)
    } catch {
      // The machine itself failed (a virtual node's hook threw): report, don't crash.
      return { cc: CompletionCode.Unspecified }
    }
  }

  #send(datagram: Buffer, peer: Peer): void {
    const socket = this.#socket
    if (!socket) return
    this.stats.answered++
    socket.send(datagram, peer.port, peer.address, () => {
      // Send errors (peer gone) are the peer's problem.
    })
  }
}

function responseFor(req: IpmiRequest, result: CommandResult): Buffer {
  return encodeResponse({
    rqAddr: req.rqAddr,
    netFn: req.netFn | 1,
    rqLun: req.rqLun,
    rsAddr: req.rsAddr,
    rqSeq: req.rqSeq,
    rsLun: req.rsLun,
    cmd: req.cmd,
    completionCode: result.cc,
    data: result.cc === CompletionCode.Ok ? (result.data ?? Buffer.alloc(0)) : Buffer.alloc(0),
  })
}

/** The managed system GUID (RAKP 2) from the machine's UUID; random when it is not a UUID. */
function guidFromUuid(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '')
  return /^[0-9a-fA-F]{32}$/.test(hex) ? Buffer.from(hex, 'hex') : randomBytes(16)
}
