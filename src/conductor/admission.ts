/**
 * A fair (first come, first served) admission queue with a concurrency limit. Past the limit,
 * work waits instead of failing, and each waiting node can see its place in line.
 */
export class AdmissionQueue {
  #running = 0
  readonly #waiting: { key: number; start: () => void }[] = []

  constructor(readonly name: string, private limit: number) {}

  /** Runs `fn` when a slot is free; resolves with its result. */
  async run<T>(key: number, fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit) {
      await new Promise<void>((resolve) => this.#waiting.push({ key, start: resolve }))
    } else {
      this.#running++
    }
    try {
      return await fn()
    } finally {
      const next = this.#waiting.shift()
      if (next) next.start()
      else this.#running--
    }
  }

  /** 1-based place of `key` in the waiting line, or null when it is not waiting. */
  position(key: number): number | null {
    const i = this.#waiting.findIndex((w) => w.key === key)
    return i < 0 ? null : i + 1
  }

  get running(): number {
    return this.#running
  }

  get waiting(): number {
    return this.#waiting.length
  }
}
