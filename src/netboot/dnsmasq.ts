/**
 * The DHCP and TFTP half of network boot: Debian's dnsmasq, configured and (for `ferrum up
 * --dhcp-interface`) supervised by Ferrum. What it answers:
 *
 * - a MAC without an entry in the hosts directory (dhcp-hosts.ts): nothing (`dhcp-ignore`);
 * - a MAC in the boot flow, from a PXE ROM: a TFTP boot file, iPXE (`undionly.kpxe` for BIOS,
 *   `snponly.efi` for x86-64 UEFI), copied from Debian's ipxe package into the TFTP root;
 * - the same MAC once iPXE runs (user class `iPXE`): the HTTP URL of Ferrum's chain script,
 *   `<bootUrl>/boot.ipxe`, which chains to the node's own script, `pxelinux.cfg/01-<mac>`, that
 *   the pxe/ipxe boot interface writes (pxe-boot.ts).
 *
 * In proxy mode (a network that already has a DHCP server) dnsmasq hands out no addresses and
 * only adds the boot answer. Every DHCP exchange is logged (`log-dhcp`) to a file that the boot
 * diagnostics read.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import { dirname, join } from 'node:path'
import { BOOT_TAG } from './dhcp-hosts.js'
import { API_URL_DHCP_OPTION } from '../ramdisk/init-script.js'

/** What dnsmasq.conf is made of. */
export interface DnsmasqSettings {
  /** The interface on the provisioning network (it must have an IPv4 address). */
  interface: string
  /** `start,end[,netmask]` of the addresses to lease; in proxy mode, the network address (e.g. `10.0.0.0`). */
  range: string
  proxy: boolean
  /** The hosts directory (HostsDir). */
  hostsDir: string
  tftpRoot: string
  /** Where the chain script is served: `<bootUrl>/boot.ipxe`. */
  bootUrl: string
  /** The address of `interface` (next-server for TFTP). */
  serverAddress: string
  leaseFile: string
  logFile: string
  /** Lease time, e.g. `1h`. */
  leaseTime?: string
  /** The API agents call home to, sent in DHCP option 224 to the deploy ramdisk (a virtual-media boot has no script). */
  apiUrl?: string
  /** Send IPv6 router advertisements on the interface (it has a global or ULA IPv6 address): iPXE then skips its IPv6 wait. */
  routerAdvertisements?: boolean
}

/** Boot files copied into the TFTP root, and where Debian's ipxe package keeps them. */
export const IPXE_DIR = '/usr/lib/ipxe'
export const BOOT_LOADERS = { bios: 'undionly.kpxe', uefi: 'snponly.efi' } as const

/** Whether an interface has an IPv6 address other than link-local. */
export function hasRoutableIpv6(name: string): boolean {
  return (networkInterfaces()[name] ?? []).some((a) => a.family === 'IPv6' && !a.address.startsWith('fe80'))
}

/** The first IPv4 address of an interface, or null. */
export function interfaceAddress(name: string): string | null {
  for (const a of networkInterfaces()[name] ?? []) if (a.family === 'IPv4') return a.address
  return null
}

