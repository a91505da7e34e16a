/**
 * `idle`: N idle WebSocket connections per system (handshake done, nothing sent). Server heap and RSS
 * per connection: the difference between a fresh server's usage (after GC) and its usage with the N
 * connections open (after GC), divided by N. A fresh server and fresh load processes per repeat.
 */
import { comparedSystems, switchyard, withDeployment } from '../harness/deployment.js';
import { ratioTarget } from '../harness/report.js';
import type { Headline, Scenario } from '../harness/scenario.js';
import { median } from '../harness/stats.js';
import { verifyWithOfficialClient } from '../harness/verify.js';

interface IdleRun {
  readonly heapPerConnection: number;
  readonly rssPerConnection: number;
  readonly externalPerConnection: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const idle: Scenario = {
  description: 'N idle WebSocket connections: server heap and RSS per connection',
  defaults: { connections: 5_000, runs: 3, loadProcesses: 2, settleMs: 2_000 },
  quick: { connections: 500, runs: 1, settleMs: 500 },
  async run({ options, progress }) {
    const connections = Number(options['connections']);
    const runs = Number(options['runs']);
    const loadProcesses = Number(options['loadProcesses']);
    const settleMs = Number(options['settleMs']);
    progress.start(1 + runs * comparedSystems.length);
    progress.step('official client check');
    await withDeployment(switchyard, 1, (deployment) => verifyWithOfficialClient(deployment.url));
    progress.advance();

    const perSystem = new Map<string, IdleRun[]>(comparedSystems.map((system) => [system.name, []]));
    for (let run = 1; run <= runs; run++) {
      // Interleaved: drift on a shared machine spreads over every system alike.
      for (const system of comparedSystems) {
        progress.step(`run ${run}/${runs}: ${system.name}, ${connections} connections`);
        const result = await withDeployment(system, loadProcesses, async (deployment) => {
          await sleep(settleMs);
          const before = await deployment.usage(true);
          await deployment.connect(connections);
          await sleep(settleMs);
          const after = await deployment.usage(true);
          return {
            heapPerConnection: (after.heapUsed - before.heapUsed) / connections,
            rssPerConnection: (after.rss - before.rss) / connections,
            externalPerConnection: (after.external - before.external) / connections,
          };
        });
        perSystem.get(system.name)!.push(result);
        progress.note(`run ${run} ${system.name}: heap ${(result.heapPerConnection / 1024).toFixed(2)} KB, RSS ${(result.rssPerConnection / 1024).toFixed(2)} KB per connection`);
        progress.advance();
      }
    }

    const medianKb = (pick: (run: IdleRun) => number): Record<string, number> =>
      Object.fromEntries([...perSystem].map(([name, results]) => [name, median(results.map(pick)) / 1024]));
    const heap = medianKb((run) => run.heapPerConnection);
    const rss = medianKb((run) => run.rssPerConnection);
    const external = medianKb((run) => run.externalPerConnection);
    const headlines: Headline[] = [
      { metric: 'heap per connection (KB)', values: heap, target: ratioTarget(heap, 'switchyard', 'raw ws', '<=', 1.25) },
      { metric: 'RSS per connection (KB)', values: rss, target: ratioTarget(rss, 'switchyard', 'raw ws', '<=', 1.25) },
    ];
    return {
      results: { runs: Object.fromEntries(perSystem), medians: { heapKb: heap, rssKb: rss, externalKb: external } },
      report: `${connections} idle WebSocket connections per system (handshake done), ${loadProcesses} load processes; after GC; medians of ${runs} interleaved runs`,
      headlines,
    };
  },
};
