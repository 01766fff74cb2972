import type { FastifyInstance, FastifyRequest } from 'fastify'
import { takes } from '../args.js'
import { DEPLOY_TEMPLATE_LIST_ARGS, SHOW_ARGS } from '../schemas/query.js'
import type { AppDeps } from '../deps.js'
import type { DeployTemplateRecord } from '../../db/repos/deploy-templates.js'
import { DEPLOY_TEMPLATE_SORT_KEYS } from '../../db/repos/deploy-templates.js'
import { baseUrl } from '../links.js'
import { checkSortKey, listFields, parseFields } from '../collection.js'
import { nextLink, qpaging, qstr } from '../query.js'
import type { Query } from '../query.js'
import { ValidationError } from '../../domain/errors.js'
import { check, checkTrait, checkUuid } from '../validate.js'
import { applyPatch, parsePatch } from '../json-patch.js'
import { DeployTemplateBody, DeployTemplatePatched, normaliseDeploySteps } from '../schemas/deploy-template.js'
import { DEPLOY_TEMPLATE_DEFAULT_FIELDS, DEPLOY_TEMPLATE_FIELDS, DEPLOY_TEMPLATE_UNSORTABLE, deployTemplateView } from '../views/deploy-template.js'
import { MAX_LIMIT } from './nodes.js'

/** Deploy templates: a trait name and the deploy steps that nodes deployed with it run. */
/** Deploy templates appeared in 1.55: before that, reads are 404 and writes 405. */
const TEMPLATES = { config: { since: 'deploy_templates', tooOld: 'hidden', what: 'Deploy templates', pecan: 'The API version does not allow deploy templates' } } as const

export function registerDeployTemplateRoutes(app: FastifyInstance, deps: AppDeps): void {
  type T = { Params: { template: string } }
  const list = (detailPath: boolean) => async (req: FastifyRequest) => {
    const q = req.query as Query
    const fields = listFields(req, q, DEPLOY_TEMPLATE_FIELDS, DEPLOY_TEMPLATE_DEFAULT_FIELDS, detailPath)
    checkSortKey(req, q, DEPLOY_TEMPLATE_FIELDS, DEPLOY_TEMPLATE_UNSORTABLE)
    const { limit, sortKey, sortDir } = qpaging(q, DEPLOY_TEMPLATE_SORT_KEYS, MAX_LIMIT)
    const markerIdent = qstr(q, 'marker')
    const marker = markerIdent === undefined ? undefined : await deps.store.deployTemplates.getByIdent(checkUuid(markerIdent, 'marker'))
    const items = await deps.store.deployTemplates.list({ limit, sortKey, sortDir, marker: marker as (DeployTemplateRecord & Record<string, unknown>) | undefined })
    const base = baseUrl(req, deps)
    const out: Record<string, unknown> = { deploy_templates: items.map((t) => deployTemplateView(t, base, req.apiVersion, fields)) }
    const next = nextLink(base, detailPath ? 'deploy_templates/detail' : 'deploy_templates', q, limit, items.length, items.at(-1)?.uuid)
    if (next) out.next = next
    return out
  }
  app.get('/v1/deploy_templates', takes(DEPLOY_TEMPLATE_LIST_ARGS, TEMPLATES), list(false))
  app.get('/v1/deploy_templates/detail', takes(DEPLOY_TEMPLATE_LIST_ARGS, TEMPLATES), list(true))

  app.post('/v1/deploy_templates', TEMPLATES, async (req, reply) => {
    // Ironic's jsonschema text for an empty step list, before Ferrum's own schema check.
    const steps = (req.body as { steps?: unknown } | null)?.steps
    if (Array.isArray(steps) && steps.length === 0) throw new ValidationError('Schema error for template: [] is too short', { details: { ferrum_remedy: 'A deploy template needs at least one step.' } })
    const body = check(DeployTemplateBody, req.body, 'template')
    const t = await deps.store.deployTemplates.create({
      uuid: body.uuid ? checkUuid(body.uuid, 'uuid') : undefined,
      name: checkTrait(body.name, 'template'),
      extra: body.extra ?? {},
      steps: normaliseDeploySteps(body.steps),
    })
    const base = baseUrl(req, deps)
    void reply.code(201).header('Location', `${base}/v1/deploy_templates/${t.uuid}`)
    return deployTemplateView(t, base, req.apiVersion)
  })

  app.get<T>('/v1/deploy_templates/:template', takes(SHOW_ARGS, TEMPLATES), async (req) => {
    const fields = parseFields(req, req.query as Query, DEPLOY_TEMPLATE_FIELDS)
    return deployTemplateView(await deps.store.deployTemplates.getByIdent(req.params.template), baseUrl(req, deps), req.apiVersion, fields)
  })

  app.patch<T>('/v1/deploy_templates/:template', TEMPLATES, async (req) => {
    const t = await deps.store.deployTemplates.getByIdent(req.params.template)
    const ops = parsePatch(req.body, new Set(['uuid', 'created_at', 'updated_at', 'links']), ['extra', 'name', 'steps', 'description'])
    const before = { name: t.name, steps: t.steps, extra: t.extra }
    const after = applyPatch(before, ops, ['extra', 'name', 'steps', 'description'])
    const doc = check(DeployTemplatePatched, after, 'patch')
    const updated = await deps.store.deployTemplates.update(t.id, {
      name: checkTrait(doc.name, 'patch'), extra: doc.extra ?? {}, steps: normaliseDeploySteps(doc.steps),
    })
    return deployTemplateView(updated, baseUrl(req, deps), req.apiVersion)
  })

  app.delete<T>('/v1/deploy_templates/:template', TEMPLATES, async (req, reply) => {
    const t = await deps.store.deployTemplates.getByIdent(req.params.template)
    await deps.store.deployTemplates.delete(t.id)
    void reply.code(204)
  })
}
