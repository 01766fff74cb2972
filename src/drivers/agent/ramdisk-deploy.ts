/**
 * The `ramdisk` deploy interface (as Ironic's): the instance is a kernel and ramdisk the node
 * network-boots every time (`instance_info.kernel`, `instance_info.ramdisk`, optional
 * `ramdisk_kernel_arguments`), or an ISO (`instance_info.boot_iso`) a virtual media boot
 * interface mounts and boots every time; nothing is written to its disks. Deploy powers the node off, has
 * the boot interface set up the instance's network boot (persistent), and powers it on. Cleaning
 * and its agent steps are the `direct` interface's, so automated cleaning still wipes the disks.
 */
import type { DriverContext } from '../driver-context.js'
import type { DeployInterface } from '../interfaces/deploy.js'
import type { NodeView } from '../node-view.js'
import { defineSteps, type DriverStep, type StepResult } from '../steps.js'
import { DriverError, ValidationError } from '../../domain/errors.js'
import { DirectDeploy } from './direct-deploy.js'

const URL_RE = /^(https?|file):\/\//

/** Boot interfaces that mount an ISO through the BMC, and so boot an instance `boot_iso`. */
const ISO_BOOT = /virtual-media/

/**
 * The instance's ISO when it is one (`instance_info.boot_iso`, booted by a virtual media boot
 * interface), else null.
 * @throws ValidationError when boot_iso is given to a boot interface that cannot mount it
 */
export function ramdiskIso(node: NodeView): string | null {
  const iso = node.instanceInfo.boot_iso
  if (iso === undefined || iso === null || iso === '') return null
  if (typeof iso !== 'string' || !(URL_RE.test(iso) || iso.startsWith('/'))) throw new ValidationError(`Node ${node.uuid}: instance_info.boot_iso must be an http(s):// or file:// URL or an absolute path of the instance's ISO (got ${JSON.stringify(iso)}).`)
  if (!ISO_BOOT.test(node.interfaces.boot)) {
    throw new ValidationError(`Node ${node.uuid} deploys an ISO (instance_info.boot_iso) with the ramdisk interface, which its ${node.interfaces.boot} boot interface cannot mount; use a virtual media boot interface (redfish-virtual-media), or give instance_info.kernel and instance_info.ramdisk for network boot.`, { code: 'FERRUM_MISSING_DRIVER_INFO' })
  }
  return iso
}

/** The instance's kernel and ramdisk URLs and command line, checked. */
export function ramdiskInstance(node: NodeView): { kernel: string; ramdisk: string; cmdline: string } {
  const ii = node.instanceInfo
  for (const k of ['kernel', 'ramdisk'] as const) {
    if (typeof ii[k] !== 'string' || !URL_RE.test(ii[k] as string)) {
      throw new ValidationError(`Node ${node.uuid} deploys with the ramdisk interface and needs instance_info.${k} as an http(s):// URL of the instance's ${k === 'kernel' ? 'kernel' : 'initramfs'} (got ${ii[k] === undefined ? 'none' : JSON.stringify(ii[k])}), or instance_info.boot_iso with a virtual media boot interface.`, { code: 'FERRUM_MISSING_DRIVER_INFO' })
    }
  }
  const args = ii.ramdisk_kernel_arguments
  return { kernel: ii.kernel as string, ramdisk: ii.ramdisk as string, cmdline: typeof args === 'string' ? args : '' }
}

export class RamdiskDeploy implements DeployInterface {
  readonly kind = 'deploy'
  readonly name = 'ramdisk'
  /** Cleaning, heartbeats and the ramdisk's tear-down are the agent's, as for `direct`. */
  readonly #agent = new DirectDeploy()
  readonly #steps = defineSteps('deploy', 'ramdisk', [
    { step: 'deploy', priority: { deploy: 100 }, run: (ctx) => this.deploy(ctx) },
  ])
  readonly bootsInstance = true

  validate(_node: NodeView): void {}

  getProperties(): Readonly<Record<string, string>> {
    return this.#agent.getProperties()
  }

  getDeploySteps(_node: NodeView): readonly DriverStep[] {
    return this.#steps.list('deploy')
  }

  getCleanSteps(node: NodeView): readonly DriverStep[] {
    return this.#agent.getCleanSteps(node)
  }

  executeStep(ctx: DriverContext, step: DriverStep): Promise<StepResult> {
    // Its one deploy step is its own; every other step (cleaning) is the agent's.
    return step.step === 'deploy' ? this.#steps.execute(ctx, step) : this.#agent.executeStep(ctx, step)
  }

  /** Powers off, has the boot interface boot the instance (kernel and ramdisk, or ISO) from now on, powers on. */
  async deploy(ctx: DriverContext): Promise<StepResult> {
    if (ramdiskIso(ctx.node) === null) ramdiskInstance(ctx.node)
    const i = ctx.interfaces
    if (!i) throw new DriverError(`node ${ctx.node.uuid}: the ramdisk deploy needs the node's boot and power interfaces`)
    ctx.timeline?.phase('boot loader')
    await i.power.setPowerState(ctx, 'power off')
    await i.boot.prepareInstance(ctx)
    ctx.timeline?.phase('boot instance')
    await i.power.setPowerState(ctx, 'power on')
    return { done: true }
  }

  heartbeat(ctx: DriverContext): Promise<'continue' | 'wait'> {
    return this.#agent.heartbeat(ctx)
  }

  tearDownRamdisk(ctx: DriverContext): Promise<void> {
    return this.#agent.tearDownRamdisk(ctx)
  }

  async tearDown(ctx: DriverContext): Promise<void> {
    await ctx.interfaces?.power.setPowerState(ctx, 'power off')
  }

  async prepare(_ctx: DriverContext): Promise<void> {}

  cleanUp(ctx: DriverContext): Promise<void> {
    return this.#agent.cleanUp(ctx)
  }

  async takeOver(_ctx: DriverContext): Promise<void> {}
}
