/**
 * {@link SwitchyardInstrumentation} on prom-client. docs/metrics.md lists every metric.
 *
 * Per-message events (messages, bytes) only add to plain numbers held in small tables; the prom-client
 * counters and gauges are filled from those tables when the registry is scraped (their `collect`), so
 * the hot path never hashes labels or allocates. Backplane publish latency goes to a prom-client
 * histogram directly (one observation per publish, not per recipient).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type {
  ConnectionCloseReason,
  ConnectionRefusalReason,
  InvocationFailureReason,
  OutboundDropReason,
  SwitchyardInstrumentation,
  TransportKind,
} from '@switchyard/server';
import { LabelTable, PerTransport } from './label-table.js';

export interface PrometheusInstrumentationOptions {
  /** Where the metrics are registered. @default a new Registry (not prom-client's global one) */
  readonly registry?: Registry;
  /** Prepended to every metric name. @default 'switchyard_' */
  readonly prefix?: string;
  /**
   * Upper bounds of the backplane publish latency buckets, in seconds.
   * @default [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
   */
  readonly publishDurationBuckets?: readonly number[];
}

const defaultPublishBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * @example
 * const metrics = new PrometheusInstrumentation();
 * const app = new Switchyard({ instrumentation: metrics });
 * const serveMetrics = metricsRequestHandler(metrics.registry);   // GET /metrics
 */
export class PrometheusInstrumentation implements SwitchyardInstrumentation {
  readonly registry: Registry;
  readonly #opened = new PerTransport();
  readonly #closed = new LabelTable();
  readonly #bytesReceived = new PerTransport();
  readonly #bytesSent = new PerTransport();
  readonly #dropped = new LabelTable();
  readonly #refused = new LabelTable();
  readonly #messagesReceived = new LabelTable();
  readonly #messagesSent = new LabelTable();
  readonly #invocationErrors = new LabelTable();
  readonly #publishErrors = new LabelTable();
  readonly #backplaneReceived = new LabelTable();
  readonly #publishDuration: Histogram<'hub'>;
  /** Histogram children by hub, so an observation does not validate labels again. */
  readonly #publishDurationByHub = new Map<string, { observe(value: number): void }>();

