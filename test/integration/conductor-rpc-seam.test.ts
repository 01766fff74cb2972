// The ConductorApi could be a network hop: the API route suite and the conductor's API-driven tests
// pass when every call from the API to the conductor goes through JSON (arguments, results,
// errors), as it will over RPC.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const dist = new URL('../../', import.meta.url).pathname

/**
 * The compiled API test files (routes and app), and the conductor tests that drive the conductor
 * through the API (they build the test app).
 */
function apiTestFiles(): string[] {
  const out: string[] = []
  const walk = (dir: string, keep: (path: string) => boolean) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) walk(p, keep)
      else if (e.name.endsWith('.test.js') && keep(p)) out.push(p)
    }
  }
  walk(join(dist, 'src/api'), () => true)
  walk(join(dist, 'src/conductor'), (p) => /helpers\/(app|conductor-fixtures)\.js/.test(readFileSync(p, 'utf8')))
  return out.sort()
}

test('the API and conductor test suites pass with every ConductorApi call JSON round-tripped', { timeout: 900_000 }, async () => {
  const files = apiTestFiles()
  assert.ok(files.length >= 20, `expected the API route and conductor tests under ${dist}src, found ${files.length}`)
  const callsDir = mkdtempSync(join(tmpdir(), 'ferrum-rpc-calls-'))
  try {
    // NODE_TEST_CONTEXT would make the child report to this runner instead of printing its results.
    const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=tap', ...files], {
      env: { ...env, FERRUM_TEST_RPC_SERIALIZE: '1', FERRUM_TEST_RPC_CALLS_DIR: callsDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    const summary = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(out)?.[1] ?? NaN)
    const failures = out.split('\n').filter((l) => /^\s*not ok /.test(l)).slice(0, 20).join('\n')
    assert.equal(code, 0, `the serialised API suite failed:\n${failures}\n${out.slice(-3000)}`)
    assert.equal(summary('fail'), 0)
    assert.ok(summary('pass') > 100, `only ${summary('pass')} tests passed`)

    // The wrapper was really in the way: the calls it carried, over all test apps.
    const calls = new Map<string, number>()
    for (const f of readdirSync(callsDir)) {
      for (const [m, n] of Object.entries(JSON.parse(readFileSync(join(callsDir, f), 'utf8')) as Record<string, number>)) calls.set(m, (calls.get(m) ?? 0) + n)
    }
    for (const m of ['updateNode', 'destroyNode', 'provision', 'changePowerState', 'attachVif', 'detachVif', 'listVifs', 'createAllocation', 'destroyAllocation', 'setTargetRaidConfig', 'biosSettings', 'nodeVendorPassthru', 'setIndicatorState', 'resolveInterfaces', 'listDrivers', 'queuePosition', 'validate', 'setBootDevice', 'getBootDevice', 'injectNmi']) {
      assert.ok((calls.get(m) ?? 0) > 0, `no ${m} call went through the serialising wrapper (calls: ${JSON.stringify(Object.fromEntries(calls))})`)
    }
  } finally {
    rmSync(callsDir, { recursive: true, force: true })
  }
})
