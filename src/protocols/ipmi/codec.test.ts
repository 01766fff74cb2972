import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { checksum, decodeRequest, decodeResponse, decodeSessionPacket, encodeRequest, encodeResponse, encodeV15, encodeV20 } from './codec.js'
import { decodeAsf, decodeRmcp, encodePresencePing, encodePresencePong, encodeRmcp, pongSupportsIpmi } from './rmcp.js'
import { IpmiMalformedError } from './errors.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')

// Get Channel Authentication Capabilities, channel 0x0E, privilege 3, rqSeq 0x13 (§22.13, §13.8).
const AUTH_CAPS_REQ = hex('20 18 c8 81 4c 38 0e 03 ea')
// Its response: rqSA 0x81, netFn 7, rsSA 0x20, cc 0, channel 1, auth types, status, ext caps, OEM.
const AUTH_CAPS_RES = hex('81 1c 63 20 4c 38 00 01 80 04 02 00 00 00 00') // checksum appended below

function withChecksum(b: Buffer): Buffer {
  return Buffer.concat([b, Buffer.from([checksum(b, 3)])])
}

describe('RMCP and ASF (§13.1, §13.2)', () => {
  it('encodes a presence ping exactly as specified', () => {
    assert.deepEqual(encodePresencePing(7), hex('06 00 ff 06  00 00 11 be 80 07 00 00'))
  })

  it('round-trips a pong that advertises IPMI', () => {
    const d = decodeRmcp(encodePresencePong(9))
    assert.equal(d.messageClass, 0x06)
    const asf = decodeAsf(d.body)
    assert.deepEqual([asf.iana, asf.messageType, asf.tag, asf.data.length], [4542, 0x40, 9, 16])
    assert.ok(pongSupportsIpmi(asf))
  })

  it('rejects short datagrams, other RMCP versions and overrunning ASF lengths', () => {
    for (const bad of [hex(''), hex('06 00 ff'), hex('05 00 ff 06 00 00 11 be 80 07 00 00'), hex('06 00 ff 06 00 00 11 be 80 07 00 05 01')]) {
      assert.throws(() => decodeAsf(decodeRmcp(bad).body), IpmiMalformedError)
    }
  })

  it('flags RMCP ACKs', () => {
    assert.equal(decodeRmcp(hex('06 00 ff 87')).ack, true)
  })
})

describe('IPMI message framing (§13.8)', () => {
  it('decodes and re-encodes a spec-built request', () => {
    const req = decodeRequest(AUTH_CAPS_REQ)
    assert.deepEqual({ ...req, data: [...req.data] }, { rsAddr: 0x20, netFn: 6, rsLun: 0, rqAddr: 0x81, rqSeq: 0x13, rqLun: 0, cmd: 0x38, data: [0x0e, 0x03] })
    assert.deepEqual(encodeRequest(req), AUTH_CAPS_REQ)
  })

  it('decodes and re-encodes a response', () => {
    const bytes = withChecksum(AUTH_CAPS_RES)
    const res = decodeResponse(bytes)
    assert.deepEqual([res.rqAddr, res.netFn, res.rsAddr, res.rqSeq, res.cmd, res.completionCode], [0x81, 7, 0x20, 0x13, 0x38, 0])
    assert.equal(res.data.length, 8)
    assert.deepEqual(encodeResponse(res), bytes)
  })

  it('rejects every truncation and any corrupted byte', () => {
    for (let n = 0; n < AUTH_CAPS_REQ.length; n++) {
      assert.throws(() => decodeRequest(AUTH_CAPS_REQ.subarray(0, n)), IpmiMalformedError, `prefix ${n}`)
    }
    for (let i = 0; i < AUTH_CAPS_REQ.length; i++) {
      const bad = Buffer.from(AUTH_CAPS_REQ)
      bad[i] ^= 0x01
      assert.throws(() => decodeRequest(bad), IpmiMalformedError, `flip at ${i}`)
    }
  })
})

