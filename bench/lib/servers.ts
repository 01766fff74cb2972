import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ServerProcesses } from './procs.js'

/** A server the benchmark started and must stop. */
export interface StartedServer {
  name: 'ferrum' | 'ironic'
  endpoint: string
  procs: ServerProcesses
  /** Where its logs are (inside a temp dir that stop() removes unless keep is set). */
  logs: string[]
  stop(opts?: { keep?: boolean }): Promise<void>
}

/** The checkout this file belongs to (works from bench/lib/*.ts and dist/bench/lib/*.js). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (dir !== dirname(dir)) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'ferrum') return dir
    dir = dirname(dir)
  }
  throw new Error('cannot find the ferrum checkout (package.json with "name": "ferrum") above bench/')
}

/** CI keeps shared/ beside the clone: <repo>/../shared/baseline/ironic-up.sh. */
export function defaultIronicUp(): string {
  return resolve(repoRoot(), '..', 'shared', 'baseline', 'ironic-up.sh')
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      s.close(() => ok(port))
    })
  })
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (!alive(pid)) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return !alive(pid)
}

/**
 * Starts `node bin/ferrum.js up` on a free port with a fresh data dir and waits for its
 * "Ferrum API listening on URL" line. Stops it by PID (SIGTERM, then SIGKILL after 15 s).
 */
export async function startFerrum(opts: { root?: string; extraArgs?: string[]; nodeArgs?: string[] } = {}): Promise<StartedServer> {
  const root = opts.root ?? repoRoot()
  const bin = join(root, 'bin', 'ferrum.js')
  if (!existsSync(join(root, 'dist', 'src', 'bin', 'ferrum.js'))) throw new Error(`Ferrum is not built: run \`npm run build\` in ${root}`)
  const tmp = mkdtempSync(join(tmpdir(), 'ferrum-bench-'))
  const port = await freePort()
  const logPath = join(tmp, 'ferrum.log')
  const logFd = openSync(logPath, 'a')
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), bin, 'up', '--port', String(port), '--data-dir', join(tmp, 'data'), ...(opts.extraArgs ?? [])], {
    cwd: tmp,
    stdio: ['ignore', 'pipe', logFd],
  })
  closeSync(logFd)
  const pid = child.pid
  const stdout = child.stdout
  if (pid === undefined || stdout === null) throw new Error('could not start ferrum')
  const endpoint = await new Promise<string>((ok, fail) => {
    let out = ''
    const timer = setTimeout(() => fail(new Error(`ferrum did not report "listening" within 60 s; see ${logPath}`)), 60_000)
    stdout.setEncoding('utf8')
    stdout.on('data', (d: string) => {
      out += d
      const m = /Ferrum API listening on (\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        ok(m[1])
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`ferrum exited with code ${code} before listening; see ${logPath}`))
    })
  }).catch(async (e: unknown) => {
    if (alive(pid)) process.kill(pid, 'SIGKILL')
    throw e
  })
  stdout.resume()
  return {
    name: 'ferrum',
    endpoint,
    procs: { groups: { ferrum: [pid] } },
    logs: [logPath],
    async stop({ keep = false } = {}) {
      if (alive(pid)) {
        process.kill(pid, 'SIGTERM')
        if (!(await waitGone(pid, 15_000))) process.kill(pid, 'SIGKILL')
      }
      if (!keep) rmSync(tmp, { recursive: true, force: true })
    },
  }
}

function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const child = spawn('bash', [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.once('error', fail)
    child.once('exit', (code) => ok({ code, stdout, stderr }))
  })
}

/**
 * Starts a real Ironic with the baseline's ironic-up.sh in a temp state dir on free ports.
 * Its PIDs come from $IRONIC_STATE_DIR/{api,conductor}.pid; ironic-down.sh --purge stops it.
 */
export async function startIronic(opts: { upScript?: string } = {}): Promise<StartedServer> {
  const up = resolve(opts.upScript ?? defaultIronicUp())
  if (!existsSync(up)) throw new Error(`ironic-up.sh not found at ${up}; pass --ironic-up PATH`)
  const down = join(dirname(up), 'ironic-down.sh')
  if (!existsSync(down)) throw new Error(`ironic-down.sh not found beside ${up}`)
  const stateDir = mkdtempSync(join(tmpdir(), 'ironic-bench-'))
  const apiPort = await freePort()
  let rpcPort = await freePort()
  while (rpcPort === apiPort) rpcPort = await freePort()
  const env = { ...process.env, IRONIC_STATE_DIR: stateDir, IRONIC_API_PORT: String(apiPort), IRONIC_RPC_PORT: String(rpcPort) }
  const stop = async ({ keep = false } = {}) => {
    const r = await runScript(down, keep ? [] : ['--purge'], env)
    if (r.code !== 0) process.stderr.write(`[bench] ironic-down.sh exited ${r.code}: ${r.stderr}${r.stdout}\n`)
    if (!keep) rmSync(stateDir, { recursive: true, force: true })
  }
  const r = await runScript(up, [], env)
  if (r.code !== 0) {
    await stop({ keep: true })
    throw new Error(`ironic-up.sh failed (exit ${r.code}); state dir ${stateDir}:\n${r.stderr.slice(-3000)}`)
  }
  const endpoint = r.stdout.trim().split('\n').at(-1) ?? ''
  const pidOf = (name: string) => Number(readFileSync(join(stateDir, `${name}.pid`), 'utf8').trim())
  return {
    name: 'ironic',
    endpoint,
    procs: { groups: { api: [pidOf('api')], conductor: [pidOf('conductor')] } },
    logs: [join(stateDir, 'api.log'), join(stateDir, 'conductor.log')],
    stop,
  }
}
