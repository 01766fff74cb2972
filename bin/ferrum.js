#!/usr/bin/env node
// The `ferrum` command: runs the compiled entry point (build with `npm run build`).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const entry = fileURLToPath(new URL('../dist/src/bin/ferrum.js', import.meta.url))
if (!existsSync(entry)) {
  console.error('ferrum: not built yet. Run `npm run build` in the ferrum checkout first.')
  process.exit(1)
}
await import(entry)
