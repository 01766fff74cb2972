// Runs Debian's real `openstack baremetal …` client (python3-openstackclient + python3-ironicclient)
// against a Ferrum URL with no authentication, and parses its `-f json` output.
import { spawn } from 'node:child_process'

/** Debian's client imports only under the system interpreter, not whatever `python3` is on PATH. */
export const PYTHON = '/usr/bin/python3'
export const OPENSTACK = '/usr/bin/openstack'

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
  /** The parsed stdout when it is JSON (`-f json`), else undefined. */
  json: unknown
}

export interface CliOptions {
  /** OS_BAREMETAL_API_VERSION; the client negotiates the highest common version when unset. */
  apiVersion?: string
  /** Kill the client after this long (it then fails with its output so far). */
  timeoutMs?: number
}

/**
 * `openstack --os-endpoint URL --os-auth-type none baremetal ARGS…`. Never throws for a non-zero
 * exit; callers assert on `code` and `stderr`.
 */
export async function baremetal(url: string, args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONWARNINGS: 'ignore', LC_ALL: 'C.UTF-8' }
  // Anything from the caller's shell that would point the client elsewhere or force a version.
  for (const k of Object.keys(env)) if (k.startsWith('OS_')) delete env[k]
  if (opts.apiVersion !== undefined) env.OS_BAREMETAL_API_VERSION = opts.apiVersion
  const argv = [OPENSTACK, '--os-endpoint', url, '--os-auth-type', 'none', 'baremetal', ...args]
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
    child.once('error', (e) => {
      clearTimeout(timer)
      reject(new Error(`cannot run ${PYTHON} ${OPENSTACK}: ${e.message}`, { cause: e }))
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      let json: unknown
      if (stdout.trim() !== '') {
        try {
          json = JSON.parse(stdout)
        } catch {
          json = undefined
        }
      }
      resolve({ code, stdout, stderr, json })
    })
  })
}

/** Like `baremetal`, but fails with the client's stderr unless it exits 0; returns parsed JSON. */
export async function baremetalJson<T = Record<string, unknown>>(url: string, args: readonly string[], opts: CliOptions = {}): Promise<T> {
  const r = await baremetal(url, [...args, '-f', 'json'], opts)
  if (r.code !== 0) {
    throw new Error(`openstack baremetal ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`)
  }
  if (r.json === undefined) throw new Error(`openstack baremetal ${args.join(' ')} printed no JSON:\n${r.stdout}\n${r.stderr}`)
  return r.json as T
}

/** Like `baremetal`, for commands that print nothing on success (set, delete, …). */
export async function baremetalOk(url: string, args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  const r = await baremetal(url, args, opts)
  if (r.code !== 0) throw new Error(`openstack baremetal ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`)
  return r
}
