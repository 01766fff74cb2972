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
  const shown = JSON.stringify(err.value)
  throw new ValidationError(
    `Invalid input for field/attribute ${field || what}. Value: ${shown === undefined ? 'undefined' : truncate(shown, 200)}. ${err.message}`,
  )
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** Canonical lower-case UUID, or a ValidationError naming the field. */
export function checkUuid(v: unknown, field: string): string {
  if (typeof v !== 'string' || !UUID_RE.test(v)) {
    throw new ValidationError(`Invalid input for field/attribute ${field}. Value: ${truncate(JSON.stringify(v) ?? 'undefined', 100)}. Expected a UUID like 1be26c0b-03f2-4d2e-ae87-c02d7f33c123.`)
  }
  return v.toLowerCase()
}

const NAME_RE = /^[A-Za-z0-9\-._~]+$/
/** Ironic's node/port name rule (RFC 3986 unreserved characters, not UUID-like). */
export function checkName(v: unknown, field = 'name'): string | null {
  if (v === null || v === undefined) return null
  if (typeof v !== 'string' || v.length === 0 || v.length > 255 || !NAME_RE.test(v)) {
    throw new ValidationError(
      `Invalid input for field/attribute ${field}. Value: ${truncate(JSON.stringify(v) ?? 'undefined', 100)}. A name may contain only letters, digits and -._~ (1-255 characters).`,
    )
  }
  // Ironic's is_uuid_like also accepts the 32-digit form without dashes (lookups would take it for a UUID).
  if (UUID_RE.test(v) || /^[0-9a-f]{32}$/i.test(v)) throw new ValidationError(`Invalid input for field/attribute ${field}. Value: "${v}". A name can not look like a UUID.`)
  return v
}

const TRAIT_RE = /^[A-Z0-9_]+$/
export function checkTrait(t: unknown): string {
  if (typeof t !== 'string' || t.length === 0 || t.length > 255 || !TRAIT_RE.test(t)) {
    throw new ValidationError(
      `Invalid trait ${truncate(JSON.stringify(t) ?? 'undefined', 100)}: a trait is a standard trait name or CUSTOM_ followed by upper-case letters, digits and underscores (at most 255 characters).`,
    )
  }
  return t
}
