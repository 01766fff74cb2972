/**
 * How a virtual node "runs the deploy ramdisk". The process backend runs a command on the host;
 * later backends (netns, qemu; DESIGN.md §8) put the same identity into a namespace or a VM.
 */

/** Where a ramdisk boot came from. */
export type RamdiskBootSource = 'pxe' | 'cdrom'

/** Everything a ramdisk learns about the node it runs on. */
export interface RamdiskContext {
  node: string
  macs: readonly string[]
  diskPaths: readonly string[]
  /** The node's hardware description, serialised into FERRUM_LAB_HARDWARE. */
  hardware: Record<string, unknown>
  /** The node's BMC (kind, address, port, credentials) or null before the lab started one. */
  bmc: Record<string, unknown> | null
  boot: RamdiskBootSource
  /** Local path of the inserted virtual media, or null. */
  mediaPath: string | null
  /** Faults the agent side must honour itself (e.g. disk write errors). */
  faults: Record<string, unknown>
  /** Append-only log file the ramdisk's stdout and stderr go to. */
  logPath: string
  /** The system tree (fake /proc, /sys, /dev) the ramdisk uses as its root; see lab-sysroot.ts. */
  sysroot?: string
  /** A netns node: the ramdisk runs in this namespace and its agent serves on this address. */
  network?: { netns: string; address: string }
}

export interface RamdiskExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface RunningRamdisk {
  /** OS process id, when the backend runs a process. */
  readonly pid: number | null
  /** Settles once the ramdisk has stopped, however that happened. */
  readonly exited: Promise<RamdiskExit>
  /** Stops it (SIGTERM, then SIGKILL after a grace period) and waits for the exit. Idempotent. */
  stop(): Promise<void>
  /** Kills it at once (fault injection: a crashing ramdisk). */
  crash(): void
}

export interface RamdiskBackend {
  readonly kind: string
  /** A human-readable line for status displays when nothing can run ("no ramdisk configured"). */
  readonly unavailableReason: string | null
  /** Starts the ramdisk; resolves once it runs (the process was spawned). */
  start(ctx: RamdiskContext): Promise<RunningRamdisk>
}
