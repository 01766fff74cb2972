import type { Command } from 'commander'
import { registerUp } from './up.js'
import { registerNode } from './node.js'
import { registerLab } from './lab.js'
import { registerAgent } from './agent.js'

/** Every `ferrum` verb; each adds its subcommand(s) to the program. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [registerUp, registerNode, registerLab, registerAgent]
