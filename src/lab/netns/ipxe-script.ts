/**
 * What a lab node's iPXE does with a script: the subset of iPXE's language that Ferrum's (and
 * Ironic's) boot scripts use — `#!ipxe`, comments, `:label`, `goto`, `chain` (with `|| goto`),
 * `kernel`, `initrd [--name N]`, `imgargs`, `echo`, `boot`, `exit` and `${…}` settings such as
 * `${mac:hexhyp}`. Relative URLs resolve against the script's own URL, as in iPXE.
 */

export interface IpxeResult {
  /** `boot` ran: the kernel, its arguments and the initrds (absolute URLs). */
  boot: { kernel: string; args: string; initrds: string[] } | null
  /** Why nothing boots (`exit`, a failed chain without `|| goto`, an unknown command). */
  reason: string | null
  /** The scripts read, in order. */
  scripts: string[]
  echoed: string[]
}

/** Fetches a URL's text, or throws (a 404 is a failed command in iPXE). */
export type FetchText = (url: string) => Promise<string>

function expand(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    const [key, type] = name.split(':')
    const v = vars[key] ?? vars[key.replace(/^net\d+\//, '')] ?? ''
    return type === 'hexhyp' ? v.replace(/:/g, '-') : v
  })
}

const MAX_CHAINS = 8
const MAX_STEPS = 1000

/**
 * Runs `url`'s script. `vars` holds settings such as `mac` (aa:bb:…), `ip`, `next-server`.
 */
export async function runIpxe(url: string, vars: Readonly<Record<string, string>>, fetchText: FetchText): Promise<IpxeResult> {
  const result: IpxeResult = { boot: null, reason: null, scripts: [], echoed: [] }
  let current = url
  let text: string
  try {
    text = await fetchText(current)
  } catch (e) {
    return { ...result, reason: `cannot fetch ${current}: ${(e as Error).message}` }
  }
  type Kernel = { url: string; args: string }
  let kernel = null as Kernel | null
  const initrds: string[] = []
  for (let chains = 0; ; chains++) {
    result.scripts.push(current)
    if (!/^#!ipxe/.test(text)) return { ...result, reason: `${current} is not an iPXE script (no #!ipxe line)` }
    const lines = text.split('\n').map((l) => l.trim())
    const labels = new Map<string, number>()
    lines.forEach((l, i) => {
      if (l.startsWith(':')) labels.set(l.slice(1).trim(), i)
    })
    let next: { url: string; text: string } | null = null
    let pc = 0
    for (let steps = 0; pc < lines.length && next === null; steps++) {
      if (steps > MAX_STEPS) return { ...result, reason: `${current}: more than ${MAX_STEPS} steps (a goto loop?)` }
      const raw = lines[pc++]
      if (raw === '' || raw.startsWith('#') || raw.startsWith(':')) continue
      const [command, onFail] = raw.split(/\s*\|\|\s*/, 2)
      const words = expand(command, vars).split(/\s+/)
      const fail = (why: string): string | null => {
        const target = onFail ? /^goto\s+(\S+)$/.exec(onFail)?.[1] : undefined
        if (target !== undefined && labels.has(target)) {
          pc = labels.get(target)! + 1
          return null
        }
        return `${current}: ${why}`
      }
      const resolveUrl = (u: string): string => new URL(u, current).href
      const opts = (ws: string[]): { name?: string; rest: string[] } => {
        const rest: string[] = []
        let name: string | undefined
        for (let i = 0; i < ws.length; i++) {
          if (ws[i] === '--name' || ws[i] === '-n') name = ws[++i]
          else if (ws[i].startsWith('--name=')) name = ws[i].slice(7)
          else if (ws[i].startsWith('--') || ws[i] === '-a' || ws[i] === '-r') continue
          else rest.push(ws[i])
        }
        return { name, rest }
      }
      switch (words[0]) {
        case 'goto': {
          const target = words[1]
          if (!labels.has(target)) return { ...result, reason: `${current}: no label :${target}` }
          pc = labels.get(target)! + 1
          break
        }
        case 'echo':
          result.echoed.push(words.slice(1).join(' '))
          break
        case 'kernel':
        case 'imgexec':
        case 'chain':
        case 'chainload': {
          const { rest } = opts(words.slice(1))
          if (!rest[0]) return { ...result, reason: `${current}: ${words[0]} without a URL` }
          const target = resolveUrl(rest[0])
          if (words[0] === 'kernel') {
            kernel = { url: target, args: rest.slice(1).join(' ') }
            break
          }
          // chain: a script replaces this one; anything else is a kernel that boots at once.
          let body: string
          try {
            body = await fetchText(target)
          } catch (e) {
            const why = fail(`chain ${target}: ${(e as Error).message}`)
            if (why !== null) return { ...result, reason: why }
            break
          }
          if (/^#!ipxe/.test(body)) next = { url: target, text: body }
          else return { ...result, boot: { kernel: target, args: rest.slice(1).join(' '), initrds } }
          break
        }
        case 'initrd':
        case 'module': {
          const { rest } = opts(words.slice(1))
          if (!rest[0]) return { ...result, reason: `${current}: initrd without a URL` }
          initrds.push(resolveUrl(rest[0]))
          break
        }
        case 'imgargs':
          if (kernel !== null) kernel = { url: (kernel as Kernel).url, args: opts(words.slice(2)).rest.join(' ') }
          break
        case 'boot':
          if (!kernel) {
            const why = fail('boot without a kernel')
            if (why !== null) return { ...result, reason: why }
            break
          }
          return { ...result, boot: { kernel: kernel.url, args: kernel.args, initrds } }
        case 'exit':
          return { ...result, reason: `${current}: exit${result.echoed.length ? ` (${result.echoed.at(-1)})` : ''}` }
        case 'set':
        case 'dhcp':
        case 'ifconf':
        case 'sleep':
        case 'prompt':
          break
        default:
          return { ...result, reason: `${current}: the lab's iPXE does not know "${words[0]}"` }
      }
    }
    if (next === null) return { ...result, reason: `${current}: the script ended without boot` }
    if (chains + 1 >= MAX_CHAINS) return { ...result, reason: `more than ${MAX_CHAINS} chained scripts` }
    current = next.url
    text = next.text
  }
}
