/**
 * Request/response bodies of the IPMI commands Ferrum and its lab use (data bytes after the
 * command byte; completion code excluded). Pure codec; each decoder throws IpmiMalformedError
 * when the body is shorter than the spec's fixed part.
 */
import type { BootDeviceSelector } from './messages.js'
import { IpmiMalformedError } from './errors.js'
import type { CipherSuite } from './crypto.js'

function need(buf: Buffer, n: number, what: string): void {
  if (buf.length < n) throw new IpmiMalformedError(`${what} too short (${buf.length} of ${n} bytes)`)
}

// --- Get Channel Authentication Capabilities (§22.13) -----------------------------------------

export interface ChannelAuthCapsRequest {
  /** 0x0E = the channel this request arrived on. */
  channel: number
  /** Bit 7 of byte 1: ask for IPMI v2.0+ extended data. */
  extended: boolean
  privilege: number
}

export function encodeChannelAuthCapsRequest(r: ChannelAuthCapsRequest): Buffer {
  return Buffer.from([(r.extended ? 0x80 : 0) | (r.channel & 0x0f), r.privilege & 0x0f])
}

export function decodeChannelAuthCapsRequest(b: Buffer): ChannelAuthCapsRequest {
  need(b, 2, 'Get Channel Auth Capabilities request')
  return { channel: b[0] & 0x0f, extended: (b[0] & 0x80) !== 0, privilege: b[1] & 0x0f }
}

export interface ChannelAuthCaps {
  channel: number
  /** Bits 5:0 of byte 2: OEM(5) straight password(4) MD5(2) MD2(1) none(0). */
  authTypes: number
  /** Bit 7 of byte 2: IPMI v2.0+ extended capabilities available. */
  extendedCapabilities: boolean
  kgNonZero: boolean
  perMessageAuthDisabled: boolean
  userLevelAuthDisabled: boolean
  nonNullUsernames: boolean
  nullUsernames: boolean
  anonymousLogin: boolean
  supportsV15: boolean
  supportsV20: boolean
  oemId: number
  oemAux: number
}

export function encodeChannelAuthCaps(c: ChannelAuthCaps): Buffer {
  const b = Buffer.alloc(8)
  b[0] = c.channel & 0x0f
  b[1] = (c.extendedCapabilities ? 0x80 : 0) | (c.authTypes & 0x3f)
  b[2] =
    (c.kgNonZero ? 0x20 : 0) |
    (c.perMessageAuthDisabled ? 0x10 : 0) |
    (c.userLevelAuthDisabled ? 0x08 : 0) |
    (c.nonNullUsernames ? 0x04 : 0) |
    (c.nullUsernames ? 0x02 : 0) |
    (c.anonymousLogin ? 0x01 : 0)
  b[3] = (c.supportsV20 ? 0x02 : 0) | (c.supportsV15 ? 0x01 : 0)
  b.writeUIntLE(c.oemId & 0xffffff, 4, 3)
  b[7] = c.oemAux
  return b
}

export function decodeChannelAuthCaps(b: Buffer): ChannelAuthCaps {
  need(b, 8, 'Get Channel Auth Capabilities response')
  return {
    channel: b[0] & 0x0f,
    authTypes: b[1] & 0x3f,
    extendedCapabilities: (b[1] & 0x80) !== 0,
    kgNonZero: (b[2] & 0x20) !== 0,
    perMessageAuthDisabled: (b[2] & 0x10) !== 0,
    userLevelAuthDisabled: (b[2] & 0x08) !== 0,
    nonNullUsernames: (b[2] & 0x04) !== 0,
    nullUsernames: (b[2] & 0x02) !== 0,
    anonymousLogin: (b[2] & 0x01) !== 0,
    supportsV15: (b[3] & 0x01) !== 0,
    supportsV20: (b[3] & 0x02) !== 0,
    oemId: b.readUIntLE(4, 3),
    oemAux: b[7],
  }
}

// --- Get Channel Cipher Suites (§22.15) --------------------------------------------------------

export interface CipherSuitesRequest {
  channel: number
  payloadType: number
  /** Bits 5:0 of byte 3: which 16-byte slice of the record data. */
  listIndex: number
  /** Bit 7 of byte 3: list by cipher suite (1) or supported algorithms (0). */
  bySuite: boolean
}

export function encodeCipherSuitesRequest(r: CipherSuitesRequest): Buffer {
  return Buffer.from([r.channel & 0x0f, r.payloadType & 0x3f, (r.bySuite ? 0x80 : 0) | (r.listIndex & 0x3f)])
}

export function decodeCipherSuitesRequest(b: Buffer): CipherSuitesRequest {
  need(b, 3, 'Get Channel Cipher Suites request')
  return { channel: b[0] & 0x0f, payloadType: b[1] & 0x3f, listIndex: b[2] & 0x3f, bySuite: (b[2] & 0x80) !== 0 }
}

