import type { ConnectionCloseReason, TransportKind } from '@switchyard/server';
import { PrometheusInstrumentation } from '@switchyard/metrics';
import type { ServerStats } from './server-stats.js';

/**
 * The demo's instrumentation: the Prometheus metrics `GET /metrics` serves, which also feed the
 * monitor view's {@link ServerStats} (connections by transport, hub messages in and out), so the
 * demo counts nothing by hand and the two views cannot disagree.
 */
export class DemoInstrumentation extends PrometheusInstrumentation {
  readonly #stats: ServerStats;

  constructor(stats: ServerStats) {
    super();
    this.#stats = stats;
  }

  override connectionOpened(transport: TransportKind): void {
    super.connectionOpened(transport);
    this.#stats.connected(transport);
  }

  override connectionClosed(transport: TransportKind, reason: ConnectionCloseReason): void {
    super.connectionClosed(transport, reason);
    this.#stats.disconnected(transport);
  }

  override messagesReceived(hub: string, protocol: string, count: number): void {
    super.messagesReceived(hub, protocol, count);
    this.#stats.received(count);
  }

  override messagesSent(hub: string, protocol: string, count: number): void {
    super.messagesSent(hub, protocol, count);
    this.#stats.sent(count);
  }
}
