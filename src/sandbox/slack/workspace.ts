import { randomBytes } from 'node:crypto'

/** A message as the simulator stored it, in the shape conversations.history returns. */
export interface PostedMessage {
  ts: string
  channel: string
  via: 'webhook' | 'chat.postMessage' | 'response_url'
  /** A reply in a thread: the ts of the message it answers. */
  thread_ts?: string
  text: string
  blocks?: unknown[]
  metadata?: { event_type: string; event_payload: Record<string, unknown> }
}

export interface SimChannel {
  id: string
  name: string
  archived: boolean
  messages: PostedMessage[]
}

/** A member of the workspace, as users.info describes them. */
export interface SimUser {
  id: string
  /** The handle (`name`), e.g. olivia. */
  name: string
  realName: string
  displayName: string
  /** Absent for bots and for members whose email Slack does not hold. */
  email?: string
  isBot: boolean
}

export type SimUserInput = Pick<SimUser, 'id'> & Partial<Omit<SimUser, 'id'>>

/** Every request the simulator answered, accepted or not. */
export interface RequestRecord {
  at: number
  route: string
  status: number
  /** Slack's error string, or null when accepted. */
  error: string | null
  /** Why, for rejected messages (Slack's response_metadata.messages). */
  messages?: string[]
}

/** One Slack workspace: members, channels, incoming webhooks bound to them, the messages they hold. */
export class Workspace {
  readonly teamId: string
  readonly users = new Map<string, SimUser>()
  readonly channels = new Map<string, SimChannel>()
  /** Webhook path (/services/T…/B…/secret) → channel id. */
  readonly webhooks = new Map<string, string>()
  /** response_url path (/actions/T…/…) → the channel and message an interaction came from. */
  readonly responseUrls = new Map<string, { channel: string; messageTs: string; userId: string }>()
  /** Ephemeral answers, seen only by the user who clicked. */
  readonly ephemeral: Array<{ channel: string; userId: string; text: string; at: number }> = []
  readonly #clock: () => number
  #lastTs = 0

  constructor(teamId: string, clock: () => number) {
    this.teamId = teamId
    this.#clock = clock
  }

  now(): number {
    return this.#clock()
  }

  /** A member; the handle defaults to the id in lower case, the names to the handle. */
  addUser(input: SimUserInput): SimUser {
    const name = input.name ?? input.id.toLowerCase()
    const realName = input.realName ?? name
    const user: SimUser = {
      id: input.id,
      name,
      realName,
      displayName: input.displayName ?? name,
      isBot: input.isBot ?? false,
      ...(input.email === undefined ? {} : { email: input.email }),
    }
    this.users.set(user.id, user)
    return user
  }

  addChannel(id: string, name: string): SimChannel {
    const channel = { id, name, archived: false, messages: [] }
    this.channels.set(id, channel)
    return channel
  }

  /** A channel by id, or by name with or without '#', as chat.postMessage accepts it. */
  find(idOrName: string): SimChannel | undefined {
    const byId = this.channels.get(idOrName)
    if (byId !== undefined) return byId
    const name = idOrName.replace(/^#/, '')
    return [...this.channels.values()].find((c) => c.name === name)
  }

  /** A new incoming webhook for the channel; its path holds the secret, as Slack's do. */
  createWebhook(channelId: string, path?: string): string {
    if (!this.channels.has(channelId)) throw new Error(`no channel ${channelId}`)
    const hookPath =
      path ??
      `/services/${this.teamId}/B${randomBytes(5).toString('hex').toUpperCase()}/${randomBytes(12).toString('base64url')}`
    this.webhooks.set(hookPath, channelId)
    return hookPath
  }

  /** Stores a message; `ts` is Slack's "seconds.microseconds", unique and increasing per workspace. */
  post(channel: SimChannel, message: Omit<PostedMessage, 'ts' | 'channel'>): PostedMessage {
    const micros = Math.max(this.now() * 1000, this.#lastTs + 1)
    this.#lastTs = micros
    const ts = `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`
    const stored = { ts, channel: channel.id, ...message }
    channel.messages.push(stored)
    return stored
  }
}
