import type { LabBootDevice, LabMachine } from '../machine.js'
import type { LabTask } from './tasks.js'

export type BiosValue = string | number | boolean

/** One BIOS attribute: its factory default and, for enumerations, the accepted values. */
export interface BiosAttributeSpec {
  default: BiosValue
  values?: readonly string[]
}

export interface BiosState {
  readonly specs: Readonly<Record<string, BiosAttributeSpec>>
  current: Record<string, BiosValue>
  /** Staged by PATCH .../Bios/Settings; applied at the next boot (reset or power-on). */
  pending: Record<string, BiosValue>
  /** Task tracking the staged settings (generic personality, `Prefer: respond-async`). */
  pendingTask: LabTask | null
  /** Bios.ResetBios was requested: defaults apply at the next boot without a vendor job. */
  resetRequested: boolean
  /** When the settings object was last applied, and what happened. */
  lastApplied: { time: string; messages: string[] } | null
}

export interface MediaSlotSpec {
  id: string
  name: string
  mediaTypes: readonly string[]
  /** The slot that stands for the machine's one virtual drive; others are BMC-side only. */
  machineSlot: boolean
}

export interface MediaSlot {
  readonly spec: MediaSlotSpec
  /** Only for slots that are not the machine's: the BMC keeps their state itself. */
  image: string | null
  inserted: boolean
  writeProtected: boolean
  /** VirtualMedia.VerifyCertificate: check the image server's TLS certificate. */
  verifyCertificate: boolean
  localPath: string | null
  /** A fetch in progress (its abort handle), so eject or stop can cancel it. */
  inFlight: AbortController | null
}

export type DellJobState = 'Scheduled' | 'Running' | 'Completed' | 'Failed' | 'New'

export interface DellJob {
  id: string
  name: string
  jobType: 'BIOSConfiguration' | 'RebootNoForce' | 'RAIDConfiguration'
  state: DellJobState
  message: string
  messageId: string
  percent: number
  targetSettingsUri: string | null
  completionTime: string | null
}

/** Everything the emulator keeps for one machine behind the BMC. */
export interface SystemState {
  readonly id: string
  readonly machine: LabMachine
  readonly managerId: string
  readonly chassisId: string
  readonly bios: BiosState
  readonly media: MediaSlot[]
  readonly jobs: DellJob[]
  /** Writable system properties the machine itself does not model. */
  assetTag: string
  indicatorLed: 'Off' | 'Lit' | 'Blinking'
}

export const ROOT = '/redfish/v1'
export const systemPath = (s: SystemState): string => `${ROOT}/Systems/${s.id}`
export const managerPath = (s: SystemState): string => `${ROOT}/Managers/${s.managerId}`
export const chassisPath = (s: SystemState): string => `${ROOT}/Chassis/${s.chassisId}`
export const odataId = (path: string): { '@odata.id': string } => ({ '@odata.id': path })

/** A Redfish resource collection body. */
export function collection(path: string, type: string, name: string, members: readonly string[]): Record<string, unknown> {
  return {
    '@odata.type': `#${type}.${type}`,
    '@odata.id': path,
    Name: name,
    'Members@odata.count': members.length,
    Members: members.map(odataId),
  }
}

/** Redfish BootSourceOverrideTarget values the lab machine can honour, and their device. */
export const BOOT_TARGETS: Readonly<Record<string, LabBootDevice>> = {
  None: 'none',
  Pxe: 'pxe',
  Cd: 'cdrom',
  Hdd: 'disk',
  BiosSetup: 'bios',
}
export const BOOT_TARGET_OF: Readonly<Record<LabBootDevice, string>> = {
  none: 'None',
  pxe: 'Pxe',
  cdrom: 'Cd',
  disk: 'Hdd',
  bios: 'BiosSetup',
}
export const BOOT_MODES = { UEFI: 'uefi', Legacy: 'bios' } as const
export const BOOT_ENABLED = ['Disabled', 'Once', 'Continuous'] as const

export const RESET_TYPES = [
  'On',
  'ForceOn',
  'ForceOff',
  'GracefulShutdown',
  'GracefulRestart',
  'ForceRestart',
  'Nmi',
  'PushPowerButton',
  'PowerCycle',
] as const
export type ResetType = (typeof RESET_TYPES)[number]

/** A stable representation of the machine's power for Redfish (`PowerState`). */
export function powerStateOf(m: LabMachine): 'On' | 'Off' {
  return m.powerState() === 'on' ? 'On' : 'Off'
}

/** The current contents of a virtual media slot (machine slots read the machine). */
export function mediaView(slot: MediaSlot, machine: LabMachine): { image: string | null; inserted: boolean } {
  if (!slot.spec.machineSlot) return { image: slot.image, inserted: slot.inserted }
  const vm = machine.virtualMedia()
  return vm ? { image: vm.image, inserted: vm.inserted } : { image: null, inserted: false }
}
