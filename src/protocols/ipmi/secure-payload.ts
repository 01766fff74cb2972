/**
 * Sealing and opening RMCP+ payloads of an established session: integrity AuthCode (§13.28.4)
 * and AES-CBC-128 confidentiality (§13.29), on top of the pure session wrapper codec.
 */
import { encodeV20 } from './codec.js'
import { ConfidentialityAlgorithm, IntegrityAlgorithm, RmcpClass } from './messages.js'
import type { V20Packet } from './messages.js'
import { decryptAesCbc128, encryptAesCbc128, integrityCode, verifyIntegrityCode } from './crypto.js'
import type { SessionKeys } from './session-keys.js'
import { encodeRmcp } from './rmcp.js'
import { IpmiMalformedError } from './errors.js'

/** What to send inside a session. */
export interface OutgoingPayload {
  payloadType: number
  /** The peer's session ID. */
  sessionId: number
  sequence: number
  payload: Buffer
  /** Encrypt when the suite has confidentiality (default true). */
  encrypt?: boolean
}

/**
 * A whole RMCP datagram carrying `out` under `keys`: authenticated when the suite has integrity,
 * encrypted when it has confidentiality and `encrypt` is not false. `keys` null = session-less
 * (neither authenticated nor encrypted).
 */
export function sealPayload(keys: SessionKeys | null, out: OutgoingPayload): Buffer {
  const authenticated = keys !== null && keys.suite.integrity !== IntegrityAlgorithm.None
  const encrypted = keys !== null && keys.suite.confidentiality !== ConfidentialityAlgorithm.None && out.encrypt !== false
  const payload = encrypted ? encryptAesCbc128(keys.k2, out.payload) : out.payload
  const body = encodeV20(
    { payloadType: out.payloadType, encrypted, authenticated, sessionId: out.sessionId, sequence: out.sequence, payload },
    authenticated ? (data) => integrityCode(keys.suite, keys.k1, data) : undefined,
  )
  return encodeRmcp(RmcpClass.Ipmi, body)
}

/**
 * The plaintext payload of a received in-session packet. Throws IpmiMalformedError when the suite
 * requires integrity and the packet is unauthenticated or its AuthCode is wrong, or decryption fails.
 * Unencrypted payloads are accepted (confidentiality is per message, §13.28.5).
 */
export function openPayload(keys: SessionKeys, pkt: V20Packet): Buffer {
  if (keys.suite.integrity !== IntegrityAlgorithm.None) {
    if (!pkt.authenticated || !pkt.integrityData || !pkt.authCode) throw new IpmiMalformedError('packet in an integrity session is not authenticated')
    if (!verifyIntegrityCode(keys.suite, keys.k1, pkt.integrityData, pkt.authCode)) throw new IpmiMalformedError('integrity check failed')
  }
  if (!pkt.encrypted) return pkt.payload
  if (keys.suite.confidentiality !== ConfidentialityAlgorithm.AesCbc128) throw new IpmiMalformedError('encrypted payload without a confidentiality algorithm')
  return decryptAesCbc128(keys.k2, pkt.payload)
}
