import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isolinuxConfig, moduleDepends, moduleOrder } from './build.js'
import { INIT_SCRIPT, UDHCPC_SCRIPT } from './init-script.js'

/** A fake .ko: what matters is the .modinfo string `depends=`. */
const ko = (deps: string) => Buffer.concat([Buffer.from('\x7fELF junk\0license=GPL\0'), Buffer.from(`depends=${deps}\0`), Buffer.from('vermagic=6.1\0')])

test('module depends= read from the .modinfo strings', () => {
  assert.deepEqual(moduleDepends(ko('virtio,virtio_ring')), ['virtio', 'virtio_ring'])
  assert.deepEqual(moduleDepends(ko('')), [])
  assert.deepEqual(moduleDepends(Buffer.from('no modinfo')), [])
})

test('modules are ordered after what they depend on; a missing one names who needs it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferrum-mods-'))
  try {
    mkdirSync(join(dir, 'kernel/drivers'), { recursive: true })
    const mods: Record<string, string> = { virtio_ring: '', virtio: 'virtio_ring', virtio_pci: 'virtio,virtio_ring,virtio_pci_modern_dev', virtio_pci_modern_dev: '', virtio_net: 'virtio,net_failover', net_failover: 'failover', failover: '' }
    for (const [name, deps] of Object.entries(mods)) writeFileSync(join(dir, 'kernel/drivers', `${name}.ko`), ko(deps))
    const order = (await moduleOrder(dir, ['virtio_pci', 'virtio_net'])).map((m) => m.name)
    assert.deepEqual(order, ['virtio_ring', 'virtio', 'virtio_pci_modern_dev', 'virtio_pci', 'failover', 'net_failover', 'virtio_net'])
    writeFileSync(join(dir, 'kernel/drivers', 'virtio_blk.ko'), ko('virtio,ghost_mod'))
    await assert.rejects(moduleOrder(dir, ['virtio_blk']), /kernel module ghost_mod \(needed by virtio_blk\) is not in/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('the ISO boots with the serial console and, when asked, a baked-in API URL', () => {
  assert.match(isolinuxConfig(), /append initrd=\/initrd\.gz console=ttyS0 quiet panic=-1\n/)
  assert.match(isolinuxConfig('http://10.0.0.1:6385'), /panic=-1 ipa-api-url=http:\/\/10\.0\.0\.1:6385\n/)
})

test('/init takes the API from the command line or DHCP option 224; the DHCP script keeps option 224', () => {
  assert.match(INIT_SCRIPT, /ipa-api-url=\*\) api=/)
  assert.match(INIT_SCRIPT, /udhcpc -i "\$i" .*-O 224/)
  assert.match(UDHCPC_SCRIPT, /lease_api_hex=\$opt224/)
})
