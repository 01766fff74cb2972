/** Identifiers as Ironic accepts them. */

/** A UUID, with or without dashes, either case (Ironic accepts both spellings in paths). */
const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i
export function isUuid(s: string): boolean {
  return UUID_RE.test(s)
}
