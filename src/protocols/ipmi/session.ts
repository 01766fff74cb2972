/**
 * The remote-console side of an RMCP+ session, without sockets: the RAKP handshake as an explicit
 * state machine (§13.15–§13.23) and, once established, sealing requests and opening responses.
 * transport.ts moves the datagrams; tests drive it directly.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { decodeResponse, decodeSessionPacket, encodeRequest, encodeV20 } from './codec.js'
import { decodeRmcp, encodeRmcp } from './rmcp.js'
import { decodeOpenSessionResponse, decodeRakp2, decodeRakp4, encodeOpenSessionRequest, encodeRakp1, encodeRakp3 } from './rakp.js'
import { Address, PayloadType, Privilege, RakpStatus, RmcpClass } from './messages.js'
import type { IpmiResponse } from './messages.js'
import type { CipherSuite } from './crypto.js'
import { safeEqual } from './crypto.js'
import { deriveSessionKeys, rakp2AuthCode, rakp3AuthCode, rakp4IntegrityCheck, sessionIntegrityKey, userKey } from './session-keys.js'
import type { RakpContext, SessionKeys } from './session-keys.js'
import { openPayload, sealPayload } from './secure-payload.js'
import { IpmiAuthError, IpmiMalformedError, IpmiSessionError } from './errors.js'

export interface HandshakeOptions {
  suite: CipherSuite
  username: string
  password: string
  /** Requested maximum privilege (default Administrator). */
  privilege?: Privilege
  /** BMC key KG for two-key logins; null/absent = one-key (KG = Kuid). */
  kg?: Buffer | null
  /** Fixed console session ID (tests); random non-zero otherwise. */
  consoleSessionId?: number
}

const STATUS_TEXT: Record<number, string> = {
  0x01: 'insufficient resources to create a session',
  0x02: 'invalid session ID',
  0x04: 'invalid authentication algorithm',
  0x05: 'invalid integrity algorithm',
  0x09: 'invalid role',
  0x0a: 'unauthorized role or privilege level requested',
  0x0c: 'invalid name length',
  0x0d: 'unauthorized name',
  0x0f: 'invalid integrity check value',
  0x10: 'invalid confidentiality algorithm',
  0x11: 'no cipher suite match with proposed security algorithms',
  0x12: 'illegal or unrecognized parameter',
}

/** Describes an RMCP+ status code (§13.24). */
export function describeRakpStatus(status: number): string {
  return STATUS_TEXT[status] ?? `RMCP+ status 0x${status.toString(16).padStart(2, '0')}`
}

function statusError(step: string, status: number): Error {
  const text = `${step}: BMC answered ${describeRakpStatus(status)} (0x${status.toString(16).padStart(2, '0')})`
  const auth = status === RakpStatus.UnauthorizedName || status === RakpStatus.InvalidIntegrityCheckValue || status === RakpStatus.UnauthorizedRole
  if (auth) return new IpmiAuthError(text, { details: { rakpStatus: status } })
  const busy = status === RakpStatus.InsufficientResources || status === RakpStatus.InsufficientResourcesForRole
  return new IpmiSessionError(text, { details: { rakpStatus: status }, retryable: busy })
}

/** The payload of a session-setup answer, or null when the datagram is something else (stray, late). */
function setupPayload(datagram: Buffer, expected: PayloadType): Buffer | null {
  try {
    const rmcp = decodeRmcp(datagram)
    if (rmcp.messageClass !== RmcpClass.Ipmi) return null
    const pkt = decodeSessionPacket(rmcp.body)
    if (pkt.format !== 'v20' || pkt.payloadType !== expected || pkt.sessionId !== 0) return null
    return pkt.payload
  } catch {
    return null
  }
}

/**
 * One RAKP handshake. Call `start()`, send what it returns; feed each received datagram to
 * `receive()`, which returns the next datagram to send, the established session, or null for a
 * datagram that does not belong to this step (ignore it and keep waiting). Retransmit with
 * `current()`. Throws IpmiAuthError (bad user/password) or IpmiSessionError (other refusals).
 */
