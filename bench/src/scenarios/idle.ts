/**
 * `idle`: N idle WebSocket connections per system (handshake done, nothing sent). Server heap and RSS
 * per connection: the difference between a fresh server's usage (after GC) and its usage with the N
 * connections open (after GC), divided by N. A fresh server and fresh load processes per repeat.
 */
import { numberOptions } from '../harness/cli.js';
import { comparedSystems, withDeployment } from '../harness/deployment.js';
import { ratioTarget } from '../harness/report.js';
import type { Headline, Scenario } from '../harness/scenario.js';
import { startScenario } from '../harness/start.js';
import { median } from '../harness/stats.js';

interface IdleRun {
  readonly heapPerConnection: number;
  readonly rssPerConnection: number;
  readonly externalPerConnection: number;
  /** First run only, with `--breakdown 1`: bytes and objects per connection by constructor, largest first. */
  readonly breakdown?: ReadonlyArray<{ readonly what: string; readonly bytes: number; readonly objects: number }>;
}

type HeapSummary = Record<string, [number, number]>;

/** What N connections added to the heap, per connection, by constructor (entries under 8 B left out). */
function perConnection(before: HeapSummary, after: HeapSummary, connections: number): NonNullable<IdleRun['breakdown']> {
  return Object.entries(after)
    .map(([what, [objects, bytes]]) => ({ what, bytes: (bytes - (before[what]?.[1] ?? 0)) / connections, objects: (objects - (before[what]?.[0] ?? 0)) / connections }))
    .filter((row) => row.bytes >= 8)
    .sort((a, b) => b.bytes - a.bytes)
    .map((row) => ({ what: row.what, bytes: Math.round(row.bytes), objects: Math.round(row.objects * 100) / 100 }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const idle: Scenario = {
  description: 'N idle WebSocket connections: server heap and RSS per connection',
  defaults: { connections: 5_000, runs: 3, loadProcesses: 2, settleMs: 2_000, breakdown: 1 },
  quick: { connections: 500, runs: 1, settleMs: 500 },
  async run({ options, progress }) {
    const { connections, runs, loadProcesses, settleMs } = numberOptions(options, ['connections', 'runs', 'loadProcesses', 'settleMs']);
    const breakdown = Number(options['breakdown']) > 0;
    // One server process holds every connection: one file descriptor each, 20,000 per process here.
    if (connections > 19_000) throw new Error(`--connections ${connections}: one server process cannot hold more than about 19,000 (20,000 open files per process); the c100k scenario spreads further`);
    if (connections / loadProcesses > 19_000) throw new Error(`--connections ${connections} over ${loadProcesses} load processes is more than 19,000 each: raise --loadProcesses`);
    await startScenario(progress, runs * comparedSystems.length);

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
          const measured = {
            heapPerConnection: (after.heapUsed - before.heapUsed) / connections,
            rssPerConnection: (after.rss - before.rss) / connections,
            externalPerConnection: (after.external - before.external) / connections,
          };
          if (!breakdown || run !== 1) return measured;
          // After the measurement (a snapshot allocates): the same server with and without its connections.
          const loaded = await deployment.server.request<HeapSummary>('heap');
          await deployment.disconnectAll();
          await sleep(settleMs);
          const empty = await deployment.server.request<HeapSummary>('heap');
          return { ...measured, breakdown: perConnection(empty, loaded, connections) };
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
    const breakdowns = [...perSystem].flatMap(([name, results]) => {
      const rows = results[0]?.breakdown;
      if (rows === undefined) return [];
      const total = rows.reduce((sum, row) => sum + row.bytes, 0);
      return [`${name}: ${total} B per connection in the heap snapshot, largest: ${rows.slice(0, 12).map((row) => `${row.what.replace(/^object:/, '')} ${row.bytes} B (${row.objects})`).join(', ')}`];
    });
    return {
      results: { runs: Object.fromEntries(perSystem), medians: { heapKb: heap, rssKb: rss, externalKb: external } },
      report: [
        `${connections} idle WebSocket connections per system (handshake done), ${loadProcesses} load processes; after GC; medians of ${runs} interleaved runs`,
        ...(breakdowns.length > 0 ? ['', 'where the heap goes (run 1, self sizes by constructor, per connection; objects per connection in parentheses):', ...breakdowns] : []),
      ].join('\n'),
      headlines,
    };
  },
};
