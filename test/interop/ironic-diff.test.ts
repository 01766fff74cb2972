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
import { CASES, runWireDiff, type CaseResult } from '../../src/wirediff/wirediff.js'

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

test('the real Ironic and Ferrum answer every wire case the same', { skip: missing ?? false, timeout: 180_000 }, () => {
  assert.equal(results.length, CASES.length + 1, 'every case ran (plus the allocation contract)')
  const diffs = results.filter((r) => !r.ok)
  assert.deepEqual(diffs.map((d) => `${d.name}: ${d.why}`), [])
})
