/**
 * RMCP+ session-setup payloads: Open Session Request/Response and RAKP messages 1–4
 * (IPMI v2.0 §13.17–§13.23). Pure codec; multi-byte integers are little-endian.
 */
import { RakpStatus } from './messages.js'
import { IpmiMalformedError } from './errors.js'

/** One proposed or chosen algorithm (§13.17, tables 13-17..13-19). `null` = wildcard (length 0). */
export interface AlgorithmProposal {
  auth: number | null
  integrity: number | null
  confidentiality: number | null
}

export interface OpenSessionRequest {
  tag: number
  /** Requested maximum privilege (bits 3:0); 0 = highest level matching the proposal. */
  maxPrivilege: number
  consoleSessionId: number
  algorithms: AlgorithmProposal
}

export interface OpenSessionResponse {
  tag: number
  status: number
  maxPrivilege: number
  consoleSessionId: number
  /** 0 (and algorithms absent) when status is not Ok. */
  bmcSessionId: number
  algorithms?: { auth: number; integrity: number; confidentiality: number }
}

export interface Rakp1 {
  tag: number
  bmcSessionId: number
  consoleRandom: Buffer
  /** The whole requested-role byte: bit 4 = name-only lookup, bits 3:0 = privilege. */
  role: number
  username: Buffer
}

export interface Rakp2 {
  tag: number
  status: number
  consoleSessionId: number
  /** Present when status is Ok. */
  bmcRandom?: Buffer
  bmcGuid?: Buffer
  authCode?: Buffer
}

export interface Rakp3 {
  tag: number
  status: number
  bmcSessionId: number
  authCode: Buffer
}

export interface Rakp4 {
  tag: number
  status: number
  consoleSessionId: number
  integrityCheck: Buffer
}

function need(buf: Buffer, n: number, what: string): void {
  if (buf.length < n) throw new IpmiMalformedError(`${what} too short (${buf.length} of ${n} bytes)`)
}

function algorithmBlock(kind: number, alg: number | null): Buffer {
  const b = Buffer.alloc(8)
  b[0] = kind
  b[3] = alg === null ? 0x00 : 0x08
  b[4] = alg === null ? 0x00 : alg & 0x3f
  return b
}

function readAlgorithm(buf: Buffer, at: number, kind: number): number | null {
  if (buf[at] !== kind) throw new IpmiMalformedError(`algorithm payload type ${buf[at]} where ${kind} expected`)
  const len = buf[at + 3]
  if (len === 0) return null
  if (len !== 8) throw new IpmiMalformedError(`algorithm payload length ${len} (expected 8)`)
  return buf[at + 4] & 0x3f
}

/** Open Session Request (§13.17, table 13-16): 32 bytes. */
export function encodeOpenSessionRequest(m: OpenSessionRequest): Buffer {
  const head = Buffer.alloc(8)
  head[0] = m.tag
  head[1] = m.maxPrivilege & 0x0f
  head.writeUInt32LE(m.consoleSessionId >>> 0, 4)
  return Buffer.concat([
    head,
    algorithmBlock(0x00, m.algorithms.auth),
    algorithmBlock(0x01, m.algorithms.integrity),
    algorithmBlock(0x02, m.algorithms.confidentiality),
  ])
}

/** Throws IpmiMalformedError when shorter than 32 bytes or an algorithm block is malformed. */
export function decodeOpenSessionRequest(p: Buffer): OpenSessionRequest {
  need(p, 32, 'Open Session Request')
  return {
    tag: p[0],
    maxPrivilege: p[1] & 0x0f,
    consoleSessionId: p.readUInt32LE(4),
    algorithms: { auth: readAlgorithm(p, 8, 0), integrity: readAlgorithm(p, 16, 1), confidentiality: readAlgorithm(p, 24, 2) },
  }
}

/** Open Session Response (§13.18, table 13-17): 36 bytes, or 8 when status is not Ok. */
export function encodeOpenSessionResponse(m: OpenSessionResponse): Buffer {
  const head = Buffer.alloc(8)
  head[0] = m.tag
  head[1] = m.status
  head[2] = m.maxPrivilege & 0x0f
  head.writeUInt32LE(m.consoleSessionId >>> 0, 4)
  if (m.status !== RakpStatus.Ok || !m.algorithms) return head
  const sid = Buffer.alloc(4)
  sid.writeUInt32LE(m.bmcSessionId >>> 0)
  return Buffer.concat([
    head,
    sid,
    algorithmBlock(0x00, m.algorithms.auth),
    algorithmBlock(0x01, m.algorithms.integrity),
    algorithmBlock(0x02, m.algorithms.confidentiality),
  ])
}

