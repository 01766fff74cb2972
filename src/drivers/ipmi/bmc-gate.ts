/**
 * One operation per BMC at a time. IpmiSessionPool already serialises commands per
 * host:port:user; this gate also serialises callers that reach one BMC under different users
 * (two nodes enrolled with different credentials, an operator's send_raw as another user), so a
 * BMC never sees two sessions busy at once from this process. FIFO; a waiter whose signal fires
 * leaves the queue at once with the signal's reason.
 */
export class BmcGate {
  readonly #queues = new Map<string, (() => void)[]>()

  /** Runs `fn` once every earlier caller for `key` finished. */
  async run<T>(key: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    await this.#acquire(key, signal)
    try {
      return await fn()
    } finally {
      this.#release(key)
    }
  }

  /** Keys with an operation running (tests, status). */
  get busy(): number {
    return this.#queues.size
  }

  #acquire(key: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted()
    const waiters = this.#queues.get(key)
    if (waiters === undefined) {
      this.#queues.set(key, [])
      return Promise.resolve()
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = waiters.indexOf(grant)
        if (i >= 0) waiters.splice(i, 1)
        reject(signal.reason)
      }
      const grant = () => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      }
      signal.addEventListener('abort', onAbort, { once: true })
      waiters.push(grant)
    })
  }

  #release(key: string): void {
    const waiters = this.#queues.get(key)
    const next = waiters?.shift()
    if (next) next()
    else this.#queues.delete(key)
  }
}
