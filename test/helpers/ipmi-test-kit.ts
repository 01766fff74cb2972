/**
 * Helpers for the ipmitool driver tests: a lab IpmiBmc fronting a BasicMachine (or a subclass
 * with quirks), node views whose driver_info points at it, and an IpmiAccess tuned for loopback.
 */
import { BasicMachine, defaultHardware } from '../../src/lab/basic-machine.js'
import type { MachineEvent } from '../../src/lab/basic-machine.js'
import { IpmiBmc } from '../../src/lab/ipmi-bmc.js'
import type { LabBmcFaults } from '../../src/lab/machine.js'
import type { NodeView } from '../../src/drivers/node-view.js'
import { makeContext, makeNodeView, ManualClock } from '../../src/drivers/testing/fixtures.js'
import { IpmiAccess, type IpmiAccessOptions } from '../../src/drivers/ipmi/ipmi-access.js'

export const USER = 'admin'
export const PASSWORD = 'secret'

/** A machine whose OS ignores ACPI soft-off requests (the BMC accepts them; nothing happens). */
export class DeafMachine extends BasicMachine {
  override async softOff(): Promise<void> {}
}

/** A running lab BMC and what it drives. */
export interface IpmiLab {
  readonly bmc: IpmiBmc
  readonly machine: BasicMachine
  readonly events: MachineEvent[]
  readonly host: string
  readonly port: number
  stop(): Promise<void>
}

/** Starts an IpmiBmc on 127.0.0.1:<ephemeral> with user admin/secret. */
export async function startIpmiLab(opts: { faults?: Partial<LabBmcFaults>; deaf?: boolean; random?: () => number } = {}): Promise<IpmiLab> {
  const events: MachineEvent[] = []
  const Machine = opts.deaf ? DeafMachine : BasicMachine
  const machine = new Machine({ name: 'node-ipmi', hardware: defaultHardware(), faults: opts.faults, onEvent: (ev) => void events.push(ev) })
  const bmc = new IpmiBmc({ machine, username: USER, password: PASSWORD, ...(opts.random ? { random: opts.random } : {}) })
  const { host, port } = await bmc.start()
  return { bmc, machine, events, host, port, stop: () => bmc.stop() }
}

/** Retransmission tuned for loopback: a lost datagram costs 100–300 ms, not seconds. */
export const FAST_RETRY = { initialTimeoutMs: 100, backoff: 1.5, maxTimeoutMs: 300, maxAttempts: 6 }

/** An IpmiAccess for tests: no command spacing, fast retries, 10 s call deadline. */
export function testAccess(extra: IpmiAccessOptions = {}): IpmiAccess {
  return new IpmiAccess({ minCommandIntervalMs: 0, retry: FAST_RETRY, callTimeoutMs: 10_000, keepaliveMs: 0, pollMs: 1000, ...extra })
}

/** A node of the ipmi hardware type whose driver_info points at `target`. */
export function ipmiNode(target: { host: string; port: number }, driverInfo: Record<string, unknown> = {}, overrides: Partial<NodeView> = {}): NodeView {
  return makeNodeView({
    driver: 'ipmi',
    driverInfo: { ipmi_address: target.host, ipmi_port: String(target.port), ipmi_username: USER, ipmi_password: PASSWORD, ...driverInfo },
    ...overrides,
  })
}

/** A driver context over `node` with a manual clock (poll sleeps take no real time). */
export function ipmiContext(node: NodeView, signal?: AbortSignal) {
  return makeContext(node, { clock: new ManualClock(), ...(signal ? { signal } : {}) })
}

/** A seeded generator, so packet loss drops the same share of datagrams on every run. */
export function seeded(seed: number): () => number {
  let x = seed >>> 0
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}
