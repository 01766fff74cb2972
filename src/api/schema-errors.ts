/**
 * Ironic's wording for bad input, produced from Ferrum's TypeBox (JSON Schema) schemas. Ironic
 * words schema failures in two ways, and clients and scripts match both by pattern:
 *
 * - `schema` style (resources validated with jsonschema: nodes, ports, allocations, templates…):
 *   `Schema error for node: 12 is not of type 'string', 'null'`, the text python-jsonschema
 *   gives for the most relevant error, plus `. Possible root cause: …` for anyOf failures;
 * - `args` style (the argument checks of states, boot device, maintenance, heartbeat):
 *   `Missing mandatory parameter: target`, `Unexpected arguments: banana`, `Expected string for
 *   reason: 5`, `Invalid persistent: Unrecognized value 'maybe', acceptable values are: …`.
 *
 * A TypeBox union of plain types (`String | Null`) stands for jsonschema's type list
 * (`['string', 'null']`) and a union of literals for `enum`, so the texts come out as Ironic's.
 * Malformed UUIDs (`format: uuid`) are reported after the schema passes, as Ironic's uuid
 * validator does: `Expected UUID for chassis_uuid: banana`.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { TSchema } from '@sinclair/typebox'
import { ValidationError } from '../domain/errors.js'
import { pyRepr } from './py-repr.js'

/** Compiled checks of the TypeBox schemas: the valid case (nearly every request) costs no walk. */
const compiled = new WeakMap<object, ((v: unknown) => boolean) | null>()
function fastCheck(schema: object): ((v: unknown) => boolean) | null {
  let c = compiled.get(schema)
  if (c === undefined) {
    try {
      const k = TypeCompiler.Compile(schema as TSchema)
      c = (v: unknown) => k.Check(v)
    } catch {
      c = null // not a TypeBox schema: always walk
    }
    compiled.set(schema, c)
  }
  return c
}

type Schema = Record<string, unknown> & {
  type?: string | string[]
  anyOf?: Schema[]
  properties?: Record<string, Schema>
  patternProperties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  items?: Schema
  const?: unknown
  enum?: unknown[]
  format?: string
}

interface SchemaError {
  /** python-jsonschema's message. */
  message: string
  /** The keyword that failed (jsonschema's `validator`). */
  keyword: string
  /** Where in the document (jsonschema's relative path). */
  path: (string | number)[]
  /** For anyOf: the errors of each branch. */
  context?: SchemaError[]
  /** args style: the field and the value. */
  field?: string
  value?: unknown
  schema: Schema
}

function jsonType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

function typeMatches(t: string, v: unknown): boolean {
  const j = jsonType(v)
  return t === j || (t === 'number' && j === 'integer')
}

/** The type of a branch for matching (plain or not). */
function branchType(s: Schema): string | null {
  return typeof s.type === 'string' ? s.type : null
}

/** All errors of `value` against `schema`, in jsonschema's order (type, values, items, properties, required, additional). */
function errorsOf(schema: Schema, value: unknown, path: (string | number)[]): SchemaError[] {
  const out: SchemaError[] = []
  const err = (keyword: string, message: string, extra: Partial<SchemaError> = {}): SchemaError => ({ keyword, message, path, schema, value, field: lastField(path), ...extra })
  if (schema.anyOf) return anyOfErrors(schema, value, path)
  if ('const' in schema) {
    // Ironic's schemas say enum where TypeBox says const.
    if (JSON.stringify(schema.const) !== JSON.stringify(value)) out.push(err('enum', `${pyRepr(value)} is not one of ${pyRepr([schema.const])}`))
    return out
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) out.push(err('enum', `${pyRepr(value)} is not one of ${pyRepr(schema.enum)}`))
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type]
  if (types.length > 0 && !types.some((t) => typeMatches(t, value))) {
    out.push(err('type', `${pyRepr(value)} is not of type ${types.map((t) => pyRepr(t)).join(', ')}`))
    return out
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) out.push(err('minLength', `${pyRepr(value)} is too short`))
    if (typeof schema.maxLength === 'number' && [...value].length > schema.maxLength) out.push(err('maxLength', `${pyRepr(value)} is too long`))
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) out.push(err('pattern', `${pyRepr(value)} does not match ${pyRepr(schema.pattern)}`))
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) out.push(err('minimum', `${pyRepr(value)} is less than the minimum of ${schema.minimum}`))
    if (typeof schema.maximum === 'number' && value > schema.maximum) out.push(err('maximum', `${pyRepr(value)} is greater than the maximum of ${schema.maximum}`))
  }
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => out.push(...errorsOf(schema.items!, item, [...path, i])))
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) out.push(err('minItems', `${pyRepr(value)} is too short`))
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) out.push(err('maxItems', `${pyRepr(value)} is too long`))
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>
    const props = schema.properties ?? {}
    for (const [k, s] of Object.entries(props)) if (Object.hasOwn(obj, k) && obj[k] !== undefined) out.push(...errorsOf(s, obj[k], [...path, k]))
    for (const [re, s] of Object.entries(schema.patternProperties ?? {})) {
      const r = new RegExp(re, 'u')
      for (const k of Object.keys(obj)) if (r.test(k) && !Object.hasOwn(props, k)) out.push(...errorsOf(s, obj[k], [...path, k]))
    }
    for (const k of schema.required ?? []) if (!Object.hasOwn(obj, k) || obj[k] === undefined) out.push(err('required', `${pyRepr(k)} is a required property`, { field: k }))
    if (schema.additionalProperties === false) {
      const pats = Object.keys(schema.patternProperties ?? {}).map((p) => new RegExp(p, 'u'))
      const extra = Object.keys(obj).filter((k) => !Object.hasOwn(props, k) && !pats.some((p) => p.test(k)))
      if (extra.length > 0) {
        out.push(err('additionalProperties', `Additional properties are not allowed (${extra.map((k) => pyRepr(k)).join(', ')} ${extra.length === 1 ? 'was' : 'were'} unexpected)`, { field: extra.join(', ') }))
      }
    }
  }
  return out
}

