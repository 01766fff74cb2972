/** Ferrum never shows secrets: any key that looks like one is replaced with this. */
export const MASK = '******'

const SECRET_KEY = /(pass(word|phrase)?|secret|token|credential|private|auth_?key|priv_?key|encryption_key|api_key|_key$|^key$)/i

/** Deep copy of `v` with the values of secret-looking keys masked. */
export function maskSecrets<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => maskSecrets(x)) as T
  if (v === null || typeof v !== 'object') return v
  const out: Record<string, unknown> = {}
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) && val !== null && val !== undefined && val !== '' ? MASK : maskSecrets(val)
  }
  return out as T
}

/** instance_info: secrets masked, and the config drive (which can hold keys and passwords) too. */
export function maskInstanceInfo(info: Record<string, unknown>): Record<string, unknown> {
  const out = maskSecrets(info)
  if (out.configdrive !== undefined && out.configdrive !== null) out.configdrive = MASK
  return out
}
