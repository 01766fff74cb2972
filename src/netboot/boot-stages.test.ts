import { test } from 'node:test'
import assert from 'node:assert/strict'
import { bootStages, parseDnsmasqLog } from './boot-stages.js'

// Lines as dnsmasq 2.90 writes them with log-dhcp and log-facility (captured from the netns lab).
const LOG = [
  'Dec  7 15:44:12 dnsmasq-dhcp[31443]: 595919168 DHCPDISCOVER(flbr) 52:54:00:a0:00:01 ',
  'Dec  7 15:44:12 dnsmasq-dhcp[31443]: 595919168 tags: ferrum, known, efi64, flbr',
  'Dec  7 15:44:12 dnsmasq-dhcp[31443]: 595919168 DHCPOFFER(flbr) 10.9.9.135 52:54:00:a0:00:01 ',
  'Dec  7 15:44:12 dnsmasq-dhcp[31443]: 595919168 DHCPACK(flbr) 10.9.9.135 52:54:00:a0:00:01 ',
  'Dec  7 15:44:12 dnsmasq-tftp[31443]: sent /data/tftpboot/snponly.efi to 10.9.9.135',
  'Dec  7 15:44:13 dnsmasq-dhcp[31443]: 11 DHCPDISCOVER(flbr) 52:54:00:a1:00:09 ignored',
  '',
].join('\n')
const now = new Date(2026, 11, 7, 15, 50, 0).getTime()
const since = new Date(2026, 11, 7, 15, 44, 0).getTime()

test('dnsmasq log lines: DHCP messages with address and MAC, TFTP transfers', () => {
  const { dhcp, tftp } = parseDnsmasqLog(LOG, now)
  assert.deepEqual(dhcp.map((e) => [e.kind, e.ip, e.mac, e.note]), [
    ['DHCPDISCOVER', null, '52:54:00:a0:00:01', ''],
    ['DHCPOFFER', '10.9.9.135', '52:54:00:a0:00:01', ''],
    ['DHCPACK', '10.9.9.135', '52:54:00:a0:00:01', ''],
    ['DHCPDISCOVER', null, '52:54:00:a1:00:09', 'ignored'],
  ])
  assert.equal(dhcp[0].at, new Date(2026, 11, 7, 15, 44, 12).getTime())
  assert.deepEqual(tftp.map((t) => [t.file, t.ip, t.ok]), [['/data/tftpboot/snponly.efi', '10.9.9.135', true]])
})

test('a boot that stopped after the kernel: the stages say so, in order', () => {
  const at = new Date(2026, 11, 7, 15, 44, 13).getTime()
  const stages = bootStages({
    macs: ['52:54:00:A0:00:01'], since, dnsmasqLog: LOG, now, internalInfo: {},
    fetches: [
      { at, ip: '10.9.9.135', path: '/boot/boot.ipxe', status: 200 },
      { at, ip: '10.9.9.135', path: '/boot/pxelinux.cfg/01-52-54-00-a0-00-01', status: 200 },
      { at, ip: '10.9.9.135', path: '/boot/deploy/kernel', status: 200 },
      { at, ip: '10.9.9.135', path: '/boot/deploy/initrd', status: 404 },
      { at, ip: '10.9.9.7', path: '/boot/deploy/initrd', status: 200 },
    ],
  })
  assert.deepEqual(stages.map((s) => [s.stage, s.seen]), [
    ['dhcp', true], ['boot file', true], ['ipxe script', true], ['kernel', true], ['ramdisk', false], ['lookup', false], ['heartbeat', false],
  ])
  assert.match(stages[0].detail, /address 10\.9\.9\.135 acknowledged to 52:54:00:a0:00:01/)
  assert.match(stages[4].detail, /\/boot\/deploy\/initrd answered 404 to 10\.9\.9\.135/)
})

test('an agent that is up: every stage seen; a MAC out of the flow: DHCP ignored; nothing at all: a question to check', () => {
  const up = bootStages({
    macs: ['52:54:00:a0:00:01'], since, dnsmasqLog: LOG, now,
    fetches: [{ at: since + 13_000, ip: '10.9.9.135', path: '/boot/abc/boot.ipxe', status: 200 }, { at: since + 13_000, ip: '10.9.9.135', path: '/boot/k/kernel', status: 200 }, { at: since + 13_000, ip: '10.9.9.135', path: '/boot/k/ramdisk', status: 200 }],
    internalInfo: { agent_secret_token: 'x', agent_last_heartbeat: '2026-12-07T15:44:20Z', agent_url: 'https://10.9.9.135:9999' },
  })
  assert.ok(up.every((s) => s.seen), JSON.stringify(up))
  const out = bootStages({ macs: ['52:54:00:a1:00:09'], since, dnsmasqLog: LOG, now, fetches: [], internalInfo: {} })
  assert.equal(out[0].seen, false)
  assert.match(out[0].detail, /ignored: the MAC has no host entry/)
  const later = bootStages({ macs: ['52:54:00:a0:00:01'], since: now, dnsmasqLog: LOG, now, fetches: [], internalInfo: {} })
  assert.match(later[0].detail, /no DHCP request from 52:54:00:a0:00:01 reached dnsmasq: is the node powered on/)
  const unmanaged = bootStages({ macs: [], since, dnsmasqLog: null, now, fetches: [], internalInfo: {} })
  assert.match(unmanaged[0].detail, /manages no DHCP/)
})

test('a boot that stopped: the last stage seen and the first not seen, in one line for last_error', async () => {
  const { describeBootProgress } = await import('./node-boot-stages.js')
  const stages = bootStages({
    macs: ['52:54:00:a0:00:01'], since, dnsmasqLog: LOG, now,
    fetches: [
      { at: since + 2000, ip: '10.9.9.135', path: '/boot/pxelinux.cfg/01-52-54-00-a0-00-01', status: 200 },
      { at: since + 3000, ip: '10.9.9.135', path: '/boot/deploy/kernel', status: 200 },
      { at: since + 4000, ip: '10.9.9.135', path: '/boot/deploy/initrd', status: 404 },
    ],
    internalInfo: {},
  })
  const line = describeBootProgress({ stages, stopped_at: stages.find((s) => !s.seen && s.stage !== 'boot file')?.stage ?? null })
  assert.equal(line, 'last boot stage seen: kernel (/boot/deploy/kernel fetched by 10.9.9.135); not seen: ramdisk (/boot/deploy/initrd answered 404 to 10.9.9.135)')
  assert.match(describeBootProgress({ stages: [{ stage: 'dhcp', seen: false, at: null, detail: 'no DHCP request' }], stopped_at: 'dhcp' }), /^no boot stage seen \(no DHCP request\)$/)
})
