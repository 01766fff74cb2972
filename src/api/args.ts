/**
 * Query strings and path parameters, declared per route as schemas (Fastify's `querystring` and
 * `params`) and checked by the route-metadata hook (route-meta.ts) with Ironic's argument rules (its common/args.py): every route
 * names the arguments it takes and Ironic's validator for each (`uuid`, `uuid_or_name`,
 * `boolean`, `integer`, `mac_address`, `string`, `string_list`, `name`). Anything else is
 * `Unexpected arguments: a, b`; a bad value gets Ironic's text (`Expected UUID for marker: x`,
 * `Expected an integer for limit: abc`, `Invalid detail: Unrecognized value …`), and a repeated
 * argument is a list, refused as Ironic refuses it (`Expected string for fields: ['a', 'b']`).
 *
 * Valid values come out typed: booleans as booleans, integers as numbers, the rest as strings.
 */
import { Type } from '@sinclair/typebox'
import type { TObject, TOptional, TSchema, TUnsafe } from '@sinclair/typebox'
import { ValidationError } from '../domain/errors.js'
import type { ErrorCode } from '../domain/error-codes.js'
import { isUuid } from '../domain/ident.js'
import { ironicBool } from './schema-errors.js'
import { pyRepr } from './py-repr.js'
import { isNameSyntax } from './validate.js'

/** Ironic's argument validators by name. */
export type ArgKind = 'string' | 'string_list' | 'boolean' | 'integer' | 'uuid' | 'uuid_or_name' | 'name' | 'mac_address'

interface ArgSchema {
  ironicArg: ArgKind
  /** The name Ironic's text uses when it differs from the key (path parameters: `port_uuid`). */
  ironicName?: string
  /** Ironic refuses this one from its router: webob's error body. */
  pecan?: boolean
}

type Arg = TOptional<TUnsafe<unknown>>

/** One argument of a route, with Ironic's validator. */
export function arg(kind: ArgKind, opts: { ironicName?: string; pecan?: boolean } = {}): Arg {
  return Type.Optional(Type.Unsafe<unknown>({ ironicArg: kind, ...opts } satisfies ArgSchema))
}

/** A path parameter (always present), with Ironic's validator and name. */
export function pathArg(kind: ArgKind, ironicName: string, opts: { pecan?: boolean } = {}): TUnsafe<string> {
  return Type.Unsafe<string>({ ironicArg: kind, ironicName, ...opts } satisfies ArgSchema)
}

/** The arguments a route takes, in Ironic's signature order (the first bad one is reported). */
export function args<P extends Record<string, TSchema>>(props: P): TObject<P> {
  return Type.Object(props, { additionalProperties: false, ironicArgs: true })
}

/** A route that takes no query arguments (the default for every route without its own). */
export const NO_ARGS = args({})

/** Whether a schema is an argument list made by {@link args}. */
export function isArgs(schema: unknown): schema is TObject & { ironicArgs: true } {
  return typeof schema === 'object' && schema !== null && (schema as { ironicArgs?: unknown }).ironicArgs === true
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/
const INT_RE = /^\s*[-+]?\d+\s*$/

/** `%s` of a value in Python: strings as they are, lists as their repr. */
function shown(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v)
}

const REMEDY: Partial<Record<ArgKind, string>> = {
  uuid: 'A UUID looks like 1be26c0b-03f2-4d2e-ae87-c02d7f33c123.',
  uuid_or_name: 'Give a UUID or a name of letters, digits and -._~.',
  name: 'A name may contain only letters, digits and -._~.',
  integer: 'Use a whole number.',
  mac_address: 'A MAC address looks like 52:54:00:12:34:56.',
  string: 'Give the argument once.',
  string_list: 'Give one comma-separated value, once.',
}

const CODE: Partial<Record<ArgKind, ErrorCode>> = { uuid: 'FERRUM_INVALID_UUID', uuid_or_name: 'FERRUM_INVALID_IDENT', name: 'FERRUM_INVALID_IDENT', mac_address: 'FERRUM_INVALID_MAC' }

/** Ironic's validator `kind` applied to `value`: the typed value, or its ValidationError. */
export function readArg(kind: ArgKind, name: string, value: unknown): unknown {
  const code = CODE[kind]
  const refuse = (text: string) => new ValidationError(text, { ...(code ? { code } : {}), details: { ferrum_field: name, ...(REMEDY[kind] ? { ferrum_remedy: REMEDY[kind] } : {}) } })
  switch (kind) {
    case 'boolean':
      // oslo's bool_from_string reads the str() of anything that is not a string.
      return ironicBool(typeof value === 'string' || typeof value === 'boolean' ? value : shown(value), name)
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value
      if (typeof value !== 'string' || !INT_RE.test(value)) throw refuse(`Expected an integer for ${name}: ${shown(value)}`)
      return Number(value)
    case 'uuid':
      if (typeof value !== 'string' || !isUuid(value)) throw refuse(`Expected UUID for ${name}: ${shown(value)}`)
      return value
    case 'uuid_or_name':
      if (typeof value !== 'string' || !(isNameSyntax(value) || isUuid(value))) throw refuse(`Expected UUID or name for ${name}: ${shown(value)}`)
      return value
    case 'name':
      if (typeof value !== 'string' || !isNameSyntax(value)) throw refuse(`Expected name for ${name}: ${shown(value)}`)
      return value
    case 'mac_address':
      if (typeof value !== 'string' || !MAC_RE.test(value.toLowerCase())) throw refuse(`Expected valid MAC address for ${name}: ${shown(value)}`)
      return value.toLowerCase()
    case 'string':
    case 'string_list':
      if (typeof value !== 'string') throw refuse(`Expected string for ${name}: ${shown(value)}`)
      return value
  }
}

