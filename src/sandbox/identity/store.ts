import type { Adapter, AdapterPayload } from 'oidc-provider'

interface Entry {
  payload: AdapterPayload
  /** Epoch milliseconds, or undefined for entries that do not expire (clients). */
  expiresAt: number | undefined
}

const SWEEP_EVERY_MS = 60_000

/**
 * oidc-provider's storage for one provider, in memory. Its own development adapter prints a warning
 * at start and is shared by every provider in the process; this one is quiet and per provider, so
 * tests running side by side do not see each other's sessions.
 */
export class MemoryStore {
  readonly #entries = new Map<string, Entry>()
  /** Session uid → session id. */
  readonly #sessionsByUid = new Map<string, string>()
  #nextSweep = 0

  /** Writes without an adapter's promise, for the clients added by the sandbox itself. */
  put(model: string, id: string, payload: AdapterPayload): void {
    this.#entries.set(`${model}:${id}`, { payload, expiresAt: undefined })
  }

  adapter = (model: string): Adapter => {
    const key = (id: string) => `${model}:${id}`
    return {
      upsert: async (id, payload, expiresIn) => {
        this.#sweep()
        const expiresAt = expiresIn === undefined ? undefined : Date.now() + expiresIn * 1000
        this.#entries.set(key(id), { payload, expiresAt })
        if (model === 'Session' && payload.uid !== undefined) this.#sessionsByUid.set(payload.uid, id)
      },
      find: async (id) => this.#live(key(id))?.payload,
      // No device flow here: no user codes to find.
      findByUserCode: async () => undefined,
      findByUid: async (uid) => {
        const id = this.#sessionsByUid.get(uid)
        return id === undefined ? undefined : this.#live(key(id))?.payload
      },
      consume: async (id) => {
        const entry = this.#live(key(id))
        if (entry !== undefined) entry.payload.consumed = Math.floor(Date.now() / 1000)
      },
      destroy: async (id) => {
        this.#delete(key(id))
      },
      // Called once per model (codes, access tokens, ...): each revokes only its own.
      revokeByGrantId: async (grantId) => {
        for (const [k, entry] of this.#entries)
          if (k.startsWith(key('')) && entry.payload.grantId === grantId) this.#delete(k)
      },
    }
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key)
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.#delete(key)
      return undefined
    }
    return entry
  }

  #delete(key: string): void {
    const uid = this.#entries.get(key)?.payload.uid
    if (key.startsWith('Session:') && uid !== undefined) this.#sessionsByUid.delete(uid)
    this.#entries.delete(key)
  }

  /** A long demo run signs in many times: expired entries go once a minute. */
  #sweep(): void {
    const now = Date.now()
    if (now < this.#nextSweep) return
    this.#nextSweep = now + SWEEP_EVERY_MS
    for (const key of [...this.#entries.keys()]) this.#live(key)
  }
}
