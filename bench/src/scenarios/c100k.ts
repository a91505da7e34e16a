/**
 * 100,000 live connections on one machine: a cluster of Switchyard server processes on one backplane,
 * light clients in several load processes bound to several loopback source addresses (past the
 * per-process open-file limit and the per-address ephemeral ports), a few official clients, then
 * idle CPU, broadcasts to everyone with their receive delays and a count of who got them, and a
 * clean teardown. See docs/c100k.md.
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { busyShare, machineCpu } from '../load/cpu.js';
import { machineLimits, parsePortRange } from '../load/limits.js';
import type { ServerStats } from '../load/messages.js';
import { OfficialClients } from '../load/official.js';
import { loopbackAddresses, planLoad } from '../load/plan.js';
import { LoadProcess, ServerProcess } from '../load/processes.js';
import { c100kHeadlines, formatC100k, summarize, type BroadcastResult, type C100kResults, type IdleCpu, type RampResult } from '../load/results.js';
import type { Scenario } from '../harness/scenario.js';

export interface C100kOptions {
  readonly connections: number;
  readonly servers: number;
  readonly loaders: number;
  readonly addresses: number;
  /** Local ports bound on each source address, `first-last`; below the ephemeral range by default (see `planLoad`). */
  readonly ports: string;
  /** Handshakes in flight at once per load process. */
  readonly concurrency: number;
  /** Close handshakes in flight at once per load process at teardown. */
  readonly closeConcurrency: number;
  /** Official-client connections, round-robin over the servers. */
  readonly official: number;
  /** `direct` (skipNegotiation) or `negotiate`. */
  readonly transport: string;
  readonly broadcasts: number;
  readonly idleSeconds: number;
  readonly pingIntervalMs: number;
  readonly backplane: string;
  readonly backlog: number;
  readonly broadcastTimeoutMs: number;
}

export const c100kDefaults: C100kOptions = {
  connections: 100_000,
  servers: 8,
  loaders: 8,
  addresses: 8,
  ports: '10000-32767',
  concurrency: 64,
  closeConcurrency: 256,
  official: 8,
  transport: 'direct',
  broadcasts: 3,
  idleSeconds: 30,
  pingIntervalMs: 15_000,
  backplane: 'redis://127.0.0.1:6379',
  backlog: 4096,
  broadcastTimeoutMs: 120_000,
};

const HUB_PATH = '/load';

/** Where progress goes (the harness's progress bar fits): steps, and lines worth keeping. */
export interface Reporter {
  step(label: string): void;
  advance(): void;
  note(line: string): void;
}

async function allStats(servers: readonly ServerProcess[], gc = true): Promise<ServerStats[]> {
  return Promise.all(
    servers.map(async (server) => {
      const pending = server.next('stats');
      server.send({ type: 'stats', gc });
      const { type: _type, ...stats } = await pending;
      return stats;
    }),
  );
}

async function loaderCpu(loaders: readonly LoadProcess[]): Promise<Array<{ cpuMicros: number; rssBytes: number }>> {
  return Promise.all(
    loaders.map(async (loader) => {
      const pending = loader.next('cpu');
      loader.send({ type: 'cpu' });
      return pending;
    }),
  );
}

/** Opens every planned connection; progress on stderr every 2 s. */
async function ramp(options: C100kOptions, servers: readonly ServerProcess[], loaders: readonly LoadProcess[], reporter: Reporter): Promise<RampResult> {
  const limits = machineLimits();
  const ports = parsePortRange(options.ports);
  if (ports === undefined) throw new Error(`--ports must be first-last, got '${options.ports}'`);
  if (ports.last >= limits.ephemeralPorts.first && ports.first <= limits.ephemeralPorts.last) {
    reporter.note(`warning: --ports ${options.ports} overlaps the ephemeral range: other processes' outgoing connects lose those ports meanwhile`);
  }
  const plan = planLoad({
    connections: options.connections,
    servers: options.servers,
    loaders: options.loaders,
    addresses: loopbackAddresses(options.addresses),
    limits,
    ports,
  });
  const open = new Array<number>(loaders.length).fill(0);
  const failed = new Array<number>(loaders.length).fill(0);
  loaders.forEach((loader, index) =>
    loader.on('progress', (message) => {
      open[index] = message.open;
      failed[index] = message.failed;
    }),
  );
  const started = performance.now();
  let lastOpen = 0;
  const ticker = setInterval(() => {
    const total = open.reduce((a, b) => a + b, 0);
    const seconds = (performance.now() - started) / 1000;
    reporter.note(`ramp ${seconds.toFixed(0)} s: ${total}/${options.connections} open (${Math.round((total - lastOpen) / 2)}/s), ${failed.reduce((a, b) => a + b, 0)} failed`);
    lastOpen = total;
  }, 2000);
  const done = loaders.map((loader) => loader.next('connected', 3_600_000));
  loaders.forEach((loader, index) =>
    loader.send({
      type: 'connect',
      targets: plan.loaders[index]!.map((slot) => ({ address: slot.address, port: servers[slot.server]!.port, count: slot.count })),
      ports: plan.ports[index]!,
      path: HUB_PATH,
      concurrency: options.concurrency,
      transport: options.transport === 'negotiate' ? 'negotiate' : 'direct',
      pingIntervalMs: options.pingIntervalMs,
    }),
  );
  const results = await Promise.all(done);
  clearInterval(ticker);
  const seconds = (performance.now() - started) / 1000;
  const failures: Record<string, number> = {};
  for (const result of results) for (const [reason, count] of Object.entries(result.failures)) failures[reason] = (failures[reason] ?? 0) + count;
  return {
    plan: { perLoader: plan.perLoader, perServer: plan.perServer, perAddress: plan.perAddress },
    open: results.reduce((sum, result) => sum + result.open, 0),
    failed: results.reduce((sum, result) => sum + result.failed, 0),
    failures,
    portsSkipped: results.reduce((sum, result) => sum + result.portsSkipped, 0),
    ports: options.ports,
    seconds,
    connectMs: results.flatMap((result) => result.connectMs),
  };
}

