/**
 * The lab's provisioning network for the `netns` backend: a Linux bridge with an IPv4 /24 in
 * the host's namespace (the conductor's dnsmasq and the API answer on its address), and per
 * virtual node a network namespace whose NICs (eth0, eth1, … with the node's MACs) are veth
 * pairs on that bridge. Everything is created with iproute2 under a random name prefix, so
 * several labs (parallel tests) never meet, and close() removes exactly what it created. The
 * bridge's alias names the process that owns it, so what a killed lab left behind (bridge, taps,
 * veths, namespaces) is swept by the next lab created on the machine.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { pidAlive } from '../lab-state.js'

const run = promisify(execFile)

async function ip(...args: string[]): Promise<string> {
  try {
    return (await run('ip', args)).stdout
  } catch (e) {
    const err = e as { stderr?: string; message: string }
    throw new Error(`ip ${args.join(' ')}: ${(err.stderr ?? err.message).trim()}`, { cause: e })
  }
}

const OWNER_ALIAS = /^ferrum-lab pid=(\d+)$/


/**
 * Removes every lab network whose owning process is gone (a `ferrum up` or test killed with
 * SIGKILL cannot run close()): its namespaces and links, found by the bridge's name prefix.
 * Only bridges with Ferrum's owner alias are considered, never another program's links.
 * @returns the prefixes removed
 */
export async function sweepStaleLabNetworks(alive: (pid: number) => boolean = pidAlive): Promise<string[]> {
  const links = JSON.parse(await ip('-j', 'link', 'show')) as { ifname: string; ifalias?: string }[]
  const swept: string[] = []
  for (const bridge of links) {
    const owner = OWNER_ALIAS.exec(bridge.ifalias ?? '')
    const prefix = /^(fl[0-9a-f]{4})br$/.exec(bridge.ifname)?.[1]
    if (!owner || !prefix || alive(Number(owner[1]))) continue
    const namespaces = (await ip('netns', 'list')).split('\n').map((l) => l.split(' ')[0]!).filter((ns) => ns.startsWith(`${prefix}-n`))
    for (const ns of namespaces) await ip('netns', 'del', ns).catch(() => {})
    for (const l of links) if (l.ifname.startsWith(prefix) && l !== bridge) await ip('link', 'del', l.ifname).catch(() => {})
    await ip('link', 'del', bridge.ifname).catch(() => {})
    swept.push(prefix)
  }
  return swept
}

/** Why the netns backend cannot run here, or null. */
export async function netnsUnavailable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'the netns lab needs root (CAP_NET_ADMIN) to create namespaces and a bridge'
  for (const [bin, pkg] of [['ip', 'iproute2'], ['busybox', 'busybox-static'], ['dnsmasq', 'dnsmasq-base']]) {
    try {
      await run('sh', ['-c', `command -v ${bin}`])
    } catch {
      return `${bin} is missing (apt-get install ${pkg})`
    }
  }
  return null
}

export interface LabNetworkNode {
  netns: string
  /** NIC names inside the namespace, in MAC order. */
  ifaces: string[]
}

export class LabNetwork {
  readonly #nodes: string[] = []
  readonly #links: string[] = []
  #closed = false
  /** Name prefixes of networks left by dead labs that create() removed first. */
  swept: string[] = []

  private constructor(
    /** Name prefix of everything this network created (`fl` + 4 hex digits). */
    readonly prefix: string,
    readonly bridge: string,
    /** First three octets of the /24, e.g. `10.213.7`. */
    readonly net: string,
  ) {}

  /** The bridge's own address: the server side of DHCP, TFTP and HTTP. */
  get address(): string {
    return `${this.net}.1`
  }

  /** The addresses dnsmasq leases, `start,end,netmask`. */
  get range(): string {
    return `${this.net}.100,${this.net}.199,255.255.255.0`
  }

  /** An address outside the DHCP range for node `index` (a virtual-media ramdisk's static network). */
  staticAddress(index: number): string {
    return `${this.net}.${10 + (index % 80)}`
  }

  /**
   * Creates the bridge on a /24 in 10.200–249.x that no route of this machine uses. With `ipv6`
   * (the qemu backend) the bridge also gets an IPv6 ULA /64, so dnsmasq sends router
   * advertisements: without them iPXE waits about 13 s for IPv6 autoconfiguration on every boot.
   */
  static async create(opts: { ipv6?: boolean } = {}): Promise<LabNetwork> {
    const swept = await sweepStaleLabNetworks()
    const prefix = `fl${randomBytes(2).toString('hex')}`
    const routes = await ip('-4', 'route', 'show', 'table', 'all')
    let net = ''
    for (let tries = 0; tries < 50 && net === ''; tries++) {
      const b = randomBytes(2)
      const cand = `10.${200 + (b[0] % 50)}.${b[1]}`
      if (!routes.includes(`${cand}.`)) net = cand
    }
    if (net === '') throw new Error('no free 10.x /24 for the lab network')
    const n = new LabNetwork(prefix, `${prefix}br`, net)
    n.swept = swept
    await ip('link', 'add', n.bridge, 'type', 'bridge')
    n.#links.push(n.bridge)
    try {
      await ip('link', 'set', n.bridge, 'alias', `ferrum-lab pid=${process.pid}`)
      await ip('addr', 'add', `${n.address}/24`, 'dev', n.bridge)
      if (opts.ipv6) await ip('-6', 'addr', 'add', `${n.ipv6Prefix}1/64`, 'dev', n.bridge, 'nodad')
      await ip('link', 'set', n.bridge, 'up')
    } catch (e) {
      await n.close()
      throw e
    }
    return n
  }

  /** A namespace for node `index` with one veth NIC per MAC on the bridge. */
  async addNode(index: number, macs: readonly string[]): Promise<LabNetworkNode> {
    const netns = `${this.prefix}-n${index}`
    await ip('netns', 'add', netns)
    this.#nodes.push(netns)
    await ip('-n', netns, 'link', 'set', 'lo', 'up')
    const ifaces: string[] = []
    for (const [j, mac] of macs.entries()) {
      const host = `${this.prefix}n${index}m${j}`
      const iface = `eth${j}`
      await ip('link', 'add', host, 'type', 'veth', 'peer', 'name', iface, 'netns', netns)
      this.#links.push(host)
      await ip('link', 'set', host, 'master', this.bridge, 'up')
      await ip('-n', netns, 'link', 'set', iface, 'address', mac, 'up')
      ifaces.push(iface)
    }
    return { netns, ifaces }
  }

  /**
   * A tap device per MAC on the bridge, for a VM's NICs (the qemu backend).
   */
  async addTaps(index: number, count: number): Promise<string[]> {
    const taps: string[] = []
    for (let j = 0; j < count; j++) {
      const tap = `${this.prefix}n${index}t${j}`
      await ip('tuntap', 'add', 'dev', tap, 'mode', 'tap')
      this.#links.push(tap)
      await ip('link', 'set', tap, 'master', this.bridge, 'up')
      taps.push(tap)
    }
    return taps
  }

  /** The bridge's IPv6 ULA /64 (`fdXX:…::`), from the same random bytes as the IPv4 net. */
  get ipv6Prefix(): string {
    const [, b, c] = this.net.split('.').map(Number)
    return `fd46:${b!.toString(16)}:${c!.toString(16)}::`
  }

  /** Removes the namespaces (their veths go with them) and the bridge. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const ns of this.#nodes.splice(0)) await ip('netns', 'del', ns).catch(() => {})
    for (const link of this.#links.splice(0).reverse()) await ip('link', 'del', link).catch(() => {})
  }
}
