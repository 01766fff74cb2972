// Runs the compiled `ferrum` CLI (bin/ferrum.js at the repository root) in the background or
// to completion, for the lab's integration tests. Processes are only ever signalled by their pid.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot, run, type RunResult } from './redfish.js'
import { eventually } from './lab.js'

export const FERRUM_BIN = join(repoRoot(), 'bin', 'ferrum.js')

/** `node bin/ferrum.js ...args` to completion. */
export function ferrum(args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
  return run(process.execPath, [FERRUM_BIN, ...args], { timeoutMs })
}

export interface Background {
  child: ChildProcess
  pid: number
  output(): string
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>
  waitForOutput(pattern: RegExp, what?: string): Promise<string>
  /** Cleanup: SIGTERM by pid if still running, SIGKILL 10 s later if it has not exited. */
  stop(): Promise<void>
}

/** `node bin/ferrum.js ...args` in the background, stdout and stderr collected. */
export function ferrumBackground(args: readonly string[]): Background {
  const child = spawn(process.execPath, [FERRUM_BIN, ...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  let done = false
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true
      resolve(code ?? signal ?? -1)
    })
  })
  if (child.pid === undefined) throw new Error('could not start the ferrum CLI')
  const pid = child.pid
  return {
    child,
    pid,
    output: () => out,
    exited,
    waitForOutput: async (pattern, what) => {
      let exitedEarly = false
      const found = await eventually(what ?? `output matching ${pattern}`, () => {
        const m = pattern.exec(out)?.[0]
        if (m === undefined && done) exitedEarly = true
        return m ?? (exitedEarly ? '' : undefined)
      }, 30_000)
      if (exitedEarly) throw new Error(`ferrum ${args.join(' ')} exited before printing ${pattern}:\n${out}`)
      return found
    },
    stop: async () => {
      if (done) return
      process.kill(pid, 'SIGTERM')
      const timer = setTimeout(() => {
        if (!done) process.kill(pid, 'SIGKILL')
      }, 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}