async function measureIdle(seconds: number, servers: readonly ServerProcess[], loaders: readonly LoadProcess[]): Promise<IdleCpu> {
  const before = { servers: await allStats(servers), loaders: await loaderCpu(loaders), machine: machineCpu(), at: performance.now() };
  await sleep(seconds * 1000);
  const after = { servers: await allStats(servers), loaders: await loaderCpu(loaders), machine: machineCpu(), at: performance.now() };
  const elapsedMicros = (after.at - before.at) * 1000;
  const share = (a: number, b: number): number => (b - a) / elapsedMicros;
  return {
    seconds: (after.at - before.at) / 1000,
    serverCores: after.servers.map((stats, index) => share(before.servers[index]!.cpuMicros, stats.cpuMicros)),
    loaderCores: after.loaders.map((cpu, index) => share(before.loaders[index]!.cpuMicros, cpu.cpuMicros)),
    machineBusyShare: busyShare(before.machine, after.machine),
    cores: cpus().length,
  };
}

async function broadcastOnce(
  id: number, expected: number, timeoutMs: number, official: OfficialClients, servers: readonly ServerProcess[], loaders: readonly LoadProcess[],
): Promise<BroadcastResult> {
  const received = new Array<number>(loaders.length).fill(0);
  const listeners = loaders.map((_, index) => (message: { type: string; count?: number }) => {
    if (message.type === 'received') received[index] = message.count ?? 0;
  });
  loaders.forEach((loader, index) => {
    loader.process.on('message', listeners[index]!);
    loader.send({ type: 'expect', id });
  });
  await sleep(500); // the 'expect' reaches every load process before the broadcast's first frame
  const cpuBefore = { servers: await allStats(servers, false), loaders: await loaderCpu(loaders), machine: machineCpu() };
  const started = performance.now();
  await official.broadcast(id);
  const invokedMs = performance.now() - started;
  while (received.reduce((a, b) => a + b, 0) < expected && performance.now() - started < timeoutMs) await sleep(10);
  loaders.forEach((loader, index) => loader.process.off('message', listeners[index]!));
  const cpuAfter = { servers: await allStats(servers, false), loaders: await loaderCpu(loaders), machine: machineCpu() };
  const cpuMicros = (before: readonly { cpuMicros: number }[], after: readonly { cpuMicros: number }[]): number =>
    after.reduce((sum, sample, index) => sum + sample.cpuMicros - before[index]!.cpuMicros, 0);
  const replies = await Promise.all(
    loaders.map(async (loader) => {
      const pending = loader.next('delays');
      loader.send({ type: 'delays' });
      return pending;
    }),
  );
  const own = official.receipts(id);
  return {
    id,
    invokedMs,
    expectedLight: expected,
    receivedLight: replies.reduce((sum, reply) => sum + reply.delaysMs.length, 0),
    expectedOfficial: official.count,
    receivedOfficial: own.delaysMs.length,
    duplicates: own.duplicates + replies.reduce((sum, reply) => sum + reply.duplicates, 0),
    dropped: replies.reduce((sum, reply) => sum + reply.dropped, 0),
    delaysMs: [...replies.flatMap((reply) => reply.delaysMs), ...own.delaysMs],
    serverCpuMicros: cpuMicros(cpuBefore.servers, cpuAfter.servers),
    loaderCpuMicros: cpuMicros(cpuBefore.loaders, cpuAfter.loaders),
    machineBusyShare: busyShare(cpuBefore.machine, cpuAfter.machine),
  };
}

