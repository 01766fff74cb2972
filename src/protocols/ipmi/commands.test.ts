import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  decodeBootFlags,
  decodeBootOptionResponse,
  decodeChannelAuthCaps,
  decodeChassisStatus,
  decodeCipherSuiteRecords,
  decodeDeviceId,
  decodeSetBootOption,
  encodeBootFlags,
  encodeChannelAuthCaps,
  encodeChassisStatus,
  encodeCipherSuiteRecords,
  encodeDeviceId,
  encodeGetBootOptionRequest,
} from './commands.js'
import { CIPHER_SUITE_17, CIPHER_SUITE_3 } from './crypto.js'
import { IpmiMalformedError } from './errors.js'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')

describe('boot flags, boot option parameter 5 (§28.13)', () => {
  it('decodes what ipmitool writes for "bootdev pxe options=persistent,efiboot"', () => {
    const f = decodeBootFlags(hex('e0 04 00 00 00'))
    assert.deepEqual([f.valid, f.persistent, f.efi, f.device], [true, true, true, 0x1])
  })

  it('decodes "bootdev disk" (next boot only, legacy) and re-encodes', () => {
    const raw = hex('80 08 00 00 00')
    const f = decodeBootFlags(raw)
    assert.deepEqual([f.valid, f.persistent, f.efi, f.device], [true, false, false, 0x2])
    assert.deepEqual(encodeBootFlags(f), raw)
  })

  it('keeps CMOS clear, lock bits and bytes 3-5', () => {
    const raw = hex('80 d7 01 02 03')
    const f = decodeBootFlags(raw)
    assert.deepEqual([f.clearCmos, f.lockKeyboard, f.device, f.screenBlank, f.lockResetButton], [true, true, 0x5, true, true])
    assert.deepEqual(encodeBootFlags(f), raw)
    assert.throws(() => decodeBootFlags(raw.subarray(0, 4)), IpmiMalformedError)
  })

  it('frames Set/Get System Boot Options', () => {
    assert.deepEqual(decodeSetBootOption(hex('85 01')), { parameter: 5, markInvalid: true, data: hex('01') })
    assert.deepEqual(encodeGetBootOptionRequest(5), hex('05 00 00'))
    assert.deepEqual(decodeBootOptionResponse(hex('01 05 80 04 00 00 00')), { version: 1, parameter: 5, invalid: false, data: hex('80 04 00 00 00') })
    assert.equal(decodeBootOptionResponse(hex('01 85')).invalid, true)
    assert.throws(() => decodeSetBootOption(hex('')), IpmiMalformedError)
  })
})

describe('other command bodies', () => {
  it('Get Channel Auth Capabilities (§22.13) round-trips', () => {
    const caps = {
      channel: 1, authTypes: 0x15, extendedCapabilities: true, kgNonZero: false, perMessageAuthDisabled: true,
      userLevelAuthDisabled: false, nonNullUsernames: true, nullUsernames: false, anonymousLogin: false,
      supportsV15: true, supportsV20: true, oemId: 0x0102, oemAux: 3,
    }
    const b = encodeChannelAuthCaps(caps)
    assert.deepEqual(b, hex('01 95 14 03 020100 03'))
    assert.deepEqual(decodeChannelAuthCaps(b), caps)
  })

  it('cipher suite records (§22.15.1)', () => {
    const b = encodeCipherSuiteRecords([CIPHER_SUITE_3, CIPHER_SUITE_17])
    assert.deepEqual(b, hex('c0 03 01 41 81  c0 11 03 44 81'))
    assert.deepEqual(decodeCipherSuiteRecords(b).map((r) => r.id), [3, 17])
  })

  it('Get Device ID (§20.1): BCD minor revision, 20-bit manufacturer', () => {
    const d = { deviceId: 0x20, deviceRevision: 1, providesSdrs: true, deviceAvailable: true, firmwareMajor: 2, firmwareMinor: 15, ipmiVersion: 2, additionalSupport: 0x80, manufacturerId: 0x0002a2, productId: 0x1234 }
    const b = encodeDeviceId(d)
    assert.deepEqual(b, hex('20 81 02 15 02 80 a20200 3412'))
    assert.deepEqual(decodeDeviceId(b), d)
    assert.throws(() => decodeDeviceId(b.subarray(0, 10)), IpmiMalformedError)
  })

  it('Get Chassis Status (§28.2)', () => {
    const s = { powerOn: true, powerOverload: false, interlock: false, powerFault: true, powerControlFault: false, restorePolicy: 2, lastPowerEvent: 0x10, miscChassisState: 0 }
    assert.deepEqual(encodeChassisStatus(s), hex('49 10 00'))
    assert.deepEqual(decodeChassisStatus(hex('49 10 00')), s)
  })
})
