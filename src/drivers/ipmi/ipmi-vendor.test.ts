import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DriverError, ValidationError } from '../../domain/errors.js'
import type { IpmiAccess } from './ipmi-access.js'
import { IpmiVendor, parseRawBytes } from './ipmi-vendor.js'
import { ipmiContext, ipmiNode, startIpmiLab, testAccess, type IpmiLab } from '../../../test/helpers/ipmi-test-kit.js'

for (const suite of [3, 17] as const) {
  describe(`IpmiVendor send_raw against the lab BMC, cipher suite ${suite}`, () => {
    let lab: IpmiLab
    let access: IpmiAccess
    let vendor: IpmiVendor
    const ctx = () => ipmiContext(ipmiNode(lab, { ipmi_cipher_suite: String(suite) }))
    before(async () => {
      lab = await startIpmiLab()
      access = testAccess()
      vendor = new IpmiVendor(access)
    })
    after(async () => {
      await access.close()
      await lab.stop()
    })

    test('declares send_raw as Ironic does (POST, synchronous, exclusive lock)', () => {
      const m = vendor.methods.send_raw
      assert.deepEqual([m.httpMethods, m.async, m.requireExclusiveLock], [['POST'], false, true])
      assert.deepEqual(Object.keys(vendor.driverMethods), [])
    })

    test('Get Device ID ("0x06 0x01") returns the response data bytes', async () => {
      const r = (await vendor.methods.send_raw.run(ctx(), { raw_bytes: '0x06 0x01' }, 'POST')) as { raw_bytes: string; bytes: number[] }
      assert.ok(r.bytes.length >= 11, r.raw_bytes)
      assert.equal(r.bytes[4], 0x02, 'IPMI version 2.0')
      assert.equal(r.raw_bytes, r.bytes.map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' '))
    })

    test('a completion code other than 0 is a DriverError naming it', async () => {
      await assert.rejects(vendor.sendRaw(ctx(), '0x06 0x99'), (e: unknown) => {
        assert.ok(e instanceof DriverError)
        assert.equal(e.code, 'IPMI_COMPLETION_CODE')
        assert.match(e.message, /refused sending raw bytes "0x06 0x99".*completion code 0xc1 \(invalid command\)/)
        return true
      })
    })

    test('bad raw_bytes are refused before any I/O', async () => {
      const received = lab.bmc.stats.received
      await assert.rejects(vendor.sendRaw(ctx(), undefined), /raw_bytes .* was not specified/)
      await assert.rejects(vendor.sendRaw(ctx(), '0x06 0xzz'), /"0xzz" is not a byte/)
      assert.equal(lab.bmc.stats.received, received)
    })
  })
}

describe('parseRawBytes', () => {
  test('hex and decimal bytes; netfn, command, data', () => {
    assert.deepEqual(parseRawBytes(' 0x00  0x08 0x03 8 '), { netFn: 0, cmd: 8, data: [3, 8] })
    assert.deepEqual(parseRawBytes('0x06 0x01'), { netFn: 6, cmd: 1, data: [] })
  })
  test('refuses short input, response netfns and out-of-range bytes', () => {
    for (const bad of ['', '0x06', '0x07 0x01', '0x40 0x01', '0x06 256', '0x06 0x100', 'six one']) {
      assert.throws(() => parseRawBytes(bad), ValidationError, bad)
    }
  })
})
