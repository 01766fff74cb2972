/**
 * DHCP host entries for the nodes in the boot flow, in a dnsmasq `dhcp-hostsdir`: one file per
 * MAC, so only nodes being provisioned, cleaned, inspected or rescued get a boot answer (the
 * dnsmasq Ferrum writes the configuration for ignores every MAC it has no entry for).
 *
 * dnsmasq reads new and changed files in that directory on its own (inotify) but keeps what a
 * deleted file held until it is restarted, so an entry leaves the boot flow by being rewritten
 * as `<mac>,ignore`, not deleted (as Ironic's dnsmasq provider does). That works the same for
 * the dnsmasq `ferrum up` supervises and for one the operator runs.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { basename, join } from 'node:path'
import { ValidationError } from '../domain/errors.js'
import { pidAlive } from '../lab/lab-state.js'

/** What boot interfaces ask of DHCP (DriverContext.dhcp). */
export interface DhcpProvider {
  /** Gives these MACs a boot answer (tag `ferrum`); `node` is recorded for diagnostics. */
  update(node: string, macs: readonly string[]): Promise<void>
  /** Takes these MACs out of the boot flow: no answer for them any more. */
  clean(node: string, macs: readonly string[]): Promise<void>
}

/** The tag a host entry sets; dnsmasq's boot options match it. */
export const BOOT_TAG = 'ferrum'

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/

function fileOf(dir: string, mac: string): string {
  const m = mac.toLowerCase()
  if (!MAC.test(m)) throw new Error(`not a MAC address: "${mac}"`)
  return join(dir, m.replace(/:/g, '-'))
}

/** One entry: `mac,set:ferrum` (in the flow) or `mac,ignore` (out of it), with the node as a comment. */
export function hostEntry(mac: string, node: string, inFlow: boolean): string {
  return `# ${node}\n${mac.toLowerCase()},${inFlow ? `set:${BOOT_TAG}` : 'ignore'}\n`
}

/** The hosts directory as a DhcpProvider. Writes are atomic (temporary file, then rename). */
export class HostsDir implements DhcpProvider {
  constructor(readonly dir: string) {}

  async update(node: string, macs: readonly string[]): Promise<void> {
    await this.#write(node, macs, true)
  }

  async clean(node: string, macs: readonly string[]): Promise<void> {
    await this.#write(node, macs, false)
  }

  /** The MACs that have a boot answer now, with the node each belongs to. */
  async active(): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch {
      return out
    }
    for (const name of names) {
      if (name.startsWith('.')) continue
      const text = await readFile(join(this.dir, name), 'utf8').catch(() => '')
      const node = /^# (.*)$/m.exec(text)?.[1] ?? ''
      const entry = /^([0-9a-f:]{17}),set:/m.exec(text)
      if (entry) out.set(entry[1], node)
    }
    return out
  }

  async #write(node: string, macs: readonly string[], inFlow: boolean): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    for (const mac of macs) {
      const file = fileOf(this.dir, mac)
      // A dot file: dnsmasq's inotify skips those, so it reads the entry once, after the rename.
      const tmp = join(this.dir, `.${basename(file)}.${process.pid}.tmp`)
      await writeFile(tmp, hostEntry(mac, node, inFlow), { mode: 0o644 })
      await rename(tmp, file)
    }
  }
}

/** The owner file in a hosts directory; a dot file, so dnsmasq and `active()` skip it. */
export const OWNER_FILE = '.ferrum-owner'

/** Hosts directories this process holds (a second server in one process is refused too). */
const held = new Set<string>()


/**
 * Makes this process the one Ferrum that writes `dir`: two conductors rewriting each other's
 * entries would give boot answers to nodes neither expects. The owner file names the PID and
 * host; an owner whose process is gone (on this host) is taken over, a live one is refused.
 * @returns release(), which removes the owner file
 * @throws ValidationError naming the other owner and what to do
 */
export function claimHostsDir(dir: string): { release(): void } {
  mkdirSync(dir, { recursive: true })
  const file = join(dir, OWNER_FILE)
  if (held.has(file)) throw new ValidationError(`The DHCP hosts directory ${dir} is already managed by a Ferrum in this process; give each its own dhcp.hostsDir (or --data-dir).`)
  const me = `${process.pid} ${hostname()}\n`
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644)
      writeSync(fd, me)
      closeSync(fd)
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e
    }
    const [pidText, host] = readFileSync(file, 'utf8').trim().split(/\s+/)
    const pid = Number(pidText)
    const sameHost = host === hostname()
    if (Number.isInteger(pid) && pid > 0 && (!sameHost || (pid !== process.pid && pidAlive(pid)))) {
      throw new ValidationError(`The DHCP hosts directory ${dir} is managed by another Ferrum (pid ${pid} on ${host ?? 'an unknown host'}); two would overwrite each other's boot entries. Stop that one, or give this one its own dhcp.hostsDir (or --data-dir)${sameHost ? '' : `; if that Ferrum is gone, remove ${file}`}.`)
    }
    unlinkSync(file) // its owner has exited without releasing it
  }
  held.add(file)
  let released = false
  return {
    release() {
      if (released) return
      released = true
      held.delete(file)
      try {
        if (readFileSync(file, 'utf8') === me) unlinkSync(file)
      } catch {
        // already gone
      }
    },
  }
}
