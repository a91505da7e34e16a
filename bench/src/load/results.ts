/** What a c100k run measured, summarized from the raw samples, and its plain-text report. */
import type { Headline } from '../harness/scenario.js';
import { percentile } from '../harness/stats.js';
import type { ServerStats } from './messages.js';

export interface RampResult {
  readonly plan: { readonly perLoader: readonly number[]; readonly perServer: readonly number[]; readonly perAddress: Readonly<Record<string, number>> };
  readonly open: number;
  readonly failed: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly portsSkipped: number;
  readonly ports: string;
  readonly seconds: number;
  readonly connectMs: readonly number[];
}

export interface IdleCpu {
  readonly seconds: number;
  /** Per process, cores used (1 = one core busy all the time). */
  readonly serverCores: readonly number[];
  readonly loaderCores: readonly number[];
  /** Busy share of the whole machine (every process, Redis and the kernel included), 0..1. */
  readonly machineBusyShare: number;
  readonly cores: number;
}

export interface BroadcastResult {
  readonly id: number;
  /** How long the sender's invocation took (the sending server's local sends and its publish). */
  readonly invokedMs: number;
  readonly expectedLight: number;
  readonly receivedLight: number;
  readonly expectedOfficial: number;
  readonly receivedOfficial: number;
  readonly duplicates: number;
  readonly dropped: number;
  readonly delaysMs: readonly number[];
  /** CPU of all servers (all load processes) from just before the send until the last receipt was counted. */
  readonly serverCpuMicros: number;
  readonly loaderCpuMicros: number;
  /** Busy share of the whole machine over the same span, 0..1. */
  readonly machineBusyShare: number;
}

export interface Teardown {
  readonly seconds: number;
  readonly closedClean: number;
  readonly closedForced: number;
  readonly serverConnectionsLeft: number;
  readonly loaderExitCodes: readonly (number | null)[];
  readonly serverExitCodes: readonly (number | null)[];
}

export interface RawResults {
  readonly options: { readonly connections: number; readonly transport: string; readonly backplane: string; readonly official: number };
  readonly baseline: readonly ServerStats[];
  readonly loaded: readonly ServerStats[];
  readonly rampResult: RampResult;
  readonly idle: IdleCpu;
  readonly broadcasts: readonly BroadcastResult[];
  readonly officialStillConnected: boolean;
  readonly loaderRssBytes: readonly number[];
  readonly teardown: Teardown;
}

const MB = 1024 * 1024;
const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

function latency(values: readonly number[]): { p50: number; p99: number; max: number } {
  return { p50: round(percentile(values, 0.5), 2), p99: round(percentile(values, 0.99), 2), max: round(percentile(values, 1), 2) };
}

/** The raw samples reduced to figures (the big arrays become percentiles). */
export function summarize(raw: RawResults) {
  const { rampResult, baseline, loaded, idle } = raw;
  const servers = loaded.map((stats, index) => {
    const base = baseline[index]!;
    return {
      connections: stats.connections,
      rssMB: round(stats.rssBytes / MB),
      heapUsedMB: round(stats.heapUsedBytes / MB),
      rssPerConnectionKB: round((stats.rssBytes - base.rssBytes) / 1024 / Math.max(1, stats.connections), 2),
      heapPerConnectionKB: round((stats.heapUsedBytes - base.heapUsedBytes) / 1024 / Math.max(1, stats.connections), 2),
    };
  });
  const held = sum(servers.map((server) => server.connections));
  return {
    ramp: {
      plan: rampResult.plan,
      open: rampResult.open,
      failed: rampResult.failed,
      failures: rampResult.failures,
      portsSkipped: rampResult.portsSkipped,
      ports: rampResult.ports,
      seconds: round(rampResult.seconds),
      connectsPerSecond: Math.round(rampResult.open / rampResult.seconds),
      connectMs: latency(rampResult.connectMs),
      /** Server CPU from before the ramp to the memory sample after it (a few seconds of Pings included), per connection. */
      serverCpuPerConnectMicros: round((sum(loaded.map((s) => s.cpuMicros)) - sum(baseline.map((s) => s.cpuMicros))) / Math.max(1, held), 1),
    },
    servers,
    serversHeld: held,
    perConnection: {
      rssKB: round((sum(loaded.map((s) => s.rssBytes)) - sum(baseline.map((s) => s.rssBytes))) / 1024 / Math.max(1, held), 2),
      heapKB: round((sum(loaded.map((s) => s.heapUsedBytes)) - sum(baseline.map((s) => s.heapUsedBytes))) / 1024 / Math.max(1, held), 2),
    },
    loaderRssMB: raw.loaderRssBytes.map((bytes) => round(bytes / MB)),
    idle: {
      seconds: round(idle.seconds),
      serverCores: round(sum(idle.serverCores), 3),
      loaderCores: round(sum(idle.loaderCores), 3),
      perServerCores: idle.serverCores.map((cores) => round(cores, 3)),
      machineBusyPercent: round(idle.machineBusyShare * 100),
      cores: idle.cores,
    },
    broadcasts: raw.broadcasts.map(({ delaysMs, serverCpuMicros, loaderCpuMicros, machineBusyShare, ...rest }) => ({
      ...rest,
      invokedMs: round(rest.invokedMs, 2),
      serverCpuMs: round(serverCpuMicros / 1000),
      serverCpuPerDeliveryMicros: round(serverCpuMicros / Math.max(1, rest.receivedLight + rest.receivedOfficial), 2),
      loaderCpuMs: round(loaderCpuMicros / 1000),
      machineBusyPercent: round(machineBusyShare * 100),
      exact: rest.receivedLight === rest.expectedLight && rest.receivedOfficial === rest.expectedOfficial && rest.duplicates === 0,
      delayMs: latency(delaysMs),
    })),
    officialStillConnected: raw.officialStillConnected,
    teardown: { ...raw.teardown, seconds: round(raw.teardown.seconds) },
    transport: raw.options.transport,
    backplane: raw.options.backplane,
  };
}

