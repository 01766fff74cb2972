/**
 * RAKP key exchange values (IPMI v2.0 §13.31–§13.32): the RAKP 2/3 key exchange codes, the RAKP 4
 * integrity check value, the session integrity key (SIK) and the derived keys K1 and K2.
 * Session IDs enter every HMAC little-endian, as on the wire.
 */
import { hmac } from './crypto.js'
import type { CipherSuite } from './crypto.js'

/** Everything both sides know once RAKP 2 has been exchanged. */
export interface RakpContext {
  /** SIDm: the remote console's session ID. */
  consoleSessionId: number
  /** SIDc: the BMC's (managed system's) session ID. */
  bmcSessionId: number
  /** Rm, 16 bytes. */
  consoleRandom: Buffer
  /** Rc, 16 bytes. */
  bmcRandom: Buffer
  /** GUIDc, 16 bytes as sent in RAKP 2. */
  bmcGuid: Buffer
  /** ROLEm: the whole requested-role byte of RAKP 1 (name-only bit included). */
  role: number
  /** UNAMEm (ULENGTHm is its length). */
  username: Buffer
}

/** The keys of an established session. */
export interface SessionKeys {
  readonly suite: CipherSuite
  readonly sik: Buffer
  /** Integrity key (§13.32): HMAC_SIK(20 × 0x01). */
  readonly k1: Buffer
  /** Confidentiality key source (§13.32): HMAC_SIK(20 × 0x02); AES uses its first 16 bytes. */
  readonly k2: Buffer
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(n >>> 0)
  return b
}

function userBlock(ctx: RakpContext): Buffer {
  return Buffer.concat([Buffer.from([ctx.role, ctx.username.length]), ctx.username])
}

/**
 * RAKP 2 key exchange authentication code (§13.31):
 * HMAC_Kuid(SIDm | SIDc | Rm | Rc | GUIDc | ROLEm | ULENGTHm | UNAMEm), full hash length.
 */
export function rakp2AuthCode(suite: CipherSuite, kuid: Buffer, ctx: RakpContext): Buffer {
  return hmac(
    suite.rakpHash,
    kuid,
    u32le(ctx.consoleSessionId),
    u32le(ctx.bmcSessionId),
    ctx.consoleRandom,
    ctx.bmcRandom,
    ctx.bmcGuid,
    userBlock(ctx),
  )
}

/** RAKP 3 key exchange authentication code (§13.31): HMAC_Kuid(Rc | SIDm | ROLEm | ULENGTHm | UNAMEm). */
export function rakp3AuthCode(suite: CipherSuite, kuid: Buffer, ctx: RakpContext): Buffer {
  return hmac(suite.rakpHash, kuid, ctx.bmcRandom, u32le(ctx.consoleSessionId), userBlock(ctx))
}

/**
 * Session integrity key (§13.31): HMAC_KG(Rm | Rc | ROLEm | ULENGTHm | UNAMEm). KG is the BMC key;
 * when it is not configured (null or empty) Kuid stands in for it ("one-key" logins).
 */
export function sessionIntegrityKey(suite: CipherSuite, kuid: Buffer, kg: Buffer | null, ctx: RakpContext): Buffer {
  const key = kg && kg.length > 0 ? kg : kuid
  return hmac(suite.rakpHash, key, ctx.consoleRandom, ctx.bmcRandom, userBlock(ctx))
}

/** RAKP 4 integrity check value (§13.31): HMAC_SIK(Rm | SIDc | GUIDc), truncated per suite. */
export function rakp4IntegrityCheck(suite: CipherSuite, sik: Buffer, ctx: RakpContext): Buffer {
  return hmac(suite.rakpHash, sik, ctx.consoleRandom, u32le(ctx.bmcSessionId), ctx.bmcGuid).subarray(0, suite.rakp4IcvLength)
}

/** Length of the K1/K2 constants: §13.32 defines them as 20 bytes, and they stay 20 for SHA256. */
const KEY_CONSTANT_LENGTH = 20

/**
 * K1 and K2 from the SIK (§13.32): HMAC_SIK over the 20-byte constants 0x01.. and 0x02...
 * NOTE: the constants are 20 bytes for RAKP-HMAC-SHA256 too (ipmitool and BMCs agree); only the
 * HMAC (and so K1/K2) grows to 32 bytes.
 */
export function deriveSessionKeys(suite: CipherSuite, sik: Buffer): SessionKeys {
  return {
    suite,
    sik,
    k1: hmac(suite.rakpHash, sik, Buffer.alloc(KEY_CONSTANT_LENGTH, 0x01)),
    k2: hmac(suite.rakpHash, sik, Buffer.alloc(KEY_CONSTANT_LENGTH, 0x02)),
  }
}

/** Kuid from a password: its bytes, at most 20 (IPMI v2.0 passwords, §13.31). */
export function userKey(password: string | Buffer): Buffer {
  const b = typeof password === 'string' ? Buffer.from(password, 'latin1') : password
  return b.subarray(0, 20)
}
