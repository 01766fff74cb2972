import Fastify, { LogController } from 'fastify'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import { MAX_VERSION, MIN_MINOR, MIN_VERSION, negotiate, versionString } from './microversions.js'
import type { ApiVersion } from './microversions.js'
import { errorHandler, ironicErrorBody } from './errors.js'
import { registerRouteMetadata } from './route-meta.js'
import { FerrumError, ValidationError } from '../domain/errors.js'
import { ironicSchemaFailure } from './schema-errors.js'
import { schemaValidationError } from './validate.js'
import { isArgs, NO_ARGS, PATH_ARGS } from './args.js'
import { RouteTable } from './no-route.js'
import type { AppDeps } from './deps.js'
import { registerRootRoutes } from './routes/root.js'
import { registerNodeRoutes } from './routes/nodes.js'
import { registerNodeStateRoutes } from './routes/node-states.js'
import { registerNodeExtraRoutes } from './routes/node-extras.js'
import { ROUTE_PLUGINS } from './routes/index.js'

declare module 'fastify' {
  interface FastifyRequest {
    apiVersion: ApiVersion
  }
}

export interface BuildOptions {
  logger?: Logger | boolean
  /** Largest accepted request body; Ironic's default is about 1 MiB. */
  bodyLimit?: number
}

/**
 * Builds the API application without listening, so tests can `inject()` requests.
 * Every response carries the microversion headers; every error leaves in Ironic's body.
 */
export async function build(deps: AppDeps, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: typeof opts.logger === 'object' ? opts.logger : undefined,
    logger: typeof opts.logger === 'boolean' ? opts.logger : undefined,
    // Larger bodies are a 413 in Ironic's error body (Ironic itself stops at 112 KiB by default).
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    // Names are up to 255 characters; the router's default limit for a path segment is 100.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1024 },
    // Router-level rejections (malformed %-escapes, over-long segments) also leave in Ironic's body.
    frameworkErrors: (err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      const status = tooLong ? 414 : 400
      void reply.code(status).send(ironicErrorBody(`Invalid URL: ${tooLong ? 'a path segment is longer than 1024 characters' : 'it is not validly %-encoded'}.`, status, tooLong ? 'FERRUM_URL_TOO_LONG' : 'FERRUM_BAD_PATH'))
    },
    logController: new LogController({ disableRequestLogging: true }),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance

  // Accept JSON whatever the Content-Type says (some clients send none); bad JSON is a 400.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body)
    if (text.trim() === '') return done(null, undefined)
    try {
      done(null, JSON.parse(text))
    } catch (e) {
      done(new ValidationError(`Request body is not valid JSON: ${(e as Error).message}. Send a JSON document.`, { code: 'FERRUM_INVALID_JSON' }), undefined)
    }
  })

  // One validator for every schema: Ferrum's, worded as Ironic's (src/api/schema-errors.ts). A body
  // schema names its Ironic document with the `ironicName` option ("Schema error for node: …").
  app.setValidatorCompiler(({ schema }) => (data: unknown) => {
    // Query strings and path parameters: checked by the route-metadata hook, in Ironic's order
    // (unexpected arguments before a bad path parameter; Fastify checks params first).
    if (isArgs(schema)) return { value: data }
    const name = (schema as { ironicName?: string }).ironicName ?? 'body'
    // An empty body is an empty document, as Ironic reads it.
    const f = ironicSchemaFailure(schema, data === undefined ? {} : data, { style: 'schema', name })
    return f === null ? { value: data } : { error: schemaValidationError(f.message, f.field) }
  })

  app.decorateRequest('apiVersion', null as unknown as ApiVersion)
  app.addHook('onRequest', async (req: FastifyRequest, reply) => {
    void reply.header('X-OpenStack-Ironic-API-Minimum-Version', MIN_VERSION)
    void reply.header('X-OpenStack-Ironic-API-Maximum-Version', MAX_VERSION)
    try {
      req.apiVersion = negotiate(req.headers)
    } catch (e) {
      const path = req.url.split('?')[0] ?? ''
      // Ironic's root document does not look at the version header; below /v1/ its version hook
      // answers in webob's body, /v1 itself in the usual one.
      if (path === '/' || path === '') req.apiVersion = { minor: MIN_MINOR, defaulted: true }
      else if (path.startsWith('/v1/') && e instanceof FerrumError) throw new FerrumError(e.code, e.message, e.httpStatus, false, { details: { ...e.details, ferrum_pecan: e.message } })
      else throw e
    }
    const v = versionString(req.apiVersion)
    void reply.header('X-OpenStack-Ironic-API-Version', v)
    void reply.header('OpenStack-API-Version', `baremetal ${v}`)
    void reply.header('Vary', 'X-OpenStack-Ironic-API-Version, OpenStack-API-Version')
  })
  registerRouteMetadata(app)
  // A route takes only the query arguments it declares (none unless it says so), as in Ironic;
  // the identifiers of the main resources in its path are checked with Ironic's validators.
  const routes = new RouteTable()
  app.addHook('onRoute', (route) => {
    routes.add(route)
    if ((route.config as { anyArgs?: boolean } | undefined)?.anyArgs) return
    const params = route.schema?.params ?? PATH_ARGS.find(([prefix]) => route.url.startsWith(prefix))?.[1](route.url)
    route.schema = { ...route.schema, querystring: route.schema?.querystring ?? NO_ARGS, ...(params ? { params } : {}) }
  })
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler((req, reply) => routes.answer(req, reply))

  registerRootRoutes(app, deps)
  registerNodeRoutes(app, deps)
  registerNodeStateRoutes(app, deps)
  registerNodeExtraRoutes(app, deps)
  for (const plugin of ROUTE_PLUGINS) plugin(app, deps)
  await app.ready()
  return app
}
