import type { Command } from 'commander'

interface UpOptions {
  port?: string
  host?: string
  dataDir?: string
  db?: string
  config?: string
  logLevel?: string
  lab?: string
  labKind?: string
  labNetwork?: string
  ramdisk?: string
  dhcpInterface?: string
  dhcpRange?: string
  dhcpProxy?: boolean
}

/** `ferrum up`: API + conductor in one process (SQLite by default), optionally with a lab. */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('Run the API and the conductor in one process (SQLite in the data dir unless --db is given)')
    .option('--port <port>', 'API port (default 6385)')
    .option('--host <addr>', 'API listen address (default 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory (default ./ferrum-data)')
    .option('--db <url>', 'database URL: sqlite:///PATH.db or postgres://USER:PASS@HOST/DB')
    .option('--config <file>', 'JSON config file')
    .option('--log-level <level>', 'log level (info, debug, …)')
    .option('--lab <n>', 'also start a virtual lab of N emulated nodes and enroll them')
    .option('--lab-kind <kind>', 'lab BMC kind: redfish, ipmi, idrac or mixed (default mixed)')
    .option('--lab-network <backend>', 'how lab nodes boot: process (default), netns (own network namespaces, real DHCP/TFTP/HTTP from Ferrum\'s dnsmasq; root) or qemu (QEMU VMs on a bridge booting the real deploy ramdisk; root, qemu-system-x86)')
    .option('--ramdisk <dir>', 'qemu lab: the deploy ramdisk from "ferrum ramdisk build --out DIR" (default: built into <data-dir>/ramdisk)')
    .option('--dhcp-interface <if>', 'run and supervise dnsmasq for network boot on this interface (dhcp.mode managed)')
    .option('--dhcp-range <start,end[,mask]>', 'addresses dnsmasq leases (default .100-.199 of the interface\'s /24)')
    .option('--dhcp-proxy', 'proxy DHCP: another server on the network hands out addresses')
    .addHelpText('after', '\nExamples:\n  ferrum up --lab 3                     # SQLite in ./ferrum-data, three emulated servers enrolled\n  ferrum up --host 0.0.0.0 --db postgres://ferrum:pw@db/ferrum\n  ferrum up --lab 2 --lab-network netns  # nodes PXE-boot through Ferrum\'s dnsmasq (root)\n  ferrum up --host 0.0.0.0 --dhcp-interface eno2   # real machines network-boot on eno2\n')
    .action(async (o: UpOptions) => {
      const flags: Record<string, unknown> = { api: {} }
      if (o.port !== undefined) {
        const port = Number(o.port)
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a number between 0 and 65535 (got "${o.port}")`)
        ;(flags.api as Record<string, unknown>).port = port
      }
      if (o.host !== undefined) (flags.api as Record<string, unknown>).host = o.host
      if (o.dataDir !== undefined) flags.dataDir = o.dataDir
      if (o.db !== undefined) flags.db = o.db
      if (o.logLevel !== undefined) flags.logLevel = o.logLevel
      if (o.dhcpInterface !== undefined || o.dhcpRange !== undefined || o.dhcpProxy) {
        if (o.dhcpInterface === undefined) throw new Error('--dhcp-range and --dhcp-proxy go with --dhcp-interface IF (the interface on the provisioning network)')
        flags.dhcp = { mode: 'managed', interface: o.dhcpInterface, ...(o.dhcpRange !== undefined ? { range: o.dhcpRange } : {}), ...(o.dhcpProxy ? { proxy: true } : {}) }
      }
      if (o.labNetwork !== undefined && !['process', 'netns', 'qemu'].includes(o.labNetwork)) throw new Error(`--lab-network must be process, netns or qemu (got "${o.labNetwork}")`)
      // Loaded here, not at the top, so other verbs never pay for (or trip over) the server's modules.
      const { loadConfig } = await import('../../config/load.js')
      const { startAllInOne } = await import('../../server/all-in-one.js')
      const config = loadConfig({ file: o.config, flags })
      const labNodes = o.lab === undefined ? 0 : Number(o.lab)
      if (!Number.isInteger(labNodes) || labNodes < 0) throw new Error(`--lab must be a whole number of nodes (got "${o.lab}")`)
      if ((o.labNetwork === 'netns' || o.labNetwork === 'qemu') && labNodes === 0) throw new Error(`--lab-network ${o.labNetwork} goes with --lab N`)
      const server = await startAllInOne(config, { labNodes, labKind: o.labKind, labNetwork: o.labNetwork as 'process' | 'netns' | 'qemu' | undefined, ramdiskDir: o.ramdisk })
      const stop = (sig: string) => {
        server.log.info(`received ${sig}, shutting down`)
        server.close().then(() => process.exit(0), (e: unknown) => {
          console.error(e)
          process.exit(1)
        })
      }
      process.once('SIGINT', () => stop('SIGINT'))
      process.once('SIGTERM', () => stop('SIGTERM'))
    })
}
