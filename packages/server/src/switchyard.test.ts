import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonHubProtocol } from '@switchyard/protocol';
import { Hub } from './hub.js';
import { Switchyard } from './switchyard.js';

class ChatHub extends Hub {
  echo(value: unknown): unknown {
    return value;
  }
}

test('configuration errors are typed and early', async () => {
  assert.throws(() => new Switchyard({ protocols: [] }), { code: 'ERR_HUB_INVALID_OPTION' });
  assert.throws(() => new Switchyard({ protocols: [new JsonHubProtocol(), new JsonHubProtocol()] }), { code: 'ERR_HUB_INVALID_OPTION' });
  const app = new Switchyard();
  assert.throws(() => app.hubContext(ChatHub), { code: 'ERR_HUB_NOT_MAPPED' });
  assert.throws(() => app.mapHub('/chat', ChatHub, { authorization: { hub: true } }), { code: 'ERR_HUB_INVALID_OPTION', message: /authenticate/ });
  assert.throws(() => app.mapHub('/chat', ChatHub, { keepAliveIntervalMs: 0 }), { code: 'ERR_HUB_INVALID_OPTION' });
  assert.throws(() => app.mapHub('/chat', ChatHub, { maximumParallelInvocationsPerClient: 1.5 }), { code: 'ERR_HUB_INVALID_OPTION' });
  assert.throws(() => app.mapHub('/chat', ChatHub, { transports: [] }), { code: 'ERR_CONNECTION_INVALID_OPTION' });
  app.mapHub('/chat', ChatHub);
  assert.throws(() => app.mapHub('/CHAT', ChatHub), { code: 'ERR_CONNECTION_PATH_CONFLICT' });
  await app.close();
  assert.throws(() => app.mapHub('/later', ChatHub), { code: 'ERR_HUB_CLOSED' });
});

test('a hub class mapped at two paths shares one hub context', async () => {
  const app = new Switchyard();
  app.mapHub('/a', ChatHub).mapHub('/b', ChatHub, { enableDetailedErrors: true });
  assert.equal(app.hubContext(ChatHub), app.hubContext(ChatHub));
  await app.close();
});
