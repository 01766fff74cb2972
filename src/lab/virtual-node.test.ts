import { strict as assert } from 'node:assert'
import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ProcessBackend } from './backends/process-backend.js'
import { writeLabOsImage } from './lab-os-image.js'
import { VirtualNode } from './virtual-node.js'
import { labMac } from './virtual-node-spec.js'

/** A ramdisk that writes its environment to $OUT_DIR/<pid>.json, prints a line, then runs until killed. */
const ENV_DUMPER = [
  "const fs = require('fs')",
  "fs.writeFileSync(process.env.OUT_DIR + '/' + process.pid + '.json', JSON.stringify(process.env))",
  "console.log('agent up on ' + process.env.FERRUM_LAB_NODE)",
  'setInterval(() => {}, 1000)',
].join('\n')

let root: string
let outDir: string
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferrum-vnode-'))
  outDir = join(root, 'out')
  await import('node:fs/promises').then((fs) => fs.mkdir(outDir))
})
after(async () => {
  await rm(root, { recursive: true, force: true })
})

let seq = 0
async function makeNode(opts: { command?: string | string[] | null; killGraceMs?: number; bootUrl?: string } = {}): Promise<VirtualNode> {
  seq++
  const command = opts.command === undefined ? [process.execPath, '-e', ENV_DUMPER] : opts.command
  return VirtualNode.create({
    spec: { name: `node-${seq}`, index: seq, diskSizes: [64 * 1024 * 1024, 1024 * 1024], nicCount: 2 },
    dir: join(root, `node-${seq}`),
    backend: new ProcessBackend({ command, env: { OUT_DIR: outDir }, killGraceMs: opts.killGraceMs }),
    bootUrl: opts.bootUrl,
  })
}

