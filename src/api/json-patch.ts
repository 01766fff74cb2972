import { ValidationError } from '../domain/errors.js'
import { Type } from '@sinclair/typebox'
import { check, pyRepr } from './validate.js'

/** Ironic's JSON Patch schema (common/args.py), for its wording of malformed operations. */
const PatchSchema = Type.Array(
  Type.Object(
    {
      path: Type.String({ pattern: '^(/[\\w-]+)+$' }),
      op: Type.Union([Type.Literal('add'), Type.Literal('replace'), Type.Literal('remove')]),
      value: Type.Optional(Type.Unknown()),
    },
    { additionalProperties: false },
  ),
)

/** Ironic's refusal of a field a PATCH may not touch, listing the ones it may. */
export function cannotPatch(path: string, allowed: readonly string[]): ValidationError {
  return new ValidationError(`Cannot patch ${path}. Only the following can be updated: ${allowed.join(', ')}`, { code: 'FERRUM_READ_ONLY_FIELD' })
}

/** One JSON Patch operation (RFC 6902), restricted to what Ironic accepts. */
export interface PatchOp {
  op: 'add' | 'replace' | 'remove'
  path: string
  value?: unknown
}

const OPS = new Set(['add', 'replace', 'remove'])

/**
 * Checks that `body` is a list of add/replace/remove operations with valid paths, and that no
 * operation touches a read-only attribute. Throws ValidationError naming the bad operation.
 */
export function parsePatch(body: unknown, readOnly: ReadonlySet<string>, ironicAllowed?: readonly string[]): PatchOp[] {
  check(PatchSchema, body, 'patch')
  const list = body as unknown[]
  return list.map((raw, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ValidationError(`Invalid patch operation #${i}: must be an object with "op" and "path".`)
    }
    const op = raw as Record<string, unknown>
    for (const k of Object.keys(op)) {
      if (!['op', 'path', 'value'].includes(k)) throw new ValidationError(`Invalid patch operation #${i}: unknown key "${k}".`)
    }
    if (typeof op.op !== 'string' || !OPS.has(op.op)) {
      throw new ValidationError(`Invalid patch operation #${i}: "op" must be one of add, replace, remove (got ${JSON.stringify(op.op)}).`)
    }
    if (typeof op.path !== 'string' || !/^(\/[^/]+)+$/.test(op.path)) {
      throw new ValidationError(`Invalid patch operation #${i}: "path" must look like "/field" or "/field/key" (got ${JSON.stringify(op.path)}).`)
    }
    if (op.op !== 'remove' && !('value' in op)) {
      throw new ValidationError(`Invalid patch operation #${i}: "${op.op}" on ${op.path} needs a "value".`)
    }
    const top = op.path.split('/')[1]
    if (readOnly.has(top)) {
      if (ironicAllowed) throw cannotPatch(`/${top}`, ironicAllowed)
      throw new ValidationError(`'/${top}' is an internal attribute and can not be updated.`, { code: 'FERRUM_READ_ONLY_FIELD' })
    }
    return op as unknown as PatchOp
  })
}

function unescape(seg: string): string {
  return seg.replace(/~1/g, '/').replace(/~0/g, '~')
}

/**
 * Applies operations to a deep copy of `doc` and returns it. `add` on an existing key replaces
 * it (as RFC 6902 says for objects); `replace`/`remove` of a missing key is an error naming the
 * path, except at the top level, where `remove` resets the field to null and `replace` sets it.
 */
export function applyPatch(doc: Record<string, unknown>, ops: readonly PatchOp[], ironicAllowed?: readonly string[]): Record<string, unknown> {
  const out = structuredClone(doc)
  for (const op of ops) {
    const parts = op.path.split('/').slice(1).map(unescape)
    let parent: unknown = out
    for (let i = 0; i < parts.length - 1; i++) {
      const next = (parent as Record<string, unknown>)[parts[i]]
      if (next === null || next === undefined || typeof next !== 'object') {
        if (op.op === 'add' && (next === null || next === undefined)) {
          ;(parent as Record<string, unknown>)[parts[i]] = {}
          parent = (parent as Record<string, unknown>)[parts[i]]
          continue
        }
        throw new ValidationError(`Adding a new attribute (${op.path}) to the root of the resource is not allowed or the path does not exist.`)
      }
      parent = next
    }
    const key = parts[parts.length - 1]
    const topLevel = parts.length === 1
    if (Array.isArray(parent)) {
      const arr = parent as unknown[]
      const idx = key === '-' ? arr.length : Number(key)
      if (!Number.isInteger(idx) || idx < 0 || idx > arr.length || (op.op !== 'add' && idx >= arr.length)) {
        throw new ValidationError(`Invalid patch path ${op.path}: no such list index.`)
      }
      if (op.op === 'add') arr.splice(idx, 0, op.value)
      else if (op.op === 'replace') arr[idx] = op.value
      else arr.splice(idx, 1)
      continue
    }
    const obj = parent as Record<string, unknown>
    const exists = Object.prototype.hasOwnProperty.call(obj, key)
    if (topLevel && !exists) {
      if (ironicAllowed) throw cannotPatch(op.path, ironicAllowed)
      throw new ValidationError(`Invalid patch path ${op.path}: the resource has no attribute "${key}".`)
    }
    if (op.op === 'remove') {
      if (!exists) throw new ValidationError(`Couldn't apply patch '${pyRepr(op)}'. Reason: can't remove a non-existent object '${key}'`)
      if (topLevel) obj[key] = null
      else delete obj[key]
    } else if (op.op === 'replace') {
      if (!exists) throw new ValidationError(`Couldn't apply patch '${pyRepr(op)}'. Reason: can't replace a non-existent object '${key}'`, { details: { ferrum_remedy: 'Use "add" for a key that is not there yet.' } })
      obj[key] = op.value
    } else {
      obj[key] = op.value
    }
  }
  return out
}
