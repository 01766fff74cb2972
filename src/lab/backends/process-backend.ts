import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import type { RamdiskBackend, RamdiskContext, RamdiskExit, RunningRamdisk } from './ramdisk-backend.js'

export interface ProcessBackendOptions {
  /**
   * The ramdisk: a shell command line (run by /bin/sh) or an argv array (run directly).
   * null or empty means none is configured; booting the ramdisk then only records that.
   */
  command: string | readonly string[] | null
  /** Extra environment for the command (e.g. the API URL the agent should call). */
  env?: Record<string, string>
  /** How long SIGTERM gets before SIGKILL. Default 3000 ms. */
  killGraceMs?: number
  cwd?: string
}

/** The environment a ramdisk process sees: the node's identity, as documented for FERRUM_LAB_*. */
export function ramdiskEnv(ctx: RamdiskContext): Record<string, string> {
  return {
    FERRUM_LAB_NODE: ctx.node,
    FERRUM_LAB_MACS: ctx.macs.join(','),
    FERRUM_LAB_DISKS: ctx.diskPaths.join(','),
    FERRUM_LAB_HARDWARE: JSON.stringify(ctx.hardware),
    FERRUM_LAB_BMC: JSON.stringify(ctx.bmc ?? {}),
    FERRUM_LAB_BOOT: ctx.boot,
    FERRUM_LAB_MEDIA: ctx.mediaPath ?? '',
    FERRUM_LAB_FAULTS: JSON.stringify(ctx.faults),
    FERRUM_LAB_LOG: ctx.logPath,
    ...(ctx.sysroot ? { FERRUM_LAB_ROOT: ctx.sysroot } : {}),
  }
}

/**
 * Runs the ramdisk as a child process of the lab. The child leads its own process group, so
 * stopping it (SIGTERM to the group, then SIGKILL) also ends whatever a shell command started;
 * only the group of the pid this backend spawned is ever signalled.
 */
export class ProcessBackend implements RamdiskBackend {
  readonly kind = 'process'
  readonly #opts: ProcessBackendOptions

  constructor(opts: ProcessBackendOptions) {
    this.#opts = opts
  }

  get unavailableReason(): string | null {
    const c = this.#opts.command
    const empty = c === null || (typeof c === 'string' ? c.trim() === '' : c.length === 0)
    return empty ? 'no ramdisk configured' : null
  }

  async start(ctx: RamdiskContext): Promise<RunningRamdisk> {
    const command = this.#opts.command
    if (this.unavailableReason !== null || command === null) throw new Error(`node ${ctx.node}: ${this.unavailableReason}`)
    let [file, args] = typeof command === 'string' ? ['/bin/sh', ['-c', command]] : [command[0], command.slice(1)]
    let netEnv: Record<string, string> = {}
    if (ctx.network) {
      // `ip netns exec` execs the command in the node's namespace (same pid, so stopping the
      // group still reaches it); the agent serves on IPA's port at the node's own address.
      args = ['netns', 'exec', ctx.network.netns, file, ...args]
      file = 'ip'
      netEnv = { FERRUM_AGENT_LISTEN: '0.0.0.0:9999', FERRUM_AGENT_ADVERTISE_HOST: ctx.network.address }
    }
    const logFd = openSync(ctx.logPath, 'a')
    let child
    try {
      child = spawn(file, args, {
        cwd: this.#opts.cwd,
        env: { ...process.env, ...this.#opts.env, ...ramdiskEnv(ctx), ...netEnv },
        stdio: ['ignore', logFd, logFd],
        detached: true,
      })
    } finally {
      closeSync(logFd)
    }
    const exited = new Promise<RamdiskExit>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }))
      child.once('error', () => resolve({ code: null, signal: null }))
    })
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve)
      child.once('error', (err) => reject(new Error(`node ${ctx.node}: cannot start ramdisk ${file}: ${err.message}`, { cause: err })))
    })
    const pid = child.pid ?? null
    let done = false
    void exited.then(() => {
      done = true
    })
    const signalGroup = (sig: NodeJS.Signals): void => {
      if (done || pid === null) return
      try {
        process.kill(-pid, sig)
      } catch {
        // The group is already gone.
      }
    }
    const grace = this.#opts.killGraceMs ?? 3000
    return {
      pid,
      exited,
      crash: () => signalGroup('SIGKILL'),
      stop: async () => {
        if (done) return
        signalGroup('SIGTERM')
        let timer: NodeJS.Timeout | undefined
        const escalated = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            signalGroup('SIGKILL')
            resolve()
          }, grace)
        })
        await Promise.race([exited, escalated])
        clearTimeout(timer)
        await exited
      },
    }
  }
}