/** Polls until `check` returns a value; gives up after 20 s so a broken test fails instead of hanging. */
async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const v = await check()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function envOf(pid: number): Promise<Record<string, string>> {
  const file = join(outDir, `${pid}.json`)
  await eventually(`env file of pid ${pid}`, () => (existsSync(file) ? true : undefined))
  return JSON.parse(await eventually(`complete env of ${pid}`, async () => {
    const text = await readFile(file, 'utf8')
    return text.endsWith('}') ? text : undefined
  })) as Record<string, string>
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function ramdiskPid(node: VirtualNode): number {
  const a = node.status().activity
  assert.equal(a.state, 'ramdisk', `expected a running ramdisk, got: ${node.status().summary}`)
  assert.ok(a.state === 'ramdisk' && a.pid !== null)
  return a.pid
}

describe('VirtualNode', () => {
  it('creates sparse disks of the given sizes and deterministic MACs', async () => {
    const node = await makeNode()
    const disks = node.status().disks
    assert.equal(disks.length, 2)
    const st = await stat(disks[0])
    assert.equal(st.size, 64 * 1024 * 1024)
    assert.ok(st.blocks * 512 < st.size, 'the disk file is sparse')
    assert.deepEqual(node.macs, [labMac(seq, 0), labMac(seq, 1)])
    assert.equal(labMac(1, 0), '52:54:00:a0:00:01')
    assert.equal(labMac(258, 1), '52:54:00:a1:01:02')
    assert.match(await readFile(node.logPath, 'utf8'), /created: 4 CPUs, 4096 MiB, 2 disk\(s\)/)
  })

  it('keeps disk content when created again in the same directory', async () => {
    const node = await makeNode()
    await writeLabOsImage(node.diskPaths[0], { osName: 'kept' })
    const again = await VirtualNode.create({ spec: node.spec, dir: node.dir, backend: new ProcessBackend({ command: null }) })
    again.machine.setBootSetting({ device: 'disk', persistent: true, mode: 'uefi' })
    await again.machine.powerOn()
    assert.equal(again.status().summary, 'booted from disk: kept (GPT, disk0)')
    await again.close()
  })

  it('reports "no bootable device" for a blank disk and for a partition table without the marker', async () => {
    const node = await makeNode()
    node.machine.setBootSetting({ device: 'disk', persistent: true, mode: 'uefi' })
    await node.machine.powerOn()
    let s = node.status()
    assert.equal(s.power, 'on')
    assert.equal(s.activity.state, 'no-bootable-device')
    assert.match(s.summary, /no bootable device: disk0: no partition table/)

    await node.machine.powerOff()
    await writeLabOsImage(node.diskPaths[0], { partitionTable: 'mbr', marker: false })
    await node.machine.powerOn()
    s = node.status()
    assert.equal(s.activity.state, 'no-bootable-device')
    assert.match(s.summary, /MBR partition table but no "FERRUM-LAB-OS" marker/)
    assert.match(await readFile(node.logPath, 'utf8'), /power on: no bootable device/)
    await node.close()
  })

  it('boots the OS from a disk holding a lab image (GPT and MBR)', async () => {
    const node = await makeNode()
    await writeLabOsImage(node.diskPaths[0], { partitionTable: 'gpt', osName: 'lab-linux 1.0', markerOffset: 700_000 })
    await node.machine.powerOn() // device 'none' falls back to the first disk
    assert.deepEqual(node.status().activity, { state: 'os', disk: 'disk0', partitionTable: 'gpt', osName: 'lab-linux 1.0' })
    await node.machine.powerOff()
    await writeLabOsImage(node.diskPaths[0], { partitionTable: 'mbr', osName: 'dos-ish' })
    await node.machine.powerOn()
    assert.equal(node.status().summary, 'booted from disk: dos-ish (MBR, disk0)')
    const log = await readFile(node.logPath, 'utf8')
    assert.match(log, /booting from disk \(asked: none\)/)
    assert.match(log, /booted from disk: lab-linux 1.0 \(GPT, disk0\)/)
    await node.close()
  })

  it('one-time PXE boots the ramdisk once, then the next boot uses the disk', async () => {
    const node = await makeNode()
    await writeLabOsImage(node.diskPaths[0], { osName: 'deployed' })
    node.bmc = { kind: 'ipmi', address: '127.0.0.1', port: 6230, username: 'admin', password: 'pw' }
    node.machine.setBootSetting({ device: 'pxe', persistent: false, mode: 'uefi' })
    await node.machine.powerOn()
    const pid = ramdiskPid(node)
    assert.equal(node.status().lastBootDevice, 'pxe')
    assert.equal(node.status().boot.device, 'none', 'the one-time override was used up')

    const env = await envOf(pid)
    assert.equal(env.FERRUM_LAB_NODE, node.name)
    assert.equal(env.FERRUM_LAB_MACS, node.macs.join(','))
    assert.equal(env.FERRUM_LAB_DISKS, node.diskPaths.join(','))
    assert.equal(env.FERRUM_LAB_BOOT, 'pxe')
    assert.equal(env.FERRUM_LAB_MEDIA, '')
    assert.deepEqual(JSON.parse(env.FERRUM_LAB_BMC), { kind: 'ipmi', address: '127.0.0.1', port: 6230, username: 'admin', password: 'pw' })
    const hw = JSON.parse(env.FERRUM_LAB_HARDWARE) as { cpus: number; memory_mb: number; disks: { path: string; size_bytes: number }[]; nics: { mac: string }[] }
    assert.equal(hw.cpus, 4)
    assert.equal(hw.memory_mb, 4096)
    assert.deepEqual(hw.disks.map((d) => [d.path, d.size_bytes]), [[node.diskPaths[0], 64 * 1024 * 1024], [node.diskPaths[1], 1024 * 1024]])
    assert.deepEqual(JSON.parse(env.FERRUM_LAB_FAULTS), { diskWriteErrors: false })
    await eventually('ramdisk output in the node log', async () => ((await readFile(node.logPath, 'utf8')).includes(`agent up on ${node.name}`) ? true : undefined))

    await node.machine.powerOff()
    assert.equal(alive(pid), false, 'power off killed the ramdisk process')
    assert.equal(node.status().summary, 'off')
    await node.machine.powerOn()
    assert.equal(node.status().summary, 'booted from disk: deployed (GPT, disk0)')
    await node.close()
  })

  it('persistent PXE boots the ramdisk on every power-on, and reset restarts it', async () => {
    const node = await makeNode()
    node.machine.setBootSetting({ device: 'pxe', persistent: true, mode: 'bios' })
    await node.machine.powerOn()
    const first = ramdiskPid(node)
    await node.machine.reset()
    const second = ramdiskPid(node)
    assert.notEqual(second, first)
    assert.equal(alive(first), false, 'reset killed the old ramdisk')
    await node.machine.powerCycle()
    const third = ramdiskPid(node)
    assert.equal(alive(second), false)
    assert.equal(node.status().boot.device, 'pxe')
    assert.equal(node.status().boots, 3)
    await node.close()
    assert.equal(alive(third), false)
  })

  it('boots virtual media as a ramdisk with FERRUM_LAB_MEDIA, and falls back to disk without media', async () => {
    const node = await makeNode()
    node.machine.setBootSetting({ device: 'cdrom', persistent: true, mode: 'uefi' })
    await node.machine.powerOn()
    assert.equal(node.status().activity.state, 'no-bootable-device')
    await node.machine.powerOff()
    node.machine.insertVirtualMedia('http://images.example/deploy.iso', join(root, 'deploy.iso'))
    await node.machine.powerOn()
    const env = await envOf(ramdiskPid(node))
    assert.equal(env.FERRUM_LAB_BOOT, 'cdrom')
    assert.equal(env.FERRUM_LAB_MEDIA, join(root, 'deploy.iso'))
    assert.match(await readFile(node.logPath, 'utf8'), /no media is inserted; falling back to disk/)
    await node.close()
  })

  it('says "no ramdisk configured" when PXE-booted without a command', async () => {
    const node = await makeNode({ command: null })
    node.machine.setBootSetting({ device: 'pxe', persistent: false, mode: 'uefi' })
    await node.machine.powerOn()
    assert.deepEqual(node.status().activity, { state: 'no-ramdisk', boot: 'pxe', reason: 'no ramdisk configured' })
    assert.equal(node.status().summary, 'no ramdisk configured (pxe boot)')
    await node.close()
  })

  it('with a boot server, PXE fetches the per-MAC iPXE script over HTTP and hands its kernel command line to the ramdisk', async () => {
    const asked: string[] = []
    const configs = new Map<string, string>()
    const srv = createServer((req, res) => {
      asked.push(req.url ?? '')
      const body = configs.get(req.url ?? '')
      if (body) res.writeHead(200).end(body)
      else res.writeHead(404).end()
    })
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()))
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/boot`
    try {
      const node = await makeNode({ bootUrl: base })
      node.machine.setBootSetting({ device: 'pxe', persistent: true, mode: 'uefi' })
      // No configuration for its MACs: no boot answer, no ramdisk (as on a real network).
      await node.machine.powerOn()
      assert.equal(node.status().activity.state, 'no-ramdisk')
      assert.match(node.status().summary, /PXE: no boot configuration for 52:54:00/)
      assert.deepEqual(asked, node.macs.map((m) => `/boot/pxelinux.cfg/01-${m.replace(/:/g, '-')}`))
      await node.machine.powerOff()
      // The second MAC has one: its kernel line (minus initrd=) becomes the ramdisk's /proc/cmdline.
      configs.set(`/boot/pxelinux.cfg/01-${node.macs[1]!.replace(/:/g, '-')}`, '#!ipxe\nkernel http://x/k initrd=deploy_ramdisk ipa-api-url=http://api:6385 BOOTIF=01-aa\ninitrd http://x/i\nboot\n')
      await node.machine.powerOn()
      assert.equal(node.status().activity.state, 'ramdisk')
      assert.equal(await readFile(join(node.sysroot, 'proc', 'cmdline'), 'utf8'), 'ipa-api-url=http://api:6385 BOOTIF=01-aa\n')
      assert.match(await readFile(node.logPath, 'utf8'), /PXE: http:\/\/127\.0\.0\.1:\d+\/boot\/pxelinux\.cfg\/01-\S+: kernel http:\/\/x\/k/)
      await node.close()
    } finally {
      await new Promise((r) => srv.close(r))
    }
  })

  it('records a ramdisk that exits by itself, with its exit code', async () => {
    const node = await makeNode({ command: 'echo finishing; exit 3' })
    node.machine.setBootSetting({ device: 'pxe', persistent: true, mode: 'uefi' })
    await node.machine.powerOn()
    const s = await eventually('ramdisk exit', () => (node.status().activity.state === 'ramdisk-exited' ? node.status() : undefined))
    assert.equal(s.power, 'on')
    assert.ok(s.activity.state === 'ramdisk-exited' && s.activity.code === 3 && !s.activity.crashed)
    assert.match(await readFile(node.logPath, 'utf8'), /finishing\n/)
    await node.close()
  })

  it('kills a ramdisk that ignores SIGTERM with SIGKILL', async () => {
    const stubborn = "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('ready'); setInterval(() => {}, 1000)"
    const node = await makeNode({ command: [process.execPath, '-e', stubborn], killGraceMs: 300 })
    node.machine.setBootSetting({ device: 'pxe', persistent: true, mode: 'uefi' })
    await node.machine.powerOn()
    const pid = ramdiskPid(node)
    await eventually('ramdisk ready', async () => ((await readFile(node.logPath, 'utf8')).includes('ready') ? true : undefined))
    await node.machine.powerOff()
    assert.equal(alive(pid), false)
    assert.match(await readFile(node.logPath, 'utf8'), /ignoring SIGTERM/)
  })

  it('injects faults: BMC knobs, a crashing ramdisk and disk write errors', async () => {
    const node = await makeNode()
    await node.setFaults({ bmcUnreachable: true, packetLoss: 0.25, latencyMs: 40 })
    assert.deepEqual(node.machine.faults, { unreachable: true, packetLoss: 0.25, latencyMs: 40 })
    await assert.rejects(node.setFaults({ packetLoss: 2 }), /packetLoss must be a number from 0 to 1/)

    await node.setFaults({ ramdiskCrashAfterMs: 0, diskWriteErrors: true })
    assert.equal((await stat(node.diskPaths[0])).mode & 0o777, 0o444)
    node.machine.setBootSetting({ device: 'pxe', persistent: true, mode: 'uefi' })
    await node.machine.powerOn()
    const crashed = await eventually('crash', () => (node.status().activity.state === 'ramdisk-exited' ? node.status() : undefined))
    assert.equal(crashed.power, 'on', 'a crashed ramdisk leaves the node powered on')
    assert.ok(crashed.activity.state === 'ramdisk-exited' && crashed.activity.crashed && crashed.activity.signal === 'SIGKILL')
    assert.match(crashed.summary, /ramdisk crashed \(injected fault/)

    // A crash set while the ramdisk runs applies from then on; the env tells the agent about disk faults.
    await node.setFaults({ ramdiskCrashAfterMs: null })
    await node.machine.reset()
    const pid = ramdiskPid(node)
    assert.deepEqual(JSON.parse((await envOf(pid)).FERRUM_LAB_FAULTS), { diskWriteErrors: true })
    await node.setFaults({ ramdiskCrashAfterMs: 10 })
    await eventually('late crash', () => (node.status().activity.state === 'ramdisk-exited' ? true : undefined))
    assert.equal(alive(pid), false)

    await node.setFaults({ diskWriteErrors: false, bmcUnreachable: false })
    assert.equal((await stat(node.diskPaths[0])).mode & 0o777, 0o644)
    assert.equal(node.machine.faults.unreachable, false)
    assert.match(await readFile(node.logPath, 'utf8'), /faults: \{"bmcUnreachable":true/)
    await node.close()
  })
})
