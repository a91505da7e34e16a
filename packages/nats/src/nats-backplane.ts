import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { connect, Events, type ConnectionOptions, type NatsConnection, type Subscription } from 'nats';
import { BackplaneUnavailableError, silentLogger, type Backplane, type Channel, type Logger, type Unsubscribe } from '@switchyard/server';
import { isValidSubjectPrefix, natsSubject } from './subjects.js';

export interface NatsBackplaneOptions {
  /** NATS server URL(s). @default 'nats://127.0.0.1:4222' */
  servers?: string | string[];
  /** First tokens of every subject: apps sharing a NATS use different ones. @default 'switchyard' */
  subjectPrefix?: string;
  /** This server's id (its ack and return subjects). @default `${hostname}_${uuid without dashes}` */
  serverId?: string;
  /** Where connection losses and recoveries are logged (one line each per outage). @default silentLogger */
  logger?: Logger;
  /**
   * More options for the nats client (credentials, TLS, `reconnectTimeWait`, …). The backplane
   * reconnects forever: `maxReconnectAttempts` defaults to -1 here.
   * @default {}
   */
  connectionOptions?: ConnectionOptions;
  /** How long {@link createNatsBackplane} waits for the first connection. @default 10_000 (ms) */
  connectTimeoutMs?: number;
}

export const NatsBackplaneErrorCode = {
  /** No connection to NATS within `connectTimeoutMs` when the backplane was created. */
  Unreachable: 'ERR_NATS_UNREACHABLE',
  /** A `subjectPrefix` that is not plain dot-separated tokens. */
  InvalidOption: 'ERR_NATS_INVALID_OPTION',
} as const;
export type NatsBackplaneErrorCode = (typeof NatsBackplaneErrorCode)[keyof typeof NatsBackplaneErrorCode];

/** Thrown by {@link createNatsBackplane}. */
export class NatsBackplaneError extends Error {
  override readonly name = 'NatsBackplaneError';
  readonly code: NatsBackplaneErrorCode;

  constructor(code: NatsBackplaneErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Connects to NATS and resolves with a backplane for `new Switchyard({ backplane })`.
 * @throws NatsBackplaneError `ERR_NATS_UNREACHABLE` when no connection is made in time, `ERR_NATS_INVALID_OPTION`.
 * @example
 * const backplane = await createNatsBackplane({ servers: 'nats://nats:4222' });
 * const app = new Switchyard({ backplane });
 * // on shutdown: await app.close(); await backplane.close();
 */
export async function createNatsBackplane(options: NatsBackplaneOptions = {}): Promise<NatsBackplane> {
  const prefix = options.subjectPrefix ?? 'switchyard';
  if (!isValidSubjectPrefix(prefix)) {
    throw new NatsBackplaneError(NatsBackplaneErrorCode.InvalidOption, `subjectPrefix must be dot-separated tokens without wildcards or spaces, got '${prefix}'.`);
  }
  const servers = options.servers ?? 'nats://127.0.0.1:4222';
  let connection: NatsConnection;
  try {
    connection = await connect({
      maxReconnectAttempts: -1,
      name: 'switchyard-backplane',
      ...options.connectionOptions,
      servers,
      timeout: options.connectTimeoutMs ?? 10_000,
    });
  } catch (error) {
    const where = Array.isArray(servers) ? servers.join(', ') : servers;
    throw new NatsBackplaneError(NatsBackplaneErrorCode.Unreachable, `NATS is not reachable at ${where}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return new NatsBackplane(connection, { ...options, subjectPrefix: prefix });
}

/** A {@link Backplane} on NATS core subjects. Make one with {@link createNatsBackplane}. */
export class NatsBackplane implements Backplane {
  readonly serverId: string;
  readonly #connection: NatsConnection;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #subscriptions = new Set<Subscription>();
  #connected = true;
  #closed = false;

  /** @internal use {@link createNatsBackplane} */
  constructor(connection: NatsConnection, options: NatsBackplaneOptions) {
    this.#connection = connection;
    this.#prefix = options.subjectPrefix ?? 'switchyard';
    this.#logger = options.logger ?? silentLogger;
    this.serverId = options.serverId ?? `${hostname()}_${randomUUID().replaceAll('-', '')}`;
    this.#watch().catch((error: unknown) => this.#logger.error({ err: error }, "NATS status watch failed"));
  }

  publish(channel: Channel, payload: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new BackplaneUnavailableError('The NATS backplane is closed.'));
    // While disconnected the client would queue the message for after the reconnect: refuse instead,
    // so a message is lost at once rather than delivered late (the semantics every backplane shares).
    if (!this.#connected) return Promise.reject(new BackplaneUnavailableError('NATS is disconnected.'));
    try {
      this.#connection.publish(natsSubject(channel, this.#prefix), payload);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return Promise.resolve();
  }

  async subscribe(channel: Channel, onPayload: (payload: Uint8Array) => void): Promise<Unsubscribe> {
    if (this.#closed) throw new BackplaneUnavailableError('The NATS backplane is closed.');
    // The client re-sends every live subscription after a reconnect.
    const subscription = this.#connection.subscribe(natsSubject(channel, this.#prefix), {
      callback: (error, message) => {
        if (error === null) onPayload(message.data);
      },
    });
    this.#subscriptions.add(subscription);
    // A flush round trip means the server has the subscription; during an outage do not wait for it.
    if (this.#connected) await this.#connection.flush();
    return async () => {
      if (!this.#subscriptions.delete(subscription)) return;
      subscription.unsubscribe();
      if (this.#connected && !this.#closed) await this.#connection.flush().catch(() => {});
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscriptions.clear();
    // drain: unsubscribe, flush what was published, then close.
    await this.#connection.drain().catch(() => this.#connection.close());
  }

  async #watch(): Promise<void> {
    for await (const status of this.#connection.status()) {
      if (status.type === Events.Disconnect && this.#connected) {
        this.#connected = false;
        this.#logger.error({ server: status.data }, 'NATS connection lost: cross-server messages are lost until it is back; reconnecting');
      } else if (status.type === Events.Reconnect && !this.#connected) {
        this.#connected = true;
        this.#logger.info({ server: status.data }, 'NATS connection restored; subscriptions restored');
      }
    }
  }
}
