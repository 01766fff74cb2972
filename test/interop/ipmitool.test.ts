/**
 * Interop: Debian's ipmitool (lanplus) against the lab IpmiBmc on 127.0.0.1, cipher suites 3 and 17.
 * Asserts on ipmitool's output and on the BasicMachine behind the BMC.
 */
import { describe, it, before, after, beforeEach } from 'node:test'
import assert from 'node:assert/strict'
import { ipmitool, startLabBmc } from '../helpers/ipmi.js'
import type { LabBmc } from '../helpers/ipmi.js'

for (const suite of [3, 17]) {
  describe(`ipmitool -I lanplus -C ${suite} against IpmiBmc`, () => {
    let lab: LabBmc
    const run = (...args: string[]) => ipmitool(lab, args, { suite })
    const ok = async (...args: string[]) => {
      const r = await run(...args)
      assert.equal(r.code, 0, `ipmitool ${args.join(' ')} failed: ${r.stderr}`)
      return r.stdout
    }

    before(async () => {
      lab = await startLabBmc()
    })
    after(() => lab.stop())
    beforeEach(() => {
      lab.events.length = 0
    })

    it('power status / on / off', async () => {
      assert.match(await ok('power', 'status'), /^Chassis Power is off$/m)
      assert.match(await ok('power', 'on'), /Chassis Power Control: Up\/On/)
      assert.equal(lab.machine.powerState(), 'on')
      assert.match(await ok('power', 'status'), /^Chassis Power is on$/m)
      assert.match(await ok('power', 'off'), /Chassis Power Control: Down\/Off/)
      assert.equal(lab.machine.powerState(), 'off')
      assert.deepEqual(lab.events.map((e) => e.kind), ['power-on', 'power-off'])
    })

    it('power cycle, reset and soft', async () => {
      await ok('power', 'on')
      lab.events.length = 0
      assert.match(await ok('power', 'cycle'), /Chassis Power Control: Cycle/)
      assert.deepEqual(lab.events.map((e) => e.kind), ['power-off', 'power-on'])
      assert.match(await ok('power', 'reset'), /Chassis Power Control: Reset/)
      assert.equal(lab.events.at(-1)?.kind, 'reset')
      assert.equal(lab.machine.powerState(), 'on')
      assert.match(await ok('power', 'soft'), /Chassis Power Control: Soft/)
      assert.deepEqual(lab.events.at(-1), { kind: 'power-off', soft: true })
      assert.equal(lab.machine.powerState(), 'off')
    })

    it('chassis bootdev pxe options=persistent', async () => {
      assert.match(await ok('chassis', 'bootdev', 'pxe', 'options=persistent'), /Set Boot Device to pxe/)
      assert.deepEqual(lab.machine.bootSetting(), { device: 'pxe', persistent: true, mode: 'bios' })
      const out = await ok('chassis', 'bootparam', 'get', '5')
      assert.match(out, /Boot Flag Valid/)
      assert.match(out, /Options apply to all future boots/)
      assert.match(out, /BIOS PC Compatible \(legacy\) boot/)
      assert.match(out, /Boot Device Selector : Force PXE/)
    })

    it('chassis bootdev disk options=efiboot (one-time), consumed by the next power-on', async () => {
      assert.match(await ok('chassis', 'bootdev', 'disk', 'options=efiboot'), /Set Boot Device to disk/)
      assert.deepEqual(lab.machine.bootSetting(), { device: 'disk', persistent: false, mode: 'uefi' })
      const out = await ok('chassis', 'bootparam', 'get', '5')
      assert.match(out, /Options apply to only next boot/)
      assert.match(out, /BIOS EFI boot/)
      assert.match(out, /Boot Device Selector : Force Boot from default Hard-Drive/)
      await ok('power', 'on')
      assert.equal(lab.machine.lastBootDevice, 'disk')
      assert.equal(lab.machine.bootSetting().device, 'none')
      assert.match(await ok('chassis', 'bootparam', 'get', '5'), /Boot Device Selector : No override/)
      await ok('power', 'off')
    })

    it('chassis bootdev pxe options=persistent,efiboot', async () => {
      await ok('chassis', 'bootdev', 'pxe', 'options=persistent,efiboot')
      assert.deepEqual(lab.machine.bootSetting(), { device: 'pxe', persistent: true, mode: 'uefi' })
    })

    it('power diag sends a diagnostic interrupt; bootdev cdrom/bios map onto the machine', async () => {
      assert.match(await ok('power', 'diag'), /Chassis Power Control: Diag/)
      assert.equal(lab.events.at(-1)?.kind, 'nmi')
      await ok('chassis', 'bootdev', 'cdrom')
      assert.equal(lab.machine.bootSetting().device, 'cdrom')
      await ok('chassis', 'bootdev', 'bios')
      assert.equal(lab.machine.bootSetting().device, 'bios')
      // The lab machine has no floppy: the BMC refuses the selector.
      const r = await run('chassis', 'bootdev', 'floppy')
      assert.match(r.stderr, /Invalid data field in request/)
      assert.equal(lab.machine.bootSetting().device, 'bios')
    })

    it('mc info', async () => {
      const out = await ok('mc', 'info')
      assert.match(out, /IPMI Version\s+: 2\.0/)
      assert.match(out, /Device Available\s+: yes/)
      assert.match(out, /Chassis Device/)
    })

    it('rejects a wrong password', async () => {
      const r = await ipmitool(lab, ['power', 'status'], { suite, password: 'not-the-password', extra: ['-v'] })
      assert.notEqual(r.code, 0)
      assert.match(r.stderr, /RAKP 2 HMAC is invalid/)
      assert.match(r.stderr, /Unable to establish IPMI v2 \/ RMCP\+ session/)
    })

    it('rejects an unknown user', async () => {
      const r = await ipmitool(lab, ['power', 'status'], { suite, user: 'mallory', extra: ['-v'] })
      assert.notEqual(r.code, 0)
      assert.match(r.stderr, /RAKP 2 message indicates an error : unauthorized name/)
    })
  })
}

describe('ipmitool without -C', () => {
  let lab: LabBmc
  before(async () => {
    lab = await startLabBmc()
  })
  after(() => lab.stop())

  it('discovers the cipher suites (Get Channel Cipher Suites) and logs in', async () => {
    const r = await ipmitool(lab, ['power', 'status'], { suite: null })
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /Chassis Power is off/)
  })
})
