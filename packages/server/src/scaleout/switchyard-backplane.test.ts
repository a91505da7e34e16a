import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubErrorCode, isHubError } from '../errors.js';
import { Hub } from '../hub.js';
import { LocalHubLifetimeManager } from '../lifetime/local-hub-lifetime-manager.js';
import { Switchyard } from '../switchyard.js';
import { nextCall, officialClient, startApp, type TestApp } from '../test-support/e2e.js';
import { InMemoryBus } from './in-memory-backplane.js';

class ChatHub extends Hub {
  async sendToUser(user: string, text: string): Promise<void> {
    await this.clients.user(user).send('Receive', this.context.userId, text);
  }
  async joinGroup(group: string): Promise<void> {
    await this.groups.add(this.context.connectionId, group);
  }
  async sendToGroup(group: string, text: string): Promise<void> {
    await this.clients.group(group).send('Receive', this.context.userId, text);
  }
}

const byQuery = { userIdProvider: (connection: { request: { url: URL } }) => connection.request.url.searchParams.get('user') ?? undefined };

test('rejects backplane options that cannot work', () => {
  const backplane = new InMemoryBus().createBackplane();
  assert.throws(
    () => new Switchyard({ backplane, lifetimeManager: (context) => new LocalHubLifetimeManager({ heartbeat: context.heartbeat, clientResultTimeoutMs: null }) }),
    (error: unknown) => isHubError(error, HubErrorCode.InvalidOption),
  );
  assert.throws(() => new Switchyard({ backplane, backplaneAckTimeoutMs: 0 }), (error: unknown) => isHubError(error, HubErrorCode.InvalidOption));
  assert.equal(new Switchyard().backplaneStats, undefined);
});

test('Ahmet on server A reaches Mehmet on server B, by user and by group, with the official client', async () => {
  const bus = new InMemoryBus();
  const apps: TestApp[] = [];
  for (let i = 0; i < 2; i++) apps.push(await startApp((app) => app.mapHub('/chat', ChatHub, byQuery), { backplane: bus.createBackplane() }));
  const [a, b] = apps as [TestApp, TestApp];
  const ahmet = officialClient(`${a.baseUrl}/chat?user=ahmet`, 'WebSockets', 'messagepack');
  const mehmet = officialClient(`${b.baseUrl}/chat?user=mehmet`, 'LongPolling', 'json');
  try {
    await ahmet.start();
    await mehmet.start();
    const byUser = nextCall<string>();
    mehmet.on('Receive', byUser.callback);
    await mehmet.invoke('JoinGroup', 'friends'); // also proves onConnected (and its subscriptions) finished
    await ahmet.invoke('SendToUser', 'mehmet', 'merhaba');
    assert.deepEqual(await byUser.next, ['ahmet', 'merhaba']);
    mehmet.off('Receive');
    const byGroup = nextCall<string>();
    mehmet.on('Receive', byGroup.callback);
    await ahmet.invoke('SendToGroup', 'friends', 'nasılsın');
    assert.deepEqual(await byGroup.next, ['ahmet', 'nasılsın']);
    assert.ok(a.app.backplaneStats!.published >= 2);
    assert.equal(b.app.backplaneStats!.publishFailures, 0);
  } finally {
    await ahmet.stop();
    await mehmet.stop();
    await Promise.all(apps.map((app) => app.close()));
  }
});
