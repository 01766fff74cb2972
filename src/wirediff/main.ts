// `npm run diff -- URL_A URL_B`: runs the wire-level differential cases (src/wirediff/wirediff.ts)
// against two Ironic-compatible endpoints, A the reference (e.g. your Ironic), B the one under
// test (e.g. Ferrum); prints each case that differs (every case with WIREDIFF_VERBOSE=1) and exits 1
// when any differs.
import { readFileSync, writeFileSync } from 'node:fs'
import { gapKey, runWireDiff } from './wirediff.js'

const [a, b] = process.argv.slice(2)
if (!a || !b || !/^https?:\/\//.test(a) || !/^https?:\/\//.test(b)) {
  process.stderr.write('usage: npm run diff -- http://IRONIC:6385 http://FERRUM:6385   (noauth endpoints; A is the reference)\n')
  process.exit(2)
}
try {
  const results = await runWireDiff(a, b)
  const verbose = process.env.WIREDIFF_VERBOSE === '1'
  for (const r of results) {
    const tag = !r.ok ? 'DIFF' : r.gaps.length ? 'gap' : r.allowed.length ? 'allowed' : 'same'
    if (r.ok && !verbose) continue
    process.stdout.write(`${tag}  ${r.name}${r.why ? `\n      ${r.why}` : ''}${verbose && r.allowed.length ? `\n      ${r.allowed.join('\n      ')}` : ''}\n`)
  }
  const out = process.env.WIREDIFF_GAPS_OUT
  if (out) {
    // Writes every difference not on the allow-list as the new known-gaps.ts.
    const entries = results.flatMap((r) => [...r.diffs, ...r.gaps].map((d) => ({ case: r.name, diff: gapKey(d) })))
    const head = readFileSync(out, 'utf8').split('export const KNOWN_GAPS')[0]
    writeFileSync(out, `${head}export const KNOWN_GAPS: readonly KnownGap[] = ${JSON.stringify(entries, null, 2).replace(/"case":/g, 'case:').replace(/"diff":/g, 'diff:')}\n`)
    process.stdout.write(`wrote ${entries.length} known gaps to ${out}\n`)
  }
  const bad = results.filter((r) => !r.ok).length
  const allowed = results.filter((r) => r.ok && r.allowed.length && !r.gaps.length).length
  const gapped = results.filter((r) => r.ok && r.gaps.length).length
  const exact = results.filter((r) => r.ok && !r.allowed.length && !r.gaps.length).length
  process.stdout.write(`${results.length} cases: ${exact} answer the same, ${allowed} differ only as the allow-list says, ${gapped} only in known gaps (known-gaps.ts)${bad ? `; ${bad} differ otherwise` : ''}\n`)
  process.exit(bad ? 1 : 0)
} catch (e) {
  process.stderr.write(`wirediff: ${(e as Error).message}\n`)
  process.exit(2)
}
