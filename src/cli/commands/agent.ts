import type { Command } from 'commander'

interface AgentOptions {
  apiUrl?: string
  root?: string
  listen?: string
  advertiseHost?: string
}

/** `ferrum agent`: the deploy agent, as it runs in a ramdisk (or a lab node's process). */
export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('Run the deploy agent: look the node up by its MACs, heartbeat, and serve the IPA-compatible command API')
    .option('--api-url <url>', 'API to call home to (default: ipa-api-url= on the kernel command line, then FERRUM_API_URL)')
    .option('--root <dir>', 'root of the system to inspect and write (default /, a lab node passes its own)')
    .option('--listen <host:port>', 'command API address (default 0.0.0.0:9999)')
    .option('--advertise-host <host>', 'address the conductor reaches the agent on')
    .addHelpText('after', '\nExample:\n  ferrum agent --api-url http://10.0.0.1:6385 --listen 0.0.0.0:9999\n')
    .action(async (o: AgentOptions) => {
      const { parseAgentArgs, runAgentProcess } = await import('../../agent/main.js')
      const argv: string[] = []
      if (o.apiUrl) argv.push('--api-url', o.apiUrl)
      if (o.root) argv.push('--root', o.root)
      if (o.listen) argv.push('--listen', o.listen)
      if (o.advertiseHost) argv.push('--advertise-host', o.advertiseHost)
      await runAgentProcess(parseAgentArgs(argv))
    })
}
