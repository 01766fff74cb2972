/**
 * Session wrappers (IPMI v1.5 and v2.0/RMCP+) and IPMI LAN message framing. Pure: no sockets and no
 * crypto; integrity codes are produced by a signer the caller passes in (see secure-payload.ts).
 */
import { AuthType, PayloadFlag, PayloadType } from './messages.js'
import type { IpmiRequest, IpmiResponse, SessionPacket, V15Packet, V20Packet } from './messages.js'
import { IpmiMalformedError } from './errors.js'

/** The RMCP+ "next header" byte that ends the integrity trailer (§13.6, table 13-8). */
const NEXT_HEADER = 0x07
const INTEGRITY_PAD = 0xff

/** Two's-complement 8-bit checksum (§13.8): the bytes plus the checksum sum to 0 mod 256. */
export function checksum(bytes: Buffer, start = 0, end = bytes.length): number {
  let sum = 0
  for (let i = start; i < end; i++) sum = (sum + bytes[i]) & 0xff
  return (0x100 - sum) & 0xff
}

// ---------------------------------------------------------------------------------------------
// IPMI message framing (§13.8, table 13-10 requests / 13-11 responses)
// ---------------------------------------------------------------------------------------------

/** Frames a request: rsSA, netFn/rsLUN, checksum, rqSA, rqSeq/rqLUN, cmd, data, checksum. */
export function encodeRequest(req: IpmiRequest): Buffer {
  const out = Buffer.alloc(7 + req.data.length)
  out[0] = req.rsAddr
  out[1] = ((req.netFn & 0x3f) << 2) | (req.rsLun & 0x03)
  out[2] = checksum(out, 0, 2)
  out[3] = req.rqAddr
  out[4] = ((req.rqSeq & 0x3f) << 2) | (req.rqLun & 0x03)
  out[5] = req.cmd
  req.data.copy(out, 6)
  out[out.length - 1] = checksum(out, 3, out.length - 1)
  return out
}

/** Parses a request. Throws IpmiMalformedError when shorter than 7 bytes or a checksum is wrong. */
export function decodeRequest(msg: Buffer): IpmiRequest {
  if (msg.length < 7) throw new IpmiMalformedError(`IPMI request too short (${msg.length} bytes)`)
  verifyChecksums(msg)
  return {
    rsAddr: msg[0],
    netFn: msg[1] >> 2,
    rsLun: msg[1] & 0x03,
    rqAddr: msg[3],
    rqSeq: msg[4] >> 2,
    rqLun: msg[4] & 0x03,
    cmd: msg[5],
    data: Buffer.from(msg.subarray(6, msg.length - 1)),
  }
}

/** Frames a response: rqSA, netFn/rqLUN, checksum, rsSA, rqSeq/rsLUN, cmd, completion code, data, checksum. */
export function encodeResponse(res: IpmiResponse): Buffer {
  const out = Buffer.alloc(8 + res.data.length)
  out[0] = res.rqAddr
  out[1] = ((res.netFn & 0x3f) << 2) | (res.rqLun & 0x03)
  out[2] = checksum(out, 0, 2)
  out[3] = res.rsAddr
  out[4] = ((res.rqSeq & 0x3f) << 2) | (res.rsLun & 0x03)
  out[5] = res.cmd
  out[6] = res.completionCode
  res.data.copy(out, 7)
  out[out.length - 1] = checksum(out, 3, out.length - 1)
  return out
}

/** Parses a response. Throws IpmiMalformedError when shorter than 8 bytes or a checksum is wrong. */
export function decodeResponse(msg: Buffer): IpmiResponse {
  if (msg.length < 8) throw new IpmiMalformedError(`IPMI response too short (${msg.length} bytes)`)
  verifyChecksums(msg)
  return {
    rqAddr: msg[0],
    netFn: msg[1] >> 2,
    rqLun: msg[1] & 0x03,
    rsAddr: msg[3],
    rqSeq: msg[4] >> 2,
    rsLun: msg[4] & 0x03,
    cmd: msg[5],
    completionCode: msg[6],
    data: Buffer.from(msg.subarray(7, msg.length - 1)),
  }
}

