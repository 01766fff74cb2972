// `ferrum ramdisk build` (issue 11): the deploy kernel, initramfs and ISO from Debian's kernel
// package (apt-get download), busybox-static, this machine's Node and the agent bundle; two
// builds of the same inputs are byte-identical. The contents are checked with Debian's cpio and
// xorriso; the VM lab test (vm-lab.test.ts) boots what it builds. Skips (saying why) when the
// tools are missing or Debian's mirror cannot be reached.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { repoRoot } from '../helpers/ferrum-process.js'

const tools = ['/usr/bin/cpio', '/usr/bin/xorriso', '/bin/busybox', '/usr/lib/ISOLINUX/isolinux.bin']
let skip: string | false = tools.find((t) => !existsSync(t)) ? `${tools.find((t) => !existsSync(t))} is missing (apt-get install cpio xorriso busybox-static isolinux syslinux-common)` : false
let top: string
let cache: string

const ferrum = (args: string[]) => spawnSync(process.execPath, [join(repoRoot(), 'dist/src/bin/ferrum.js'), ...args], { encoding: 'utf8', timeout: 300_000 })

before(() => {
  if (skip) return
  top = mkdtempSync(join(tmpdir(), 'ferrum-ramdisk-'))
  cache = join(top, 'cache')
  // One download for both builds; no mirror, no test (said so).
  const first = ferrum(['ramdisk', 'build', '--out', join(top, 'a'), '--cache', cache])
  if (first.status !== 0 && /apt-get download|apt-cache/.test(first.stderr)) skip = `Debian's mirror is not reachable: ${first.stderr.trim().split('\n').at(-1)}`
  else assert.equal(first.status, 0, first.stderr)
  if (skip) process.stdout.write(`# ramdisk build test skipped: ${skip}\n`)
})
after(() => {
  if (top) rmSync(top, { recursive: true, force: true })
})

test('ferrum ramdisk build: kernel, initramfs with busybox, node, modules and the agent, and a bootable ISO; reproducible', { skip: skip || undefined, timeout: 600_000 }, (t) => {
  if (skip) return t.skip(skip)
  const second = ferrum(['ramdisk', 'build', '--out', join(top, 'b'), '--cache', cache])
  assert.equal(second.status, 0, second.stderr)
  assert.match(second.stdout, /Deploy ramdisk \(kernel 6\.\d+\.\d+-\d+-amd64\) built in [\d.]+ s:/)
  for (const f of ['deploy.kernel', 'deploy.initrd', 'deploy.iso']) {
    const a = readFileSync(join(top, 'a', f))
    const b = readFileSync(join(top, 'b', f))
    assert.ok(a.length > 1024 * 1024, `${f} is only ${a.length} bytes`)
    assert.ok(a.equals(b), `${f} differs between two builds of the same inputs`)
  }
  // The kernel is a bzImage.
  assert.equal(readFileSync(join(top, 'a', 'deploy.kernel')).subarray(0x202, 0x206).toString('latin1'), 'HdrS')

  // The initramfs, listed by Debian's cpio.
  const cpio = gunzipSync(readFileSync(join(top, 'a', 'deploy.initrd')))
  const list = execFileSync('cpio', ['-t', '--quiet'], { input: cpio, maxBuffer: 64 << 20 }).toString().split('\n')
  for (const f of ['init', 'bin/busybox', 'usr/bin/node', 'ferrum/agent.mjs', 'ferrum/udhcpc.script', 'lib/ferrum/modules/virtio_net.ko', 'lib/ferrum/modules/virtio_blk.ko', 'usr/sbin/sfdisk', 'usr/sbin/mke2fs', 'lib64/ld-linux-x86-64.so.2']) {
    assert.ok(list.includes(f), `${f} is not in the initramfs`)
  }
  const dir = join(top, 'x')
  execFileSync('cpio', ['-i', '-d', '--quiet', '-D', dir, 'lib/ferrum/modules.order', 'etc/ferrum-ramdisk', 'init'], { input: cpio, maxBuffer: 64 << 20 })
  // Modules in dependency order, as the kernel's `depends=` says (virtio_ring before virtio, …).
  const order = readFileSync(join(dir, 'lib/ferrum/modules.order'), 'utf8').trim().split('\n')
  for (const [before, afterIt] of [['virtio_ring', 'virtio'], ['virtio', 'virtio_pci'], ['virtio_pci_modern_dev', 'virtio_pci'], ['failover', 'net_failover'], ['net_failover', 'virtio_net']]) {
    assert.ok(order.indexOf(before) >= 0 && order.indexOf(before) < order.indexOf(afterIt), `${before} must load before ${afterIt}: ${order.join(' ')}`)
  }
  assert.match(readFileSync(join(dir, 'etc/ferrum-ramdisk'), 'utf8'), new RegExp(`node=${process.version.replace(/\./g, '\\.')}`))
  assert.match(readFileSync(join(dir, 'init'), 'utf8'), /ipa-api-url=/)

  // The ISO boots the same kernel and initramfs through isolinux.
  const iso = join(top, 'a', 'deploy.iso')
  execFileSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/isolinux/isolinux.cfg', join(top, 'isolinux.cfg')], { stdio: 'ignore' })
  const cfg = readFileSync(join(top, 'isolinux.cfg'), 'utf8')
  assert.match(cfg, /kernel \/vmlinuz/)
  assert.match(cfg, /append initrd=\/initrd\.gz console=ttyS0/)
  const files = execFileSync('xorriso', ['-indev', iso, '-find', '/', '-type', 'f'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()
  for (const f of ['/vmlinuz', '/initrd.gz', '/isolinux/isolinux.bin', '/isolinux/ldlinux.c32']) assert.ok(files.includes(`'${f}'`), `${f} is not on the ISO: ${files}`)
})

test('ferrum ramdisk build: a kernel package that is not a kernel is refused with a message', { skip: skip || undefined }, (t) => {
  if (skip) return t.skip(skip)
  const bogus = join(top, 'bogus.deb')
  execFileSync('sh', ['-c', `echo not a deb > ${bogus}`])
  const r = ferrum(['ramdisk', 'build', '--out', join(top, 'c'), '--kernel-deb', bogus, '--no-iso'])
  assert.equal(r.status, 1)
  assert.match(r.stderr, /ferrum: unpacking .*bogus\.deb/)
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace instead of a message')
})
