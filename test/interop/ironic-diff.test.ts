// Differential test against a real Ironic 21.4 (../shared/baseline/ironic-up.sh): the cases of
// src/wirediff/wirediff.ts go to it and to `ferrum up`, and every answer must agree (the status,
// Ironic's faultstring contained in Ferrum's, or the same body). Skips, saying why, where the
// baseline is not installed. The start of issue 9's harness: each case was a difference once.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { freePort, repoRoot, startFerrum, type FerrumProcess } from '../helpers/ferrum-process.js'
import { gapKey, runWireDiff, type CaseResult } from '../../src/wirediff/wirediff.js'
import { KNOWN_GAPS } from '../../src/wirediff/known-gaps.js'
import { buildCases } from '../../src/wirediff/cases.js'

const run = promisify(execFile)
const IRONIC_UP = resolve(repoRoot(), '..', 'shared', 'baseline', 'ironic-up.sh')
const IRONIC_DOWN = resolve(repoRoot(), '..', 'shared', 'baseline', 'ironic-down.sh')
const missing = !existsSync(IRONIC_UP) ? `${IRONIC_UP} not found` : !existsSync('/usr/bin/ironic-api') ? 'Debian\'s ironic-api is not installed (../shared/baseline/ironic-up.sh installs it)' : null
if (missing) process.stdout.write(`# SKIP ironic-diff: ${missing}\n`)

let dir: string
let ironic: string
let ferrum: FerrumProcess
let results: CaseResult[] = []

before(async () => {
  if (missing) return
  dir = mkdtempSync(join(tmpdir(), 'ferrum-ironic-diff-'))
  const env = { ...process.env, IRONIC_STATE_DIR: join(dir, 'ironic'), IRONIC_API_PORT: String(await freePort()), IRONIC_RPC_PORT: String(await freePort()), IRONIC_SKIP_INSTALL: '1' }
  ironic = (await run('bash', [IRONIC_UP], { env, timeout: 120_000 })).stdout.trim().split('\n').at(-1)!
  ferrum = await startFerrum({ dataDir: join(dir, 'ferrum') })
  results = await runWireDiff(ironic, ferrum.url)
})

after(async () => {
  if (missing) return
  await ferrum?.stop()
  await run('bash', [IRONIC_DOWN], { env: { ...process.env, IRONIC_STATE_DIR: join(dir, 'ironic') }, timeout: 60_000 }).catch(() => undefined)
  rmSync(dir, { recursive: true, force: true })
})

test('the harness covers at least 400 distinct request cases', () => {
  const cases = buildCases()
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, 'case names are distinct')
  // A few requests are sent twice on purpose (the same call before and after a change).
  const distinct = new Set(cases.map((c) => `${c.method} ${c.path} ${c.version ?? ''} ${JSON.stringify(c.body ?? c.raw ?? null)}`)).size
  assert.ok(distinct >= 400, `${distinct} distinct requests`)
})

test('the real Ironic and Ferrum answer every wire case the same (or as the allow-list says)', { skip: missing ?? false, timeout: 300_000 }, () => {
  assert.equal(results.length, buildCases().length, 'every case ran')
  const exact = results.filter((r) => r.ok && !r.allowed.length && !r.gaps.length).length
  const gapped = results.filter((r) => r.gaps.length).length
  process.stdout.write(`# ironic-diff: ${results.length} cases, ${exact} the same, ${results.length - exact - gapped} differing only as allow-list.ts says, ${gapped} with known gaps (known-gaps.ts)\n`)
  // Entries that no longer differ: the gap was fixed, its entry should go (not an error: some differences are timing-dependent).
  const seen = new Set(results.flatMap((r) => r.gaps.map((g) => `${r.name}\u0000${gapKey(g)}`)))
  const stale = KNOWN_GAPS.filter((g) => !seen.has(`${g.case}\u0000${g.diff}`))
  if (stale.length) process.stdout.write(`# ironic-diff: ${stale.length} known gaps did not occur (fixed? remove them from known-gaps.ts)\n`)
  const diffs = results.filter((r) => !r.ok)
  assert.deepEqual(diffs.map((d) => `${d.name}: ${d.why}`), [])
})