/**
 * Cipher suite records (§22.15.1, table 22-19): start byte 0xC0, suite ID, then the
 * authentication (tag 00b), integrity (01b) and confidentiality (10b) algorithm bytes.
 */
export function encodeCipherSuiteRecords(suites: readonly CipherSuite[]): Buffer {
  return Buffer.concat(suites.map((s) => Buffer.from([0xc0, s.id, s.auth & 0x3f, 0x40 | (s.integrity & 0x3f), 0x80 | (s.confidentiality & 0x3f)])))
}

export interface CipherSuiteRecord {
  id: number
  auth: number[]
  integrity: number[]
  confidentiality: number[]
}

/** Parses concatenated record data; unknown start bytes (OEM records) end the parse. */
export function decodeCipherSuiteRecords(b: Buffer): CipherSuiteRecord[] {
  const out: CipherSuiteRecord[] = []
  let i = 0
  while (i + 1 < b.length && b[i] === 0xc0) {
    const rec: CipherSuiteRecord = { id: b[i + 1], auth: [], integrity: [], confidentiality: [] }
    i += 2
    while (i < b.length && b[i] !== 0xc0 && b[i] !== 0xc1) {
      const tag = b[i] >> 6
      const alg = b[i] & 0x3f
      if (tag === 0) rec.auth.push(alg)
      else if (tag === 1) rec.integrity.push(alg)
      else if (tag === 2) rec.confidentiality.push(alg)
      i++
    }
    out.push(rec)
  }
  return out
}

// --- Get Device ID (§20.1) ---------------------------------------------------------------------

export interface DeviceId {
  deviceId: number
  deviceRevision: number
  providesSdrs: boolean
  deviceAvailable: boolean
  firmwareMajor: number
  /** Minor revision as a number (encoded as two BCD digits). */
  firmwareMinor: number
  /** e.g. 0x02 = IPMI 2.0 (BCD, least significant nibble major). */
  ipmiVersion: number
  additionalSupport: number
  manufacturerId: number
  productId: number
  auxFirmware?: Buffer
}

const toBcd = (n: number) => ((Math.floor(n / 10) % 10) << 4) | (n % 10)
const fromBcd = (b: number) => (b >> 4) * 10 + (b & 0x0f)

export function encodeDeviceId(d: DeviceId): Buffer {
  const b = Buffer.alloc(11)
  b[0] = d.deviceId
  b[1] = (d.providesSdrs ? 0x80 : 0) | (d.deviceRevision & 0x0f)
  b[2] = (d.deviceAvailable ? 0 : 0x80) | (d.firmwareMajor & 0x7f) // bit 7 set = update in progress
  b[3] = toBcd(d.firmwareMinor)
  b[4] = d.ipmiVersion
  b[5] = d.additionalSupport
  b.writeUIntLE(d.manufacturerId & 0xfffff, 6, 3)
  b.writeUInt16LE(d.productId & 0xffff, 9)
  return d.auxFirmware ? Buffer.concat([b, d.auxFirmware.subarray(0, 4)]) : b
}

export function decodeDeviceId(b: Buffer): DeviceId {
  need(b, 11, 'Get Device ID response')
  return {
    deviceId: b[0],
    deviceRevision: b[1] & 0x0f,
    providesSdrs: (b[1] & 0x80) !== 0,
    deviceAvailable: (b[2] & 0x80) === 0,
    firmwareMajor: b[2] & 0x7f,
    firmwareMinor: fromBcd(b[3]),
    ipmiVersion: b[4],
    additionalSupport: b[5],
    manufacturerId: b.readUIntLE(6, 3) & 0xfffff,
    productId: b.readUInt16LE(9),
    ...(b.length >= 15 ? { auxFirmware: Buffer.from(b.subarray(11, 15)) } : {}),
  }
}

// --- Get Chassis Status (§28.2) ----------------------------------------------------------------

export interface ChassisStatus {
  powerOn: boolean
  powerOverload: boolean
  interlock: boolean
  powerFault: boolean
  powerControlFault: boolean
  /** Bits 6:5 of byte 1: 0 stay off, 1 restore previous, 2 always on, 3 unknown. */
  restorePolicy: number
  lastPowerEvent: number
  miscChassisState: number
}

export function encodeChassisStatus(s: ChassisStatus): Buffer {
  return Buffer.from([
    ((s.restorePolicy & 0x03) << 5) |
      (s.powerControlFault ? 0x10 : 0) |
      (s.powerFault ? 0x08 : 0) |
      (s.interlock ? 0x04 : 0) |
      (s.powerOverload ? 0x02 : 0) |
      (s.powerOn ? 0x01 : 0),
    s.lastPowerEvent,
    s.miscChassisState,
  ])
}