export class RakpHandshake {
  readonly #o: Required<Omit<HandshakeOptions, 'kg'>> & { kg: Buffer | null }
  #step: 'open' | 'rakp1' | 'rakp3' | 'done' = 'open'
  #tag = 0
  #current: Buffer = Buffer.alloc(0)
  #bmcSessionId = 0
  #consoleRandom = randomBytes(16)
  #rakp: RakpContext | null = null

  constructor(opts: HandshakeOptions) {
    this.#o = {
      privilege: Privilege.Administrator,
      consoleSessionId: randomInt(1, 0xffffffff),
      ...opts,
      kg: opts.kg ?? null,
    }
  }

  /** The Open Session Request datagram. */
  start(): Buffer {
    this.#step = 'open'
    this.#tag = (this.#tag + 1) & 0xff
    const payload = encodeOpenSessionRequest({
      tag: this.#tag,
      maxPrivilege: this.#o.privilege,
      consoleSessionId: this.#o.consoleSessionId,
      algorithms: { auth: this.#o.suite.auth, integrity: this.#o.suite.integrity, confidentiality: this.#o.suite.confidentiality },
    })
    return (this.#current = this.#setup(PayloadType.OpenSessionRequest, payload))
  }

  /** The last datagram sent, for retransmission. */
  current(): Buffer {
    return this.#current
  }

  receive(datagram: Buffer): Buffer | IpmiSession | null {
    switch (this.#step) {
      case 'open':
        return this.#onOpen(datagram)
      case 'rakp1':
        return this.#onRakp2(datagram)
      case 'rakp3':
        return this.#onRakp4(datagram)
      default:
        return null
    }
  }

  #onOpen(datagram: Buffer): Buffer | null {
    const p = setupPayload(datagram, PayloadType.OpenSessionResponse)
    if (!p) return null
    const r = decodeOpenSessionResponse(p)
    if (r.tag !== this.#tag || (r.consoleSessionId !== this.#o.consoleSessionId && r.status === RakpStatus.Ok)) return null
    if (r.status !== RakpStatus.Ok) throw statusError('Open Session', r.status)
    const s = this.#o.suite
    const a = r.algorithms!
    if (a.auth !== s.auth || a.integrity !== s.integrity || a.confidentiality !== s.confidentiality) {
      throw new IpmiSessionError(`BMC chose algorithms other than cipher suite ${s.id}`)
    }
    this.#bmcSessionId = r.bmcSessionId
    this.#step = 'rakp1'
    this.#tag = (this.#tag + 1) & 0xff
    const rakp1 = encodeRakp1({
      tag: this.#tag,
      bmcSessionId: r.bmcSessionId,
      consoleRandom: this.#consoleRandom,
      role: this.#o.privilege, // name-only lookup bit clear: username + privilege lookup
      username: Buffer.from(this.#o.username, 'latin1'),
    })
    return (this.#current = this.#setup(PayloadType.Rakp1, rakp1))
  }

  #onRakp2(datagram: Buffer): Buffer | null {
    const p = setupPayload(datagram, PayloadType.Rakp2)
    if (!p) return null
    const r = decodeRakp2(p)
    if (r.tag !== this.#tag) return null
    if (r.status !== RakpStatus.Ok) throw statusError('RAKP 2', r.status)
    if (r.consoleSessionId !== this.#o.consoleSessionId) return null
    const ctx: RakpContext = {
      consoleSessionId: this.#o.consoleSessionId,
      bmcSessionId: this.#bmcSessionId,
      consoleRandom: this.#consoleRandom,
      bmcRandom: r.bmcRandom!,
      bmcGuid: r.bmcGuid!,
      role: this.#o.privilege,
      username: Buffer.from(this.#o.username, 'latin1'),
    }
    const kuid = userKey(this.#o.password)
    // The BMC proves it knows our password; a mismatch means the password (or user) is wrong.
    if (!safeEqual(rakp2AuthCode(this.#o.suite, kuid, ctx), r.authCode ?? Buffer.alloc(0))) {
      throw new IpmiAuthError('RAKP 2: the BMC key exchange code does not match; wrong password?')
    }
    this.#rakp = ctx
    this.#step = 'rakp3'
    this.#tag = (this.#tag + 1) & 0xff
    const rakp3 = encodeRakp3({ tag: this.#tag, status: RakpStatus.Ok, bmcSessionId: this.#bmcSessionId, authCode: rakp3AuthCode(this.#o.suite, kuid, ctx) })
    return (this.#current = this.#setup(PayloadType.Rakp3, rakp3))
  }

  #onRakp4(datagram: Buffer): IpmiSession | null {
    const p = setupPayload(datagram, PayloadType.Rakp4)
    if (!p) return null
    const r = decodeRakp4(p)
    if (r.tag !== this.#tag) return null
    if (r.status !== RakpStatus.Ok) throw statusError('RAKP 4', r.status)
    const ctx = this.#rakp!
    const sik = sessionIntegrityKey(this.#o.suite, userKey(this.#o.password), this.#o.kg, ctx)
    if (!safeEqual(rakp4IntegrityCheck(this.#o.suite, sik, ctx), r.integrityCheck)) {
      throw new IpmiAuthError('RAKP 4: integrity check value does not match (BMC key KG differs?)')
    }
    this.#step = 'done'
    return new IpmiSession(deriveSessionKeys(this.#o.suite, sik), this.#bmcSessionId, this.#o.consoleSessionId)
  }

  #setup(type: PayloadType, payload: Buffer): Buffer {
    return encodeRmcp(RmcpClass.Ipmi, encodeV20({ payloadType: type, encrypted: false, authenticated: false, sessionId: 0, sequence: 0, payload }))
  }
}

/** A request sealed for sending: its datagram and the rqSeq that identifies its response. */
export interface SealedRequest {
  datagram: Buffer
  rqSeq: number
  netFn: number
  cmd: number
}

/**
 * An established RMCP+ session: numbers and seals requests, opens and matches responses.
 * Not thread-safe by design: one caller (the transport's per-BMC queue) drives it.
 */
export class IpmiSession {
  #outSeq = 0
  #rqSeq = 0
  /** Current privilege after Set Session Privilege Level (the session starts at User, §13.15). */
  privilege: number = Privilege.User

  constructor(
    readonly keys: SessionKeys,
    readonly bmcSessionId: number,
    readonly consoleSessionId: number,
  ) {}

  /**
   * Seals a request with fresh session and rqSeq numbers. Each call (retransmissions too) uses a
   * new session sequence number, so the BMC's replay window never drops a retry.
   */
  seal(netFn: number, cmd: number, data: Buffer = Buffer.alloc(0), rqSeq?: number): SealedRequest {
    this.#outSeq = this.#outSeq >= 0xffffffff ? 1 : this.#outSeq + 1
    if (rqSeq === undefined) rqSeq = this.#rqSeq = (this.#rqSeq + 1) & 0x3f
    const msg = encodeRequest({ rsAddr: Address.Bmc, netFn, rsLun: 0, rqAddr: Address.RemoteConsole, rqSeq, rqLun: 0, cmd, data })
    const datagram = sealPayload(this.keys, { payloadType: PayloadType.Ipmi, sessionId: this.bmcSessionId, sequence: this.#outSeq, payload: msg })
    return { datagram, rqSeq, netFn, cmd }
  }

  /**
   * The response to `req` carried by `datagram`, or null if the datagram is not one (another
   * session, failed integrity, another request, undecodable). Never throws.
   */
  open(datagram: Buffer, req: SealedRequest): IpmiResponse | null {
    try {
      const rmcp = decodeRmcp(datagram)
      if (rmcp.messageClass !== RmcpClass.Ipmi) return null
      const pkt = decodeSessionPacket(rmcp.body)
      if (pkt.format !== 'v20' || pkt.sessionId !== this.consoleSessionId || pkt.payloadType !== PayloadType.Ipmi) return null
      const res = decodeResponse(openPayload(this.keys, pkt))
      if (res.rqSeq !== req.rqSeq || res.cmd !== req.cmd || res.netFn !== (req.netFn | 1)) return null
      return res
    } catch (e) {
      if (e instanceof IpmiMalformedError) return null
      throw e
    }
  }
}