/** Checks the arguments of `schema` present in `given`, in declared order, into `out`. */
function checkEach(schema: TObject, given: Record<string, unknown>, out: Record<string, unknown>, which: 'pecan' | 'plain' | 'all'): void {
  for (const [key, s] of Object.entries(schema.properties as unknown as Record<string, ArgSchema>)) {
    if (given[key] === undefined || (which === 'pecan' && !s.pecan) || (which === 'plain' && s.pecan)) continue
    try {
      out[key] = readArg(s.ironicArg, s.ironicName ?? key, given[key])
    } catch (e) {
      if (s.pecan && e instanceof ValidationError) throw new ValidationError(e.message, { code: e.code, details: { ...e.details, ferrum_pecan: e.message } })
      throw e
    }
  }
}

function asRecord(data: unknown): Record<string, unknown> {
  return data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {}
}

/**
 * The path parameters Ironic checks in its router, before anything else (a node's or port
 * group's identifier: `Expected UUID or name for node: !@#`, in webob's body).
 */
export function checkRouterArgs(params: TObject, values: unknown): void {
  checkEach(params, asRecord(values), {}, 'pecan')
}

/**
 * Checks a request's arguments as Ironic's `args.validate` does: unexpected query names first,
 * then the path parameters, then each query argument in declared order.
 * @returns the typed query arguments
 * @throws ValidationError with Ironic's text
 */
export function checkArgs(query: TObject, data: unknown, path?: { schema: TObject; values: unknown }): Record<string, unknown> {
  const given = asRecord(data)
  const props = query.properties as unknown as Record<string, ArgSchema>
  const extra = Object.keys(given).filter((k) => !Object.hasOwn(props, k))
  if (extra.length > 0) {
    throw new ValidationError(`Unexpected arguments: ${extra.join(', ')}`, {
      code: 'FERRUM_UNEXPECTED_ARGUMENT',
      details: { ferrum_field: extra.join(', '), ferrum_remedy: `This request takes ${Object.keys(props).length === 0 ? 'no query arguments' : `only: ${Object.keys(props).join(', ')}`}.` },
    })
  }
  if (path) checkEach(path.schema, asRecord(path.values), {}, 'plain')
  const out: Record<string, unknown> = {}
  checkEach(query, given, out, 'all')
  return out
}

/**
 * The identifier Ironic checks for each resource path, by its parameter name here. (A port's
 * depends on the version, a name from 1.88 on: findPort checks it.)
 */
const PATH_PARAM: Record<string, Arg | TUnsafe<string>> = {
  node: pathArg('uuid_or_name', 'node', { pecan: true }),
  portgroup: pathArg('uuid_or_name', 'portgroup', { pecan: true }),
  chassis: pathArg('uuid', 'chassis_uuid'),
}

/**
 * A node's states, management and vendor passthru controllers check the identifier themselves,
 * as `node_ident`, after the unexpected arguments (Ironic's NodeStatesController & co.).
 */
const NODE_IDENT_CHECKED_BY_METHOD = /^\/v1\/nodes\/:node\/(states|management|vendor_passthru)(\/|$)/

/** Path parameters of a URL: the known identifiers with their validator, the rest any string. */
function pathArgsOf(url: string): TObject {
  const names = [...url.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!)
  const byMethod = NODE_IDENT_CHECKED_BY_METHOD.test(url)
  return args(Object.fromEntries(names.map((n) => [n, n === 'node' && byMethod ? pathArg('uuid_or_name', 'node_ident') : PATH_PARAM[n] ?? pathArg('string', n)])))
}

/** URL prefixes whose routes get their path parameters checked (see app.ts). */
export const PATH_ARGS: ReadonlyArray<readonly [string, (url: string) => TObject]> = [
  ['/v1/nodes/:node', pathArgsOf],
  ['/v1/portgroups/:portgroup', pathArgsOf],
  ['/v1/chassis/:chassis', pathArgsOf],
]

/** Route options that take `querystring` as the route's query arguments (merged into `opts`). */
export function takes<O extends object>(querystring: TObject, opts?: O): O & { schema: { querystring: TObject } } {
  const schema = (opts as { schema?: Record<string, unknown> } | undefined)?.schema
  return { ...(opts ?? ({} as O)), schema: { ...schema, querystring } }
}
