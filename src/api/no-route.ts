/**
 * What a request that matches no route gets, as Ironic's router answers it: a method the path
 * does not take is a 405, DELETE or PATCH of a collection is Ironic's missing identifier, and an
 * unknown path is webob's 404 (an empty description; Ferrum's words in ferrum_remedy).
 */
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import { ironicErrorBody } from './errors.js'

/** The identifier argument Ironic's collection controllers name, for DELETE/PATCH without one. */
const ITEM_ARG: Record<string, string> = {
  '/v1/nodes': 'node_ident', '/v1/ports': 'port_uuid', '/v1/portgroups': 'portgroup_ident', '/v1/chassis': 'chassis_uuid',
  '/v1/allocations': 'allocation_ident', '/v1/deploy_templates': 'template_ident', '/v1/runbooks': 'runbook_ident',
  '/v1/volume/connectors': 'connector_uuid', '/v1/volume/targets': 'target_uuid',
}

/** The routes of an app, by pattern, to tell a wrong method from an unknown path. */
export class RouteTable {
  readonly #routes: { re: RegExp; methods: Set<string> }[] = []

  add(route: RouteOptions): void {
    const re = new RegExp(`^${route.url.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+').replace(/\*/g, '.*')}/?$`)
    const methods = [route.method].flat().map((m) => String(m).toUpperCase())
    const row = this.#routes.find((r) => r.re.source === re.source)
    if (row) for (const m of methods) row.methods.add(m)
    else this.#routes.push({ re, methods: new Set(methods) })
  }

  /** The methods the path takes (empty: no route has the path). */
  methodsOf(path: string): string[] {
    return [...new Set(this.#routes.filter((r) => r.re.test(path)).flatMap((r) => [...r.methods]))]
  }

  /** The not-found handler of the app. */
  answer(req: FastifyRequest, reply: FastifyReply): void {
    const path = (req.url.split('?')[0] ?? '').replace(/\/+$/, '') || '/'
    const allowed = this.methodsOf(path)
    const what = `${req.method} ${path}`
    if (allowed.length > 0 && !allowed.includes(req.method)) {
      const item = ITEM_ARG[path]
      if (item && (req.method === 'DELETE' || req.method === 'PATCH')) {
        void reply.code(400).send(ironicErrorBody(`Missing mandatory parameter: ${item}`, 400, 'FERRUM_MISSING_PARAMETER', { ferrum_remedy: `${req.method} needs one resource: ${path}/<identifier>.` }))
        return
      }
      void reply.code(405).header('Allow', allowed.join(', ')).send(ironicErrorBody('Method Not Allowed', 405, 'FERRUM_METHOD_NOT_ALLOWED', { ferrum_pecan: '', ferrum_remedy: `${path} takes ${allowed.join(', ')}, not ${req.method}.` }))
      return
    }
    void reply.code(404).send(ironicErrorBody(`The resource could not be found: ${what}.`, 404, 'FERRUM_NO_ROUTE', { ferrum_pecan: '', ferrum_remedy: `The resource could not be found: ${what}.` }))
  }
}