  constructor(options: PrometheusInstrumentationOptions = {}) {
    const registry = (this.registry = options.registry ?? new Registry());
    const prefix = options.prefix ?? 'switchyard_';
    const registers = [registry];
    const opened = this.#opened;
    const closedTable = this.#closed;

    new Gauge({
      name: `${prefix}connections`,
      help: 'Open connections (transport started, not yet ended), by transport.',
      labelNames: ['transport'],
      registers,
      collect() {
        this.reset();
        const closed = closedTable.sumByFirst();
        for (const transport of PerTransport.kinds) {
          this.set({ transport }, opened.get(transport) - (closed.get(transport) ?? 0));
        }
      },
    });
    perTransportCounter(registers, `${prefix}connections_opened_total`, 'Connections whose transport started, by transport.', opened);
    labelledCounter(registers, `${prefix}connections_closed_total`,
      'Connections that ended, by transport and reason class (normal, transport_error, slow_consumer, send_timeout, disconnect_timeout, message_too_large, handler_error, error).',
      ['transport', 'reason'], closedTable);
    perTransportCounter(registers, `${prefix}bytes_received_total`, 'Inbound bytes handed over by the transports, by transport.', this.#bytesReceived);
    perTransportCounter(registers, `${prefix}bytes_sent_total`, 'Outbound bytes queued on connections, by transport.', this.#bytesSent);
    labelledCounter(registers, `${prefix}outbound_dropped_total`,
      'Outbound payloads dropped instead of queued, by transport and reason (buffer_full: a slow consumer, then disconnected).',
      ['transport', 'reason'], this.#dropped);
    labelledCounter(registers, `${prefix}connections_refused_total`,
      'Requests refused by a limit or security check before reaching a connection, by reason (address_limit, user_limit, foreign_token, origin).',
      ['reason'], this.#refused);
    labelledCounter(registers, `${prefix}hub_messages_received_total`, 'Hub messages parsed from clients, by hub and protocol.',
      ['hub', 'protocol'], this.#messagesReceived);
    labelledCounter(registers, `${prefix}hub_messages_sent_total`, 'Hub messages written to clients (replays included), by hub and protocol.',
      ['hub', 'protocol'], this.#messagesSent);
    labelledCounter(registers, `${prefix}hub_invocation_errors_total`,
      'Invocations answered with an error, by hub and reason (exception, unknown_method, unauthorized, invalid_invocation, rate_limited).',
      ['hub', 'reason'], this.#invocationErrors);
    this.#publishDuration = new Histogram({
      name: `${prefix}backplane_publish_duration_seconds`,
      help: 'Time from handing a message to the backplane until the broker accepted it, by hub.',
      labelNames: ['hub'],
      buckets: [...(options.publishDurationBuckets ?? defaultPublishBuckets)],
      registers,
    });
    labelledCounter(registers, `${prefix}backplane_publish_errors_total`, 'Backplane publishes that failed (the message is lost for other servers), by hub.',
      ['hub'], this.#publishErrors);
    labelledCounter(registers, `${prefix}backplane_messages_received_total`, 'Payloads received from the backplane, by hub.',
      ['hub'], this.#backplaneReceived);
  }

  connectionOpened(transport: TransportKind): void {
    this.#opened.add(transport, 1);
  }

  connectionClosed(transport: TransportKind, reason: ConnectionCloseReason): void {
    this.#closed.add(transport, reason, 1);
  }

  bytesReceived(transport: TransportKind, bytes: number): void {
    this.#bytesReceived.add(transport, bytes);
  }

  bytesSent(transport: TransportKind, bytes: number): void {
    this.#bytesSent.add(transport, bytes);
  }

  outboundDropped(transport: TransportKind, reason: OutboundDropReason, _bytes: number): void {
    this.#dropped.add(transport, reason, 1);
  }

  /** Why the connections layer refused a request (a bounded set; see docs/metrics.md). */
  connectionRefused(reason: ConnectionRefusalReason): void {
    this.#refused.add(reason, '', 1);
  }

  messagesReceived(hub: string, protocol: string, count: number): void {
    this.#messagesReceived.add(hub, protocol, count);
  }

  messagesSent(hub: string, protocol: string, count: number): void {
    this.#messagesSent.add(hub, protocol, count);
  }

  invocationFailed(hub: string, reason: InvocationFailureReason): void {
    this.#invocationErrors.add(hub, reason, 1);
  }

  backplanePublished(hub: string, seconds: number): void {
    let child = this.#publishDurationByHub.get(hub);
    if (child === undefined) this.#publishDurationByHub.set(hub, (child = this.#publishDuration.labels(hub)));
    child.observe(seconds);
  }

  backplanePublishFailed(hub: string): void {
    this.#publishErrors.add(hub, '', 1);
  }

  backplaneReceived(hub: string): void {
    this.#backplaneReceived.add(hub, '', 1);
  }
}

function perTransportCounter(registers: Registry[], name: string, help: string, table: PerTransport): void {
  new Counter({
    name,
    help,
    labelNames: ['transport'],
    registers,
    collect() {
      this.reset();
      for (const transport of PerTransport.kinds) this.inc({ transport }, table.get(transport));
    },
  });
}

/** A counter with one or two labels, filled from `table` at scrape time. */
function labelledCounter(registers: Registry[], name: string, help: string, labelNames: [string] | [string, string], table: LabelTable): void {
  new Counter({
    name,
    help,
    labelNames,
    registers,
    collect() {
      this.reset();
      table.forEach((first, second, value) => {
        this.inc(labelNames.length === 1 ? { [labelNames[0]]: first } : { [labelNames[0]]: first, [labelNames[1]]: second }, value);
      });
    },
  });
}
