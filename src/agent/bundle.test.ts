// The agent's one-file bundle (scripts/bundle-agent.js, part of `npm run build` and `npm test`):
// reproducible, importing only Node's built-ins, and a working agent on plain Node. Lab nodes run
// it (labAgentCommand), so every lab deploy in the suite deploys through the bundle.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { agentBundlePath, labAgentCommand } from '../lab/lab-agent.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))

test('the bundle is reproducible, self-contained, and what lab nodes run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferrum-bundle-'))
  try {
    const outs = [join(dir, 'a.mjs'), join(dir, 'b.mjs')]
    for (const out of outs) {
      const r = spawnSync(process.execPath, [join(root, 'scripts/bundle-agent.js'), '--out', out], { encoding: 'utf8' })
      assert.equal(r.status, 0, r.stderr)
    }
    const [a, b] = outs.map((o) => readFileSync(o))
    assert.ok(a!.equals(b!), 'two bundles of the same tree differ')
    assert.ok(a!.equals(readFileSync(agentBundlePath())), 'dist/agent/ferrum-agent.mjs is not the bundle of this tree')
    const imports = [...a!.toString('utf8').matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!)
    assert.ok(imports.length > 0)
    assert.deepEqual(imports.filter((m) => !m.startsWith('node:')), [], 'the bundle imports packages from outside')
    assert.doesNotMatch(a!.toString('utf8'), /\brequire\(/, 'a CommonJS require survived bundling')
    assert.doesNotMatch(a!.toString('utf8'), new RegExp(root.replace(/[/\\.]/g, '\\$&')), 'the bundle names this checkout')
    // Run from a directory with no node_modules: a bad flag is refused by the agent's own parser.
    const r = spawnSync(process.execPath, [outs[0]!, '--bogus'], { cwd: dir, encoding: 'utf8' })
    assert.equal(r.status, 2)
    assert.match(r.stderr, /^ferrum-agent: unknown option --bogus; the agent takes --api-url/)
    assert.deepEqual(labAgentCommand(), [process.execPath, agentBundlePath()])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