describe('IPMI v1.5 session wrapper (§13.6, table 13-4)', () => {
  const pkt = hex('00 00000000 00000000 09').toString('hex') + AUTH_CAPS_REQ.toString('hex')

  it('encodes an unauthenticated packet', () => {
    assert.equal(encodeV15({ authType: 0, sequence: 0, sessionId: 0, message: AUTH_CAPS_REQ }).toString('hex'), pkt)
  })

  it('decodes it, tolerating a trailing legacy pad byte', () => {
    const p = decodeSessionPacket(Buffer.concat([hex(pkt), hex('00')]))
    assert.equal(p.format, 'v15')
    assert.deepEqual(p.format === 'v15' && p.message, AUTH_CAPS_REQ)
  })

  it('carries a 16-byte auth code for authenticated types', () => {
    const enc = encodeV15({ authType: 2, sequence: 5, sessionId: 0x01020304, authCode: Buffer.alloc(16, 0xaa), message: AUTH_CAPS_REQ })
    assert.equal(enc.length, 9 + 16 + 1 + AUTH_CAPS_REQ.length)
    const p = decodeSessionPacket(enc)
    assert.ok(p.format === 'v15' && p.authCode?.equals(Buffer.alloc(16, 0xaa)) && p.sessionId === 0x01020304 && p.sequence === 5)
  })

  it('rejects truncations and unknown auth types', () => {
    const full = hex(pkt)
    for (let n = 1; n < full.length; n++) assert.throws(() => decodeSessionPacket(full.subarray(0, n)), IpmiMalformedError, `prefix ${n}`)
    assert.throws(() => decodeSessionPacket(hex('03 00000000 00000000 00')), IpmiMalformedError)
  })
})

describe('IPMI v2.0 session wrapper (§13.6, table 13-8)', () => {
  it('encodes an unauthenticated session-setup packet', () => {
    const enc = encodeV20({ payloadType: 0x10, encrypted: false, authenticated: false, sessionId: 0, sequence: 0, payload: hex('aabb') })
    assert.deepEqual(enc, hex('06 10 00000000 00000000 0200 aabb'))
  })

  it('pads the integrity range to a multiple of 4 and appends the signer output', () => {
    const seen: Buffer[] = []
    const enc = encodeV20(
      { payloadType: 0x00, encrypted: true, authenticated: true, sessionId: 0x04030201, sequence: 0x0a, payload: hex('11') },
      (d) => (seen.push(d), Buffer.alloc(12, 0xcc)),
    )
    // 12 header + 1 payload + 1 pad (0xFF) + pad length + next header (0x07) = 16 bytes covered
    assert.deepEqual(seen[0], hex('06 c0 01020304 0a000000 0100 11 ff 01 07'))
    assert.deepEqual(enc, Buffer.concat([seen[0], Buffer.alloc(12, 0xcc)]))
    const dec = decodeSessionPacket(enc)
    assert.ok(dec.format === 'v20')
    assert.deepEqual([dec.encrypted, dec.authenticated, dec.sessionId, dec.sequence], [true, true, 0x04030201, 10])
    assert.deepEqual(dec.integrityData, seen[0])
    assert.deepEqual(dec.authCode, Buffer.alloc(12, 0xcc))
  })

  it('carries the OEM IANA and payload ID for OEM payloads', () => {
    const enc = encodeV20({ payloadType: 0x02, encrypted: false, authenticated: false, oem: { iana: 4542, payloadId: 7 }, sessionId: 1, sequence: 2, payload: hex('00') })
    const dec = decodeSessionPacket(enc)
    assert.ok(dec.format === 'v20')
    assert.deepEqual(dec.oem, { iana: 4542, payloadId: 7 })
  })

  it('rejects truncations, overrunning lengths and a wrong integrity trailer', () => {
    const enc = encodeV20({ payloadType: 0x00, encrypted: false, authenticated: true, sessionId: 1, sequence: 1, payload: hex('0102') }, () => Buffer.alloc(16, 1))
    // 12 header + 2 payload + no pad + pad length + next header = 16: any shorter prefix is an error.
    for (let n = 1; n < 16; n++) assert.throws(() => decodeSessionPacket(enc.subarray(0, n)), IpmiMalformedError, `prefix ${n}`)
    const bad = Buffer.from(enc)
    bad[15] = 0x06 // next header must be 0x07
    assert.throws(() => decodeSessionPacket(bad), IpmiMalformedError)
    const overrun = Buffer.from(enc)
    overrun.writeUInt16LE(0xffff, 10)
    assert.throws(() => decodeSessionPacket(overrun), IpmiMalformedError)
    assert.throws(() => encodeV20({ payloadType: 0, encrypted: false, authenticated: true, sessionId: 1, sequence: 1, payload: hex('') }), IpmiMalformedError)
  })

  it('is carried in an RMCP IPMI-class datagram', () => {
    const d = decodeRmcp(encodeRmcp(0x07, hex('06 10 00000000 00000000 0000')))
    assert.equal(d.messageClass, 0x07)
    assert.equal(decodeSessionPacket(d.body).format, 'v20')
  })
})
