#!/usr/bin/env node
// Bundles the deploy agent (src/agent/main.ts and what it imports) into one JavaScript file that
// runs on plain Node 20 with nothing else installed: what a ramdisk carries and what lab nodes run.
// Usage: node scripts/bundle-agent.js [--out FILE]   (default dist/agent/ferrum-agent.mjs)
import { build } from 'esbuild'
import { statSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const i = process.argv.indexOf('--out')
const out = i > 0 ? process.argv[i + 1] : join(root, 'dist/agent/ferrum-agent.mjs')
await build({
  entryPoints: [join(root, 'src/agent/main.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: false,
  sourcemap: false,
  legalComments: 'eof',
  // Reproducible: no timestamps or absolute paths in the output.
  absWorkingDir: root,
  banner: { js: '// Ferrum deploy agent, bundled by scripts/bundle-agent.js from src/agent/main.ts' },
  logLevel: 'warning',
})
console.log(`agent bundle: ${relative(process.cwd(), out) || out} (${Math.round(statSync(out).size / 1024)} KiB)`)
