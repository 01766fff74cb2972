/**
 * A netns lab node's network-boot firmware, with real protocols from inside the node's
 * namespace: a PXE ROM's DHCP (busybox udhcpc, PXEClient vendor class and client architecture)
 * → TFTP of the boot file it names (busybox tftp) → iPXE's own DHCP (user class `iPXE`) → the
 * HTTP script, kernel and initrd (busybox wget), run through the lab's iPXE (ipxe-script.ts).
 * Each stage is logged to the node's console, so a test (or a person) sees where a boot stopped.
 */
import { execFile } from 'node:child_process'
import { mkdir, readFile, stat, writeFile, chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { runIpxe } from './ipxe-script.js'

const run = promisify(execFile)

/** The udhcpc script: applies the lease to the NIC and prints it for the firmware to read. */
const UDHCPC_SCRIPT = `#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/\${mask:-24}" dev "$interface"
    echo "FERRUM_LEASE ip=$ip mask=\${mask:-24} siaddr=$siaddr serverid=$serverid boot_file=$boot_file" ;;
esac
`

export interface Lease {
  ip: string
  mask: string
  siaddr: string
  serverid: string
  bootFile: string
}

export interface NetBootAnswer {
  /** The node's own script (the last one read). */
  url: string
  kernel: string
  cmdline: string
  initrd: string | null
  /** Local copies of what was fetched. */
  initrdPath: string | null
  address: string
}

export interface FirmwareOptions {
  netns: string
  iface: string
  mac: string
  bootMode: 'bios' | 'uefi'
  /** The node's directory; fetched files go to `<dir>/netboot/`. */
  dir: string
  log(line: string): Promise<void>
  /** DHCP tries before giving up (1 s apart). Default 3. */
  dhcpTries?: number
}

async function inNs(netns: string, argv: string[], timeoutMs = 60_000): Promise<{ stdout: string; stderr: string }> {
  return run('ip', ['netns', 'exec', netns, ...argv], { timeout: timeoutMs, maxBuffer: 1 << 20 })
}

/** Writes the udhcpc script into `dir` and returns its path. */
async function writeDhcpScript(dir: string): Promise<string> {
  const script = join(dir, 'udhcpc.script')
  await writeFile(script, UDHCPC_SCRIPT)
  await chmod(script, 0o755)
  return script
}

/** One DHCP exchange from the namespace, with the script from writeDhcpScript; null when no server answered. */
async function dhcp(o: Pick<FirmwareOptions, 'netns' | 'iface' | 'dhcpTries'>, script: string, extra: string[]): Promise<Lease | null> {
  const tries = String(o.dhcpTries ?? 3)
  let out: string
  try {
    out = (await inNs(o.netns, ['busybox', 'udhcpc', '-i', o.iface, '-f', '-n', '-q', '-t', tries, '-T', '1', '-A', '1', '-s', script, ...extra])).stdout
  } catch (e) {
    if (/no lease/.test(String((e as { stderr?: string }).stderr ?? ''))) return null
    throw e
  }
  const line = out.split('\n').find((l) => l.startsWith('FERRUM_LEASE '))
  if (!line) return null
  const f = Object.fromEntries(line.slice(13).split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
  return { ip: f.ip, mask: f.mask, siaddr: f.siaddr, serverid: f.serverid, bootFile: f.boot_file ?? '' }
}

/** Fetches a URL from the namespace into `path`; throws with wget's message. (No -T: busybox 1.35's wget crashes with it; the exec timeout bounds it.) */
async function wget(netns: string, url: string, path: string): Promise<void> {
  try {
    await inNs(netns, ['busybox', 'wget', '-q', '-O', path, url], 300_000)
  } catch (e) {
    const err = e as { stderr?: string; message: string }
    throw new Error((err.stderr?.trim() || err.message).replace(/^wget: /, ''), { cause: e })
  }
}

/**
 * PXE-boots the NIC: resolves with what iPXE would boot, or a reason why nothing boots (no DHCP
 * answer for an unknown MAC, a missing file, a script that exits).
 */
export async function pxeBoot(o: FirmwareOptions): Promise<NetBootAnswer | { reason: string }> {
  const dir = join(o.dir, 'netboot')
  await mkdir(dir, { recursive: true })
  const arch = o.bootMode === 'uefi' ? '0007' : '0000'
  const script = await writeDhcpScript(dir)
  const rom = await dhcp(o, script, ['-V', `PXEClient:Arch:${arch.padStart(5, '0')}:UNDI:002001`, '-x', `0x5d:${arch}`])
  if (!rom) {
    await o.log(`PXE ${o.mac}: no DHCP answer`)
    return { reason: `PXE: no DHCP answer for ${o.mac} (the node has no host entry on the provisioning network's DHCP server)` }
  }
  await o.log(`PXE ${o.mac}: DHCP lease ${rom.ip} from ${rom.serverid}, boot file "${rom.bootFile}"`)
  if (rom.bootFile === '') return { reason: `PXE: the DHCP answer for ${o.mac} names no boot file` }
  let lease = rom
  if (!/^https?:\/\//.test(rom.bootFile)) {
    // The ROM loads the boot file over TFTP: for Ferrum's dnsmasq, iPXE, which DHCPs again.
    const local = join(dir, rom.bootFile.replace(/[^A-Za-z0-9._-]/g, '_'))
    try {
      await inNs(o.netns, ['busybox', 'tftp', '-g', '-b', '1468', '-r', rom.bootFile, '-l', local, rom.siaddr || rom.serverid])
    } catch (e) {
      const why = String((e as { stderr?: string }).stderr ?? (e as Error).message).trim()
      await o.log(`PXE ${o.mac}: TFTP ${rom.bootFile}: ${why}`)
      return { reason: `PXE: TFTP of ${rom.bootFile} from ${rom.siaddr} failed: ${why}` }
    }
    await o.log(`PXE ${o.mac}: TFTP ${rom.bootFile}: ${(await stat(local)).size} bytes; starting iPXE`)
    const ipxe = await dhcp(o, script, ['-x', '0x4d:69505845', '-x', `0x5d:${arch}`])
    if (!ipxe) return { reason: `iPXE: no DHCP answer for ${o.mac}` }
    if (!/^https?:\/\//.test(ipxe.bootFile)) return { reason: `iPXE: the DHCP answer names "${ipxe.bootFile}", not an HTTP script` }
    await o.log(`iPXE ${o.mac}: DHCP lease ${ipxe.ip}, script ${ipxe.bootFile}`)
    lease = ipxe
  }
  let n = 0
  const result = await runIpxe(lease.bootFile, { mac: o.mac.toLowerCase(), ip: lease.ip, 'next-server': lease.siaddr }, async (url) => {
    const path = join(dir, `script-${n++}.ipxe`)
    await wget(o.netns, url, path)
    return readFile(path, 'utf8')
  })
  for (const s of result.scripts) await o.log(`iPXE ${o.mac}: script ${s}`)
  if (!result.boot) {
    await o.log(`iPXE ${o.mac}: ${result.reason}`)
    return { reason: `iPXE: ${result.reason}` }
  }
  const kernelPath = join(dir, 'kernel')
  try {
    await wget(o.netns, result.boot.kernel, kernelPath)
  } catch (e) {
    return { reason: `iPXE: kernel ${result.boot.kernel}: ${(e as Error).message}` }
  }
  let initrdPath: string | null = null
  for (const [i, url] of result.boot.initrds.entries()) {
    initrdPath = join(dir, `initrd-${i}`)
    try {
      await wget(o.netns, url, initrdPath)
    } catch (e) {
      return { reason: `iPXE: initrd ${url}: ${(e as Error).message}` }
    }
  }
  await o.log(`iPXE ${o.mac}: kernel ${result.boot.kernel} (${(await stat(kernelPath)).size} bytes)${result.boot.initrds.length ? `, initrd ${result.boot.initrds.join(' ')}` : ''}; booting`)
  return {
    url: result.scripts.at(-1)!,
    kernel: result.boot.kernel,
    cmdline: result.boot.args.split(/\s+/).filter((a) => a !== '' && !a.startsWith('initrd=')).join(' '),
    initrd: result.boot.initrds[0] ?? null,
    initrdPath,
    address: lease.ip,
  }
}

/** Gives a NIC a fixed address (a virtual-media ramdisk's network without DHCP). */
export async function setStaticAddress(netns: string, iface: string, address: string): Promise<void> {
  await inNs(netns, ['ip', 'addr', 'flush', 'dev', iface])
  await inNs(netns, ['ip', 'addr', 'add', `${address}/24`, 'dev', iface])
}

/**
 * The deploy kernel and initrd a netns lab node's iPXE fetches (`deploy/kernel`, `deploy/initrd`
 * on the boot server, the pxe interface's defaults). The lab runs the agent as a process in the
 * node's namespace, so they only say so; `ferrum ramdisk build` makes real ones.
 */
export async function publishLabDeployFiles(bootDir: string): Promise<void> {
  await mkdir(join(bootDir, 'deploy'), { recursive: true })
  for (const name of ['kernel', 'initrd']) {
    await writeFile(join(bootDir, 'deploy', name), `Ferrum lab deploy ${name}: a netns lab node fetches this over HTTP, then runs the Ferrum agent as a process in its namespace.\n`)
  }
}