/** dnsmasq.conf for these settings. */
export function dnsmasqConfig(s: DnsmasqSettings): string {
  const range = s.proxy ? `${s.range.split(',')[0]},proxy` : `${s.range}${s.range.split(',').length < 3 ? ',255.255.255.0' : ''},${s.leaseTime ?? '1h'}`
  return [
    '# Written by Ferrum: DHCP and TFTP for network boot. Only MACs with an entry in the hosts',
    '# directory (the nodes in the boot flow) get an answer.',
    'port=0',
    `interface=${s.interface}`,
    'bind-interfaces',
    `dhcp-range=${range}`,
    `dhcp-leasefile=${s.leaseFile}`,
    `dhcp-hostsdir=${s.hostsDir}`,
    'dhcp-ignore=tag:!known',
    'no-ping',
    'log-dhcp',
    `log-facility=${s.logFile}`,
    'enable-tftp',
    `tftp-root=${s.tftpRoot}`,
    'dhcp-userclass=set:ipxe,iPXE',
    'dhcp-match=set:efi64,option:client-arch,7',
    'dhcp-match=set:efi64,option:client-arch,9',
    `dhcp-boot=tag:${BOOT_TAG},tag:ipxe,${s.bootUrl.replace(/\/+$/, '')}/boot.ipxe`,
    `dhcp-boot=tag:${BOOT_TAG},tag:!ipxe,tag:!httpclient,tag:efi64,${BOOT_LOADERS.uefi},,${s.serverAddress}`,
    `dhcp-boot=tag:${BOOT_TAG},tag:!ipxe,tag:!httpclient,tag:!efi64,${BOOT_LOADERS.bios},,${s.serverAddress}`,
    // UEFI HTTP boot (vendor class HTTPClient): iPXE's EFI binary by URL from the boot server;
    // the answer must carry the vendor class back, or the firmware ignores it.
    'dhcp-vendorclass=set:httpclient,HTTPClient',
    `dhcp-boot=tag:${BOOT_TAG},tag:httpclient,tag:!ipxe,${s.bootUrl.replace(/\/+$/, '')}/${BOOT_LOADERS.uefi}`,
    'dhcp-option-force=tag:httpclient,60,HTTPClient',
    ...(s.apiUrl ? [`dhcp-option-force=tag:${BOOT_TAG},${API_URL_DHCP_OPTION},"${s.apiUrl}"`] : []),
    ...(s.routerAdvertisements ? ['enable-ra', `dhcp-range=::,constructor:${s.interface},ra-only,64`] : []),
    ...(s.proxy ? [
      // A proxy answer carries the boot file only in a PXE menu.
      `pxe-service=tag:${BOOT_TAG},tag:!ipxe,x86PC,"Ferrum network boot",${BOOT_LOADERS.bios}`,
      `pxe-service=tag:${BOOT_TAG},tag:!ipxe,X86-64_EFI,"Ferrum network boot",${BOOT_LOADERS.uefi}`,
    ] : []),
    '',
  ].join('\n')
}

/**
 * The chain script every iPXE client gets first: it asks the boot server for the booting MAC's
 * configuration, and a node that has none goes on to its next boot device.
 */
export function chainScript(): string {
  return [
    '#!ipxe',
    '# Ferrum: each node in the boot flow has its configuration at pxelinux.cfg/01-<mac>.',
    'chain --autofree pxelinux.cfg/01-${mac:hexhyp} || goto none',
    ':none',
    'echo Ferrum has no boot configuration for ${mac}; trying the next boot device',
    'exit',
    '',
  ].join('\n')
}

/** Writes `<bootDir>/boot.ipxe`. */
export async function writeChainScript(bootDir: string): Promise<void> {
  await mkdir(bootDir, { recursive: true })
  await writeFile(join(bootDir, 'boot.ipxe'), chainScript())
}

/**
 * Copies iPXE's boot files into the TFTP root.
 * @throws Error naming the package when they are missing
 */
export async function installBootLoaders(tftpRoot: string, from = IPXE_DIR): Promise<void> {
  await mkdir(tftpRoot, { recursive: true })
  for (const name of Object.values(BOOT_LOADERS)) {
    const src = join(from, name)
    if (!existsSync(src)) throw new Error(`${src} is missing: PXE ROMs chain-load iPXE from it (apt-get install ipxe)`)
    await copyFile(src, join(tftpRoot, name))
  }
}

export interface DnsmasqOptions {
  settings: DnsmasqSettings
  /** Where dnsmasq.conf is written. */
  confFile: string
  binary?: string
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void }
}

/**
 * One dnsmasq process, restarted (after 1 s, then up to 30 s) when it dies; stop() ends it by
 * its PID. start() resolves once dnsmasq says it serves DHCP, and rejects with what it said
 * otherwise (an interface without an address, a port in use).
 */
