/**
 * `DIR/lab.json`: how other `ferrum lab` commands find a running lab (its pid, its status
 * endpoint) and how people find each node's BMC, credentials, MACs and disks.
 * The file holds BMC passwords, so it is written with mode 0600.
 */
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { LabBootMode, LabHardware } from './machine.js'

export type LabKind = 'redfish' | 'ipmi' | 'idrac' | 'mixed'
export type LabBmcKind = Exclude<LabKind, 'mixed'>
export const LAB_KINDS: readonly LabKind[] = ['redfish', 'ipmi', 'idrac', 'mixed']

export interface LabBmcState {
  kind: LabBmcKind
  address: string
  port: number
  username: string
  password: string
  /** Redfish and iDRAC: `http(s)://127.0.0.1:PORT`. */
  url?: string
  /** Redfish and iDRAC: `/redfish/v1/Systems/<id>`. */
  systemPath?: string
}

export interface LabNodeState {
  name: string
  uuid: string
  bmc: LabBmcState
  macs: string[]
  disks: { path: string; sizeBytes: number }[]
  cpus: number
  memoryMiB: number
  cpuArch: LabHardware['cpuArch']
  bootMode: LabBootMode
  logPath: string
}

export interface LabState {
  version: 1
  /** The process serving the lab; null once it stopped cleanly. */
  pid: number | null
  /** Loopback URL of the status endpoint (GET /status, POST /nodes/{name}/faults); null when stopped. */
  statusUrl: string | null
  dir: string
  kind: LabKind
  startedAt: string
  nodes: LabNodeState[]
}

export function labStatePath(dir: string): string {
  return join(dir, 'lab.json')
}

/** Reads DIR/lab.json, or null when there is none. Throws on a file that is not a lab state. */
export async function readLabState(dir: string): Promise<LabState | null> {
  let text: string
  try {
    text = await readFile(labStatePath(dir), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  let state: LabState
  try {
    state = JSON.parse(text) as LabState
  } catch (err) {
    throw new Error(`${labStatePath(dir)} is not valid JSON; remove it if no lab runs in ${dir}`, { cause: err })
  }
  if (state?.version !== 1 || !Array.isArray(state.nodes)) throw new Error(`${labStatePath(dir)} is not a Ferrum lab state file (version ${String(state?.version)})`)
  return state
}

/** Writes atomically (temp file + rename), readable by the owner only. */
export async function writeLabState(dir: string, state: LabState): Promise<void> {
  const path = labStatePath(dir)
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  await rename(tmp, path)
}

/** True when a process with this pid exists (signal 0 probes without signalling). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The running lab in `dir`: its state when the recorded pid is alive, else null. */
export async function runningLab(dir: string): Promise<LabState | null> {
  const state = await readLabState(dir)
  if (!state || state.pid === null || !pidAlive(state.pid)) return null
  return state
}

/**
 * Where the lab verbs look when no --dir is given, in order: $FERRUM_LAB_DIR, ./ferrum-lab
 * (`ferrum lab up`'s default) and ./ferrum-data/lab (`ferrum up --lab`'s, with the default data dir).
 */
export function defaultLabDirs(): string[] {
  return [...(process.env.FERRUM_LAB_DIR ? [process.env.FERRUM_LAB_DIR] : []), './ferrum-lab', './ferrum-data/lab']
}

/** Whether the lab verbs find `dir` without --dir. */
export function labDirIsFound(dir: string): boolean {
  return defaultLabDirs().some((d) => resolve(d) === resolve(dir))
}
