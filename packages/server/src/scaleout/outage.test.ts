import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, type InvocationMessage } from '@switchyard/protocol';
import { HubErrorCode, isHubError } from '../errors.js';
import { Hub } from '../hub.js';
import type { Logger } from '../logger.js';
import { HubHarness } from '../test-support/hub-harness.js';
import type { TestClient } from '../test-support/test-client.js';
import { InMemoryBus } from './in-memory-backplane.js';
import { ScaledHubLifetimeManager } from './scaled-hub-lifetime-manager.js';
import { ScaleoutMonitor } from './scaleout-monitor.js';

class OutageHub extends Hub {
  whoAmI(): string {
    return this.context.connectionId;
  }
}

function recordingLogger(): { logger: Logger; lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  const record = (level: string) => (context: object | string, message?: string) => lines.push([level, message ?? (typeof context === 'string' ? context : JSON.stringify(context))]);
  return { logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }, lines };
}

async function connect(harness: HubHarness): Promise<TestClient> {
  const client = await harness.connect();
  await client.invoke('whoAmI');
  return client;
}

const texts = (client: TestClient): unknown[] =>
  client.ofType(MessageType.Invocation).filter((m: InvocationMessage) => m.target === 'Receive').map((m: InvocationMessage) => m.arguments[0]);

test('during a broker outage local delivery goes on, remote delivery is lost and counted, requests fail fast', async () => {
  const bus = new InMemoryBus();
  const { logger, lines } = recordingLogger();
  const monitor = new ScaleoutMonitor(logger);
  const start = (): HubHarness => {
    const backplane = bus.createBackplane();
    return new HubHarness(OutageHub, {
      createManager: (heartbeat, protocols) => new ScaledHubLifetimeManager({ backplane, hubName: 'OutageHub', protocols, heartbeat, monitor }),
    });
  };
  const [a, b] = [start(), start()];
  try {
    const [a1, b1] = [await connect(a), await connect(b)];
    const fromA = a.context();

    bus.online = false;
    await fromA.clients.all.send('Receive', 'during 1'); // resolves: a send never fails for the backplane
    await fromA.clients.all.send('Receive', 'during 2');
    await a1.waitFor((m) => m.type === MessageType.Invocation && m.arguments[0] === 'during 2');
    assert.deepEqual(texts(a1), ['during 1', 'during 2']);
    assert.equal(monitor.stats.publishFailures, 2);
    assert.deepEqual(lines.filter(([level]) => level === 'error').length, 1, 'one error line per outage, not one per message');

    await assert.rejects(fromA.groups.add(b1.connectionId, 'g'), (error: unknown) => isHubError(error, HubErrorCode.BackplaneUnavailable));
    await assert.rejects(fromA.clients.client(b1.connectionId).invoke('Answer'), (error: unknown) => {
      assert.ok(isHubError(error, HubErrorCode.BackplaneUnavailable));
      assert.match(error.message, new RegExp(`connection '${b1.connectionId}'`));
      return true;
    });
    const late = await connect(b); // new connections are served while the broker is away

    bus.online = true;
    await fromA.clients.all.send('Receive', 'after');
    await b1.waitFor((m) => m.type === MessageType.Invocation && m.arguments[0] === 'after');
    await late.waitFor((m) => m.type === MessageType.Invocation && m.arguments[0] === 'after');
    assert.deepEqual(texts(b1), ['after'], 'what was published during the outage is lost, not replayed');
    assert.ok(lines.some(([level, text]) => level === 'info' && /recovered after 4 failed/.test(text)), JSON.stringify(lines));
  } finally {
    await a.close();
    await b.close();
  }
});

test('drops unreadable payloads, counting and logging them', async () => {
  const bus = new InMemoryBus();
  const { logger, lines } = recordingLogger();
  const monitor = new ScaleoutMonitor(logger);
  const backplane = bus.createBackplane();
  const harness = new HubHarness(OutageHub, {
    createManager: (heartbeat, protocols) => new ScaledHubLifetimeManager({ backplane, hubName: 'OutageHub', protocols, heartbeat, monitor }),
  });
  try {
    const client = await connect(harness);
    const intruder = bus.createBackplane();
    await intruder.publish({ kind: 'all', hub: 'OutageHub' }, Uint8Array.of(0xc1));
    await intruder.publish({ kind: 'groupCommands', hub: 'OutageHub' }, Uint8Array.of(0x90));
    await harness.context().clients.all.send('Receive', 'fine');
    await client.waitFor((m) => m.type === MessageType.Invocation && m.arguments[0] === 'fine');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(monitor.stats.invalidPayloads, 2);
    assert.equal(lines.filter(([level, text]) => level === 'warn' && /unreadable/.test(text)).length, 2);
  } finally {
    await harness.close();
  }
});
