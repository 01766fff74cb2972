import { TypeCompiler } from '@sinclair/typebox/compiler'
import { ValueErrorType } from '@sinclair/typebox/errors'
import type { TSchema, Static } from '@sinclair/typebox'
import { FormatRegistry } from '@sinclair/typebox'
import { ValidationError } from '../domain/errors.js'
import { truncate } from './errors.js'

const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (v) => UUID_FORMAT.test(v))

const cache = new WeakMap<TSchema, ReturnType<typeof TypeCompiler.Compile>>()

/**
 * Checks `value` against a TypeBox schema outside Fastify's body validation (patched documents,
 * nested arguments). Throws ValidationError naming the first bad field, its value and the rule.
 */
export function check<T extends TSchema>(schema: T, value: unknown, what = 'body'): Static<T> {
  let c = cache.get(schema)
  if (!c) {
    c = TypeCompiler.Compile(schema)
    cache.set(schema, c)
  }
  if (c.Check(value)) return value as Static<T>
  const err = c.Errors(value).First()
  if (!err) throw new ValidationError(`Invalid ${what}.`)
  const field = err.path.replace(/^\//, '').replace(/\//g, '.')
  if (err.type === ValueErrorType.ObjectAdditionalProperties) {
    // The path names the unexpected property itself (its value may be anything, null included).
    const extra = err.path.split('/').slice(1).map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~')).join('.')
    throw new ValidationError(`Unknown attribute(s) for ${what}: ${truncate(extra, 100)}. Remove them; see the API reference for the accepted fields.`)
  }
  // A malformed UUID gets Ironic's text (common/args.py's uuid check).
  const uuidError = [...c.Errors(value)].find((e) => e.path === err.path && (e.schema as { format?: string }).format === 'uuid')
  if (uuidError && typeof err.value === 'string') throw new ValidationError(`Expected UUID for ${field || what}: ${err.value}`, { details: { ferrum_remedy: 'A UUID looks like 1be26c0b-03f2-4d2e-ae87-c02d7f33c123.' } })
  const shown = JSON.stringify(err.value)
  throw new ValidationError(
    `Invalid input for field/attribute ${field || what}. Value: ${shown === undefined ? 'undefined' : truncate(shown, 200)}. ${err.message}`,
  )
}

/**
 * A value as Python's repr() shows it, for the texts Ironic's messages carry ('foo', True, None,
 * [] and {'op': 'remove', …}): clients and scripts match them by pattern.
 */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None'
  if (v === true) return 'True'
  if (v === false) return 'False'
  if (typeof v === 'number') return String(v)
  if (typeof v === 'string') return v.includes("'") && !v.includes('"') ? `"${v}"` : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`
  return String(v)
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** Canonical lower-case UUID, or a ValidationError naming the field. */
export function checkUuid(v: unknown, field: string): string {
  if (typeof v !== 'string' || !UUID_RE.test(v)) {
    // Ironic's text (common/args.py), then how a UUID looks.
    throw new ValidationError(`Expected UUID for ${field}: ${typeof v === 'string' ? v : JSON.stringify(v)}`, { details: { ferrum_remedy: 'A UUID looks like 1be26c0b-03f2-4d2e-ae87-c02d7f33c123.' } })
  }
  return v.toLowerCase()
}

const NAME_RE = /^[A-Za-z0-9\-._~]+$/
const NAME_RULE = 'A name may contain only letters, digits and -._~ (1-255 characters) and can not look like a UUID.'

/**
 * Ironic's node/port name rule (RFC 3986 unreserved characters, not UUID-like).
 * @param ironic Ironic's message for this resource and action, with NAME for the name (e.g.
 *   "Cannot create node with invalid name 'NAME'"); Ferrum's rule goes in ferrum_remedy
 */
export function checkName(v: unknown, field = 'name', ironic?: string): string | null {
  if (v === null || v === undefined) return null
  const refuse = () => ironic
    ? new ValidationError(ironic.replace('NAME', String(v)), { details: { ferrum_remedy: NAME_RULE } })
    : new ValidationError(`Invalid input for field/attribute ${field}. Value: ${truncate(JSON.stringify(v) ?? 'undefined', 100)}. ${NAME_RULE}`)
  if (typeof v !== 'string' || v.length === 0 || v.length > 255 || !NAME_RE.test(v)) throw refuse()
  if (ironic && (UUID_RE.test(v) || /^[0-9a-f]{32}$/i.test(v))) throw refuse()
  // Ironic's is_uuid_like also accepts the 32-digit form without dashes (lookups would take it for a UUID).
  if (UUID_RE.test(v) || /^[0-9a-f]{32}$/i.test(v)) throw new ValidationError(`Invalid input for field/attribute ${field}. Value: "${v}". A name can not look like a UUID.`)
  return v
}

const TRAIT_RE = /^[A-Z0-9_]+$/
const TRAIT_RULE = 'A trait is a standard trait name or CUSTOM_ followed by upper-case letters, digits and underscores (at most 255 characters).'
/**
 * A trait name. @param what where Ironic's schema error names it ("trait" for a node's traits);
 * without it, Ferrum's own wording.
 */
export function checkTrait(t: unknown, what?: string): string {
  if (typeof t !== 'string' || t.length === 0 || t.length > 255 || !TRAIT_RE.test(t)) {
    if (what) {
      // Ironic's jsonschema text for its trait schema (a standard trait or the CUSTOM_ pattern).
      const cause = typeof t === 'string' && t.length > 255 ? `${pyRepr(t)} is too long` : `${pyRepr(t)} does not match '^CUSTOM_[A-Z0-9_]+$'`
      throw new ValidationError(`Schema error for ${what}: ${pyRepr(t)} is not valid under any of the given schemas. Possible root cause: ${cause}`, { details: { ferrum_remedy: TRAIT_RULE } })
    }
    throw new ValidationError(`Invalid trait ${truncate(JSON.stringify(t) ?? 'undefined', 100)}: ${TRAIT_RULE.replace(/^A/, 'a')}`)
  }
  return t
}
