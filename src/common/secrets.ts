import { timingSafeEqual } from 'node:crypto'

/** Ferrum never shows secrets: any key that looks like one is replaced with this. */
export const MASK = '******'

const SECRET_KEY = /(pass(word|phrase)?|secret|token|credential|private|auth_?key|priv_?key|encryption_key|api_key|_key$|^key$)/i

/** True for a key whose value Ferrum treats as a secret (`ipmi_password`, `agent_token`, …). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key)
}

/**
 * Deep copy of `v` in which every non-empty value under a key `isSecret` accepts is replaced with
 * MASK. Arrays and plain objects are copied; other values (errors, dates, buffers…) are returned
 * as they are.
 */
export function maskKeys<T>(v: T, isSecret: (key: string) => boolean): T {
  if (Array.isArray(v)) return v.map((x) => maskKeys(x, isSecret)) as T
  if (v === null || typeof v !== 'object') return v
  const proto = Object.getPrototypeOf(v) as unknown
  if (proto !== Object.prototype && proto !== null) return v
  const out: Record<string, unknown> = {}
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    out[k] = isSecret(k) && val !== null && val !== undefined && val !== '' ? MASK : maskKeys(val, isSecret)
  }
  return out as T
}

/** Deep copy of `v` with the values of secret-looking keys masked. */
export function maskSecrets<T>(v: T): T {
  return maskKeys(v, isSecretKey)
}

/** instance_info: secrets masked, and the config drive (which can hold keys and passwords) too. */
export function maskInstanceInfo(info: Record<string, unknown>): Record<string, unknown> {
  const out = maskSecrets(info)
  if (out.configdrive !== undefined && out.configdrive !== null) out.configdrive = MASK
  return out
}

/** Compares two secrets (tokens, passwords) in constant time for equal lengths. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
