// `npm run diff -- URL_A URL_B`: runs the wire-level differential cases (src/wirediff/wirediff.ts)
// against two Ironic-compatible endpoints, A the reference (e.g. your Ironic), B the one under
// test (e.g. Ferrum); prints one line per case and exits 1 when any differs.
import { runWireDiff } from './wirediff.js'

const [a, b] = process.argv.slice(2)
if (!a || !b || !/^https?:\/\//.test(a) || !/^https?:\/\//.test(b)) {
  process.stderr.write('usage: npm run diff -- http://IRONIC:6385 http://FERRUM:6385   (noauth endpoints; A is the reference)\n')
  process.exit(2)
}
try {
  const results = await runWireDiff(a, b)
  for (const r of results) process.stdout.write(`${r.ok ? 'same' : 'DIFF'}  ${r.name}${r.why ? `\n      ${r.why}` : ''}\n`)
  const bad = results.filter((r) => !r.ok).length
  process.stdout.write(`${results.length - bad} of ${results.length} cases answer the same${bad ? `; ${bad} differ` : ''}\n`)
  process.exit(bad ? 1 : 0)
} catch (e) {
  process.stderr.write(`wirediff: ${(e as Error).message}\n`)
  process.exit(2)
}
