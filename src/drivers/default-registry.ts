/**
 * The one place where Ferrum's hardware types and interface implementations are registered.
 * Vendor implementations (ipmitool, redfish, agent…) are added here as they land; until then the
 * hardware types that need them are simply not enabled.
 */
import { FakeBios } from './fake/fake-bios.js'
import { FakeBoot } from './fake/fake-boot.js'
import { FakeConsole } from './fake/fake-console.js'
import { FakeDeploy } from './fake/fake-deploy.js'
import { FakeFirmware } from './fake/fake-firmware.js'
import { FakeInspect } from './fake/fake-inspect.js'
import { FakeManagement } from './fake/fake-management.js'
import { FakePower } from './fake/fake-power.js'
import { FakeRaid } from './fake/fake-raid.js'
import { FakeRescue } from './fake/fake-rescue.js'
import { FakeVendor } from './fake/fake-vendor.js'
import { HARDWARE_TYPES } from './hardware-types.js'
import { IdracRedfishBios } from './idrac/idrac-redfish-bios.js'
import { IdracRedfishInspect } from './idrac/idrac-redfish-inspect.js'
import { IdracRedfishManagement } from './idrac/idrac-redfish-management.js'
import { IdracRedfishPower } from './idrac/idrac-redfish-power.js'
import { IdracRedfishVirtualMediaBoot } from './idrac/idrac-redfish-virtual-media-boot.js'
import type { AnyDriverInterface } from './interfaces/by-kind.js'
import { IpmiAccess } from './ipmi/ipmi-access.js'
import { IpmiManagement } from './ipmi/ipmi-management.js'
import { IpmiPower } from './ipmi/ipmi-power.js'
import { IpmiVendor } from './ipmi/ipmi-vendor.js'
import { NoBios } from './noop/no-bios.js'
import { NoConsole } from './noop/no-console.js'
import { NoFirmware } from './noop/no-firmware.js'
import { NoInspect } from './noop/no-inspect.js'
import { NoRaid } from './noop/no-raid.js'
import { NoRescue } from './noop/no-rescue.js'
import { NoVendor } from './noop/no-vendor.js'
import { NoopManagement } from './noop/noop-management.js'
import { NoopNetwork } from './noop/noop-network.js'
import { FlatNetwork } from './network-flat/flat-network.js'
import { NoopStorage } from './noop/noop-storage.js'
import { RedfishBios } from './redfish/redfish-bios.js'
import { RedfishInspect } from './redfish/redfish-inspect.js'
import { RedfishManagement } from './redfish/redfish-management.js'
import { RedfishPower } from './redfish/redfish-power.js'
import { RedfishVirtualMediaBoot } from './redfish/redfish-virtual-media-boot.js'
import { DriverRegistry, type DriverConfig } from './registry.js'
import { PxeBoot } from './pxe/pxe-boot.js'
import { AgentInspect } from './agent/agent-inspect.js'
import { AgentRescue } from './agent/agent-rescue.js'
import { RamdiskDeploy } from './agent/ramdisk-deploy.js'
import { DirectDeploy } from './agent/direct-deploy.js'
import { RedfishConnections } from './redfish/redfish-connections.js'
import type { Clock } from '../common/clock.js'

/** What the built-in implementations share: the clock they wait by. */
export interface DriverServices {
  /** The conductor's clock (BMC clients wait, back off and time out by it). */
  readonly clock?: Clock
}

/** Fresh instances of every built-in implementation (fake, no-op, redfish, idrac, ipmitool). */
export function builtInInterfaces(onClose?: (fn: () => Promise<void>) => void, services: DriverServices = {}): AnyDriverInterface[] {
  // The ipmitool interfaces share one IpmiSessionPool (sessions reused per BMC and user, one
  // command at a time per BMC) for the life of this set of instances.
  const ipmi = new IpmiAccess()
  onClose?.(() => ipmi.close())
  // The redfish and idrac interfaces share one pool of clients (sessions reused across calls),
  // owned by this set of instances and closed with it.
  const connections = new RedfishConnections({ clock: services.clock })
  onClose?.(() => connections.closeAll())
  const rf = { connections }
  return [
    new FakePower(),
    new FakeManagement(),
    new FakeBoot(),
    new FakeDeploy(),
    new FakeInspect(),
    new FakeConsole(),
    new FakeRaid(),
    new FakeBios(),
    new FakeFirmware(),
    new FakeRescue(),
    new FakeVendor(),
    new NoopManagement(),
    new NoopNetwork(),
    new FlatNetwork(),
    new NoopStorage(),
    new NoBios(),
    new NoConsole(),
    new NoFirmware(),
    new NoInspect(),
    new NoRaid(),
    new NoRescue(),
    new AgentRescue(),
    new RamdiskDeploy(),
    new NoVendor(),
    new RedfishPower(rf),
    new RedfishManagement(rf),
    new RedfishBios(rf),
    new RedfishInspect(rf),
    new RedfishVirtualMediaBoot(rf),
    new IdracRedfishPower(rf),
    new IdracRedfishManagement(rf),
    new IdracRedfishBios(rf),
    new IdracRedfishInspect(rf),
    new IdracRedfishVirtualMediaBoot(rf),
    new IpmiPower(ipmi),
    new IpmiManagement(ipmi),
    new IpmiVendor(ipmi),
    new PxeBoot('pxe'),
    new PxeBoot('ipxe'),
    new DirectDeploy(),
    new AgentInspect(),
  ]
}

/** A registry with every hardware type and built-in implementation, gated by `config`. */
export function createDriverRegistry(config: DriverConfig = {}, extra: readonly AnyDriverInterface[] = [], services: DriverServices = {}): DriverRegistry {
  const registry = new DriverRegistry(config)
  for (const t of HARDWARE_TYPES) registry.registerHardwareType(t)
  for (const impl of [...builtInInterfaces((fn) => registry.onClose(fn), services), ...extra]) registry.register(impl)
  return registry
}
