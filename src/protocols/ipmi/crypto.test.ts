import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CIPHER_SUITE_17, CIPHER_SUITE_3, decryptAesCbc128, encryptAesCbc128, findCipherSuite, integrityCode } from './crypto.js'
import type { CipherSuite } from './crypto.js'
import { deriveSessionKeys, rakp2AuthCode, rakp3AuthCode, rakp4IntegrityCheck, sessionIntegrityKey, userKey } from './session-keys.js'
import type { RakpContext } from './session-keys.js'
import { openPayload, sealPayload } from './secure-payload.js'
import { decodeSessionPacket } from './codec.js'
import { decodeRmcp } from './rmcp.js'
import { IpmiMalformedError } from './errors.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')

/**
 * Known answers: values printed by ipmitool 1.8.19 (`-vvvv`) while it logged in to the lab BMC
 * as admin/secret with role byte 0x14 — an independent implementation of the same formulas.
 */
const VECTORS: { suite: CipherSuite; ctx: RakpContext; rakp2: string; rakp3: string; sik: string; k1: string; k2: string; rakp4: string }[] = [
  {
    suite: CIPHER_SUITE_3,
    ctx: {
      consoleSessionId: 0xa0a2a3a4,
      bmcSessionId: 0x885cd7cf,
      consoleRandom: hex('e94d6db4ccda4654a2597667be6021e6'),
      bmcRandom: hex('1ed0595342fdc11e3f89fac5711898e8'),
      bmcGuid: hex('8d9f1f3e5b3a4c6e9a1b2f4e6c8d0a12'),
      role: 0x14,
      username: Buffer.from('admin'),
    },
    rakp2: 'f8b80b4ca9103ccfcdb87149039c1c66080ef792',
    rakp3: '490f1deb91ff31b04ab6267ab1c850aea07143ee',
    sik: '0eaf9f6d8f4a2a90095638dbd15413d240d5259a',
    k1: '6e0016aede092bada18a7cc154613bd2db36a73a',
    k2: '4dd6d52b244ce6a999081f416abbdbc0147d6043',
    rakp4: '95e3f51fa4f70aa986caac02',
  },
  {
    suite: CIPHER_SUITE_17,
    ctx: {
      consoleSessionId: 0xa0a2a3a4,
      bmcSessionId: 0x47081e22,
      consoleRandom: hex('ecbe634897e6374b15b296aa0c2a691f'),
      bmcRandom: hex('141a7fd705c253623c2f47f78e52ad00'),
      bmcGuid: hex('8d9f1f3e5b3a4c6e9a1b2f4e6c8d0a12'),
      role: 0x14,
      username: Buffer.from('admin'),
    },
    rakp2: '5a8e9d010662f4291e6fdc40bcc535398f48801a9769a2c63cc04d22ddff0fde',
    rakp3: '8c68e452f1674aabd10bb2abad48fc4b47cdbb7167befb13e4b838756bf41d6b',
    sik: 'e6c64ad41daa822cc08d5cc6b024e476a3c748f132189c69eb2653d527a5c285',
    k1: 'ff6c28abe3ee8d77f3f6e52edd1de38112debc81397ab5275a9fc597fe66f216',
    k2: '7c6d4c9f7bbcdafda37d3393afbcb15ea98809fdc9f92e925d34b1aae5600b87',
    rakp4: 'f3b94db90e8a66d3fe82806fce76a3fb',
  },
]

