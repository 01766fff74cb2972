import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  decodeOpenSessionRequest,
  decodeOpenSessionResponse,
  decodeRakp1,
  decodeRakp2,
  decodeRakp3,
  decodeRakp4,
  encodeOpenSessionRequest,
  encodeOpenSessionResponse,
  encodeRakp1,
  encodeRakp2,
  encodeRakp3,
  encodeRakp4,
} from './rakp.js'
import { IpmiMalformedError } from './errors.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')

// Open Session Request for cipher suite 3 (§13.17): tag 0, admin, console SID 0xa0a2a3a4.
const OPEN_REQ = hex(`
  00 04 0000 a4a3a2a0
  00 0000 08 01 000000
  01 0000 08 01 000000
  02 0000 08 01 000000`)

describe('Open Session (§13.17, §13.18)', () => {
  it('decodes and re-encodes a spec-built request', () => {
    const m = decodeOpenSessionRequest(OPEN_REQ)
    assert.deepEqual(m, { tag: 0, maxPrivilege: 4, consoleSessionId: 0xa0a2a3a4, algorithms: { auth: 1, integrity: 1, confidentiality: 1 } })
    assert.deepEqual(encodeOpenSessionRequest(m), OPEN_REQ)
  })

  it('reads a zero-length algorithm payload as a wildcard', () => {
    const w = Buffer.from(OPEN_REQ)
    w[8 + 3] = 0
    assert.equal(decodeOpenSessionRequest(w).algorithms.auth, null)
  })

  it('rejects truncations and misplaced algorithm payloads', () => {
    for (let n = 0; n < OPEN_REQ.length; n++) assert.throws(() => decodeOpenSessionRequest(OPEN_REQ.subarray(0, n)), IpmiMalformedError)
    const swapped = Buffer.from(OPEN_REQ)
    swapped[8] = 0x01
    assert.throws(() => decodeOpenSessionRequest(swapped), IpmiMalformedError)
  })

  it('encodes a 36-byte success and an 8-byte refusal', () => {
    const ok = encodeOpenSessionResponse({ tag: 1, status: 0, maxPrivilege: 4, consoleSessionId: 7, bmcSessionId: 9, algorithms: { auth: 3, integrity: 4, confidentiality: 1 } })
    assert.equal(ok.length, 36)
    assert.deepEqual(decodeOpenSessionResponse(ok), { tag: 1, status: 0, maxPrivilege: 4, consoleSessionId: 7, bmcSessionId: 9, algorithms: { auth: 3, integrity: 4, confidentiality: 1 } })
    const refused = encodeOpenSessionResponse({ tag: 1, status: 0x11, maxPrivilege: 0, consoleSessionId: 7, bmcSessionId: 0 })
    assert.deepEqual(refused, hex('01 11 00 00 07000000'))
    assert.equal(decodeOpenSessionResponse(refused).status, 0x11)
    assert.throws(() => decodeOpenSessionResponse(ok.subarray(0, 35)), IpmiMalformedError)
  })
})

describe('RAKP messages 1-4 (§13.20-§13.23)', () => {
  const rm = Buffer.alloc(16, 0x11)
  const rc = Buffer.alloc(16, 0x22)
  const guid = Buffer.alloc(16, 0x33)

  it('RAKP 1: layout, user name, truncation', () => {
    const m = { tag: 2, bmcSessionId: 0x01020304, consoleRandom: rm, role: 0x14, username: Buffer.from('admin') }
    const b = encodeRakp1(m)
    assert.deepEqual(b.subarray(0, 8), hex('02 000000 04030201'))
    assert.deepEqual(b.subarray(24), hex('14 0000 05 61646d696e'))
    assert.deepEqual(decodeRakp1(b), m)
    assert.throws(() => decodeRakp1(b.subarray(0, b.length - 1)), IpmiMalformedError)
  })

  it('RAKP 2: success carries random, GUID and code; refusal is 8 bytes', () => {
    const b = encodeRakp2({ tag: 3, status: 0, consoleSessionId: 5, bmcRandom: rc, bmcGuid: guid, authCode: Buffer.alloc(20, 0x44) })
    assert.equal(b.length, 60)
    const d = decodeRakp2(b)
    assert.ok(d.bmcRandom?.equals(rc) && d.bmcGuid?.equals(guid) && d.authCode?.equals(Buffer.alloc(20, 0x44)))
    assert.deepEqual(encodeRakp2({ tag: 3, status: 0x0d, consoleSessionId: 5 }), hex('03 0d 0000 05000000'))
    assert.throws(() => decodeRakp2(b.subarray(0, 39)), IpmiMalformedError)
  })

  it('RAKP 3 and RAKP 4 round-trip and reject short payloads', () => {
    const r3 = { tag: 4, status: 0, bmcSessionId: 6, authCode: Buffer.alloc(32, 5) }
    assert.deepEqual(decodeRakp3(encodeRakp3(r3)), r3)
    const r4 = { tag: 5, status: 0, consoleSessionId: 7, integrityCheck: Buffer.alloc(12, 6) }
    assert.deepEqual(decodeRakp4(encodeRakp4(r4)), r4)
    assert.throws(() => decodeRakp3(hex('04 00 0000 0600')), IpmiMalformedError)
    assert.throws(() => decodeRakp4(hex('05')), IpmiMalformedError)
    assert.equal(decodeRakp4(hex('05 0f')).status, 0x0f)
  })
})
