/**
 * `transports`: the same message stream (one message every `intervalMs` to C clients) over regular
 * polling (a plain HTTP endpoint asked every second, written only for this baseline), Switchyard's
 * long polling, Server-Sent Events and WebSockets, Socket.IO's long polling and WebSocket, and raw ws
 * as the floor. Latency (send to receive,
 * one monotonic clock), bytes on the wire (HTTP and WebSocket bytes both ways, counted on the
 * server's sockets, TCP/IP headers not included) and server CPU, per message per client.
 */
import { numberOptions } from '../harness/cli.js';
import { rawWs, socketIo, switchyard, type SystemRow } from '../harness/deployment.js';
import { interleaveDeployments, medians } from '../harness/repeats.js';
import type { Headline, Scenario } from '../harness/scenario.js';
import { startScenario } from '../harness/start.js';
import { percentile } from '../harness/stats.js';

const systems: readonly SystemRow[] = [
  { name: 'regular polling (1 s)', spec: { name: 'polling', server: 'servers/polling', client: 'poll' }, client: 'poll' },
  { name: 'switchyard long polling', spec: switchyard, client: 'signalr-lp' },
  { name: 'switchyard SSE', spec: switchyard, client: 'signalr-sse' },
  { name: 'switchyard WebSockets', spec: switchyard, client: 'signalr-ws' },
  { name: 'socket.io polling', spec: socketIo, client: 'socketio-lp' },
  { name: 'socket.io WebSocket', spec: socketIo, client: 'socketio-ws' },
  { name: 'raw ws', spec: rawWs, client: 'raw-ws' },
];

interface TransportRun {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly bytesPerMessage: number;
  readonly cpuPerMessageUs: number;
}

export const transports: Scenario = {
  description: 'one message stream over regular polling, long polling, SSE and WebSockets: latency, bytes and server CPU per message',
  defaults: { clients: 20, messages: 100, intervalMs: 50, runs: 3, payloadBytes: 32, loadProcesses: 1 },
  quick: { clients: 5, messages: 30, runs: 1 },
  async run({ options, progress }) {
    const { clients, messages, intervalMs, runs, payloadBytes, loadProcesses } = numberOptions(options, ['clients', 'messages', 'intervalMs', 'runs', 'payloadBytes', 'loadProcesses']);
    await startScenario(progress, runs * systems.length, ['WebSockets', 'ServerSentEvents', 'LongPolling']);

    const results = await interleaveDeployments(
      systems,
      { runs, progress, loadProcesses, connections: clients },
      async (deployment): Promise<TransportRun> => {
        await deployment.round({ perTurn: 1, turns: 10, intervalMs, payloadBytes }); // warm-up
        const stream = await deployment.round({ perTurn: 1, turns: messages, intervalMs, payloadBytes, latencies: true });
        const perClientMessages = messages * clients;
        return {
          p50Ms: percentile(stream.latencies, 0.5),
          p99Ms: percentile(stream.latencies, 0.99),
          bytesPerMessage: stream.bytes / perClientMessages,
          cpuPerMessageUs: stream.cpuUs / perClientMessages,
        };
      },
      (run) => `latency p50 ${run.p50Ms.toFixed(2)} ms, p99 ${run.p99Ms.toFixed(2)} ms, ${run.bytesPerMessage.toFixed(0)} B and ${run.cpuPerMessageUs.toFixed(1)} µs CPU per message`,
    );

    const headlines: Headline[] = [
      { metric: 'latency p50 (ms)', values: medians(results, (run) => run.p50Ms) },
      { metric: 'latency p99 (ms)', values: medians(results, (run) => run.p99Ms) },
      { metric: 'bytes on the wire per message (B)', values: medians(results, (run) => run.bytesPerMessage) },
      { metric: 'server CPU per message (µs)', values: medians(results, (run) => run.cpuPerMessageUs) },
    ];
    return {
      results: { runs: Object.fromEntries(results) },
      report: `${clients} clients per transport; ${messages} messages of ${payloadBytes} B, one every ${intervalMs} ms; per message per client; medians of ${runs} interleaved runs`,
      headlines,
    };
  },
};
