import type { DeployTemplateRecord } from '../../db/repos/deploy-templates.js'
import type { ApiVersion } from '../microversions.js'
import type { FieldTable } from '../collection.js'
import { pickFields } from '../collection.js'
import { selfLinks } from '../links.js'

/** Deploy template fields in display order (all there since 1.55). */
export const DEPLOY_TEMPLATE_FIELDS: FieldTable = [
  ['uuid', null], ['name', null], ['steps', null], ['extra', null], ['created_at', null], ['updated_at', null], ['links', null],
]
export const DEPLOY_TEMPLATE_DEFAULT_FIELDS = ['uuid', 'name'] as const
export const DEPLOY_TEMPLATE_UNSORTABLE = ['extra', 'steps', 'links'] as const

export function deployTemplateView(t: DeployTemplateRecord, base: string, v: ApiVersion, fields?: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    uuid: t.uuid, name: t.name, extra: t.extra, created_at: t.created_at, updated_at: t.updated_at,
    steps: t.steps.map((s) => ({ interface: s.interface, step: s.step, args: s.args, priority: s.priority })),
    links: selfLinks(base, `deploy_templates/${t.uuid}`),
  }
  return pickFields(all, DEPLOY_TEMPLATE_FIELDS, v, fields)
}
