import { Type } from '@sinclair/typebox'
import type { Static, TSchema } from '@sinclair/typebox'
import { INTERFACE_KINDS, type InterfaceKind } from '../domain/interface-kinds.js'

/** [api] — where the REST API listens. */
export const ApiConfig = Type.Object({
  host: Type.String({ default: '127.0.0.1', description: 'Address to listen on. 0.0.0.0 exposes the API on every interface.' }),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 6385, description: 'TCP port (6385 is Ironic\'s). 0 picks a free one.' }),
  publicUrl: Type.Optional(Type.String({ description: 'URL clients and agents use to reach the API; derived from requests when unset.' })),
  bootUrl: Type.Optional(Type.String({
    description: 'URL prefix BMCs and booting nodes fetch boot media (ISOs, kernels, iPXE scripts) under: the files of <dataDir>/httpboot, which the API listener serves at /boot/. '
      + 'Default: <publicUrl>/boot, else http://<host>:<port>/boot (127.0.0.1 when host is 0.0.0.0 — set this when BMCs are on another machine).',
  })),
}, { additionalProperties: false })

/** [conductor] — the worker that carries out power and provision requests. */
export const ConductorConfig = Type.Object({
  hostname: Type.String({ default: '', description: 'Name this conductor registers under; defaults to the host name. Must be unique per cluster.' }),
  group: Type.String({ default: '', description: 'Conductor group; nodes with the same conductor_group are handled here.' }),
  maxConcurrentDeploys: Type.Integer({ minimum: 1, default: 50, description: 'Deploys running at once; more wait in a fair queue (too high overloads BMCs and image servers).' }),
  maxConcurrentCleans: Type.Integer({ minimum: 1, default: 50, description: 'Cleans running at once; more wait in a fair queue.' }),
  heartbeatIntervalS: Type.Number({ minimum: 0.1, default: 10, description: 'How often the conductor records that it is alive.' }),
  powerSyncIntervalS: Type.Number({ minimum: 0, default: 60, description: 'Power state sync period; 0 disables it (then out-of-band power changes go unnoticed).' }),
  powerSyncMaxRetries: Type.Integer({ minimum: 0, default: 3, description: 'Failed syncs in a row before the node goes to maintenance with fault "power failure".' }),
  powerSyncParallelism: Type.Integer({ minimum: 1, default: 32, description: 'BMCs queried at once by the power sync.' }),
  timeoutCheckIntervalS: Type.Number({ minimum: 0.1, default: 10, description: 'How often wait states are checked for timeouts.' }),
  deployCallbackTimeoutS: Type.Number({ minimum: 1, default: 1800, description: 'How long a node may sit in "wait call-back" before it fails.' }),
  cleanCallbackTimeoutS: Type.Number({ minimum: 1, default: 1800, description: 'How long a node may sit in "clean wait" before it fails.' }),
  inspectWaitTimeoutS: Type.Number({ minimum: 1, default: 1800, description: 'How long a node may sit in "inspect wait" before it fails.' }),
  rescueCallbackTimeoutS: Type.Number({ minimum: 1, default: 1800, description: 'How long a node may sit in "rescue wait" before it fails.' }),
  serviceCallbackTimeoutS: Type.Number({ minimum: 1, default: 1800, description: 'How long a node may sit in "service wait" before it fails.' }),
  softPowerOffTimeoutS: Type.Number({ minimum: 1, default: 600, description: 'Default timeout for soft power off / soft reboot.' }),
  nodeLockedRetryAttempts: Type.Integer({ minimum: 1, default: 1, description: 'Tries to take a node lock another operation holds before answering 409 "locked" (Ironic\'s node_locked_retry_attempts, default 3 there). 1 answers at once: the real clients retry a 409 themselves; more makes such requests wait up to (attempts - 1) × interval.' }),
  nodeLockedRetryIntervalS: Type.Number({ minimum: 0, default: 1, description: 'Seconds between tries to take a node lock (Ironic\'s node_locked_retry_interval).' }),
  automatedClean: Type.Boolean({ default: true, description: 'Clean nodes on provide and undeploy (tenant isolation). false skips it for nodes that do not ask for it.' }),
}, { additionalProperties: false })

