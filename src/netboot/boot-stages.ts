/**
 * Boot-stage diagnostics: which stages of a network boot a node has been seen in, from dnsmasq's
 * log (DHCP and TFTP), the boot server's own request log (scripts, kernel, ramdisk) and what the
 * agent left on the node (lookup, heartbeat) — so "stuck in wait call-back" says where it stopped.
 */

/** One request the boot server answered. */
export interface BootFetch {
  at: number
  ip: string
  path: string
  status: number
}

/** The boot server's recent requests (a ring of `max`), recorded by the /boot/ route. */
export class BootLog {
  readonly #entries: BootFetch[] = []
  /** Client addresses of relayed connections, by the relay's local port (netboot.ts relay). */
  readonly relayed = new Map<number, string>()
  constructor(readonly max = 5000) {}

  /** Who is on the other end of a connection to the API (behind the relay, the relayed client). */
  clientOf(ip: string, remotePort: number | undefined): string {
    const plain = ip.replace(/^::ffff:/, '')
    return (remotePort !== undefined && /^127\./.test(plain) ? this.relayed.get(remotePort) : undefined) ?? plain
  }

  record(e: BootFetch): void {
    this.#entries.push(e)
    if (this.#entries.length > this.max) this.#entries.splice(0, this.#entries.length - this.max)
  }

  entries(): readonly BootFetch[] {
    return this.#entries
  }
}

export interface BootStage {
  stage: 'dhcp' | 'boot file' | 'ipxe script' | 'kernel' | 'ramdisk' | 'lookup' | 'heartbeat'
  seen: boolean
  at: string | null
  detail: string
}

export interface DhcpEvent {
  at: number
  kind: string
  mac: string
  ip: string | null
  note: string
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** A syslog time stamp (`Dec  7 15:35:44`, no year) as ms, in the year that puts it nearest `now`. */
function syslogTime(stamp: string, now: number): number {
  const m = /^(\w{3})\s+(\d+) (\d\d):(\d\d):(\d\d)$/.exec(stamp)
  if (!m) return NaN
  const year = new Date(now).getFullYear()
  const at = (y: number) => new Date(y, MONTHS.indexOf(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])).getTime()
  const t = at(year)
  return t - now > 86_400_000 ? at(year - 1) : t
}

/** dnsmasq's DHCP lines and TFTP transfers (`log-dhcp`, `log-facility=FILE`). */
export function parseDnsmasqLog(text: string, now = Date.now()): { dhcp: DhcpEvent[]; tftp: Array<{ at: number; file: string; ip: string; ok: boolean }> } {
  const dhcp: DhcpEvent[] = []
  const tftp: Array<{ at: number; file: string; ip: string; ok: boolean }> = []
  for (const line of text.split('\n')) {
    const head = /^(\w{3}\s+\d+ \d\d:\d\d:\d\d) dnsmasq-(dhcp|tftp)\[\d+\]: (.*)$/.exec(line)
    if (!head) continue
    const at = syslogTime(head[1], now)
    if (head[2] === 'dhcp') {
      const m = /^(?:\d+ )?(DHCP[A-Z]+)\([^)]*\) (?:(\d+\.\d+\.\d+\.\d+) )?([0-9a-f]{2}(?::[0-9a-f]{2}){5})(?: (.*))?$/.exec(head[3])
      if (m) dhcp.push({ at, kind: m[1], ip: m[2] ?? null, mac: m[3], note: (m[4] ?? '').trim() })
    } else {
      const sent = /^sent (\S+) to (\S+)$/.exec(head[3])
      const failed = /^(?:file (\S+) not found for (\S+)|error \d+ .* (?:sending|for) (\S+) to (\S+))/.exec(head[3])
      if (sent) tftp.push({ at, file: sent[1], ip: sent[2], ok: true })
      else if (failed) tftp.push({ at, file: failed[1] ?? failed[3], ip: failed[2] ?? failed[4], ok: false })
    }
  }
  return { dhcp, tftp }
}

export interface StageInput {
  macs: readonly string[]
  /** Only what happened from here on counts (ms). */
  since: number
  dnsmasqLog: string | null
  fetches: readonly BootFetch[]
  /** The node's driver_internal_info (agent token and heartbeat). */
  internalInfo: Readonly<Record<string, unknown>>
  now?: number
}

const iso = (ms: number | undefined): string | null => (ms === undefined || Number.isNaN(ms) ? null : new Date(ms).toISOString())

