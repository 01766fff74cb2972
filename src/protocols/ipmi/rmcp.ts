/**
 * RMCP header and ASF presence ping/pong (IPMI v2.0 §13.1–§13.2, ASF 2.0 §3.2). Pure codec.
 */
import { Asf, Rmcp, RmcpClass } from './messages.js'
import { IpmiMalformedError } from './errors.js'

/** A decoded RMCP datagram: its class and the bytes after the 4-byte header. */
export interface RmcpDatagram {
  /** Message class without the ACK flag: RmcpClass.Asf or RmcpClass.Ipmi (others are passed through). */
  messageClass: number
  ack: boolean
  sequence: number
  body: Buffer
}

/** Prefixes `body` with an RMCP header (§13.1.3). */
export function encodeRmcp(messageClass: RmcpClass.Asf | RmcpClass.Ipmi, body: Buffer, sequence = Rmcp.NoAckSequence as number): Buffer {
  const head = Buffer.from([Rmcp.Version, 0x00, sequence & 0xff, messageClass])
  return Buffer.concat([head, body])
}

/**
 * Splits an RMCP datagram. Throws IpmiMalformedError when shorter than the header or the
 * version byte is not 0x06 (RMCP 1.0).
 */
export function decodeRmcp(datagram: Buffer): RmcpDatagram {
  if (datagram.length < Rmcp.HeaderLength) throw new IpmiMalformedError(`RMCP datagram too short (${datagram.length} bytes)`)
  if (datagram[0] !== Rmcp.Version) throw new IpmiMalformedError(`unsupported RMCP version 0x${datagram[0].toString(16)}`)
  const cls = datagram[3]
  return {
    messageClass: cls & 0x1f,
    ack: (cls & RmcpClass.AckFlag) !== 0,
    sequence: datagram[2],
    body: datagram.subarray(Rmcp.HeaderLength),
  }
}

/** A decoded ASF message (ASF 2.0 §3.2.4): ping, pong or another type. */
export interface AsfMessage {
  iana: number
  messageType: number
  tag: number
  data: Buffer
}

/** Encodes an ASF message body (after the RMCP header). */
export function encodeAsf(messageType: number, tag: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.alloc(8 + data.length)
  out.writeUInt32BE(Asf.Iana, 0) // IANA enterprise number, MSB first (ASF is big-endian)
  out[4] = messageType
  out[5] = tag
  out[6] = 0x00
  out[7] = data.length
  data.copy(out, 8)
  return out
}

/** Decodes an ASF message body. Throws IpmiMalformedError if short or its length byte overruns. */
export function decodeAsf(body: Buffer): AsfMessage {
  if (body.length < 8) throw new IpmiMalformedError(`ASF message too short (${body.length} bytes)`)
  const len = body[7]
  if (body.length < 8 + len) throw new IpmiMalformedError(`ASF data length ${len} overruns the datagram`)
  return { iana: body.readUInt32BE(0), messageType: body[4], tag: body[5], data: body.subarray(8, 8 + len) }
}

/** A whole presence ping datagram (§13.2.3). */
export function encodePresencePing(tag: number): Buffer {
  return encodeRmcp(RmcpClass.Asf, encodeAsf(Asf.PresencePing, tag & 0xff))
}

/**
 * A whole presence pong datagram answering `tag` (ASF 2.0 §3.2.4.3): IANA 4542, no OEM data,
 * entities "IPMI supported, ASF 1.0", no interactions.
 */
export function encodePresencePong(tag: number): Buffer {
  const data = Buffer.alloc(16)
  data.writeUInt32BE(Asf.Iana, 0)
  data.writeUInt32BE(0, 4) // OEM-defined
  data[8] = Asf.EntitiesIpmi
  data[9] = 0x00 // supported interactions: none beyond IPMI
  return encodeRmcp(RmcpClass.Asf, encodeAsf(Asf.PresencePong, tag & 0xff, data))
}

/** True when a pong's supported-entities byte says IPMI is supported. */
export function pongSupportsIpmi(msg: AsfMessage): boolean {
  return msg.messageType === Asf.PresencePong && msg.data.length >= 9 && (msg.data[8] & 0x80) !== 0
}
