import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.js'
import { requestContext } from '../context.js'
import { ValidationError } from '../../domain/errors.js'
import { baseUrl, selfLinks } from '../links.js'
import { findNode } from '../node-lookup.js'
import { check } from '../validate.js'

/** Indicator states as the API spells them; drivers use the lower-case forms. */
// NOTE: Ironic's wire values are lower case (ironic/common/indicator_states.py); input is accepted in any case.
const STATES = ['off', 'on', 'blinking', 'unknown'] as const

const StateBody = Type.Object({ state: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false })

/**
 * Splits Ironic's `<indicator>@<component>` id at the first "@".
 * @throws ValidationError when either part is missing
 */
export function parseIndicatorId(id: string): { name: string; component: string } {
  const at = id.indexOf('@')
  if (at <= 0 || at === id.length - 1) {
    throw new ValidationError(`Malformed indicator name "${id}": expected <indicator>@<component>, e.g. "led@system".`, { code: 'FERRUM_INVALID_INDICATOR' })
  }
  return { name: id.slice(0, at), component: id.slice(at + 1) }
}

/** `GET|PUT /v1/nodes/{node}/management/indicators[/{indicator}@{component}]` (1.63). */
/** Ironic's indicator API answers at every version (its controller has no version gate). */
const INDICATORS = { config: { what: 'Node indicators' } } as const

export function registerIndicatorRoutes(app: FastifyInstance, deps: AppDeps): void {
  type P = { Params: { node: string } }
  type PI = { Params: { node: string; indicator: string } }

  app.get<P>('/v1/nodes/:node/management/indicators', INDICATORS, async (req) => {
    const node = await findNode(deps, req, req.params.node)
    const base = baseUrl(req, deps)
    const indicators = (await deps.conductor.listIndicators(requestContext(req), node.uuid)).map((i) => {
      const id = `${i.name}@${i.component}`
      return {
        name: id,
        component: i.component,
        readonly: i.readonly,
        states: [...i.states],
        links: selfLinks(base, `nodes/${node.uuid}/management/indicators/${encodeURIComponent(id)}`),
      }
    })
    return { indicators }
  })

  app.get<PI>('/v1/nodes/:node/management/indicators/:indicator', INDICATORS, async (req) => {
    const { name, component } = parseIndicatorId(req.params.indicator)
    const node = await findNode(deps, req, req.params.node)
    return { state: await deps.conductor.getIndicatorState(requestContext(req), node.uuid, component, name) }
  })

  app.put<PI>('/v1/nodes/:node/management/indicators/:indicator', INDICATORS, async (req, reply) => {
    const { name, component } = parseIndicatorId(req.params.indicator)
    const body = check(StateBody, req.body, 'args')
    const state = body.state.toLowerCase()
    if (!(STATES as readonly string[]).includes(state)) {
      throw new ValidationError(`"${body.state}" is not an indicator state. Use one of: ${STATES.join(', ')}.`, { code: 'FERRUM_INVALID_INDICATOR_STATE' })
    }
    const node = await findNode(deps, req, req.params.node)
    await deps.conductor.setIndicatorState(requestContext(req), node.uuid, component, name, state)
    void reply.code(204)
  })
}
