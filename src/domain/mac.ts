/** MAC addresses as the ramdisk reports them. Pure. */

const MAC = /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i

/** The lower-case colon form of a MAC (colon or dash separated), or null for anything else (ignored, as Ironic's lookups do). */
export function macOrNull(v: unknown): string | null {
  if (typeof v !== 'string') return null
  const t = v.trim()
  return MAC.test(t) ? t.toLowerCase().replace(/-/g, ':') : null
}

/** The valid MACs of a list, normalised, without duplicates. */
export function validMacs(values: Iterable<unknown>): string[] {
  const out = new Set<string>()
  for (const v of values) {
    const m = macOrNull(v)
    if (m) out.add(m)
  }
  return [...out]
}