function verifyChecksums(msg: Buffer): void {
  if (checksum(msg, 0, 2) !== msg[2]) throw new IpmiMalformedError('IPMI header checksum mismatch')
  if (checksum(msg, 3, msg.length - 1) !== msg[msg.length - 1]) throw new IpmiMalformedError('IPMI data checksum mismatch')
}

// ---------------------------------------------------------------------------------------------
// Session wrappers (§13.6)
// ---------------------------------------------------------------------------------------------

/** Encodes an IPMI v1.5 session packet (table 13-4) as an RMCP body. */
export function encodeV15(pkt: Omit<V15Packet, 'format'>): Buffer {
  const hasCode = pkt.authType !== AuthType.None
  if (hasCode && (!pkt.authCode || pkt.authCode.length !== 16)) throw new IpmiMalformedError('v1.5 auth code must be 16 bytes')
  if (pkt.message.length > 255) throw new IpmiMalformedError('v1.5 message longer than 255 bytes')
  const head = Buffer.alloc(9)
  head[0] = pkt.authType
  head.writeUInt32LE(pkt.sequence >>> 0, 1)
  head.writeUInt32LE(pkt.sessionId >>> 0, 5)
  return Buffer.concat([head, hasCode ? pkt.authCode! : Buffer.alloc(0), Buffer.from([pkt.message.length]), pkt.message])
}

/** Signs the integrity range of an outgoing v2.0 packet; returns the AuthCode bytes. */
export type IntegritySigner = (integrityData: Buffer) => Buffer

/** What encodeV20 needs: the packet minus what the codec computes itself. */
export interface V20Outgoing {
  payloadType: number
  encrypted: boolean
  authenticated: boolean
  oem?: { iana: number; payloadId: number }
  sessionId: number
  sequence: number
  /** Payload as it goes on the wire (already encrypted when `encrypted`). */
  payload: Buffer
}

/**
 * Encodes an IPMI v2.0/RMCP+ session packet (table 13-8) as an RMCP body. When `authenticated`,
 * adds the integrity pad, pad length, next header and the AuthCode from `sign`.
 * Throws IpmiMalformedError if authenticated without a signer or the payload exceeds 65535 bytes.
 */
export function encodeV20(pkt: V20Outgoing, sign?: IntegritySigner): Buffer {
  if (pkt.payload.length > 0xffff) throw new IpmiMalformedError('v2.0 payload longer than 65535 bytes')
  const isOem = (pkt.payloadType & PayloadFlag.TypeMask) === PayloadType.Oem
  const head = Buffer.alloc(isOem ? 18 : 12)
  head[0] = AuthType.RmcpPlus
  head[1] = (pkt.payloadType & PayloadFlag.TypeMask) | (pkt.encrypted ? PayloadFlag.Encrypted : 0) | (pkt.authenticated ? PayloadFlag.Authenticated : 0)
  let o = 2
  if (isOem) {
    head.writeUInt32LE((pkt.oem?.iana ?? 0) >>> 0, o)
    head.writeUInt16LE(pkt.oem?.payloadId ?? 0, o + 4)
    o += 6
  }
  head.writeUInt32LE(pkt.sessionId >>> 0, o)
  head.writeUInt32LE(pkt.sequence >>> 0, o + 4)
  head.writeUInt16LE(pkt.payload.length, o + 8)
  if (!pkt.authenticated) return Buffer.concat([head, pkt.payload])
  if (!sign) throw new IpmiMalformedError('authenticated v2.0 packet needs an integrity signer')
  // Integrity pad (0xFF bytes) makes authType..nextHeader a multiple of 4 bytes (§13.6 note).
  const padLen = integrityPadLength(head.length, pkt.payload.length)
  const trailer = Buffer.alloc(padLen + 2, INTEGRITY_PAD)
  trailer[padLen] = padLen
  trailer[padLen + 1] = NEXT_HEADER
  const covered = Buffer.concat([head, pkt.payload, trailer])
  return Buffer.concat([covered, sign(covered)])
}

