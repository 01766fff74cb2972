/**
 * Network boot in `ferrum up`: the DHCP host entries drivers write (always, when dhcp.mode is
 * not none), and in managed mode the dnsmasq Ferrum runs on the provisioning interface, the
 * chain script and iPXE's boot files, and — when the API listens on loopback only — a TCP
 * relay from the interface's address to the API, so booting nodes and agents reach it there.
 */
import { createConnection, createServer, type Socket } from 'node:net'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FerrumConfig } from '../config/schema.js'
import { ValidationError } from '../domain/errors.js'
import { HostsDir } from './dhcp-hosts.js'
import { Dnsmasq, dnsmasqConfig, hasRoutableIpv6, installBootLoaders, interfaceAddress, writeChainScript, type DnsmasqSettings } from './dnsmasq.js'

export interface NetbootPlan {
  hosts: HostsDir
  /** The provisioning interface's address (managed mode), else null. */
  serverAddress: string | null
  settings: (bootUrl: string) => DnsmasqSettings
}

/**
 * Checks the dhcp settings and works out where everything goes; starts nothing.
 * @throws ValidationError naming the setting to fix
 */
export function planNetboot(config: FerrumConfig): NetbootPlan | null {
  const d = config.dhcp
  if (d.mode === 'none') return null
  const hosts = new HostsDir(d.hostsDir || join(config.dataDir, 'dhcp', 'hosts'))
  let serverAddress: string | null = null
  if (d.mode === 'managed') {
    if (d.interface === '') throw new ValidationError('dhcp.mode "managed" needs dhcp.interface: the interface on the provisioning network (ferrum up --dhcp-interface IF).')
    serverAddress = interfaceAddress(d.interface)
    if (serverAddress === null) throw new ValidationError(`DHCP interface "${d.interface}" has no IPv4 address (or does not exist): give it one (ip addr add 10.0.0.1/24 dev ${d.interface}) or name another with --dhcp-interface.`)
  }
  const settings = (bootUrl: string): DnsmasqSettings => {
    const addr = serverAddress ?? '0.0.0.0'
    const net = addr.split('.').slice(0, 3).join('.')
    const range = d.range || (d.proxy ? `${net}.0` : `${net}.100,${net}.199,255.255.255.0`)
    if (!d.proxy && !/^\d+\.\d+\.\d+\.\d+,\d+\.\d+\.\d+\.\d+(,\d+\.\d+\.\d+\.\d+)?$/.test(range)) throw new ValidationError(`dhcp.range "${range}" is not "start,end[,netmask]" (e.g. 10.0.0.100,10.0.0.199,255.255.255.0).`)
    return {
      interface: d.interface || 'INTERFACE',
      range,
      proxy: d.proxy,
      hostsDir: hosts.dir,
      tftpRoot: d.tftpRoot || join(config.dataDir, 'tftpboot'),
      bootUrl,
      serverAddress: addr,
      leaseFile: join(config.dataDir, 'dhcp', 'dnsmasq.leases'),
      logFile: join(config.dataDir, 'dhcp', 'dnsmasq.log'),
      routerAdvertisements: d.mode === 'managed' && hasRoutableIpv6(d.interface),
    }
  }
  return { hosts, serverAddress, settings }
}

/**
 * Relays TCP connections from `host:port` to `target`; resolves once it listens. `peers` maps
 * the local port of each relayed connection to the client's address, so the API can still say
 * who fetched a boot file.
 */
export async function relay(host: string, port: number, target: { host: string; port: number }, peers = new Map<number, string>()): Promise<{ close(): Promise<void> }> {
  const open = new Set<Socket>()
  const server = createServer((inbound) => {
    const out = createConnection(target)
    open.add(inbound)
    open.add(out)
    out.once('connect', () => {
      const local = out.localPort
      if (local === undefined) return
      peers.set(local, inbound.remoteAddress?.replace(/^::ffff:/, '') ?? '')
      out.once('close', () => peers.delete(local))
    })
    inbound.once('close', () => open.delete(inbound))
    out.once('close', () => open.delete(out))
    inbound.pipe(out).pipe(inbound)
    const end = (): void => {
      inbound.destroy()
      out.destroy()
    }
    inbound.on('error', end)
    out.on('error', end)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  return {
    // Ends the relayed connections too (agents keep theirs alive).
    close: () => new Promise<void>((resolve) => {
      for (const s of open) s.destroy()
      server.close(() => resolve())
    }),
  }
}

export interface RunningNetboot {
  dnsmasq: Dnsmasq | null
  close(): Promise<void>
}

/**
 * Starts what the plan needs once the API listens: the chain script on the boot server; in
 * managed mode iPXE's files, dnsmasq and, for a loopback API, the relay; in external mode a
 * sample dnsmasq.conf for the operator's dnsmasq.
 */
export async function startNetboot(config: FerrumConfig, plan: NetbootPlan, o: { bootDir: string; bootUrl: string; apiPort: number; apiUrl?: string; log: { info(o: object, m: string): void; warn(o: object, m: string): void }; peers?: Map<number, string> }): Promise<RunningNetboot> {
  await writeChainScript(o.bootDir)
  await mkdir(plan.hosts.dir, { recursive: true })
  const settings = { ...plan.settings(o.bootUrl), ...(o.apiUrl ? { apiUrl: o.apiUrl } : {}) }
  const confFile = join(config.dataDir, 'dhcp', 'dnsmasq.conf')
  await mkdir(join(config.dataDir, 'dhcp'), { recursive: true })
  if (config.dhcp.mode === 'external') {
    await writeFile(confFile, dnsmasqConfig(settings))
    o.log.info({ hostsDir: plan.hosts.dir, sample: confFile }, 'DHCP host entries go to the hosts directory; point your dnsmasq at it (a sample configuration is written)')
    return { dnsmasq: null, close: async () => {} }
  }
  await installBootLoaders(settings.tftpRoot)
  // UEFI HTTP boot fetches the same iPXE binary from the boot server.
  await installBootLoaders(o.bootDir)
  let relayServer: Awaited<ReturnType<typeof relay>> | null = null
  const loopback = /^(127\.|localhost$|::1$)/.test(config.api.host)
  if (loopback && !config.api.publicUrl) {
    relayServer = await relay(plan.serverAddress!, o.apiPort, { host: config.api.host === 'localhost' ? '127.0.0.1' : config.api.host, port: o.apiPort }, o.peers)
    o.log.info({ address: `${plan.serverAddress}:${o.apiPort}` }, 'the API is relayed to the provisioning interface for booting nodes and agents')
  }
  const dnsmasq = new Dnsmasq({ settings, confFile, binary: config.dhcp.dnsmasqPath, log: o.log })
  try {
    await dnsmasq.start()
  } catch (e) {
    await relayServer?.close()
    throw e
  }
  return {
    dnsmasq,
    async close() {
      await dnsmasq.stop()
      await relayServer?.close()
    },
  }
}
