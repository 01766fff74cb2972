/**
 * Where the agent's settings come from: the kernel command line (`ipa-api-url=…`, as Ironic's
 * PXE and virtual media boot pass them), then the environment (`FERRUM_API_URL`,
 * `FERRUM_AGENT_*`; the lab's process backend sets `FERRUM_LAB_*`). Explicit options win.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { networkInterfaces } from 'node:os'

export interface AgentConfig {
  /** The Ironic-compatible API the agent calls home to. */
  readonly apiUrl: string
  /** Root of the system the agent inspects and writes (`/`, or a lab node's tree). */
  readonly root: string
  readonly listenHost: string
  /** 9999 as in IPA; 0 picks a free port (lab nodes share loopback). */
  readonly listenPort: number
  /** Host in the callback URL the conductor uses to reach the agent. */
  readonly advertiseHost: string
  /** MACs to look the node up by; empty: every NIC in the inventory. */
  readonly macs: readonly string[]
  /** The node UUID when known in advance (virtual media boots pass it). */
  readonly nodeUuid: string | null
  /** Give up looking up after this long (IPA's lookup_timeout). */
  readonly lookupTimeoutS: number
  /** First pause between lookups; doubles up to 30 s. */
  readonly lookupIntervalS: number
  /** Writes fail on purpose (the lab's `diskWriteErrors` fault). */
  readonly failDiskWrites: boolean
  /** Where to post the inventory first (`ipa-inspection-callback-url`, in-band inspection); null: no inspection. */
  readonly inspectionCallbackUrl: string | null
  /**
   * Serve the command API over HTTPS with a certificate made at start, pinned by the conductor,
   * when the API speaks 1.68+ (IPA's enable_auto_tls; `ipa-enable-auto-tls=0` or
   * FERRUM_AGENT_AUTO_TLS=0 turns it off).
   */
  readonly autoTls: boolean
}

/** IPA's boolean words (1/0, true/false, yes/no, on/off); `fallback` for anything else. */
function flag(v: string | undefined, fallback: boolean): boolean {
  if (v === undefined) return fallback
  if (/^(1|true|yes|on)$/i.test(v)) return true
  if (/^(0|false|no|off)$/i.test(v)) return false
  return fallback
}

/** `key=value` pairs of a kernel command line; bare words map to ''. */
export function parseCmdline(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const word of text.trim().split(/\s+/)) {
    if (!word) continue
    const eq = word.indexOf('=')
    out[eq < 0 ? word : word.slice(0, eq)] = eq < 0 ? '' : word.slice(eq + 1)
  }
  return out
}

function firstAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address
  }
  return '127.0.0.1'
}

/**
 * Builds the configuration.
 * @throws Error naming the missing setting (no API URL anywhere)
 */
export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<AgentConfig> = {}): AgentConfig {
  const root = overrides.root ?? env.FERRUM_LAB_ROOT ?? env.FERRUM_AGENT_ROOT ?? '/'
  let cmdline: Record<string, string> = {}
  try {
    cmdline = parseCmdline(readFileSync(join(root, 'proc/cmdline'), 'utf8'))
  } catch {
    // no /proc/cmdline under this root: settings come from the environment only
  }
  const apiUrl = overrides.apiUrl ?? cmdline['ipa-api-url'] ?? env.FERRUM_API_URL
  if (!apiUrl) throw new Error('no API URL: pass ipa-api-url=URL on the kernel command line, set FERRUM_API_URL, or use --api-url')
  const [listenHost, listenPort] = (env.FERRUM_AGENT_LISTEN ?? (env.FERRUM_LAB_NODE ? '127.0.0.1:0' : '0.0.0.0:9999')).split(/:(?=\d+$)/)
  const lab = env.FERRUM_LAB_NODE !== undefined
  let faults: Record<string, unknown>
  try {
    faults = JSON.parse(env.FERRUM_LAB_FAULTS ?? '{}') as Record<string, unknown>
  } catch {
    faults = {}
  }
  return {
    apiUrl: apiUrl.replace(/\/+$/, ''),
    root,
    listenHost: overrides.listenHost ?? listenHost,
    listenPort: overrides.listenPort ?? Number(listenPort),
    advertiseHost: overrides.advertiseHost ?? cmdline['ipa-advertise-host'] ?? env.FERRUM_AGENT_ADVERTISE_HOST ?? (lab ? '127.0.0.1' : firstAddress()),
    macs: overrides.macs ?? (env.FERRUM_LAB_MACS ? env.FERRUM_LAB_MACS.split(',').filter(Boolean) : []),
    nodeUuid: overrides.nodeUuid ?? cmdline['ipa-node-uuid'] ?? env.FERRUM_AGENT_NODE_UUID ?? null,
    lookupTimeoutS: overrides.lookupTimeoutS ?? Number(cmdline['ipa-lookup-timeout'] ?? env.FERRUM_AGENT_LOOKUP_TIMEOUT ?? 300),
    lookupIntervalS: overrides.lookupIntervalS ?? 1,
    failDiskWrites: overrides.failDiskWrites ?? faults.diskWriteErrors === true,
    inspectionCallbackUrl: overrides.inspectionCallbackUrl ?? cmdline['ipa-inspection-callback-url'] ?? null,
    autoTls: overrides.autoTls ?? flag(cmdline['ipa-enable-auto-tls'] ?? env.FERRUM_AGENT_AUTO_TLS, true),
  }
}