function integrityPadLength(headerLength: number, payloadLength: number): number {
  return (4 - ((headerLength + payloadLength + 2) % 4)) % 4
}

/**
 * Decodes a session packet (the RMCP body of an IPMI-class datagram), v1.5 or v2.0 by its auth
 * type byte. Lengths are checked against the datagram; integrity codes are returned, not checked.
 * Throws IpmiMalformedError on any inconsistency.
 */
export function decodeSessionPacket(body: Buffer): SessionPacket {
  if (body.length < 1) throw new IpmiMalformedError('empty IPMI session packet')
  return body[0] === AuthType.RmcpPlus ? decodeV20(body) : decodeV15(body)
}

function decodeV15(body: Buffer): V15Packet {
  const authType = body[0]
  if (authType > AuthType.Oem || authType === 0x03) throw new IpmiMalformedError(`unknown v1.5 auth type 0x${authType.toString(16)}`)
  const hasCode = authType !== AuthType.None
  const lenAt = hasCode ? 25 : 9
  if (body.length < lenAt + 1) throw new IpmiMalformedError(`v1.5 session header truncated (${body.length} bytes)`)
  const msgLen = body[lenAt]
  // Some senders append a legacy pad byte after the message; tolerate trailing bytes, not missing ones.
  if (body.length < lenAt + 1 + msgLen) throw new IpmiMalformedError(`v1.5 message length ${msgLen} overruns the datagram`)
  return {
    format: 'v15',
    authType,
    sequence: body.readUInt32LE(1),
    sessionId: body.readUInt32LE(5),
    ...(hasCode ? { authCode: Buffer.from(body.subarray(9, 25)) } : {}),
    message: Buffer.from(body.subarray(lenAt + 1, lenAt + 1 + msgLen)),
  }
}

function decodeV20(body: Buffer): V20Packet {
  if (body.length < 2) throw new IpmiMalformedError('v2.0 session header truncated')
  const typeByte = body[1]
  const payloadType = typeByte & PayloadFlag.TypeMask
  const isOem = payloadType === PayloadType.Oem
  const headLen = isOem ? 18 : 12
  if (body.length < headLen) throw new IpmiMalformedError(`v2.0 session header truncated (${body.length} bytes)`)
  let o = 2
  let oem: V20Packet['oem']
  if (isOem) {
    oem = { iana: body.readUInt32LE(o), payloadId: body.readUInt16LE(o + 4) }
    o += 6
  }
  const sessionId = body.readUInt32LE(o)
  const sequence = body.readUInt32LE(o + 4)
  const payloadLen = body.readUInt16LE(o + 8)
  const payloadEnd = headLen + payloadLen
  if (body.length < payloadEnd) throw new IpmiMalformedError(`v2.0 payload length ${payloadLen} overruns the datagram`)
  const authenticated = (typeByte & PayloadFlag.Authenticated) !== 0
  const pkt: V20Packet = {
    format: 'v20',
    payloadType,
    encrypted: (typeByte & PayloadFlag.Encrypted) !== 0,
    authenticated,
    sessionId,
    sequence,
    payload: Buffer.from(body.subarray(headLen, payloadEnd)),
  }
  if (oem) pkt.oem = oem
  if (!authenticated) return pkt
  const padLen = integrityPadLength(headLen, payloadLen)
  const nextHeaderAt = payloadEnd + padLen + 1
  if (body.length <= nextHeaderAt) throw new IpmiMalformedError('v2.0 integrity trailer truncated')
  if (body[payloadEnd + padLen] !== padLen || body[nextHeaderAt] !== NEXT_HEADER) {
    throw new IpmiMalformedError('v2.0 integrity pad length or next header is wrong')
  }
  for (let i = payloadEnd; i < payloadEnd + padLen; i++) {
    if (body[i] !== INTEGRITY_PAD) throw new IpmiMalformedError('v2.0 integrity pad byte is not 0xFF')
  }
  pkt.integrityData = Buffer.from(body.subarray(0, nextHeaderAt + 1))
  pkt.authCode = Buffer.from(body.subarray(nextHeaderAt + 1))
  return pkt
}