/** Throws IpmiMalformedError when truncated (2 bytes minimum on error, 36 on success). */
export function decodeOpenSessionResponse(p: Buffer): OpenSessionResponse {
  need(p, 2, 'Open Session Response')
  const status = p[1]
  if (status !== RakpStatus.Ok) {
    return { tag: p[0], status, maxPrivilege: p.length > 2 ? p[2] & 0x0f : 0, consoleSessionId: p.length >= 8 ? p.readUInt32LE(4) : 0, bmcSessionId: 0 }
  }
  need(p, 36, 'Open Session Response')
  const auth = readAlgorithm(p, 12, 0)
  const integrity = readAlgorithm(p, 20, 1)
  const confidentiality = readAlgorithm(p, 28, 2)
  if (auth === null || integrity === null || confidentiality === null) throw new IpmiMalformedError('Open Session Response left an algorithm unchosen')
  return {
    tag: p[0],
    status,
    maxPrivilege: p[2] & 0x0f,
    consoleSessionId: p.readUInt32LE(4),
    bmcSessionId: p.readUInt32LE(8),
    algorithms: { auth, integrity, confidentiality },
  }
}

/** RAKP Message 1 (§13.20, table 13-19): 28 bytes + user name. */
export function encodeRakp1(m: Rakp1): Buffer {
  if (m.consoleRandom.length !== 16) throw new IpmiMalformedError('RAKP 1 random must be 16 bytes')
  if (m.username.length > 255) throw new IpmiMalformedError('RAKP 1 user name too long')
  const out = Buffer.alloc(28 + m.username.length)
  out[0] = m.tag
  out.writeUInt32LE(m.bmcSessionId >>> 0, 4)
  m.consoleRandom.copy(out, 8)
  out[24] = m.role
  out[27] = m.username.length
  m.username.copy(out, 28)
  return out
}

/** Throws IpmiMalformedError when truncated or the user name length overruns the payload. */
export function decodeRakp1(p: Buffer): Rakp1 {
  need(p, 28, 'RAKP 1')
  const ulen = p[27]
  need(p, 28 + ulen, 'RAKP 1 user name')
  return {
    tag: p[0],
    bmcSessionId: p.readUInt32LE(4),
    consoleRandom: Buffer.from(p.subarray(8, 24)),
    role: p[24],
    username: Buffer.from(p.subarray(28, 28 + ulen)),
  }
}

/** RAKP Message 2 (§13.21, table 13-20): 40 bytes + auth code, or 8 bytes when status is not Ok. */
export function encodeRakp2(m: Rakp2): Buffer {
  const head = Buffer.alloc(8)
  head[0] = m.tag
  head[1] = m.status
  head.writeUInt32LE(m.consoleSessionId >>> 0, 4)
  if (m.status !== RakpStatus.Ok) return head
  if (m.bmcRandom?.length !== 16 || m.bmcGuid?.length !== 16) throw new IpmiMalformedError('RAKP 2 needs a 16-byte random and GUID')
  return Buffer.concat([head, m.bmcRandom, m.bmcGuid, m.authCode ?? Buffer.alloc(0)])
}

/** Throws IpmiMalformedError when truncated (2 bytes minimum on error, 40 on success). */
export function decodeRakp2(p: Buffer): Rakp2 {
  need(p, 2, 'RAKP 2')
  const status = p[1]
  const consoleSessionId = p.length >= 8 ? p.readUInt32LE(4) : 0
  if (status !== RakpStatus.Ok) return { tag: p[0], status, consoleSessionId }
  need(p, 40, 'RAKP 2')
  return {
    tag: p[0],
    status,
    consoleSessionId,
    bmcRandom: Buffer.from(p.subarray(8, 24)),
    bmcGuid: Buffer.from(p.subarray(24, 40)),
    authCode: Buffer.from(p.subarray(40)),
  }
}

/** RAKP Message 3 (§13.22, table 13-21): 8 bytes + auth code. */
export function encodeRakp3(m: Rakp3): Buffer {
  const head = Buffer.alloc(8)
  head[0] = m.tag
  head[1] = m.status
  head.writeUInt32LE(m.bmcSessionId >>> 0, 4)
  return Buffer.concat([head, m.authCode])
}

/** Throws IpmiMalformedError when shorter than 8 bytes. */
export function decodeRakp3(p: Buffer): Rakp3 {
  need(p, 8, 'RAKP 3')
  return { tag: p[0], status: p[1], bmcSessionId: p.readUInt32LE(4), authCode: Buffer.from(p.subarray(8)) }
}

/** RAKP Message 4 (§13.23, table 13-22): 8 bytes + integrity check value. */
export function encodeRakp4(m: Rakp4): Buffer {
  const head = Buffer.alloc(8)
  head[0] = m.tag
  head[1] = m.status
  head.writeUInt32LE(m.consoleSessionId >>> 0, 4)
  return Buffer.concat([head, m.integrityCheck])
}

/** Throws IpmiMalformedError when shorter than 2 bytes (8 when status is Ok). */
export function decodeRakp4(p: Buffer): Rakp4 {
  need(p, 2, 'RAKP 4')
  if (p[1] !== RakpStatus.Ok) return { tag: p[0], status: p[1], consoleSessionId: p.length >= 8 ? p.readUInt32LE(4) : 0, integrityCheck: Buffer.alloc(0) }
  need(p, 8, 'RAKP 4')
  return { tag: p[0], status: p[1], consoleSessionId: p.readUInt32LE(4), integrityCheck: Buffer.from(p.subarray(8)) }
}
