/**
 * Writes docs/states.md from the provision state table.
 * Usage: node --import tsx scripts/render-states.ts
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { renderStatesMarkdown } from '../src/domain/provision-states-diagram.js'

const target = fileURLToPath(new URL('../docs/states.md', import.meta.url))
writeFileSync(target, renderStatesMarkdown())
console.log(`wrote ${target}`)