describe('RAKP key derivation (§13.31, §13.32)', () => {
  for (const v of VECTORS) {
    it(`cipher suite ${v.suite.id}: RAKP 2/3 codes, SIK, K1, K2 and RAKP 4 ICV match ipmitool`, () => {
      const kuid = userKey('secret')
      assert.equal(rakp2AuthCode(v.suite, kuid, v.ctx).toString('hex'), v.rakp2)
      assert.equal(rakp3AuthCode(v.suite, kuid, v.ctx).toString('hex'), v.rakp3)
      const sik = sessionIntegrityKey(v.suite, kuid, null, v.ctx)
      assert.equal(sik.toString('hex'), v.sik)
      const keys = deriveSessionKeys(v.suite, sik)
      assert.equal(keys.k1.toString('hex'), v.k1)
      assert.equal(keys.k2.toString('hex'), v.k2)
      assert.equal(rakp4IntegrityCheck(v.suite, sik, v.ctx).toString('hex'), v.rakp4)
    })
  }

  it('uses KG instead of Kuid for the SIK when one is set', () => {
    const v = VECTORS[0]
    const withKg = sessionIntegrityKey(v.suite, userKey('secret'), Buffer.from('bmc-key'), v.ctx)
    assert.notEqual(withKg.toString('hex'), v.sik)
  })

  it('finds suites by their algorithms only', () => {
    assert.equal(findCipherSuite(1, 1, 1), CIPHER_SUITE_3)
    assert.equal(findCipherSuite(3, 4, 1), CIPHER_SUITE_17)
    assert.equal(findCipherSuite(0, 0, 0), undefined)
  })
})

describe('AES-CBC-128 confidentiality (§13.29)', () => {
  const k2 = hex(VECTORS[0].k2)
  const iv = Buffer.alloc(16, 7)

  it('pads with 1..N and N, to whole blocks, after a 16-byte IV', () => {
    for (const len of [0, 1, 14, 15, 16, 31, 40]) {
      const plain = Buffer.alloc(len, 0x5a)
      const enc = encryptAesCbc128(k2, plain, iv)
      assert.deepEqual(enc.subarray(0, 16), iv)
      assert.equal((enc.length - 16) % 16, 0)
      assert.equal(enc.length - 16, Math.ceil((len + 1) / 16) * 16)
      assert.deepEqual(decryptAesCbc128(k2, enc), plain)
    }
  })

  it('rejects bad lengths and (deterministically) a wrong key', () => {
    const enc = encryptAesCbc128(k2, Buffer.from('hello'), iv)
    assert.throws(() => decryptAesCbc128(k2, enc.subarray(0, 31)), IpmiMalformedError)
    assert.throws(() => decryptAesCbc128(k2, enc.subarray(0, 16)), IpmiMalformedError)
    assert.throws(() => decryptAesCbc128(Buffer.alloc(16, 1), enc), IpmiMalformedError)
  })
})

describe('sealPayload / openPayload', () => {
  for (const v of VECTORS) {
    const keys = deriveSessionKeys(v.suite, hex(v.sik))
    it(`cipher suite ${v.suite.id}: round-trips, and refuses tampering and unauthenticated packets`, () => {
      const datagram = sealPayload(keys, { payloadType: 0, sessionId: 0x1234, sequence: 3, payload: Buffer.from('payload') })
      const pkt = decodeSessionPacket(decodeRmcp(datagram).body)
      assert.ok(pkt.format === 'v20' && pkt.encrypted && pkt.authenticated)
      assert.equal(pkt.authCode?.length, v.suite.authCodeLength)
      assert.deepEqual(integrityCode(v.suite, keys.k1, pkt.integrityData!), pkt.authCode)
      assert.equal(openPayload(keys, pkt).toString(), 'payload')
      for (const at of [5, 20, datagram.length - 1]) {
        const bad = Buffer.from(datagram)
        bad[at] ^= 0x80
        assert.throws(() => {
          const p = decodeSessionPacket(decodeRmcp(bad).body)
          if (p.format !== 'v20') throw new IpmiMalformedError('not v20')
          openPayload(keys, p)
        }, IpmiMalformedError, `flip at ${at}`)
      }
      const plain = decodeSessionPacket(decodeRmcp(sealPayload(null, { payloadType: 0, sessionId: 0x1234, sequence: 4, payload: Buffer.from('x') })).body)
      assert.ok(plain.format === 'v20')
      assert.throws(() => openPayload(keys, plain), IpmiMalformedError)
    })
  }
})
