import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import { FerrumConfig } from './schema.js'
import { ValidationError } from '../domain/errors.js'

type Obj = Record<string, unknown>

function deepMerge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a }
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' && out[k] !== null
      ? deepMerge(out[k] as Obj, v as Obj)
      : v
  }
  return out
}

/** FERRUM_CONDUCTOR__MAX_CONCURRENT_DEPLOYS=5 → { conductor: { maxConcurrentDeploys: 5 } } */
export function envOverrides(env: NodeJS.ProcessEnv): Obj {
  const out: Obj = {}
  for (const [key, raw] of Object.entries(env)) {
    if (!key.startsWith('FERRUM_') || raw === undefined) continue
    const path = key.slice(7).split('__').map((p) => p.toLowerCase().replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()))
    // Every top-level setting (FERRUM_DHCP__MODE, FERRUM_AGENT__…); other FERRUM_* variables are not settings.
    if (!Object.hasOwn(FerrumConfig.properties, path[0])) continue
    let value: unknown = raw
    if (/^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw)
    else if (raw === 'true' || raw === 'false') value = raw === 'true'
    else if (raw.startsWith('[') || raw.startsWith('{')) value = JSON.parse(raw)
    let cur = out
    for (const p of path.slice(0, -1)) cur = (cur[p] ??= {}) as Obj
    cur[path[path.length - 1]] = value
  }
  return out
}

function freeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) freeze(v)
    Object.freeze(o)
  }
  return o
}

/**
 * Builds the configuration: defaults ← file (JSON) ← environment (FERRUM_*) ← flags. Validates it
 * against the schema and deep-freezes it. Throws ValidationError naming the bad setting.
 */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv; flags?: Obj } = {}): FerrumConfig {
  let merged: Obj = Value.Default(FerrumConfig, { api: {}, conductor: {}, agent: {}, dhcp: {}, drivers: {} }) as Obj
  if (opts.file) {
    let text: string
    try {
      text = readFileSync(opts.file, 'utf8')
    } catch (e) {
      throw new ValidationError(`cannot read config file ${opts.file}: ${(e as Error).message}`)
    }
    try {
      merged = deepMerge(merged, JSON.parse(text) as Obj)
    } catch (e) {
      throw new ValidationError(`config file ${opts.file} is not valid JSON: ${(e as Error).message}`)
    }
  }
  merged = deepMerge(merged, envOverrides(opts.env ?? process.env))
  merged = deepMerge(merged, opts.flags ?? {})
  const cfg = merged as unknown as FerrumConfig
  if (!Value.Check(FerrumConfig, cfg)) {
    const e = Value.Errors(FerrumConfig, cfg).First()
    throw new ValidationError(`invalid setting ${e?.path.replace(/^\//, '').replace(/\//g, '.') ?? '?'}: ${e?.message ?? 'invalid'} (got ${JSON.stringify(e?.value)})`)
  }
  cfg.dataDir = resolve(cfg.dataDir || 'ferrum-data')
  if (!cfg.db) cfg.db = `sqlite://${resolve(cfg.dataDir, 'ferrum.db')}`
  if (!cfg.conductor.hostname) cfg.conductor.hostname = hostname()
  return freeze(cfg)
}
