import type { TSchema, Static } from '@sinclair/typebox'
import { FormatRegistry } from '@sinclair/typebox'
import { ValidationError } from '../domain/errors.js'
import { truncate } from './errors.js'
import { ironicSchemaFailure, type Wording } from './schema-errors.js'
export { ironicBool } from './schema-errors.js'
import { pyRepr } from './py-repr.js'

const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (v) => UUID_FORMAT.test(v))

/**
 * Checks `value` against a TypeBox schema (bodies, patched documents, nested arguments) and
 * throws a ValidationError worded as Ironic words it (see schema-errors.ts): a string names the
 * jsonschema document (`'node'` → "Schema error for node: …"), `'args'` gives the argument
 * checks' texts, `{ prefix }` a prefix of its own (RAID's "RAID config validation error: ").
 */
export function check<T extends TSchema>(schema: T, value: unknown, wording: string | Wording): Static<T> {
  const w: Wording = typeof wording !== 'string' ? wording : wording === 'args' ? { style: 'args' } : { style: 'schema', name: wording }
  const f = ironicSchemaFailure(schema, value, w)
  if (f === null) return value as Static<T>
  throw schemaValidationError(f.message, f.field)
}

/** The 400 of a schema failure: Ironic's text; the field it is about in `ferrum_field`. */
export function schemaValidationError(message: string, field: string): ValidationError {
  return new ValidationError(truncate(message, 20000), { details: field ? { ferrum_field: field, ferrum_remedy: `Check the field "${field}".` } : {} })
}

export { pyRepr } from './py-repr.js'

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

/** The characters and length of Ironic's logical names (RFC 3986 unreserved, 1–255). */
export function isNameSyntax(v: string): boolean {
  return v.length <= 255 && NAME_RE.test(v)
}

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
  if (typeof v !== 'string' || !isNameSyntax(v)) throw refuse()
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