export async function runC100k(options: C100kOptions, reporter: Reporter): Promise<C100kResults> {
  const log = (line: string): void => reporter.note(line);
  const prefix = `c100k-${randomUUID().slice(0, 8)}`;
  const servers: ServerProcess[] = [];
  const loaders: LoadProcess[] = [];
  let official: OfficialClients | undefined;
  try {
    reporter.step(`starting ${options.servers} servers on ${options.backplane}`);
    servers.push(...(await Promise.all(Array.from({ length: options.servers }, () => ServerProcess.start(options.backplane, prefix, options.backlog)))));
    await sleep(2000); // start-up garbage collected before the baseline
    const baseline = await allStats(servers);
    loaders.push(...Array.from({ length: options.loaders }, () => LoadProcess.start()));
    reporter.advance();
    reporter.step(`ramping ${options.connections} connections from ${options.loaders} load processes over ${options.addresses} source addresses`);
    const rampResult = await ramp(options, servers, loaders, reporter);
    log(`ramp: ${rampResult.open} open, ${rampResult.failed} failed in ${rampResult.seconds.toFixed(1)} s`);
    reporter.advance();
    reporter.step(`${options.official} official clients, memory`);
    official = await OfficialClients.connect(
      servers.map((server) => server.port),
      HUB_PATH,
      options.official,
    );
    await sleep(2000); // let connect-time garbage settle before sampling memory
    const loaded = await allStats(servers);
    log(`servers hold ${loaded.reduce((sum, stats) => sum + stats.connections, 0)} connections`);
    reporter.advance();
    reporter.step(`idle CPU for ${options.idleSeconds} s (keep-alive Pings both ways)`);
    const idle = await measureIdle(options.idleSeconds, servers, loaders);
    reporter.advance();
    const broadcasts: BroadcastResult[] = [];
    for (let id = 1; id <= options.broadcasts; id++) {
      reporter.step(`broadcast ${id} of ${options.broadcasts} to everyone`);
      const result = await broadcastOnce(id, rampResult.open, options.broadcastTimeoutMs, official, servers, loaders);
      broadcasts.push(result);
      log(`broadcast ${id}: ${result.receivedLight}/${result.expectedLight} light + ${result.receivedOfficial}/${result.expectedOfficial} official received`);
      reporter.advance();
      await sleep(1000);
    }
    const officialStillConnected = official.allConnected;
    const loaderMemory = await loaderCpu(loaders);

    reporter.step('teardown: closing every connection, then stopping every process');
    const teardownStarted = performance.now();
    await official.stop();
    official = undefined;
    const closed = await Promise.all(
      loaders.map(async (loader) => {
        const pending = loader.next('closed', 600_000);
        loader.send({ type: 'close', concurrency: options.closeConcurrency });
        const reply = await pending;
        loader.process.disconnect(); // its cue to exit
        return reply;
      }),
    );
    let afterClose = await allStats(servers);
    for (let waited = 0; waited < 30 && afterClose.some((stats) => stats.connections > 0); waited++) {
      await sleep(1000); // the servers' onDisconnected may trail the clients' close events
      afterClose = await allStats(servers);
    }
    const loaderExits = await Promise.all(loaders.map((loader) => loader.waitExit(30_000)));
    for (const server of servers) server.send({ type: 'stop' });
    const serverExits = await Promise.all(servers.map((server) => server.waitExit(60_000)));
    reporter.advance();
    return summarize({
      options,
      baseline,
      loaded,
      rampResult,
      idle,
      broadcasts,
      officialStillConnected,
      loaderRssBytes: loaderMemory.map((cpu) => cpu.rssBytes),
      teardown: {
        seconds: (performance.now() - teardownStarted) / 1000,
        closedClean: closed.reduce((sum, reply) => sum + reply.clean, 0),
        closedForced: closed.reduce((sum, reply) => sum + reply.forced, 0),
        serverConnectionsLeft: afterClose.reduce((sum, stats) => sum + stats.connections, 0),
        loaderExitCodes: loaderExits,
        serverExitCodes: serverExits,
      },
    });
  } finally {
    await official?.stop().catch(() => {});
    for (const child of [...loaders, ...servers]) if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  }
}

export const c100k: Scenario = {
  description: '100,000 live connections: server processes on one backplane, load processes over loopback source addresses, a broadcast to all',
  defaults: { ...c100kDefaults },
  quick: { connections: 2_000, servers: 2, loaders: 2, addresses: 2, official: 2, broadcasts: 1, idleSeconds: 5 },
  inAll: false,
  async run({ options, progress }) {
    const resolved = options as unknown as C100kOptions;
    progress.start(5 + resolved.broadcasts);
    const results = await runC100k(resolved, progress);
    return { results, report: formatC100k(results), headlines: c100kHeadlines(results, resolved.connections) };
  },
};
