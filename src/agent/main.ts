/**
 * The agent's process entry: `node dist/src/agent/main.js [--api-url URL] …` (what a ramdisk's
 * init or a lab node runs) and `ferrum agent` share it. It imports nothing outside src/agent and
 * src/common, so it stays small to start and bundles into one file.
 */
import { fileURLToPath } from 'node:url'
import { FerrumAgent } from './agent.js'
import { loadAgentConfig, type AgentConfig } from './config.js'

type Overrides = { -readonly [K in keyof AgentConfig]?: AgentConfig[K] }

/** Parses the agent's flags (those `ferrum agent --help` lists). @throws Error naming a bad flag */
export function parseAgentArgs(argv: readonly string[]): Overrides {
  const o: Overrides = {}
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    const value = (): string => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${flag} needs a value`)
      return v
    }
    if (flag === '--api-url') o.apiUrl = value()
    else if (flag === '--root') o.root = value()
    else if (flag === '--advertise-host') o.advertiseHost = value()
    else if (flag === '--listen') {
      const v = value()
      const m = /^(.*):(\d+)$/.exec(v)
      if (!m) throw new Error(`--listen must be HOST:PORT (got "${v}")`)
      o.listenHost = m[1]
      o.listenPort = Number(m[2])
    } else throw new Error(`unknown option ${flag}; the agent takes --api-url, --root, --listen and --advertise-host`)
  }
  return o
}

/** Runs the agent until SIGTERM/SIGINT (then exits 0) or until it gives up (then exits 1). */
export async function runAgentProcess(overrides: Overrides): Promise<void> {
  const agent = new FerrumAgent(loadAgentConfig(process.env, overrides))
  const stop = () => void agent.stop().then(() => process.exit(0))
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  try {
    await agent.run()
  } catch (e) {
    process.stderr.write(`ferrum-agent: ${(e as Error).message}\n`)
    process.exit(1)
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let overrides: Overrides
  try {
    overrides = parseAgentArgs(process.argv.slice(2))
  } catch (e) {
    process.stderr.write(`ferrum-agent: ${(e as Error).message}\n`)
    process.exit(2)
  }
  void runAgentProcess(overrides)
}
