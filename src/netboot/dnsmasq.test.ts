import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { readFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dnsmasqConfig, type DnsmasqSettings } from './dnsmasq.js'
import { HostsDir, OWNER_FILE, claimHostsDir } from './dhcp-hosts.js'
import { planNetboot } from './netboot.js'
import { loadConfig } from '../config/load.js'

const settings: DnsmasqSettings = {
  interface: 'prov0', range: '10.0.0.100,10.0.0.199', proxy: false, hostsDir: '/d/hosts', tftpRoot: '/d/tftp',
  bootUrl: 'http://10.0.0.1:6385/boot/', serverAddress: '10.0.0.1', leaseFile: '/d/leases', logFile: '/d/log',
}

test('dnsmasq.conf: only known MACs are answered; PXE ROMs get iPXE over TFTP, iPXE gets the chain script', () => {
  const lines = dnsmasqConfig(settings).split('\n')
  for (const want of [
    'port=0', 'interface=prov0', 'bind-interfaces', 'dhcp-range=10.0.0.100,10.0.0.199,255.255.255.0,1h', 'dhcp-hostsdir=/d/hosts',
    'dhcp-ignore=tag:!known', 'no-ping', 'enable-tftp', 'tftp-root=/d/tftp',
    'dhcp-boot=tag:ferrum,tag:ipxe,http://10.0.0.1:6385/boot/boot.ipxe',
    'dhcp-boot=tag:ferrum,tag:!ipxe,tag:!httpclient,tag:efi64,snponly.efi,,10.0.0.1',
    'dhcp-boot=tag:ferrum,tag:!ipxe,tag:!httpclient,tag:!efi64,undionly.kpxe,,10.0.0.1',
  ]) assert.ok(lines.includes(want), `missing: ${want}`)
  const proxy = dnsmasqConfig({ ...settings, proxy: true, range: '10.0.0.0' }).split('\n')
  assert.ok(proxy.includes('dhcp-range=10.0.0.0,proxy'))
  assert.ok(proxy.some((l) => l.startsWith('pxe-service=tag:ferrum,tag:!ipxe,X86-64_EFI,')))
})

test('host entries: in the flow, then out of it (rewritten as ignore, as dnsmasq keeps what deleted files held)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferrum-hosts-'))
  try {
    const hosts = new HostsDir(join(dir, 'hosts'))
    await hosts.update('node-a', ['52:54:00:AA:00:01', '52:54:00:aa:00:02'])
    assert.deepEqual([...(await hosts.active())].sort(), [['52:54:00:aa:00:01', 'node-a'], ['52:54:00:aa:00:02', 'node-a']])
    assert.equal(await readFile(join(dir, 'hosts', '52-54-00-aa-00-01'), 'utf8'), '# node-a\n52:54:00:aa:00:01,set:ferrum\n')
    await hosts.clean('node-a', ['52:54:00:aa:00:01'])
    assert.deepEqual([...(await hosts.active()).keys()], ['52:54:00:aa:00:02'])
    assert.equal(await readFile(join(dir, 'hosts', '52-54-00-aa-00-01'), 'utf8'), '# node-a\n52:54:00:aa:00:01,ignore\n')
    assert.deepEqual((await readdir(join(dir, 'hosts'))).sort(), ['52-54-00-aa-00-01', '52-54-00-aa-00-02'])
    await assert.rejects(hosts.update('node-a', ['not-a-mac']), /not a MAC address: "not-a-mac"/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('planNetboot names what to fix: managed without an interface, an interface without an address, a bad range', () => {
  const cfg = (dhcp: Record<string, unknown>) => loadConfig({ env: {}, flags: { dataDir: '/tmp/ferrum-plan', dhcp } })
  assert.equal(planNetboot(cfg({})), null)
  assert.throws(() => planNetboot(cfg({ mode: 'managed' })), /needs dhcp.interface.*--dhcp-interface IF/)
  assert.throws(() => planNetboot(cfg({ mode: 'managed', interface: 'no-such-if0' })), /"no-such-if0" has no IPv4 address.*ip addr add/)
  const lo = planNetboot(cfg({ mode: 'managed', interface: 'lo', range: '10.0.0.5' }))!
  assert.equal(lo.serverAddress, '127.0.0.1')
  assert.throws(() => lo.settings('http://x/boot'), /dhcp.range "10.0.0.5" is not "start,end\[,netmask\]"/)
  const external = planNetboot(cfg({ mode: 'external' }))!
  assert.equal(external.serverAddress, null)
  assert.equal(external.hosts.dir, '/tmp/ferrum-plan/dhcp/hosts')
})

test('dnsmasq.conf: the API URL goes to the deploy ramdisk in DHCP option 224; router advertisements when the interface has IPv6', () => {
  const lines = dnsmasqConfig({ ...settings, apiUrl: 'http://10.0.0.1:6385', routerAdvertisements: true }).split('\n')
  assert.ok(lines.includes('dhcp-option-force=tag:ferrum,224,"http://10.0.0.1:6385"'), lines.join('\n'))
  assert.ok(lines.includes('enable-ra'))
  assert.ok(lines.includes('dhcp-range=::,constructor:prov0,ra-only,64'))
  const plain = dnsmasqConfig(settings)
  assert.doesNotMatch(plain, /224|enable-ra/)
})

test('dnsmasq.conf: UEFI HTTP boot clients get iPXE by URL from the boot server, with the vendor class echoed', () => {
  const lines = dnsmasqConfig(settings).split('\n')
  assert.ok(lines.includes('dhcp-vendorclass=set:httpclient,HTTPClient'))
  assert.ok(lines.includes('dhcp-boot=tag:ferrum,tag:httpclient,tag:!ipxe,http://10.0.0.1:6385/boot/snponly.efi'))
  assert.ok(lines.includes('dhcp-option-force=tag:httpclient,60,HTTPClient'))
})

test('hosts directory owner: one Ferrum per directory; a dead owner is taken over, a live or remote one refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferrum-owner-'))
  const owner = join(dir, OWNER_FILE)
  try {
    const lock = claimHostsDir(dir)
    assert.throws(() => claimHostsDir(dir), /already managed by a Ferrum in this process; give each its own dhcp\.hostsDir/)
    // The owner file is a dot file: neither dnsmasq nor active() reads it as an entry.
    assert.deepEqual([...(await new HostsDir(dir).active())], [])
    lock.release()
    assert.equal(existsSync(owner), false)
    lock.release() // twice is harmless
    writeFileSync(owner, '2147483646 ' + (await import('node:os')).hostname() + '\n') // no such process
    const taken = claimHostsDir(dir)
    assert.match(readFileSync(owner, 'utf8'), new RegExp(`^${process.pid} `))
    taken.release()
    writeFileSync(owner, '1234 other-host\n')
    assert.throws(() => claimHostsDir(dir), (e: Error) => e.message.includes('managed by another Ferrum (pid 1234 on other-host)') && e.message.includes(`if that Ferrum is gone, remove ${owner}`))
    assert.equal(readFileSync(owner, 'utf8'), '1234 other-host\n', 'a refused claim leaves the other owner alone')
    writeFileSync(owner, `1 ${(await import('node:os')).hostname()}\n`) // pid 1 is alive
    assert.throws(() => claimHostsDir(dir), /managed by another Ferrum \(pid 1 on /)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
