/**
 * The scale-out seam: a backplane moves bytes between the servers of one site, nothing more. Which
 * channels exist, what their payloads mean, acknowledgements, timeouts and client-result routing all
 * live once in {@link ScaledHubLifetimeManager}; a backplane (Redis, NATS, the in-memory bus) only
 * maps a {@link Channel} to a broker name and publishes or subscribes.
 */

/**
 * A typed channel of one hub. Each backplane picks the wire name: Redis follows ASP.NET Core's scheme
 * (`{hub}:group:{name}`), NATS escapes each part into a subject token.
 */
export type Channel =
  /** Every server: sends to all connections. */
  | { readonly kind: 'all'; readonly hub: string }
  /** Servers holding at least one member of the group. */
  | { readonly kind: 'group'; readonly hub: string; readonly group: string }
  /** Servers holding at least one connection of the user. */
  | { readonly kind: 'user'; readonly hub: string; readonly userId: string }
  /** The one server holding the connection: sends to it, and client-result invocations. */
  | { readonly kind: 'connection'; readonly hub: string; readonly connectionId: string }
  /** Every server: add/remove a connection held by whichever server has it. */
  | { readonly kind: 'groupCommands'; readonly hub: string }
  /** One server: acknowledgements of the group commands and invocations it published. */
  | { readonly kind: 'ack'; readonly hub: string; readonly serverId: string }
  /** One server: client results (Completions) for the invocations it published. */
  | { readonly kind: 'return'; readonly hub: string; readonly serverId: string };

/** The kinds of {@link Channel}. */
export type ChannelKind = Channel['kind'];

/** Stops a subscription. Idempotent; resolves once the broker was told (or could not be). */
export type Unsubscribe = () => Promise<void>;

/**
 * What a broker must offer to carry hub traffic between servers. Implementations stay small and
 * stateless beyond their broker client; every backplane passes `runBackplaneSuite`.
 *
 * Delivery is at most once: a payload published while the broker is unreachable is lost, never
 * queued for later, and payloads published by one backplane on one channel arrive in order.
 */
export interface Backplane {
  /**
   * Unique per server process and stable for its lifetime: names this server's `ack` and `return`
   * channels. Never reuse one after a restart.
   */
  readonly serverId: string;
  /**
   * Sends `payload` to every current subscriber of `channel`, this backplane's own included.
   * Resolves when the broker took it; rejects at once when the broker is unreachable (nothing is
   * buffered for later), or when the payload is too large for the broker.
   */
  publish(channel: Channel, payload: Uint8Array): Promise<void>;
  /**
   * Calls `onPayload` with every payload published on `channel` from now until the returned
   * {@link Unsubscribe} is called. The subscription survives broker reconnections (the backplane
   * restores it). Resolves once the broker confirmed it; while the broker is unreachable it resolves
   * without waiting, and the subscription takes effect when the broker is back. Several subscriptions
   * of one channel are independent: each gets every payload, each unsubscribes alone.
   * `onPayload` must not throw. It owns `payload`: the backplane never reuses or changes those bytes
   * (the manager hands slices of them to connections that may write them later).
   */
  subscribe(channel: Channel, onPayload: (payload: Uint8Array) => void): Promise<Unsubscribe>;
  /** Ends every subscription and the broker connections. Idempotent. */
  close(): Promise<void>;
}

/** Thrown by backplanes whose broker is unreachable (publish while disconnected). */
export class BackplaneUnavailableError extends Error {
  override readonly name = 'BackplaneUnavailableError';
  readonly code = 'ERR_BACKPLANE_UNAVAILABLE';
}