export type C100kResults = ReturnType<typeof summarize>;

/** The report printed at the end of a run. */
export function formatC100k(results: C100kResults): string {
  const { ramp, idle } = results;
  const failures = Object.entries(ramp.failures).map(([reason, count]) => `${reason} ×${count}`).join(', ');
  const lines = [
    `c100k: ${results.servers.length} servers on ${results.backplane}, ${ramp.plan.perLoader.length} load processes, ${Object.keys(ramp.plan.perAddress).length} source addresses, ${results.transport} connects`,
    '',
    `ramp         ${ramp.open} open, ${ramp.failed} failed${failures === '' ? '' : ` (${failures})`} in ${ramp.seconds} s = ${ramp.connectsPerSecond} connects/s (local ports ${ramp.ports}, ${ramp.portsSkipped} found taken)`,
    `connect      p50 ${ramp.connectMs.p50} ms, p99 ${ramp.connectMs.p99} ms, max ${ramp.connectMs.max} ms (socket to handshake answer, under ramp load); server CPU ${ramp.serverCpuPerConnectMicros} µs per connection`,
    `held         ${results.serversHeld} connections on the servers (official clients included)`,
    `memory       ${results.perConnection.rssKB} KB RSS and ${results.perConnection.heapKB} KB heap per connection (after GC, above each server's idle baseline)`,
    '',
    `${'server'.padEnd(8)}${'conns'.padStart(8)}${'RSS MB'.padStart(9)}${'heap MB'.padStart(9)}${'RSS KB/c'.padStart(10)}${'heap KB/c'.padStart(11)}${'idle cores'.padStart(12)}`,
    ...results.servers.map(
      (server, index) =>
        `${String(index).padEnd(8)}${String(server.connections).padStart(8)}${String(server.rssMB).padStart(9)}${String(server.heapUsedMB).padStart(9)}${String(server.rssPerConnectionKB).padStart(10)}${String(server.heapPerConnectionKB).padStart(11)}${String(idle.perServerCores[index]).padStart(12)}`,
    ),
    '',
    `idle CPU     over ${idle.seconds} s with Pings both ways: servers ${idle.serverCores} cores, load processes ${idle.loaderCores} cores, whole machine ${idle.machineBusyPercent}% of ${idle.cores} cores`,
    ...results.broadcasts.map(
      (broadcast) =>
        `broadcast ${broadcast.id}  ${broadcast.receivedLight}/${broadcast.expectedLight} light + ${broadcast.receivedOfficial}/${broadcast.expectedOfficial} official received, ${broadcast.duplicates} duplicates, ${broadcast.dropped} dropped${broadcast.exact ? ' (exact)' : ' (NOT EXACT)'}; delay p50 ${broadcast.delayMs.p50} ms, p99 ${broadcast.delayMs.p99} ms, max ${broadcast.delayMs.max} ms (invoke ${broadcast.invokedMs} ms); CPU: servers ${broadcast.serverCpuMs} ms = ${broadcast.serverCpuPerDeliveryMicros} µs per delivery, load processes ${broadcast.loaderCpuMs} ms, machine ${broadcast.machineBusyPercent}% busy`,
    ),
    `teardown     ${results.teardown.closedClean} closed cleanly, ${results.teardown.closedForced} forced, ${results.teardown.serverConnectionsLeft} left on servers; exit codes: load ${results.teardown.loaderExitCodes.join(',')}, servers ${results.teardown.serverExitCodes.join(',')} in ${results.teardown.seconds} s`,
  ];
  return lines.join('\n');
}

/** The headlines of a run (system `switchyard`): what the issue asks to show. */
export function c100kHeadlines(results: C100kResults, connections: number): Headline[] {
  const worst = (pick: (broadcast: C100kResults['broadcasts'][number]) => number): number => Math.max(...results.broadcasts.map(pick));
  const exact = results.broadcasts.every((broadcast) => broadcast.exact);
  const value = (metric: string, number: number, target?: Headline['target']): Headline => ({
    metric,
    values: { switchyard: number },
    ...(target === undefined ? {} : { target }),
  });
  return [
    value('connections held', results.serversHeld, {
      text: `${connections} light + ${results.broadcasts[0]?.expectedOfficial ?? 0} official, every broadcast received exactly once by all`,
      met: results.ramp.open === connections && exact && results.teardown.closedForced === 0,
    }),
    value('connects per second (ramp)', results.ramp.connectsPerSecond),
    value('server CPU per connect (µs)', results.ramp.serverCpuPerConnectMicros),
    value('RSS per connection (KB)', results.perConnection.rssKB),
    value('heap per connection (KB)', results.perConnection.heapKB),
    value('idle CPU, servers (cores)', results.idle.serverCores),
    value('broadcast to all, p50 delay (ms)', percentile(results.broadcasts.map((broadcast) => broadcast.delayMs.p50), 0.5)),
    value('broadcast to all, worst p99 delay (ms)', worst((broadcast) => broadcast.delayMs.p99)),
    value('broadcast to all, worst max delay (ms)', worst((broadcast) => broadcast.delayMs.max)),
    value('broadcast, server CPU per delivery (µs)', percentile(results.broadcasts.map((broadcast) => broadcast.serverCpuPerDeliveryMicros), 0.5)),
  ];
}
