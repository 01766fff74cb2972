/**
 * Deploy templates at deploy time: a template whose name is one of the node's instance traits
 * (`instance_info.traits`, set by an allocation or by hand) adds its steps to the deployment,
 * or re-prioritises a driver step of the same interface and name (priority 0 disables it), as
 * Ironic's conductor/steps.py does. Steps requested with the deploy verb override templates.
 */
import type { Store } from '../db/store.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import type { InterfaceKind } from '../drivers/interface-kinds.js'
import type { JsonObject } from '../drivers/node-view.js'

/** A deploy step a template asks for. */
export interface TemplateDeployStep {
  interface: InterfaceKind
  step: string
  args: JsonObject
  priority: number
}

/** The node's instance traits (`instance_info.traits`), if it is a list of strings. */
export function instanceTraits(node: Pick<NodeRecord, 'instance_info'>): string[] {
  const t = node.instance_info.traits
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : []
}

/**
 * The steps of every deploy template matching the node's instance traits, templates in name
 * order. Two templates naming the same step: the later one wins (Ironic refuses such
 * deployments; Ferrum keeps the last and the plan shows which ran).
 */
export async function templateStepsFor(store: Store, node: Pick<NodeRecord, 'instance_info'>): Promise<TemplateDeployStep[]> {
  const templates = await store.deployTemplates.byNames(instanceTraits(node))
  templates.sort((a, b) => a.name.localeCompare(b.name))
  const out = new Map<string, TemplateDeployStep>()
  for (const t of templates) {
    for (const s of t.steps) out.set(`${s.interface}.${s.step}`, { interface: s.interface as InterfaceKind, step: s.step, args: s.args, priority: s.priority })
  }
  return [...out.values()]
}