function anyOfErrors(schema: Schema, value: unknown, path: (string | number)[]): SchemaError[] {
  const branches = schema.anyOf!
  const contexts = branches.map((b) => errorsOf(b, value, path))
  if (contexts.some((c) => c.length === 0)) return []
  const base = { path, schema, value, field: lastField(path) }
  // A union of literals is jsonschema's enum.
  if (branches.every((b) => 'const' in b)) return [{ ...base, keyword: 'enum', message: `${pyRepr(value)} is not one of ${pyRepr(branches.map((b) => b.const))}` }]
  // A union of types stands for a type list: the branch of the value's type decides.
  const types = branches.map(branchType)
  if (types.every((t) => t !== null)) {
    const same = branches.filter((b) => typeMatches(b.type as string, value))
    if (same.length === 1) return errorsOf(same[0]!, value, path)
    // (Ironic's schemas say `type: ['string', 'null']` with constraints beside it; a value of none
    // of the types fails the type list before any constraint.)
    if (same.length === 0 && new Set(types).size === types.length) {
      return [{ ...base, schema: { type: types as string[] }, keyword: 'type', message: `${pyRepr(value)} is not of type ${types.map((t) => pyRepr(t)).join(', ')}` }]
    }
  }
  return [{ ...base, keyword: 'anyOf', message: `${pyRepr(value)} is not valid under any of the given schemas`, context: contexts.flat() }]
}

function lastField(path: (string | number)[]): string | undefined {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return path[i] as string
  return undefined
}

const WEAK = new Set(['anyOf', 'oneOf'])
type Key = [number, number, number]
/** Whether the value has the type the failing schema names (jsonschema's _matches_type). */
function matchesType(e: SchemaError): boolean {
  const t = e.schema.type
  if (t === undefined) return false
  return (Array.isArray(t) ? t : [t]).some((x) => typeMatches(x, e.value))
}
/** jsonschema's relevance: shallower, not weak, and (oddly) a schema of another type first. */
const keyOf = (e: SchemaError, base: number): Key => [-(e.path.length - base), WEAK.has(e.keyword) ? 0 : 1, matchesType(e) ? 0 : 1]
const cmp = (a: Key, b: Key) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]

/** python-jsonschema's best_match: the shallowest, strongest error; into anyOf while it decides. */
function bestMatch(errors: SchemaError[], base = 0): SchemaError | undefined {
  let best: SchemaError | undefined
  for (const e of errors) if (!best || cmp(keyOf(e, base), keyOf(best, base)) > 0) best = e
  while (best?.context && best.context.length > 0) {
    const depth = best.path.length
    const sorted = [...best.context].sort((a, b) => cmp(keyOf(a, depth), keyOf(b, depth)))
    if (sorted.length >= 2 && cmp(keyOf(sorted[0]!, depth), keyOf(sorted[1]!, depth)) === 0) return best
    best = sorted[0]
  }
  return best
}

function uuidErrors(schema: Schema, value: unknown, path: (string | number)[]): SchemaError | undefined {
  if (schema.anyOf) {
    for (const b of schema.anyOf) {
      if (errorsOf(b, value, path).length === 0) return uuidErrors(b, value, path)
    }
    return undefined
  }
  if (schema.format === 'uuid' && typeof value === 'string' && !UUID.test(value)) {
    return { keyword: 'format', message: `Expected UUID for ${lastField(path) ?? 'uuid'}: ${value}`, path, schema, value, field: lastField(path) }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, s] of Object.entries(schema.properties ?? {})) {
      const v = (value as Record<string, unknown>)[k]
      if (v === undefined) continue
      const e = uuidErrors(s, v, [...path, k])
      if (e) return e
    }
  }
  if (Array.isArray(value) && schema.items) {
    for (let i = 0; i < value.length; i++) {
      const e = uuidErrors(schema.items, value[i], [...path, i])
      if (e) return e
    }
  }
  return undefined
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i

