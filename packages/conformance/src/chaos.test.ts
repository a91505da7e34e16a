/**
 * Chaos (issue 8): three servers in their own processes on a private redis-server (never the
 * machine's 6379), senders on each sending numbered messages to all, to a group and to each
 * receiver's user, receivers on each (official client, automatic and stateful reconnect). Then, under
 * that load: a receiver's socket is cut (stateful reconnect), server A is killed with SIGKILL, Redis
 * is stopped and started again, and A is restarted on its port. Every delivery is counted per sender
 * and receiver and judged against docs/guarantees.md: no duplicate, no reordering, and losses only
 * inside the outage windows the test recorded.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { RedisServers } from '@switchyard/redis/test-support/redis-servers';
import { formatCounts, judge, strangers, type Outage } from './test-support/chaos-ledger.js';
import { Receiver, Sender, startChaosServer, type Send } from './test-support/chaos-site.js';
import type { ServerProcess } from './test-support/server-processes.js';
import { FailoverProxy } from './test-support/failover-proxy.js';

const TARGETS = ['all', 'group', 'recv-a', 'recv-b', 'recv-c', 'recv-a2'];
const STEADY_MS = 1500;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await sleep(20);
  }
}

const redisServers = new RedisServers();
after(() => redisServers.stopAll());

test('chaos: a socket cut, a server killed, Redis restarted, the server restarted, all under load', { timeout: 120_000 }, async (t) => {
  const redis = await redisServers.start();
  const site = `chaos${randomUUID().slice(0, 8)}`;
  const servers: ServerProcess[] = [];
  const proxies: FailoverProxy[] = [];
  const receivers: Receiver[] = [];
  const senders: Sender[] = [];
  try {
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((name) => startChaosServer(name, redis.url, site)));
    servers.push(a!, b!, c!);
    // recv-a reaches A through a load balancer that fails over to B; recv-b goes through a proxy whose
    // connections the test cuts; recv-c speaks MessagePack.
    const toA = await FailoverProxy.start([a!.port, b!.port]);
    const toB = await FailoverProxy.start([b!.port]);
    proxies.push(toA, toB);
    const [recvA, recvB, recvC] = await Promise.all([
      Receiver.start('recv-a', toA.url, 'json'),
      Receiver.start('recv-b', toB.url, 'json'),
      Receiver.start('recv-c', c!.url, 'messagepack'),
    ]);
    receivers.push(recvA, recvB, recvC);
    senders.push(...(await Promise.all([Sender.start('send-a', a!.url, TARGETS), Sender.start('send-b', b!.url, TARGETS), Sender.start('send-c', c!.url, TARGETS)])));
    await sleep(STEADY_MS);
    const outages: Outage[] = [];

    // 1. recv-b's socket is cut: stateful reconnect resumes the same connection, nothing may be lost.
    const idBefore = recvB.connection.connectionId;
    toB.dropConnections();
    await sleep(STEADY_MS);
    assert.equal(recvB.connection.connectionId, idBefore, 'recv-b resumed its connection (stateful reconnect)');
    assert.deepEqual(recvB.drops, [], 'recv-b never saw a reconnect');

    // 2. A is killed: recv-a reconnects through B (a new connection), send-a dies with A.
    const idOnA = recvA.connection.connectionId;
    const routedBeforeKill = toA.routed.length;
    const killedAt = Date.now();
    await a!.kill();
    await eventually(() => recvA.drops.at(-1)?.rejoinedAt !== undefined, 'recv-a is back in its group through B');
    assert.ok(toA.routed.slice(routedBeforeKill).every((port) => port === b!.port), 'recv-a came back through B');
    assert.notEqual(recvA.connection.connectionId, idOnA, 'recv-a is a new connection on B');
    outages.push(
      { name: 'A killed (its receiver)', cutAt: killedAt, restoredAt: recvA.drops.at(-1)!.rejoinedAt!, affects: (_s, r) => r === 'recv-a' },
      { name: 'A killed (its sender)', cutAt: killedAt, restoredAt: Number.POSITIVE_INFINITY, affects: (s) => s === 'send-a' },
    );
    await sleep(STEADY_MS);

    // 3. Redis stops and starts again. Remote pairs (sender and receiver on different servers now)
    // may lose what is sent until the test sees each of them served again; local pairs lose nothing.
    const serverNow: Record<string, string> = { 'send-b': 'b', 'send-c': 'c', 'recv-a': 'b', 'recv-b': 'b', 'recv-c': 'c' };
    const remote = (s: string, r: string): boolean => serverNow[s] !== undefined && serverNow[r] !== undefined && serverNow[s] !== serverNow[r];
    const redisCutAt = Date.now();
    await redis.stop();
    const redisDownAt = Date.now();
    await sleep(2000);
    const redisUpAt = Date.now();
    await redis.start();
    const sendOf = (sender: string, n: number): Send | undefined => senders.find((s) => s.name === sender)?.sends[n - 1];
    const pairs = ['send-b', 'send-c'].flatMap((s) => receivers.map((r) => [s, r] as const)).filter(([s, r]) => remote(s, r.name));
    const servedAgain = ([s, r]: readonly [string, Receiver]): boolean => r.deliveries.some((d) => d.sender === s && (sendOf(s, d.n)?.startedAt ?? 0) >= redisUpAt);
    await eventually(() => pairs.every(servedAgain), 'every remote pair is served again after Redis restarted').catch((error: unknown) => {
      const waiting = pairs.filter((pair) => !servedAgain(pair)).map(([s, r]) => `${s} → ${r.name}`);
      const progress = senders.map((sender) => `${sender.name}: ${sender.sends.length} sent, last completed ${sender.sends.findLast((x) => x.completedAt !== undefined)?.n}`);
      const logs = servers.map((server) => `${server.name}:\n${server.output.join('')}`);
      throw new Error(`${(error as Error).message}; waiting: ${waiting.join(', ')}\n${progress.join('\n')}\n${logs.join('\n')}`);
    });
    const redisRestoredAt = Date.now();
    // Per pair, the window closes at the first message that reached the receiver after the restart:
    // from then on both servers are connected and subscribed, and nothing later may be lost.
    const firstAfterRestart = (sender: string, receiver: string): number | undefined =>
      receivers
        .find((r) => r.name === receiver)
        ?.deliveries.map((d) => (d.sender === sender ? sendOf(sender, d.n)?.startedAt : undefined))
        .find((startedAt) => startedAt !== undefined && startedAt >= redisUpAt);
    outages.push({ name: 'Redis restarted', cutAt: redisCutAt, restoredAt: redisRestoredAt, restoredFor: firstAfterRestart, affects: remote });
    await sleep(STEADY_MS);

    // 4. A comes back on its port with a new sender and a new receiver; everything is due again.
    const a2 = await startChaosServer('a2', redis.url, site, a!.port);
    servers.push(a2);
    receivers.push(await Receiver.start('recv-a2', a2.url, 'json'));
    senders.push(await Sender.start('send-a2', a2.url, TARGETS));
    await sleep(STEADY_MS * 1.5);

    // Stop sending, then let what was sent arrive (nothing is disrupted any more: all of it is due).
    await Promise.all(senders.map((sender) => sender.stop()));
    const sends = senders.flatMap((sender) => sender.sends);
    const receivedAll = (): boolean => judge(sends, receivers, outages).every((pair) => pair.lostOutside === 0);
    await eventually(receivedAll, 'the last messages arrive', 5000).catch(() => {});

    const counts = judge(sends, receivers, outages);
    t.diagnostic(`sent ${sends.length} messages (${sends.filter((s) => s.completedAt !== undefined).length} completed)`);
    for (const line of formatCounts(counts).split('\n')) t.diagnostic(line);
    for (const [s, r] of pairs) t.diagnostic(`Redis restarted: ${s} → ${r.name} served again by a message sent ${firstAfterRestart(s, r.name)! - redisUpAt} ms after Redis was started`);
    for (const outage of outages) t.diagnostic(`${outage.name}: ${outage.restoredAt === Number.POSITIVE_INFINITY ? 'never restored' : `restored after ${outage.restoredAt - outage.cutAt} ms`}`);

    assert.deepEqual(strangers(sends, receivers), [], 'only messages that were sent are delivered');
    const broken = counts.filter((pair) => pair.duplicated > 0 || pair.outOfOrder > 0 || pair.lostOutside > 0);
    assert.deepEqual(broken, [], `guarantees broken:\n${formatCounts(broken)}`);
    assert.ok(counts.every((pair) => pair.due === 0 || pair.delivered > 0), 'every receiver got messages from every sender');
    // Not replayed: what a server sent while Redis was down never reached a receiver on another server.
    const duringOutage = sends.filter((send) => send.startedAt > redisDownAt && send.completedAt !== undefined && send.completedAt < redisUpAt);
    assert.ok(duringOutage.length > 0, 'senders kept sending while Redis was down');
    for (const receiver of receivers) {
      const replayed = receiver.deliveries.filter((d) => remote(d.sender, receiver.name) && duringOutage.some((s) => s.sender === d.sender && s.n === d.n));
      assert.deepEqual(replayed, [], `${receiver.name} got messages published while Redis was down`);
    }
    // Local receivers lost nothing while Redis was down: their pairs have no Redis window, so any such
    // loss counts in lostOutside above.
  } finally {
    await Promise.all(senders.map((sender) => sender.stop().catch(() => {})));
    await Promise.all(receivers.map((receiver) => receiver.connection.stop()));
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await Promise.all(servers.map((server) => server.stop()));
  }
});
