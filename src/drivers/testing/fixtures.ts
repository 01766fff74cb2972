/**
 * Builders for driver tests (and the conductor's): a NodeView with sensible defaults, a manual
 * clock and a DriverContext that collects log lines. No I/O, no real time.
 */
import type { Clock } from '../../common/clock.js'
import type { LogFields, Logger, LogMethod } from '../../common/logger.js'
import type { DriverContext } from '../driver-context.js'
import { INTERFACE_KINDS, type InterfaceKind } from '../interface-kinds.js'
import type { NodeView } from '../node-view.js'

/** A node view for tests; fields not given take fake-hardware defaults. */
export function makeNodeView(overrides: Partial<NodeView> = {}): NodeView {
  const interfaces = Object.fromEntries(INTERFACE_KINDS.map((k) => [k, 'fake'])) as Record<InterfaceKind, string>
  return {
    uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123',
    name: 'node-0',
    driver: 'fake-hardware',
    driverInfo: {},
    driverInternalInfo: {},
    properties: {},
    instanceInfo: {},
    instanceUuid: null,
    interfaces: { ...interfaces, network: 'noop', storage: 'noop' },
    provisionState: 'manageable',
    targetProvisionState: null,
    powerState: null,
    targetPowerState: null,
    maintenance: false,
    bootMode: null,
    secureBoot: null,
    raidConfig: {},
    targetRaidConfig: {},
    traits: [],
    ports: [],
    ...overrides,
  }
}

/** A clock that only moves when told to; `sleep` advances it at once. */
export class ManualClock implements Clock {
  #now: number

  constructor(start = 1_700_000_000_000) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  advance(ms: number): void {
    this.#now += ms
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    this.#now += ms
  }
}

/** One captured log line. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error'
  readonly msg: string
  readonly fields: LogFields
}

/** A logger that keeps lines in memory. */
export function memoryLogger(lines: LogLine[] = []): Logger & { readonly lines: LogLine[] } {
  const method = (level: LogLine['level']): LogMethod =>
    ((a: string | LogFields, b?: string) => {
      if (typeof a === 'string') lines.push({ level, msg: a, fields: {} })
      else lines.push({ level, msg: b ?? '', fields: a })
    }) as LogMethod
  return { lines, debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error') }
}

/** A driver context over `node` whose internalInfo starts as a copy of its driver_internal_info. */
export function makeContext(node: NodeView = makeNodeView(), opts: { signal?: AbortSignal; clock?: Clock } = {}): DriverContext & {
  readonly log: ReturnType<typeof memoryLogger>
} {
  return {
    node,
    log: memoryLogger(),
    signal: opts.signal ?? new AbortController().signal,
    clock: opts.clock ?? new ManualClock(),
    internalInfo: structuredClone({ ...node.driverInternalInfo }),
  }
}