/** How a validation failure is worded: Ironic's jsonschema text under a name, or its argument checks. */
export type Wording = { style: 'schema'; name: string } | { style: 'prefix'; prefix: string } | { style: 'args' }

/** A refusal: Ironic's text, and where in the document (for Ferrum's `ferrum_field`). */
export interface SchemaFailure {
  message: string
  field: string
}

const where = (e: SchemaError) => [...e.path, ...(e.keyword === 'required' || e.keyword === 'additionalProperties' ? [e.field ?? ''] : [])].join('.')

/** Ironic's text for `value` against `schema`, and the path it is about, or null when it is valid. */
export function ironicSchemaFailure(schema: unknown, value: unknown, wording: Wording): SchemaFailure | null {
  const s = schema as Schema
  if (fastCheck(s)?.(value)) return null
  const errors = errorsOf(s, value, [])
  if (errors.length === 0) {
    const u = uuidErrors(s, value, [])
    return u ? { message: u.message, field: where(u) } : null
  }
  const best = bestMatch(errors)!
  if (wording.style === 'args') return { message: argsText(errors), field: where(errors[0]!) }
  return { message: schemaText(best, wording.style === 'schema' ? `Schema error for ${wording.name}: ` : wording.prefix), field: where(best) }
}

/** Ironic's text for `value` against `schema`, or null when it is valid. */
export function ironicSchemaError(schema: unknown, value: unknown, wording: Wording): string | null {
  return ironicSchemaFailure(schema, value, wording)?.message ?? null
}

/** jsonschema's message of the best error after `prefix`, with Ironic's "Possible root cause". */
function schemaText(best: SchemaError, prefix: string): string {
  let msg = `${prefix}${best.message}`
  let current: SchemaError | undefined = best
  let cause: string | null = null
  while (current?.context && current.context.length > 0) {
    current = bestMatch(current.context, current.path.length)
    cause = current?.message ?? null
  }
  if (cause !== null) msg += `. Possible root cause: ${cause}`
  return msg
}

const TRUE_WORDS = new Set(['1', 't', 'true', 'on', 'y', 'yes'])
const FALSE_WORDS = new Set(['0', 'f', 'false', 'off', 'n', 'no'])

/** Ironic's refusal of a value that is not a boolean (oslo's strict bool_from_string). */
function boolText(field: string, v: string): string {
  return `Invalid ${field}: Unrecognized value ${pyRepr(v)}, acceptable values are: ${BOOL_WORDS}`
}

/** A boolean as Ironic reads one (strings such as "yes" included), or its 400. */
export function ironicBool(v: unknown, field: string): boolean | null | undefined {
  if (v === undefined || v === null || typeof v === 'boolean') return v
  const l = String(v).trim().toLowerCase()
  if (TRUE_WORDS.has(l)) return true
  if (FALSE_WORDS.has(l)) return false
  throw new ValidationError(boolText(field, String(v)), { details: { ferrum_remedy: 'Use true or false.' } })
}

const PY_CLASS: Record<string, string> = { null: 'NoneType', object: 'dict', string: 'str', array: 'list', integer: 'int', number: 'float', boolean: 'bool' }
const BOOL_WORDS = "'0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"

/** The text of Ironic's argument validators (common/args.py) for the first error. */
function argsText(errors: SchemaError[]): string {
  const required = errors.filter((e) => e.keyword === 'required')
  if (required.length > 0) return `Missing mandatory parameter: ${required[0]!.field}`
  const extra = errors.find((e) => e.keyword === 'additionalProperties')
  if (extra) return `Unexpected arguments: ${extra.field}`
  const e = errors[0]!
  const field = e.field ?? 'body'
  const str = typeof e.value === 'string' ? e.value : pyRepr(e.value)
  const types = e.schema.anyOf ? e.schema.anyOf.map((b) => b.type).filter((t): t is string => typeof t === 'string') : [e.schema.type].flat().filter((t): t is string => typeof t === 'string')
  const real = types.filter((t) => t !== 'null')
  if (real.length === 1 && real[0] === 'boolean') return boolText(field, str)
  if (real.length === 1 && real[0] === 'string') return `Expected string for ${field}: ${str}`
  if (real.length === 1 && real[0] === 'integer' && e.keyword === 'type') return `Expected an integer for ${field}: ${str}`
  if (types.length > 1 && e.keyword === 'type') {
    const classes = [...new Set(types.map((t) => `<class '${PY_CLASS[t] ?? t}'>`))].sort()
    return `Expected types ${classes.join(', ')} for ${field}: ${str}`
  }
  return `Invalid ${field}: ${e.message}`
}
