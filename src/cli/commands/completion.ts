import type { Command } from 'commander'
import { example } from '../help.js'

/** Every command path with its subcommands and options, for the completion script. */
function tree(cmd: Command, prefix: string[] = [], out = new Map<string, string[]>()): Map<string, string[]> {
  const words = [...cmd.commands.map((c) => c.name()), ...cmd.options.map((o) => o.long).filter((l): l is string => typeof l === 'string'), '--help']
  out.set(prefix.join(' '), words)
  for (const c of cmd.commands) tree(c, [...prefix, c.name()], out)
  return out
}

/** A bash completion script for `program` (generated from its commands, so it never goes stale). */
export function bashCompletion(program: Command): string {
  const cases = [...tree(program)].map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`).join('\n')
  return `# bash completion for ferrum; load with: source <(ferrum completion bash)
_ferrum() {
  local cur path i w
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    if [ -z "$path" ]; then candidate="$w"; else candidate="$path $w"; fi
    if _ferrum_known "$candidate"; then path="$candidate"; fi
  done
  local words=""
  case "$path" in
${cases}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
_ferrum_known() {
  case "$1" in
${[...tree(program).keys()].filter((k) => k !== '').map((k) => `    "${k}") return 0 ;;`).join('\n')}
  esac
  return 1
}
complete -F _ferrum ferrum
`
}

/** `ferrum completion bash`. */
export function registerCompletion(program: Command): void {
  example(program.command('completion <shell>').description('Print a shell completion script (bash)'), 'source <(ferrum completion bash)', 'ferrum completion bash > /etc/bash_completion.d/ferrum')
    .action((shell: string) => {
      if (shell !== 'bash') throw new Error(`only bash completion is available (got "${shell}"); try: source <(ferrum completion bash)`)
      process.stdout.write(bashCompletion(program))
    })
}
