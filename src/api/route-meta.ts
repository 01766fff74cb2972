/**
 * Route metadata: each route declares, in its Fastify route options, the microversion feature it
 * appeared with and what an older request gets (`config: { since, tooOld, what, policy }`), and
 * one hook enforces it before the handler runs. Checks that depend on the request (a body field,
 * a filter, a provision target newer than the route) use {@link requireVersion} /
 * {@link requireMinor}. This is the only module that builds the "API version too old" errors.
 *
 * `policy` names Ironic's policy rule for the route's action (`baremetal:node:get`, …); it is
 * recorded now so that the tenants work can enforce it in the same hook.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { FerrumError, NotAcceptableError, NotFoundError } from '../domain/errors.js'
import { allows, FEATURES, versionString } from './microversions.js'
import type { Feature } from './microversions.js'
import { checkArgs, checkRouterArgs, isArgs } from './args.js'

/**
 * What a request older than the route's feature gets:
 * - `absent`: 404, the path does not exist at that version (Ironic's HTTPNotFound);
 * - `hidden`: 404 for reads and 405 for writes (Ironic's allocations, deploy templates, runbooks);
 * - `not-allowed`: 405 (a method added later to an existing resource);
 * - `not-acceptable`: 406 (an action or sub-resource of an existing resource).
 */
export type TooOld = 'absent' | 'hidden' | 'not-allowed' | 'not-acceptable'

/** The metadata a route declares in `config`. */
export interface RouteMeta {
  /** The FEATURES entry (microversion) the route appeared with. */
  since?: Feature
  /** What an older request gets; default `absent`. */
  tooOld?: TooOld
  /** What the route serves, for the error message ("VIFs", "node traits"…). */
  what?: string
  /** Ironic's router-level error description, when its gate answers webob's body (see below). */
  pecan?: string
  /** Ironic's policy rule name for the route's action. */
  policy?: string
}

declare module 'fastify' {
  interface FastifyContextConfig {
    since?: Feature
    tooOld?: TooOld
    what?: string
    /**
     * Ironic answers this gate from its router, before its own error formatting: the error body
     * is webob's {"code", "title", "description"} with this description.
     */
    pecan?: string
    policy?: string
    /** The route takes any query arguments (files served to boot firmware), not only declared ones. */
    anyArgs?: boolean
  }
}

/**
 * The error for a request whose version is older than `feature` (or than 1.`feature` when given
 * as a number; null when the version is not known here).
 */
export function tooOldError(req: FastifyRequest, feature: Feature | number | null, what: string, answer: TooOld = 'not-acceptable', pecan?: string): FerrumError {
  const asked = versionString(req.apiVersion)
  const minor = typeof feature === 'number' ? feature : feature === null ? null : FEATURES[feature]
  const need = minor === null ? `newer than ${asked}` : `${versionString(minor)} or newer`
  const text = `${what} requires API version ${need}; the request asked for ${asked}. Send a higher X-OpenStack-Ironic-API-Version.`
  const code = 'API_VERSION_TOO_OLD'
  const status = answer === 'not-acceptable' ? 406 : answer === 'not-allowed' || (answer === 'hidden' && req.method !== 'GET') ? 405 : 404
  // Ironic's words first; what is missing and how to ask for it in ferrum_remedy.
  const details = { ferrum_remedy: text, ...(pecan !== undefined ? { ferrum_pecan: pecan } : {}) }
  if (status === 404) return new NotFoundError('Resource could not be found.', { code, details })
  if (status === 406) return new NotAcceptableError(`Request not acceptable.${minor === null ? '' : ` The minimal required API version should be ${versionString(minor)}`}`, { code, details })
  return new FerrumError(code, 'Method not allowed.', 405, false, { details })
}

/** Throws unless the request's version has `feature` (406 by default). */
export function requireVersion(req: FastifyRequest, feature: Feature, what: string, answer: TooOld = 'not-acceptable'): void {
  if (!allows(req.apiVersion, feature)) throw tooOldError(req, feature, what, answer)
}

/** Throws 406 unless the request's version is at least 1.`minor` (for tables keyed by minor). */
export function requireMinor(req: FastifyRequest, minor: number, what: string): void {
  if (req.apiVersion.minor < minor) throw tooOldError(req, minor, what)
}

/**
 * Installs the one hook that enforces every route's `since`/`tooOld` and checks its declared
 * arguments (query string and path parameters, src/api/args.ts).
 */
export function registerRouteMetadata(app: FastifyInstance): void {
  app.addHook('preValidation', async (req: FastifyRequest) => {
    const meta = req.routeOptions.config as RouteMeta | undefined
    const { params, querystring } = req.routeOptions.schema ?? {}
    // Ironic's order: its router checks the node's identifier, then the version, then the
    // method's argument checks run.
    if (isArgs(params)) checkRouterArgs(params, req.params)
    if (meta?.since && !allows(req.apiVersion, meta.since)) throw tooOldError(req, meta.since, meta.what ?? 'This resource', meta.tooOld ?? 'absent', meta.pecan)
    if (isArgs(querystring)) req.query = checkArgs(querystring, req.query, isArgs(params) ? { schema: params, values: req.params } : undefined)
  })
}
