/**
 * A hub session's lifecycle after the handshake and its single end: onConnected (registration with
 * the lifetime manager, then the hub's own), the close/teardown path (Close message, transport end,
 * cancellation) and onDisconnected exactly once, then unregistration.
 */
import { HubException, type HubLimitException } from './errors.js';
import { createHub } from './hub.js';
import { LifecycleScope } from './invocation.js';
import { HUB_CONNECTED, REGISTERED, SessionCore } from './session-core.js';
import { toError } from './session-input.js';

export abstract class SessionLifecycle extends SessionCore {
  #connecting: Promise<void> | undefined;

  /** Keep-alive and timeouts (hub-session.ts), ticked by the endpoint; a closed session ignores it. */
  /** `now`: the heartbeat's monotonic clock; `wallClockMs`: Date.now() once per tick (token expiry). */
  abstract onHeartbeat(now: number, wallClockMs: number): void;

  /** `context.abort()`: no stateful reconnect any more; Close without allowReconnect, then onDisconnected(undefined). */
  abort(): void {
    // Closing first: a lost transport then ends as an abort (onDisconnected without an error).
    this.close(undefined, false, undefined);
    this.connection.resumable = false;
  }

  /** A limit or policy ends the connection: Close with its text (a HubException's is always shown). */
  closeForLimit(error: HubLimitException, allowReconnect: boolean): void {
    this.close(error, allowReconnect, error);
  }

  /** App shutdown: Close {allowReconnect: true}; resolves once onDisconnected has run. */
  shutdown(): Promise<void> {
    this.close(undefined, true, undefined);
    return this.extras.ended ?? Promise.resolve();
  }

  /** The client sent Close: a graceful end; `error` (if the client gave one) reaches onDisconnected. */
  closeFromClient(error: string | undefined): void {
    this.close(undefined, false, error === undefined ? undefined : new HubException(error));
  }

  /** A protocol, size or timeout error: Close with the error, the client may reconnect. */
  protected fail(error: Error): void {
    this.close(error, true, error);
  }

  /** The handshake was accepted: runs onConnected (messages wait in the inbound queue until it is done). */
  protected startConnecting(): void {
    this.#connecting = this.connect();
  }

  private async connect(): Promise<void> {
    await this.runConnect();
    // Settled: disconnect has nothing to wait for, and an idle session keeps no promise.
    this.#connecting = undefined;
  }

  private async runConnect(): Promise<void> {
    const { endpoint } = this;
    try {
      await endpoint.manager.onConnected(this);
      this.setFlag(REGISTERED);
      if (this.closed) return;
      const hub = createHub(endpoint.hubClass, new LifecycleScope(this, false));
      await hub.onConnected();
    } catch (error) {
      this.logger.error({ err: error }, 'onConnected failed');
      // The client must not reconnect into the same failure.
      this.close(toError(error), false, undefined);
      return;
    }
    // From here on onDisconnected is owed, even if the connection ended while onConnected ran.
    this.setFlag(HUB_CONNECTED);
    if (this.closed) return;
    this.state = 'connected';
    this.releaseInbound();
  }

  /** A method, not a field read, so narrowing does not survive the awaits above. */
  private get closed(): boolean {
    return this.state === 'closed';
  }

  /**
   * Ends the session once: sends Close (after the handshake), ends the transport, cancels streams,
   * uploads and pending client results, then runs onDisconnected and unregisters.
   */
  protected close(closeError: Error | undefined, allowReconnect: boolean, disconnectError: Error | undefined): void {
    if (this.state === 'closed') return;
    const handshaking = this.state === 'handshaking';
    this.state = 'closed';
    // A graceful end delivers what waits for the replay window first; a failure does not wait for it.
    if (closeError === undefined) this.replayBuffer?.flushWaiting();
    if (!handshaking) this.writeClose(closeError, allowReconnect);
    this.replayBuffer?.dispose();
    this.clearInbound();
    this.partial = undefined;
    this.connection.close();
    // Reading may still be paused (onConnected running, invocations waiting for a slot, full uploads),
    // and nothing will resume it now. Let the transport read again, although the session ignores what
    // comes: a paused WebSocket never reads the peer's close frame, so it would finish closing only
    // when the close timeout kills it (and app.close() would wait that long).
    this.connection.resume();
    this.cancelWork();
    if (handshaking) {
      this.endpoint.removeSession(this);
      return;
    }
    this.extras.ended = this.disconnect(disconnectError);
  }

  private async disconnect(error: Error | undefined): Promise<void> {
    const { endpoint } = this;
    try {
      await this.#connecting;
      if (this.hasFlag(HUB_CONNECTED)) {
        const hub = createHub(endpoint.hubClass, new LifecycleScope(this, true));
        await hub.onDisconnected(error);
      }
    } catch (hubError) {
      this.logger.error({ err: hubError }, 'onDisconnected failed');
    }
    try {
      if (this.hasFlag(REGISTERED)) await endpoint.manager.onDisconnected(this);
    } catch (managerError) {
      this.logger.error({ err: managerError }, 'lifetime manager onDisconnected failed');
    }
    endpoint.removeSession(this);
  }
}
