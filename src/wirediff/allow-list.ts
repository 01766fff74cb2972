/**
 * The intended differences between Ironic 21.4 (A) and Ferrum (B) on the wire: each entry matches
 * difference lines of wirediff.ts (`status: …`, `header …`, `body.path: A vs B`, `faultstring: …`)
 * optionally only in cases whose name matches, and says why the difference is intended.
 * Differences not yet matched (work still to do, not intended) are in known-gaps.ts.
 */
export interface Allowance {
  /** Only in cases whose name matches. */
  case?: RegExp
  /** The difference line. */
  diff: RegExp
  reason: string
}

export const ALLOWED: readonly Allowance[] = [
  {
    case: /^GET \/ @/,
    diff: /^body\.(name|description): "[^"]*Ironic[^"]*" vs "Ferrum /,
    reason: 'the root document names the service that answers: Ferrum (clients read only its versions and links)',
  },
  {
    case: /\/bios @/,
    diff: /^body\.bios: 0 items vs \d+$/,
    reason: 'Ferrum\'s fake-hardware BIOS has sample settings; Ironic\'s has none',
  },
  {
    diff: /^body\.driver_internal_info\.fake_[a-z_]+: absent vs /,
    reason: 'Ferrum\'s fake-hardware keeps what was set (boot device, NMIs) in driver_internal_info',
  },
  {
    case: /^POST to a node$/,
    diff: /^status: 400 vs 405 \(A: Schema error for node: '[0-9a-f-]+' is not of type 'object'/,
    reason: 'Ironic\'s router hands the UUID in the path to node create as its body; Ferrum answers 405 (with Allow), as for any method a path does not take',
  },
  {
    case: /^GET \/v1\/allocations\?fields=banana$/,
    diff: /^status: 200 vs 400 \(A: \{"allocations":\[\]\}; B: Field\(s\) "banana" are not valid for this resource\.\)$/,
    reason: 'Ironic 21.4 does not check `fields` on the allocation list (it does for every other collection and for one allocation); Ferrum checks it there too, with the same words',
  },
  {
    case: /^GET an unknown node sub-resource$/,
    diff: /^status: 400 vs 404 \(A: Field banana is not a valid field\./,
    reason: 'Ironic\'s router reads an unknown segment after a node as a field name; Ferrum answers 404 for a path it does not have',
  },
  {
    diff: /^body\.next: "/,
    reason: 'Ferrum\'s next link repeats the request\'s own query (every filter kept, so following it stays filtered); Ironic 21.4 keeps only the sort, a few boolean filters and fields',
  },
  {
    case: /^GET \/v1 @latest$/,
    diff: /^body\.runbooks: absent vs /,
    reason: 'runbooks appear at 1.92, Ferrum\'s latest',
  },
  {
    case: /\/history/,
    diff: /^body\.history: 0 items vs \d+$/,
    reason: 'Ferrum records every provision change of a node (creation included) in its history, for the timeline and ferrum_duration_ms; Ironic 21.4 records errors only',
  },
  {
    diff: /^header x-openstack-ironic-api-maximum-version: "1\.82" vs "1\.92"$/,
    reason: 'Ferrum implements microversions up to 1.92; Ironic 21.4 stops at 1.82',
  },
  {
    case: /@latest$/,
    diff: /^header x-openstack-ironic-api-version: "1\.82" vs "1\.92"$/,
    reason: '"latest" is the newest version each server has',
  },
  {
    diff: /^body\.(version|default_version|versions\[\d+\])\.version: "1\.82" vs "1\.92"$/,
    reason: 'the version document names each server\'s newest microversion',
  },
  {
    case: /@1\.83$/,
    diff: /^status: 406 vs 200/,
    reason: 'Ferrum has microversions 1.83–1.92',
  },
  {
    diff: /supported version range is: \[1\.1, 1\.82\]\."? vs .*\[1\.1, 1\.92\]/,
    reason: 'the range names each server\'s newest microversion',
  },
  {
    diff: /^header x-openstack-ironic-api-(minimum-|maximum-)?version: absent vs "1\.\d+"$/,
    reason: 'Ferrum sends the version headers on every answer; Ironic omits them on errors raised before its version hook (clients only read them when present)',
  },
  {
    diff: /^status: 500 vs 4\d\d/,
    reason: 'Ironic fails with 500 on this bad input (a Python exception); Ferrum answers the stricter 4xx',
  },
  {
    case: /\(not in 21\.4\)|service from enroll|unhold from enroll/,
    diff: /^status: 400 vs 406/,
    reason: 'a field or verb of a microversion newer than 21.4\'s: Ferrum answers 406 (not at this version), Ironic 21.4, which does not know it, 400',
  },
  {
    case: /^GET \/v1\/drivers|^GET \/v1\/conductors/,
    diff: /^body\./,
    reason: 'the enabled hardware types and interfaces, and the conductor hosts, are each deployment\'s configuration',
  },
  {
    diff: /^body(\.nodes\[\d+\])?\.conductor: "/,
    reason: 'the conductor\'s host name differs per deployment',
  },
  {
    diff: /^body(\.nodes\[\d+\])?\.reservation: "[^"]+" vs null$/,
    reason: 'Ironic still held its node lock from the previous asynchronous call when it answered; Ferrum\'s work had finished (the lock is transient either way)',
  },
  {
    diff: /^body(\.nodes\[\d+\])?\.updated_at: "<?[^"]*"? vs null$/,
    reason: 'Ironic bumps a node\'s updated_at when it takes the node lock to create a port or volume object; Ferrum changes it only when the node\'s fields change',
  },
  {
    case: /management\/indicators|vendor_passthru\/methods|boot_device\/supported|drivers\/fake-hardware\/properties/,
    diff: /^body/,
    reason: 'the fake-hardware type\'s sample data (indicators, vendor methods, boot devices, driver properties) are Ferrum\'s own; real hardware types answer from the BMC',
  },
]