/** [agent] — the deploy agent protocol (lookup, heartbeat, commands). */
export const AgentConfig = Type.Object({
  heartbeatTimeoutS: Type.Number({ minimum: 1, default: 300, description: 'heartbeat_timeout the lookup tells agents (Ironic\'s ramdisk_heartbeat_timeout); they heartbeat every 0.3–0.6 of it, and at once when a command finishes.' }),
  commandTimeoutS: Type.Number({ minimum: 1, default: 1800, description: 'How long one agent command (an image write) may run; the phase\'s callback timeout also applies.' }),
  fastTrack: Type.Boolean({ default: false, description: 'Fast track (Ironic\'s [deploy]fast_track): after cleaning the ramdisk stays up, and a deploy reuses an agent that heartbeated within fastTrackTimeoutS instead of power-cycling the node into a new one.' }),
  imageCacheMiB: Type.Number({ minimum: 1, default: 20480, description: 'Disk space the conductor\'s image cache (raw conversions under <data-dir>/httpboot/images/cache) may take, MiB; least recently used entries go first (Ironic\'s [pxe]image_cache_size).' }),
  imageCacheTtlS: Type.Number({ minimum: 1, default: 604800, description: 'How long an unused image cache entry is kept (Ironic\'s [pxe]image_cache_ttl; default 7 days).' }),
  imageDownloadSource: Type.Union([Type.Literal('local'), Type.Literal('http')], { default: 'local', description: 'Where agents get images (Ironic\'s [agent]image_download_source; a node overrides it with instance_info or driver_info image_download_source): "local" through the conductor\'s image cache on its boot server (downloaded once however many nodes deploy it, with a data map so agents fetch only data), "http" straight from image_source (raw images only).' }),
  fastTrackTimeoutS: Type.Number({ minimum: 1, default: 300, description: 'How recent the agent\'s last heartbeat must be for fast track to reuse it (Ironic\'s fast_track_timeout).' }),
}, { additionalProperties: false })

/** [dhcp] — DHCP and TFTP for network boot (dnsmasq; src/netboot/). */
export const DhcpConfig = Type.Object({
  mode: Type.Union([Type.Literal('none'), Type.Literal('managed'), Type.Literal('external')], { default: 'none', description: '"managed": ferrum up runs and supervises its own dnsmasq on dhcp.interface; "external": Ferrum only writes the host entries (dhcp.hostsDir) for a dnsmasq you run (a sample configuration is written to <dataDir>/dhcp/dnsmasq.conf); "none": no DHCP (virtual media, or boot answers from elsewhere).' }),
  interface: Type.String({ default: '', description: 'Interface on the provisioning network (managed mode); it must have an IPv4 address, which becomes the TFTP server and, unless api.publicUrl is set, the address agents and booting nodes reach the API on.' }),
  range: Type.String({ default: '', description: 'Addresses to lease, "start,end[,netmask]"; default .100–.199 of the interface\'s /24. In proxy mode, the network address.' }),
  proxy: Type.Boolean({ default: false, description: 'Proxy DHCP: another server hands out addresses; dnsmasq adds only the boot answer.' }),
  hostsDir: Type.String({ default: '', description: 'dnsmasq dhcp-hostsdir with one entry per MAC in the boot flow (default <dataDir>/dhcp/hosts).' }),
  tftpRoot: Type.String({ default: '', description: 'TFTP root with iPXE\'s boot files for PXE ROMs (default <dataDir>/tftpboot; copied from Debian\'s ipxe package).' }),
  dnsmasqPath: Type.String({ default: 'dnsmasq', description: 'The dnsmasq binary (Debian package dnsmasq-base).' }),
}, { additionalProperties: false })

/** [drivers] — which hardware types and interfaces are loaded. */
/** An object with an optional entry per interface kind (boot, deploy, power…). */
const perKind = <T extends TSchema>(item: T, description: string) =>
  Type.Partial(Type.Object(Object.fromEntries(INTERFACE_KINDS.map((k) => [k, item])) as Record<InterfaceKind, T>, { additionalProperties: false }), { description })

export const DriversConfig = Type.Object({
  enabledHardwareTypes: Type.Array(Type.String(), { default: ['fake-hardware', 'manual-management', 'ipmi', 'redfish', 'idrac'], description: 'Hardware types nodes may use.' }),
  enabledInterfaces: Type.Optional(perKind(Type.Array(Type.String(), { minItems: 1 }), 'Implementations enabled per interface kind, e.g. {"boot": ["redfish-virtual-media", "fake"]} (Ironic\'s enabled_*_interfaces); a kind left out has every built-in implementation enabled.')),
  defaultInterfaces: Type.Optional(perKind(Type.String({ minLength: 1 }), 'Implementation a new node gets per kind when it names none (Ironic\'s default_*_interface); otherwise the first enabled one its hardware type allows.')),
}, { additionalProperties: false })

export const FerrumConfig = Type.Object({
  dataDir: Type.String({ default: '', description: 'Where the SQLite database, logs and caches live (default ./ferrum-data).' }),
  db: Type.String({ default: '', description: 'Database URL: sqlite:///PATH.db (default: <dataDir>/ferrum.db) or postgres://USER:PASS@HOST/DB.' }),
  logLevel: Type.String({ default: 'info', description: 'pino level: fatal, error, warn, info, debug, trace.' }),
  api: ApiConfig,
  conductor: ConductorConfig,
  agent: AgentConfig,
  dhcp: DhcpConfig,
  drivers: DriversConfig,
}, { additionalProperties: false })
export type FerrumConfig = Static<typeof FerrumConfig>
