import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runIpxe } from './ipxe-script.js'
import { chainScript } from '../../netboot/dnsmasq.js'

const server = (files: Record<string, string>) => {
  const asked: string[] = []
  return {
    asked,
    fetch: async (url: string) => {
      asked.push(url)
      const body = files[new URL(url).pathname]
      if (body === undefined) throw new Error('404 Not Found')
      return body
    },
  }
}
const node = '#!ipxe\nkernel ../deploy/kernel ipa-api-url=http://10.0.0.1:6385 BOOTIF=01-52-54-00-00-00-01\ninitrd --name deploy_ramdisk ../deploy/initrd\nboot\n'

test("Ferrum's chain script leads iPXE to the MAC's own script, with URLs relative to it", async () => {
  const s = server({ '/boot/boot.ipxe': chainScript(), '/boot/pxelinux.cfg/01-52-54-00-00-00-01': node })
  const r = await runIpxe('http://10.0.0.1:6385/boot/boot.ipxe', { mac: '52:54:00:00:00:01' }, s.fetch)
  assert.equal(r.reason, null)
  assert.deepEqual(r.scripts, ['http://10.0.0.1:6385/boot/boot.ipxe', 'http://10.0.0.1:6385/boot/pxelinux.cfg/01-52-54-00-00-00-01'])
  assert.deepEqual(r.boot, { kernel: 'http://10.0.0.1:6385/boot/deploy/kernel', args: 'ipa-api-url=http://10.0.0.1:6385 BOOTIF=01-52-54-00-00-00-01', initrds: ['http://10.0.0.1:6385/boot/deploy/initrd'] })
})

test('a MAC without a configuration: the chain fails, the script goes to its label and exits', async () => {
  const s = server({ '/boot/boot.ipxe': chainScript() })
  const r = await runIpxe('http://10.0.0.1/boot/boot.ipxe', { mac: 'aa:bb:cc:dd:ee:ff' }, s.fetch)
  assert.equal(r.boot, null)
  assert.match(r.reason ?? '', /exit \(Ferrum has no boot configuration for aa:bb:cc:dd:ee:ff; trying the next boot device\)/)
  assert.deepEqual(s.asked, ['http://10.0.0.1/boot/boot.ipxe', 'http://10.0.0.1/boot/pxelinux.cfg/01-aa-bb-cc-dd-ee-ff'])
})

test('bad scripts are named, not booted: no #!ipxe, unknown commands, goto loops, missing labels', async () => {
  const cases: Array<[string, RegExp]> = [
    ['kernel x\nboot\n', /not an iPXE script/],
    ['#!ipxe\nsanhook iscsi:1\n', /does not know "sanhook"/],
    ['#!ipxe\n:a\ngoto a\n', /more than 1000 steps/],
    ['#!ipxe\ngoto nowhere\n', /no label :nowhere/],
    ['#!ipxe\nboot\n', /boot without a kernel/],
    ['#!ipxe\necho hi\n', /ended without boot/],
  ]
  for (const [text, want] of cases) {
    const r = await runIpxe('http://h/s.ipxe', {}, async () => text)
    assert.equal(r.boot, null)
    assert.match(r.reason ?? '', want, text)
  }
  const unreachable = await runIpxe('http://h/s.ipxe', {}, async () => {
    throw new Error('connection refused')
  })
  assert.match(unreachable.reason ?? '', /cannot fetch http:\/\/h\/s\.ipxe: connection refused/)
})

test('imgargs replaces the kernel arguments; chain to a non-script boots it as a kernel', async () => {
  const r = await runIpxe('http://h/a.ipxe', {}, async () => '#!ipxe\nkernel k a=1\nimgargs k b=2 c\nboot\n')
  assert.deepEqual(r.boot, { kernel: 'http://h/k', args: 'b=2 c', initrds: [] })
  const direct = await runIpxe('http://h/a.ipxe', {}, async (u) => (u.endsWith('a.ipxe') ? '#!ipxe\nchain vmlinuz quiet\n' : '\x7fELF'))
  assert.deepEqual(direct.boot, { kernel: 'http://h/vmlinuz', args: 'quiet', initrds: [] })
})