/** The stages in boot order; the first one not seen is where the boot stopped. */
export function bootStages(input: StageInput): BootStage[] {
  const macs = new Set(input.macs.map((m) => m.toLowerCase()))
  const log = input.dnsmasqLog === null ? null : parseDnsmasqLog(input.dnsmasqLog, input.now)
  // Syslog stamps have whole seconds.
  const recent = <T extends { at: number }>(xs: readonly T[]) => xs.filter((x) => x.at >= Math.floor(input.since / 1000) * 1000)
  const dhcp = log ? recent(log.dhcp).filter((e) => macs.has(e.mac)) : []
  const ips = new Set(dhcp.filter((e) => e.ip !== null && /ACK|OFFER/.test(e.kind)).map((e) => e.ip!))
  const stages: BootStage[] = []

  const acks = dhcp.filter((e) => e.kind === 'DHCPACK')
  const ignored = dhcp.filter((e) => /ignored/.test(e.note))
  const latest = dhcp.at(-1)
  if (log === null) stages.push({ stage: 'dhcp', seen: false, at: null, detail: 'Ferrum manages no DHCP here (dhcp.mode): nothing to show' })
  else if (latest && /ignored/.test(latest.note)) stages.push({ stage: 'dhcp', seen: false, at: iso(latest.at), detail: `the latest requests from ${latest.mac} were ignored: the MAC has no host entry in the boot flow` })
  else if (acks.length) stages.push({ stage: 'dhcp', seen: true, at: iso(acks.at(-1)!.at), detail: `address ${acks.at(-1)!.ip} acknowledged to ${acks.at(-1)!.mac} (${acks.length} exchange${acks.length > 1 ? 's' : ''})` })
  else if (ignored.length) stages.push({ stage: 'dhcp', seen: false, at: iso(ignored.at(-1)!.at), detail: `requests from ${ignored.at(-1)!.mac} were ignored: the MAC has no host entry in the boot flow` })
  else if (dhcp.length) stages.push({ stage: 'dhcp', seen: false, at: iso(dhcp.at(-1)!.at), detail: `${dhcp.at(-1)!.kind} from ${dhcp.at(-1)!.mac}, but no address acknowledged` })
  else stages.push({ stage: 'dhcp', seen: false, at: null, detail: `no DHCP request from ${[...macs].join(', ') || 'the node (it has no PXE-enabled port)'} reached dnsmasq: is the node powered on, set to boot from the network, and on the provisioning network?` })

  const tftp = log ? recent(log.tftp).filter((t) => ips.has(t.ip)) : []
  const sent = tftp.filter((t) => t.ok)
  stages.push(sent.length
    ? { stage: 'boot file', seen: true, at: iso(sent.at(-1)!.at), detail: `TFTP sent ${sent.at(-1)!.file.split('/').pop()} to ${sent.at(-1)!.ip}` }
    : { stage: 'boot file', seen: false, at: iso(tftp.at(-1)?.at), detail: tftp.length ? `TFTP of ${tftp.at(-1)!.file} failed` : 'no TFTP transfer (a firmware with iPXE built in skips this stage)' })

  const fetches = recent(input.fetches).filter((f) => ips.has(f.ip))
  const stageOf = (stage: BootStage['stage'], match: (p: string) => boolean, what: string): BootStage => {
    const got = fetches.filter((f) => match(f.path))
    const ok = got.filter((f) => f.status < 400)
    if (ok.length) return { stage, seen: true, at: iso(ok.at(-1)!.at), detail: `${ok.at(-1)!.path} fetched by ${ok.at(-1)!.ip}` }
    if (got.length) return { stage, seen: false, at: iso(got.at(-1)!.at), detail: `${got.at(-1)!.path} answered ${got.at(-1)!.status} to ${got.at(-1)!.ip}` }
    return { stage, seen: false, at: null, detail: `${what} not fetched from the boot server` }
  }
  // The chain script (<boot>/boot.ipxe) shows iPXE ran; the node's own script that it found.
  const chain = fetches.filter((f) => /^\/boot\/boot\.ipxe$/.test(f.path))
  const own = stageOf('ipxe script', (p) => /\/pxelinux\.cfg\/|\/boot\/[^/]+\/boot\.ipxe$/.test(p), "the node's iPXE script")
  if (!own.seen && own.at === null && chain.length) own.detail = `iPXE ran (${chain.at(-1)!.ip} fetched the chain script) but did not fetch the node's script`
  stages.push(own)
  stages.push(stageOf('kernel', (p) => /kernel/.test(p), 'the kernel'))
  stages.push(stageOf('ramdisk', (p) => /initrd|ramdisk/.test(p), 'the ramdisk'))

  const dii = input.internalInfo
  const looked = typeof dii.agent_secret_token === 'string' && dii.agent_secret_token !== ''
  stages.push({ stage: 'lookup', seen: looked, at: null, detail: looked ? 'the agent looked the node up and holds its token' : 'the agent has not looked the node up (GET /v1/lookup)' })
  const beat = typeof dii.agent_last_heartbeat === 'string' ? dii.agent_last_heartbeat : null
  stages.push({ stage: 'heartbeat', seen: beat !== null, at: beat, detail: beat ? `last heartbeat from ${String(dii.agent_url ?? 'the agent')}` : 'no heartbeat yet' })
  return stages
}
