/**
 * Redis stopped and restarted under traffic, with two servers on a private redis-server (never the
 * machine's 6379). What a message sent meanwhile experiences is what the README's scale-out section
 * promises: local recipients get it, recipients on other servers lose it, nothing is replayed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HubConnection } from '@microsoft/signalr';
import { Hub, type Logger } from '@switchyard/server';
import { createRedisBackplane, type RedisBackplane } from './index.js';
import { connectOfficial, eventually, startApp, type RunningApp } from './test-support/app.js';
import { RedisServers } from './test-support/redis-servers.js';

class FaultHub extends Hub {
  whoAmI(): string {
    return this.context.connectionId;
  }
  async joinGroup(group: string): Promise<void> {
    await this.groups.add(this.context.connectionId, group);
  }
}

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (context: object | string, message?: string) => {
    lines.push(`${level}: ${message ?? (typeof context === 'string' ? context : '')}`);
  };
  return { logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }, lines };
}

/** The ticks a client received, in order. */
function collectTicks(connection: HubConnection): number[] {
  const ticks: number[] = [];
  connection.on('Tick', (n: number) => ticks.push(n));
  return ticks;
}

const servers = new RedisServers();
after(() => servers.stopAll());

test('servers survive Redis stopping and restarting under traffic, and resubscribe when it is back', async () => {
  const redis = await servers.start();
  const logs = [recordingLogger(), recordingLogger()];
  const backplanes: RedisBackplane[] = [];
  const apps: RunningApp[] = [];
  const clients: HubConnection[] = [];
  let ticking = true;
  let ticker: Promise<void> | undefined;
  try {
    for (const { logger } of logs) {
      // A short reconnect delay keeps the test quick; the default backs off up to 2 s.
      const backplane = await createRedisBackplane({ url: redis.url, logger, clientOptions: { socket: { reconnectStrategy: () => 100 } } });
      backplanes.push(backplane);
      apps.push(await startApp({ backplane, logger }, (app) => app.mapHub('/hub', FaultHub)));
    }
    const [a, b] = apps as [RunningApp, RunningApp];
    const connect = async (app: RunningApp): Promise<HubConnection> => {
      const connection = await connectOfficial(`${app.baseUrl}/hub`);
      clients.push(connection);
      await connection.invoke('WhoAmI'); // registered, subscriptions confirmed
      return connection;
    };
    const [onA, onB] = [await connect(a), await connect(b)];
    const [ticksA, ticksB] = [collectTicks(onA), collectTicks(onB)];

    // Traffic from server A to all, every 20 ms, for the whole test. A send must never reject.
    let sent = 0;
    const fromA = a.app.hubContext(FaultHub);
    ticker = (async () => {
      while (ticking) {
        await fromA.clients.all.send('Tick', ++sent);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await eventually(() => ticksB.length >= 3, 'server B receives server A’s ticks');

    await redis.stop();
    await eventually(() => (a.app.backplaneStats?.publishFailures ?? 0) >= 3, 'publishes fail while Redis is down');
    const lastBeforeRestartAtB = ticksB.at(-1)!;
    const seenAtA = ticksA.length;
    await eventually(() => ticksA.length >= seenAtA + 5, 'server A’s own client still gets every tick');
    assert.equal(await onA.invoke('WhoAmI'), onA.connectionId, 'hub methods are served');
    const late = await connect(b); // a new connection is served during the outage
    await late.invoke('JoinGroup', 'late'); // its subscription waits for Redis
    const [ticksLate, groupLate] = [collectTicks(late), [] as string[]];
    late.on('Group', (text: string) => groupLate.push(text));
    const failuresDuringOutage = a.app.backplaneStats!.publishFailures;

    await redis.start();
    await eventually(() => ticksB.some((n) => n > sent - 3) && ticksLate.length > 0, 'ticks reach server B again once Redis is back');
    await eventually(async () => {
      await fromA.clients.group('late').send('Group', 'hello');
      return groupLate.length > 0;
    }, 'a group joined during the outage receives once Redis is back');

    // What was sent while Redis was down reached A's client and never reached B, not even later.
    const missedAtB = ticksB.filter((n) => n > lastBeforeRestartAtB);
    const firstAfter = missedAtB[0]!;
    assert.ok(firstAfter - lastBeforeRestartAtB >= failuresDuringOutage, 'ticks published during the outage are lost, not replayed');
    assert.deepEqual(ticksA.slice(0, 50), Array.from({ length: Math.min(50, ticksA.length) }, (_, i) => i + 1), 'the local client missed nothing');

    const lines = logs[0]!.lines;
    assert.equal(lines.filter((line) => line.startsWith('error: backplane publish failed')).length, 1, lines.join('\n'));
    assert.equal(lines.filter((line) => line.startsWith('error: Redis connection lost')).length, 1, lines.join('\n'));
    assert.ok(lines.some((line) => /^info: backplane publishing recovered after \d+ failed/.test(line)), lines.join('\n'));
    assert.ok(lines.some((line) => line.startsWith('info: Redis connection restored')), lines.join('\n'));
  } finally {
    ticking = false;
    await ticker;
    await Promise.all(clients.map((client) => client.stop()));
    await Promise.all(apps.map((app) => app.close()));
    await Promise.all(backplanes.map((backplane) => backplane.close()));
  }
});
