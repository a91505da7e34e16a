/**
 * Typed client contracts: a hub declared with the client's methods gets checked `send` calls. The
 * `@ts-expect-error` lines fail the build if the checks ever stop working.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, type InvocationMessage } from '@switchyard/protocol';
import { Hub } from './hub.js';
import { HubHarness, settle } from './test-support/hub-harness.js';
import { Switchyard } from './switchyard.js';

interface ChatClient {
  receive(user: string, text: string): void;
  count(n: number): void;
}

class TypedHub extends Hub<ChatClient> {
  async say(text: string): Promise<void> {
    await this.clients.all.send('receive', 'me', text);
    // @ts-expect-error: wrong argument type
    await this.clients.caller.send('count', 'one');
    // @ts-expect-error: not a client method
    await this.clients.others.send('nope');
  }
}

test('a typed hub sends through its contract', async () => {
  const hub = new HubHarness(TypedHub);
  try {
    const client = await hub.connect();
    await client.invoke('say', 'hi');
    await settle();
    const calls = client.ofType(MessageType.Invocation).map((m: InvocationMessage) => [m.target, ...m.arguments]);
    // Types only check at compile time: what was sent still goes out (`others` is nobody here).
    assert.deepEqual(calls, [['receive', 'me', 'hi'], ['count', 'one']]);
  } finally {
    await hub.close();
  }
});

test('hubContext keeps the contract of the hub class', async () => {
  const app = new Switchyard();
  app.mapHub('/typed', TypedHub);
  const context = app.hubContext(TypedHub);
  await context.clients.all.send('count', 1);
  // @ts-expect-error: wrong arity
  await context.clients.all.send('receive', 'only one');
  await app.close();
});
