import { ConflictError } from '../domain/errors.js'

/** Current time as stored in the DB: ISO-8601 UTC with milliseconds. */
export function nowIso(): string {
  return new Date().toISOString()
}

export function toJson(v: unknown): string {
  return JSON.stringify(v ?? {})
}

export function fromJson<T = Record<string, unknown>>(s: string | null | undefined, fallback: T): T {
  if (s === null || s === undefined || s === '') return fallback
  return JSON.parse(s) as T
}

export function toBool(v: number | null | undefined): boolean {
  return v === 1 || (v as unknown) === true
}

export function toBoolOrNull(v: number | null | undefined): boolean | null {
  return v === null || v === undefined ? null : toBool(v)
}

export function fromBool(v: boolean | null | undefined): number {
  return v ? 1 : 0
}

/**
 * The column a unique constraint violation is about, for SQLite ("UNIQUE constraint failed:
 * nodes.name") and PostgreSQL (code 23505, "Key (name)=(x) already exists."); null otherwise.
 */
export function uniqueViolationColumn(e: unknown): string | null {
  const err = e as { code?: string; message?: string; detail?: string }
  if (err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const m = /UNIQUE constraint failed: \w+\.(\w+)/.exec(err.message ?? '')
    return m ? m[1] : 'unknown'
  }
  if (err?.code === '23505') {
    const m = /Key \((\w+)\)/.exec(err.detail ?? '')
    return m ? m[1] : 'unknown'
  }
  return null
}

/** Runs `fn`, turning a unique violation into a 409 ConflictError built by `message(column)`. */
export async function mapUnique<T>(fn: () => Promise<T>, message: (column: string) => string): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    const col = uniqueViolationColumn(e)
    if (col !== null) throw new ConflictError(message(col), { cause: e, code: 'FERRUM_DUPLICATE' })
    throw e
  }
}
