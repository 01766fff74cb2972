import type { LabHardware, LabMachine } from '../machine.js'
import type { BiosAttributeSpec, MediaSlotSpec, SystemState } from './model.js'
import { renderManagerOem, renderSystemOem } from './dell-routes.js'

export type PersonalityName = 'generic' | 'idrac'

/**
 * What differs between vendors: resource ids, virtual media slots, BIOS attribute names and
 * OEM decorations. Behaviour that only one vendor has (the iDRAC job queue) lives in its own
 * route module and is registered only for that personality.
 */
export interface Personality {
  readonly name: PersonalityName
  /** Several machines behind one BMC, or exactly one. */
  readonly multiSystem: boolean
  systemId(machine: LabMachine, idKind: 'name' | 'uuid'): string
  managerId(systemId: string, systemCount: number): string
  chassisId(systemId: string): string
  readonly mediaSlots: readonly MediaSlotSpec[]
  readonly firmwareVersion: string
  readonly managerModel: string
  readonly biosRegistry: string
  biosSpecs(hw: LabHardware): Record<string, BiosAttributeSpec>
  /** Apply times accepted in `@Redfish.SettingsApplyTime` on the BIOS settings object. */
  readonly biosApplyTimes: readonly string[]
  /** The service root's Vendor and Product. */
  readonly vendor: string
  readonly product: string
  /** The service root's Oem object, from the (only) system's serial number; none when absent. */
  rootOem?(serialNumber: string): Record<string, unknown>
  /** BIOS changes are staged and applied by a vendor job queue (Dell's Lifecycle Controller) rather than on the next boot. */
  readonly biosJobQueue: boolean
  /** Replaces the machine's manufacturer in ComputerSystem and Chassis. */
  readonly manufacturer?: string
  readonly biosVersion: string
  /** The Manager resource's Name. */
  readonly managerName: string
  /** OEM parts of the ComputerSystem and Manager resources. */
  systemOem?(sys: SystemState): Record<string, unknown>
  managerOem?(sys: SystemState): { links: unknown; actions: unknown; oem: unknown }
}

const ENABLED = ['Enabled', 'Disabled'] as const

/** Machine names become ids by keeping the characters that are safe in a URL segment. */
export function sanitiseId(name: string): string {
  const id = name.replace(/[^A-Za-z0-9._-]/g, '-')
  return id.length > 0 ? id : 'System'
}

export const genericPersonality: Personality = {
  name: 'generic',
  multiSystem: true,
  systemId: (m, idKind) => (idKind === 'uuid' ? m.hardware.uuid : sanitiseId(m.name)),
  managerId: (systemId, count) => (count === 1 ? 'BMC' : `BMC-${systemId}`),
  chassisId: (systemId) => systemId,
  mediaSlots: [
    { id: 'Cd', name: 'Virtual CD', mediaTypes: ['CD', 'DVD'], machineSlot: true },
    { id: 'Floppy', name: 'Virtual Removable Media', mediaTypes: ['Floppy', 'USBStick'], machineSlot: false },
  ],
  firmwareVersion: '1.0.0-ferrum-lab',
  managerModel: 'Ferrum Lab BMC',
  biosRegistry: 'BiosAttributeRegistry.v1_0_0',
  biosSpecs: () => ({
    BootMode: { default: 'Uefi', values: ['Uefi', 'Bios'] },
    ProcTurboMode: { default: 'Enabled', values: ENABLED },
    ProcVirtualization: { default: 'Enabled', values: ENABLED },
    ProcHyperthreading: { default: 'Enabled', values: ENABLED },
    SecureBoot: { default: 'Disabled', values: ENABLED },
    SriovGlobalEnable: { default: 'Disabled', values: ENABLED },
    PxeNetworkStack: { default: 'Enabled', values: ENABLED },
    NumLock: { default: 'On', values: ['On', 'Off'] },
    QuietBoot: { default: true },
    BootTimeoutSeconds: { default: 5 },
    AssetTag: { default: '' },
  }),
  biosApplyTimes: ['OnReset'],
  vendor: 'Ferrum',
  product: 'Ferrum Lab BMC',
  biosJobQueue: false,
  biosVersion: '1.0.0',
  managerName: 'Ferrum Lab BMC',
}

export const IDRAC_SYSTEM_ID = 'System.Embedded.1'
export const IDRAC_MANAGER_ID = 'iDRAC.Embedded.1'

export const idracPersonality: Personality = {
  name: 'idrac',
  multiSystem: false,
  systemId: () => IDRAC_SYSTEM_ID,
  managerId: () => IDRAC_MANAGER_ID,
  chassisId: () => IDRAC_SYSTEM_ID,
  mediaSlots: [
    { id: 'CD', name: 'Virtual CD', mediaTypes: ['CD', 'DVD'], machineSlot: true },
    { id: 'RemovableDisk', name: 'Virtual Removable Disk', mediaTypes: ['USBStick'], machineSlot: false },
  ],
  firmwareVersion: '7.00.00.00',
  managerModel: '16G Monolithic',
  biosRegistry: 'BiosAttributeRegistry.v1_0_3',
  biosSpecs: (hw) => ({
    BootMode: { default: 'Uefi', values: ['Uefi', 'Bios'] },
    LogicalProc: { default: 'Enabled', values: ENABLED },
    ProcVirtualization: { default: 'Enabled', values: ENABLED },
    ProcTurboMode: { default: 'Enabled', values: ENABLED },
    SriovGlobalEnable: { default: 'Disabled', values: ENABLED },
    SysProfile: {
      default: 'PerfPerWattOptimizedDapc',
      values: ['PerfPerWattOptimizedDapc', 'PerfPerWattOptimizedOs', 'PerfOptimized', 'Custom'],
    },
    SerialComm: { default: 'OnNoConRedir', values: ['OnNoConRedir', 'OnConRedirCom1', 'OnConRedirCom2', 'Off'] },
    MemTest: { default: 'Disabled', values: ENABLED },
    PxeDev1EnDis: { default: 'Enabled', values: ENABLED },
    NumLock: { default: 'On', values: ['On', 'Off'] },
    AcPwrRcvry: { default: 'Last', values: ['Last', 'On', 'Off'] },
    EmbSata: { default: 'AhciMode', values: ['AhciMode', 'RaidMode', 'Off'] },
    BootSeqRetry: { default: 'Enabled', values: ENABLED },
    SystemServiceTag: { default: hw.serialNumber },
  }),
  biosApplyTimes: ['OnReset'],
  vendor: 'Dell',
  product: 'Integrated Dell Remote Access Controller',
  rootOem: (serialNumber) => ({ Dell: { '@odata.type': '#DellServiceRoot.v1_0_0.DellServiceRoot', ManagerMACAddress: '00:00:5e:00:53:01', ServiceTag: serialNumber } }),
  biosJobQueue: true,
  manufacturer: 'Dell Inc.',
  biosVersion: '2.1.5',
  managerName: 'Manager',
  systemOem: renderSystemOem,
  managerOem: renderManagerOem,
}

export function personalityFor(name: PersonalityName): Personality {
  return name === 'idrac' ? idracPersonality : genericPersonality
}