export function decodeChassisStatus(b: Buffer): ChassisStatus {
  need(b, 3, 'Get Chassis Status response')
  return {
    powerOn: (b[0] & 0x01) !== 0,
    powerOverload: (b[0] & 0x02) !== 0,
    interlock: (b[0] & 0x04) !== 0,
    powerFault: (b[0] & 0x08) !== 0,
    powerControlFault: (b[0] & 0x10) !== 0,
    restorePolicy: (b[0] >> 5) & 0x03,
    lastPowerEvent: b[1],
    miscChassisState: b[2],
  }
}

// --- System Boot Options (§28.12, §28.13) ------------------------------------------------------

/** Boot flags, boot option parameter 5 (§28.13, table 28-14). */
export interface BootFlags {
  /** Byte 1 bit 7: the flags are valid (an override is set). */
  valid: boolean
  /** Byte 1 bit 6: applies to all future boots (1) or the next boot only (0). */
  persistent: boolean
  /** Byte 1 bit 5: EFI boot (1) or PC-compatible legacy boot (0). */
  efi: boolean
  /** Byte 2 bits 5:2. */
  device: BootDeviceSelector
  clearCmos: boolean
  lockKeyboard: boolean
  screenBlank: boolean
  lockResetButton: boolean
  /** Bytes 3..5 as given (verbosity, console redirection, mux control, device instance). */
  extra: Buffer
}

export function encodeBootFlags(f: BootFlags): Buffer {
  const b = Buffer.alloc(5)
  b[0] = (f.valid ? 0x80 : 0) | (f.persistent ? 0x40 : 0) | (f.efi ? 0x20 : 0)
  b[1] = (f.clearCmos ? 0x80 : 0) | (f.lockKeyboard ? 0x40 : 0) | ((f.device & 0x0f) << 2) | (f.screenBlank ? 0x02 : 0) | (f.lockResetButton ? 0x01 : 0)
  f.extra.subarray(0, 3).copy(b, 2)
  return b
}

export function decodeBootFlags(b: Buffer): BootFlags {
  need(b, 5, 'boot flags parameter')
  return {
    valid: (b[0] & 0x80) !== 0,
    persistent: (b[0] & 0x40) !== 0,
    efi: (b[0] & 0x20) !== 0,
    device: ((b[1] >> 2) & 0x0f) as BootDeviceSelector,
    clearCmos: (b[1] & 0x80) !== 0,
    lockKeyboard: (b[1] & 0x40) !== 0,
    screenBlank: (b[1] & 0x02) !== 0,
    lockResetButton: (b[1] & 0x01) !== 0,
    extra: Buffer.from(b.subarray(2, 5)),
  }
}

/** Set System Boot Options request (§28.12): byte 1 = invalid/locked bit 7 + selector, then data. */
export interface SetBootOptionRequest {
  parameter: number
  markInvalid: boolean
  data: Buffer
}

export function encodeSetBootOption(r: SetBootOptionRequest): Buffer {
  return Buffer.concat([Buffer.from([(r.markInvalid ? 0x80 : 0) | (r.parameter & 0x7f)]), r.data])
}

export function decodeSetBootOption(b: Buffer): SetBootOptionRequest {
  need(b, 1, 'Set System Boot Options request')
  return { parameter: b[0] & 0x7f, markInvalid: (b[0] & 0x80) !== 0, data: Buffer.from(b.subarray(1)) }
}

/** Get System Boot Options request (§28.13): selector, set selector, block selector. */
export function encodeGetBootOptionRequest(parameter: number, setSelector = 0, blockSelector = 0): Buffer {
  return Buffer.from([parameter & 0x7f, setSelector, blockSelector])
}

export function decodeGetBootOptionRequest(b: Buffer): { parameter: number; setSelector: number; blockSelector: number } {
  need(b, 3, 'Get System Boot Options request')
  return { parameter: b[0] & 0x7f, setSelector: b[1], blockSelector: b[2] }
}

/** Get System Boot Options response (§28.13): version 1, valid bit + selector, data. */
export interface BootOptionResponse {
  version: number
  parameter: number
  /** Bit 7 of byte 2: parameter marked invalid / locked. */
  invalid: boolean
  data: Buffer
}

export function encodeBootOptionResponse(r: BootOptionResponse): Buffer {
  return Buffer.concat([Buffer.from([r.version, (r.invalid ? 0x80 : 0) | (r.parameter & 0x7f)]), r.data])
}

export function decodeBootOptionResponse(b: Buffer): BootOptionResponse {
  need(b, 2, 'Get System Boot Options response')
  return { version: b[0], parameter: b[1] & 0x7f, invalid: (b[1] & 0x80) !== 0, data: Buffer.from(b.subarray(2)) }
}
