/**
 * A fair (first come, first served) admission queue with a concurrency limit. Past the limit,
 * work waits instead of failing, each waiting node can see its place in line, and a waiter whose
 * signal aborts leaves the line at once.
 */
export class AdmissionQueue {
  #running = 0
  readonly #waiting: { key: number; start: () => void }[] = []

  constructor(readonly name: string, private readonly limit: number) {}

  /**
   * Runs `fn` when a slot is free; resolves with its result.
   * @throws the signal's reason when it aborts while waiting (fn then never runs)
   */
  async run<T>(key: number, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted()
    if (this.#running >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const entry = {
          key,
          start: () => {
            signal?.removeEventListener('abort', onAbort)
            resolve()
          },
        }
        const onAbort = () => {
          const i = this.#waiting.indexOf(entry)
          if (i >= 0) this.#waiting.splice(i, 1)
          reject(signal?.reason)
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        this.#waiting.push(entry)
      })
    } else {
      this.#running++
    }
    try {
      return await fn()
    } finally {
      // Hand the slot straight to the next in line, so nobody can overtake it.
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

  /** Work holding a slot now. */
  get running(): number {
    return this.#running
  }

  /** Work waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length
  }
}
