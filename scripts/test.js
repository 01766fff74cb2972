#!/usr/bin/env node
// The whole test suite: typecheck + build, lint, then every *.test.js under dist/ with node:test.
// Usage: npm test [-- <substring filter on test file paths>]
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

const filters = process.argv.slice(2)
rmSync(join(root, 'dist'), { recursive: true, force: true })
console.log('== typecheck and build (tsc)')
run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'])
console.log('== agent bundle (esbuild)')
run(process.execPath, [join(root, 'scripts/bundle-agent.js')])
if (!process.env.FERRUM_SKIP_LINT) {
  console.log('== lint (eslint)')
  run(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '.'])
}

const files = []
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p)
    else if (name.endsWith('.test.js')) files.push(relative(root, p))
  }
}
walk(join(root, 'dist'))
const selected = files.filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort()
console.log(`== tests (${selected.length} files)`)
run(process.execPath, [
  '--test',
  `--test-concurrency=${process.env.FERRUM_TEST_CONCURRENCY ?? 2}`,
  '--test-timeout=1500000',
  ...selected,
])
