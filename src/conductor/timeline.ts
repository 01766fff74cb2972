/**
 * The provisioning timeline: a node's work is cut into named phases (power on, network boot,
 * agent start, image write, …). The phase running now is kept in driver_internal_info
 * (`ferrum_phase`); when the next one starts, or the node settles, the finished phase becomes a
 * history entry with its name (`phase`) and duration, so the timeline of the last deploy can be
 * read back from `GET /v1/nodes/{node}/history` by any client and drawn by `ferrum node timeline`.
 */

/** The phase a node is in now (driver_internal_info.ferrum_phase). */
export interface OpenPhase {
  readonly name: string
  readonly started_at: string
  /** The plan step that started this phase (a driver's sub-phases keep it). */
  readonly step?: string
  /** Bytes the phase moved (an image write), shown with the rate when it ends. */
  readonly bytes?: number
}

/** Phases shorter than this are not recorded (one that the next cut off at once did nothing). */
export const MIN_PHASE_MS = 5

/** Phase names Ferrum marks itself, with what the timeline calls them. */
export const PHASE_LABELS: Readonly<Record<string, string>> = {
  'power on': 'power on (boot device, power)',
  'network boot': 'network boot (firmware, ramdisk)',
  'agent start': 'agent lookup and first heartbeat',
  'inventory': 'inventory (inspection)',
  'image cache': 'image conversion (conductor cache)',
  'config drive': 'config drive built (ISO 9660)',
  'fast track': 'the running agent reused (fast track)',
  'write image': 'download and write the image',
  'boot loader': 'instance boot set-up',
  'ramdisk off': 'power off the ramdisk',
  'tenant network': 'tenant network',
  'boot instance': 'reboot into the instance',
  'erase metadata': 'erase disk metadata',
  'erase disks': 'erase disks',
}

/** The phase a step of the plan starts, by its interface and name. */
export function stepPhase(iface: string, step: string): string {
  const known: Record<string, string> = {
    'deploy.deploy': 'power on',
    'deploy.write_image': 'write image',
    'deploy.prepare_instance_boot': 'boot loader',
    'deploy.tear_down_agent': 'ramdisk off',
    'deploy.switch_to_tenant_network': 'tenant network',
    'deploy.boot_instance': 'boot instance',
    'deploy.erase_devices_metadata': 'erase metadata',
    'deploy.erase_devices': 'erase disks',
  }
  return known[`${iface}.${step}`] ?? `step ${iface}.${step}`
}

/** A finished phase's history text, e.g. "Phase write image: 4.21 s (512.0 MiB at 121.6 MiB/s)". */
export function phaseEvent(p: OpenPhase, durationMs: number): string {
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`
  const moved = typeof p.bytes === 'number' && p.bytes > 0 ? ` (${mib(p.bytes)}${durationMs > 0 ? ` at ${mib((p.bytes * 1000) / durationMs)}/s` : ''})` : ''
  return `Phase ${p.name}: ${(durationMs / 1000).toFixed(2)} s${moved}`
}
