/**
 * `burst`: K messages to N connections in one event-loop turn. Switchyard coalesces a connection's
 * pending messages into one frame and one write per turn (SignalR frames may carry several hub
 * messages); raw ws and Socket.IO send K frames. What coalescing saves shows twice: against the other
 * systems, and against Switchyard itself with coalescing off (`coalesceOutbound: false`: a frame and
 * a write per message). Per delivery (one message to one connection): server CPU, frames received,
 * socket writes; and the time until the last receiver has all K.
 */
import { numberOptions } from '../harness/cli.js';
import { rawWs, socketIo, switchyard, switchyardUncoalesced, type Deployment, type RoundResult } from '../harness/deployment.js';
import { ratioTarget } from '../harness/report.js';
import { interleaveDeployments, medians } from '../harness/repeats.js';
import type { Headline, Scenario } from '../harness/scenario.js';
import { startScenario } from '../harness/start.js';
import { median } from '../harness/stats.js';

interface BurstRun {
  readonly cpuPerDeliveryUs: number;
  readonly framesPerDelivery: number;
  readonly writesPerDelivery: number;
  readonly lastReceiverMs: number;
}

const systems = [switchyard, switchyardUncoalesced, rawWs, socketIo];

async function measure(deployment: Deployment, rounds: number, perTurn: number, turns: number, payloadBytes: number): Promise<BurstRun> {
  const results: RoundResult[] = [];
  for (let i = 0; i < rounds; i++) results.push(await deployment.round({ perTurn, turns, payloadBytes }));
  const deliveries = rounds * perTurn * turns * deployment.connections;
  const sum = (pick: (result: RoundResult) => number): number => results.reduce((total, result) => total + pick(result), 0);
  return {
    cpuPerDeliveryUs: sum((r) => r.cpuUs) / deliveries,
    framesPerDelivery: sum((r) => r.frames) / deliveries,
    writesPerDelivery: sum((r) => r.writes) / deliveries,
    lastReceiverMs: median(results.map((r) => r.lastAt - r.sentAt[0]!)),
  };
}

export const burst: Scenario = {
  description: 'K messages in one event-loop turn to N connections: server CPU, frames and writes per delivery',
  defaults: { connections: 1_000, burst: 20, rounds: 20, runs: 3, payloadBytes: 32, loadProcesses: 2 },
  quick: { connections: 200, burst: 10, rounds: 5, runs: 1 },
  async run({ options, progress }) {
    const { connections, burst: k, rounds, runs, payloadBytes, loadProcesses } = numberOptions(options, ['connections', 'burst', 'rounds', 'runs', 'payloadBytes', 'loadProcesses']);
    await startScenario(progress, runs * systems.length);

    const flat = await interleaveDeployments(
      systems,
      { runs, progress, loadProcesses, connections },
      async (deployment) => {
        await measure(deployment, Math.ceil(rounds / 4), k, 1, payloadBytes); // warm-up
        return measure(deployment, rounds, k, 1, payloadBytes);
      },
      (run) => `${run.cpuPerDeliveryUs.toFixed(2)} µs CPU, ${run.framesPerDelivery.toFixed(3)} frames, ${run.writesPerDelivery.toFixed(3)} writes per delivery`,
    );

    const cpu = medians(flat, (run) => run.cpuPerDeliveryUs);
    const headlines: Headline[] = [
      { metric: 'server CPU per delivery (µs)', values: cpu, target: ratioTarget(cpu, 'socket.io', 'switchyard', '>=', 3) },
      { metric: 'frames per delivery (frames)', values: medians(flat, (run) => run.framesPerDelivery) },
      { metric: 'socket writes per delivery (writes)', values: medians(flat, (run) => run.writesPerDelivery) },
      { metric: 'time until the last receiver has all K (ms)', values: medians(flat, (run) => run.lastReceiverMs) },
    ];
    return {
      results: { runs: Object.fromEntries(flat) },
      report: `${connections} connections; ${rounds} rounds of ${k} messages of ${payloadBytes} B in one event-loop turn; '${switchyardUncoalesced.name}' is Switchyard with coalesceOutbound: false; medians of ${runs} interleaved runs`,
      headlines,
    };
  },
};