export class Dnsmasq {
  #child: ChildProcess | null = null
  #stopping = false
  #restarts = 0
  #timer: NodeJS.Timeout | null = null
  readonly #opts: DnsmasqOptions

  constructor(opts: DnsmasqOptions) {
    this.#opts = opts
  }

  get pid(): number | null {
    return this.#child?.pid ?? null
  }

  async start(): Promise<void> {
    const s = this.#opts.settings
    await Promise.all([mkdir(s.hostsDir, { recursive: true }), mkdir(s.tftpRoot, { recursive: true }), mkdir(dirname(s.leaseFile), { recursive: true }), mkdir(dirname(s.logFile), { recursive: true })])
    await writeFile(this.#opts.confFile, dnsmasqConfig(s))
    await this.#spawn()
  }

  async #spawn(): Promise<void> {
    // As root, dnsmasq would switch to "nobody", which cannot reach a private data directory
    // (hosts directory, leases, log, TFTP root); it keeps the user that runs Ferrum instead.
    const user = process.getuid?.() === 0 ? ['--user=root'] : []
    const child = spawn(this.#opts.binary ?? 'dnsmasq', ['--keep-in-foreground', `--conf-file=${this.#opts.confFile}`, '--pid-file=', ...user], { stdio: ['ignore', 'ignore', 'pipe'] })
    this.#child = child
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    const up = await new Promise<true | string>((resolve) => {
      child.once('error', (e) => resolve(`cannot run ${this.#opts.binary ?? 'dnsmasq'}: ${e.message} (apt-get install dnsmasq-base)`))
      child.once('exit', (code) => {
        // With log-facility, dnsmasq says why in its log file.
        void readFile(this.#opts.settings.logFile, 'utf8').catch(() => '').then((log) => {
          const said = stderr.trim() || log.trim().split('\n').filter((l) => child.pid !== undefined && l.includes(`[${child.pid}]`)).slice(-2).join(' / ')
          resolve(`dnsmasq exited with ${code}: ${said || 'no message'}`)
        })
      })
      const deadline = Date.now() + 10_000
      const poll = async (): Promise<void> => {
        const log = await readFile(this.#opts.settings.logFile, 'utf8').catch(() => '')
        if (log.includes(`DHCP, ${this.#opts.settings.proxy ? 'proxy' : 'IP range'}`) && child.pid && log.includes(`[${child.pid}]`)) return resolve(true)
        if (Date.now() > deadline) return resolve('dnsmasq did not report DHCP within 10 s')
        setTimeout(() => void poll(), 50)
      }
      void poll()
    })
    if (up !== true) {
      if (child.exitCode === null) child.kill('SIGKILL')
      this.#child = null
      throw new Error(up)
    }
    this.#opts.log?.info({ pid: child.pid, interface: this.#opts.settings.interface }, 'dnsmasq serves DHCP and TFTP')
    child.once('exit', (code, signal) => {
      if (this.#child !== child || this.#stopping) return
      this.#child = null
      const delay = Math.min(30_000, 1000 * 2 ** this.#restarts++)
      this.#opts.log?.warn({ code, signal, stderr: stderr.trim().slice(-500), restartInMs: delay }, 'dnsmasq exited; restarting it')
      this.#timer = setTimeout(() => {
        this.#timer = null
        this.#spawn().catch((e: Error) => this.#opts.log?.warn({ err: e.message }, 'dnsmasq did not restart'))
      }, delay)
    })
  }

  async stop(): Promise<void> {
    this.#stopping = true
    if (this.#timer) clearTimeout(this.#timer)
    const child = this.#child
    this.#child = null
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    child.kill('SIGTERM')
    const t = setTimeout(() => child.kill('SIGKILL'), 3000)
    await exited
    clearTimeout(t)
  }
}
