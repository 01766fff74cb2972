// Runs `ferrum up` as a child process on a free loopback port, as an operator would, so tests can
// talk to it over HTTP with real clients, stop it with SIGTERM, or kill it with SIGKILL.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (the directory holding package.json), from test/ or dist/test/ alike. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error(`package.json not found above ${fileURLToPath(import.meta.url)}`)
    dir = up
  }
  return dir
}

/** A TCP port that was free on 127.0.0.1 a moment ago (bind to port 0, read it, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

export interface FerrumProcess {
  /** Base URL of the API, e.g. http://127.0.0.1:41234 */
  url: string
  port: number
  pid: number
  /** Everything the process wrote so far (stdout, stderr). */
  output(): { stdout: string; stderr: string }
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves with the exit code/signal. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** SIGKILL at once (a crash); resolves when the process is gone. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export interface StartFerrumOptions {
  dataDir: string
  /** Database URL (`--db`); the data dir's SQLite file when unset. */
  db?: string
  /** Reuse a port (e.g. to restart on the same URL); a free one otherwise. */
  port?: number
  /** How long to wait for the "listening" line. */
  startTimeoutMs?: number
  env?: NodeJS.ProcessEnv
  /** More `ferrum up` flags (e.g. `--lab 2`). */
  args?: readonly string[]
}

const LISTENING = /Ferrum API listening on (http:\/\/\S+)/

/**
 * Starts `node bin/ferrum.js up --port P --data-dir D [--db URL]` and resolves once it prints
 * "Ferrum API listening on …". Rejects with the process output if it exits first or the deadline
 * passes (and then kills it). The build (`npm run build`) must be current.
 */
export async function startFerrum(opts: StartFerrumOptions): Promise<FerrumProcess> {
  const root = repoRoot()
  const port = opts.port ?? (await freePort())
  const args = [join(root, 'bin', 'ferrum.js'), 'up', '--port', String(port), '--host', '127.0.0.1', '--data-dir', opts.dataDir]
  if (opts.db !== undefined) args.push('--db', opts.db)
  if (opts.args) args.push(...opts.args)
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, FERRUM_LOG_LEVEL: 'warn', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  let gone = false
  void exited.then(() => (gone = true))

  const deadlineMs = opts.startTimeoutMs ?? 30_000
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`ferrum up did not print its "listening" line within ${deadlineMs} ms.\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, deadlineMs)
    const onData = () => {
      const m = LISTENING.exec(stdout)
      if (m) {
        clearTimeout(timer)
        child.stdout!.off('data', onData)
        resolve(m[1])
      }
    }
    child.stdout!.on('data', onData)
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`ferrum up exited (code ${code}, signal ${signal}) before listening.\nstdout: ${stdout}\nstderr: ${stderr}`))
    })
  })

  const pid = child.pid!
  const stop = async (graceMs = 10_000) => {
    if (gone) return exited
    child.kill('SIGTERM')
    const timer = setTimeout(() => {
      if (!gone) child.kill('SIGKILL')
    }, graceMs)
    const r = await exited
    clearTimeout(timer)
    return r
  }
  const kill = async () => {
    if (!gone) child.kill('SIGKILL')
    return exited
  }
  return { url, port, pid, output: () => ({ stdout, stderr }), stop, kill }
}
