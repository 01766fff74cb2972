/**
 * RMCP+ algorithms over node:crypto: cipher suites 3 and 17 (§22.15.2, table 22-20), HMAC
 * integrity (§13.28.4) and AES-CBC-128 confidentiality (§13.29). No I/O.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { AuthAlgorithm, ConfidentialityAlgorithm, IntegrityAlgorithm } from './messages.js'
import { IpmiMalformedError } from './errors.js'

export type HashName = 'sha1' | 'sha256'

/** A cipher suite this implementation supports, with the sizes its algorithms imply. */
export interface CipherSuite {
  readonly id: number
  readonly auth: AuthAlgorithm
  readonly integrity: IntegrityAlgorithm
  readonly confidentiality: ConfidentialityAlgorithm
  /** Hash of the RAKP authentication algorithm (RAKP 2/3 codes, SIK, K1, K2). */
  readonly rakpHash: HashName
  /** Bytes of the RAKP 4 integrity check value: HMAC truncated to 96 (SHA1) or 128 (SHA256) bits (§13.28.1b). */
  readonly rakp4IcvLength: number
  /** Hash and truncated length of per-packet AuthCodes (§13.28.4). */
  readonly integrityHash: HashName
  readonly authCodeLength: number
}

/** Cipher suite 3: RAKP-HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128. */
export const CIPHER_SUITE_3: CipherSuite = Object.freeze({
  id: 3,
  auth: AuthAlgorithm.RakpHmacSha1,
  integrity: IntegrityAlgorithm.HmacSha1_96,
  confidentiality: ConfidentialityAlgorithm.AesCbc128,
  rakpHash: 'sha1',
  rakp4IcvLength: 12,
  integrityHash: 'sha1',
  authCodeLength: 12,
})

/** Cipher suite 17: RAKP-HMAC-SHA256, HMAC-SHA256-128, AES-CBC-128. */
export const CIPHER_SUITE_17: CipherSuite = Object.freeze({
  id: 17,
  auth: AuthAlgorithm.RakpHmacSha256,
  integrity: IntegrityAlgorithm.HmacSha256_128,
  confidentiality: ConfidentialityAlgorithm.AesCbc128,
  rakpHash: 'sha256',
  rakp4IcvLength: 16,
  integrityHash: 'sha256',
  authCodeLength: 16,
})

/** Supported suites by ID. */
export const CIPHER_SUITES: ReadonlyMap<number, CipherSuite> = new Map([
  [3, CIPHER_SUITE_3],
  [17, CIPHER_SUITE_17],
])

/** The supported suite with exactly these algorithms, or undefined. */
export function findCipherSuite(auth: number, integrity: number, confidentiality: number): CipherSuite | undefined {
  for (const s of CIPHER_SUITES.values()) {
    if (s.auth === auth && s.integrity === integrity && s.confidentiality === confidentiality) return s
  }
  return undefined
}

/** HMAC over the concatenation of `parts`. */
export function hmac(hash: HashName, key: Buffer, ...parts: Buffer[]): Buffer {
  const h = createHmac(hash, key)
  for (const p of parts) h.update(p)
  return h.digest()
}

/** Constant-time equality that is false (not a throw) for different lengths. */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The AuthCode of an outgoing packet: HMAC_K1(integrity data) truncated per suite (§13.28.4). */
export function integrityCode(suite: CipherSuite, k1: Buffer, integrityData: Buffer): Buffer {
  return hmac(suite.integrityHash, k1, integrityData).subarray(0, suite.authCodeLength)
}

/** True when `authCode` is the suite's AuthCode of `integrityData` under K1. */
export function verifyIntegrityCode(suite: CipherSuite, k1: Buffer, integrityData: Buffer, authCode: Buffer): boolean {
  return safeEqual(integrityCode(suite, k1, integrityData), authCode)
}

const AES_BLOCK = 16

/**
 * AES-CBC-128 payload encryption (§13.29): a random 16-byte IV, then the ciphertext of
 * payload + pad bytes 1,2,..,N + N, padded to the block size. Key: the first 16 bytes of K2.
 */
export function encryptAesCbc128(k2: Buffer, plaintext: Buffer, iv: Buffer = randomBytes(AES_BLOCK)): Buffer {
  if (iv.length !== AES_BLOCK) throw new IpmiMalformedError('AES-CBC-128 IV must be 16 bytes')
  const padLen = (AES_BLOCK - ((plaintext.length + 1) % AES_BLOCK)) % AES_BLOCK
  const trailer = Buffer.alloc(padLen + 1)
  for (let i = 0; i < padLen; i++) trailer[i] = i + 1
  trailer[padLen] = padLen
  const cipher = createCipheriv('aes-128-cbc', k2.subarray(0, 16), iv)
  cipher.setAutoPadding(false)
  return Buffer.concat([iv, cipher.update(Buffer.concat([plaintext, trailer])), cipher.final()])
}

/**
 * Reverses encryptAesCbc128. Throws IpmiMalformedError when the length is not IV + whole blocks or
 * the confidentiality trailer (pad bytes 1..N, then N ≤ 15) is wrong — the usual sign of a wrong key.
 */
export function decryptAesCbc128(k2: Buffer, payload: Buffer): Buffer {
  if (payload.length < 2 * AES_BLOCK || payload.length % AES_BLOCK !== 0) {
    throw new IpmiMalformedError(`encrypted payload length ${payload.length} is not IV + whole AES blocks`)
  }
  const decipher = createDecipheriv('aes-128-cbc', k2.subarray(0, 16), payload.subarray(0, AES_BLOCK))
  decipher.setAutoPadding(false)
  const plain = Buffer.concat([decipher.update(payload.subarray(AES_BLOCK)), decipher.final()])
  const padLen = plain[plain.length - 1]
  if (padLen >= AES_BLOCK) throw new IpmiMalformedError(`confidentiality pad length ${padLen} out of range`)
  const dataEnd = plain.length - 1 - padLen
  for (let i = 0; i < padLen; i++) {
    if (plain[dataEnd + i] !== i + 1) throw new IpmiMalformedError('confidentiality pad bytes are wrong')
  }
  return plain.subarray(0, dataEnd)
}
