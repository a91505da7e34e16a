/**
 * Well-formed messages the hub cannot honour, on every transport × protocol: unknown methods, wrong
 * argument counts and types, and stream messages for ids the server does not know. As on .NET, none
 * of them closes the connection: a blocking invocation gets an error Completion with .NET's text, a
 * non-blocking one and stray stream messages get nothing, and the offender's next invocation works.
 *
 * Argument types: JavaScript has no parameter types to bind to, so there is no "binding failure" for a
 * mistyped argument (packages/server/README.md, "Not (yet) supported"). The method receives what the
 * protocol decoded (JSON: plain values; MessagePack: also `Uint8Array`, `Date`); a hub that cares
 * validates and throws, and the caller reads the usual "An unexpected error occurred invoking …" text
 * (with the message for a `HubException`).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Bystanders } from '../test-support/bystanders.js';
import { officialClient, startApp, transportMatrix, type TestApp } from '../test-support/e2e.js';
import { RawHubClient, invocation } from '../test-support/raw-hub-client.js';
import { HubException } from '../errors.js';
import { E2EHub } from './e2e-hub.js';

class ArgumentsHub extends E2EHub {
  /** What the method received, as JavaScript sees it. */
  kindOf(value: unknown): string {
    if (value === null) return 'null';
    return typeof value === 'object' ? (value.constructor?.name ?? 'Object') : typeof value;
  }
  add(a: unknown, b: unknown): number {
    if (typeof a !== 'number' || typeof b !== 'number') throw new HubException('add expects two numbers.');
    return a + b;
  }
}

describe('invocations the hub cannot honour, end to end', () => {
  let server: TestApp;
  let bystanders: Bystanders;
  before(async () => {
    server = await startApp((app) => {
      app.mapHub('/hub', ArgumentsHub);
      app.mapHub('/detailed', ArgumentsHub, { enableDetailedErrors: true });
    });
    bystanders = await Bystanders.start(`${server.baseUrl}/hub`);
  });
  after(async () => {
    await bystanders.stop();
    await server.close();
  });

  for (const [transport, protocol] of transportMatrix) {
    test(`${transport} + ${protocol}: unknown methods and wrong argument counts get .NET's error Completions`, async () => {
      const client = await RawHubClient.open(`${server.baseUrl}/hub`, transport, protocol);
      const detailed = await RawHubClient.open(`${server.baseUrl}/detailed`, transport, protocol);
      try {
        await Promise.all([client.handshake(), detailed.handshake()]);
        // Non-blocking: never answered, not even with an error.
        await client.send(invocation(protocol, undefined, 'nope', []), invocation(protocol, undefined, 'echo', [1, 2]));
        const [unknown] = await Promise.all([client.invoke('1', 'nope', 1), bystanders.assertServing('during')]);
        assert.deepEqual(unknown, { type: 3, invocationId: '1', error: "Unknown hub method 'nope'" });
        assert.deepEqual(await client.invoke('2', 'echo', 'a', 'b'), {
          type: 3,
          invocationId: '2',
          error: "Failed to invoke 'echo' due to an error on the server.",
        });
        assert.deepEqual(await detailed.invoke('1', 'echo'), {
          type: 3,
          invocationId: '1',
          error: "Failed to invoke 'echo' due to an error on the server. InvalidDataException: Invocation provides 0 argument(s) but target expects 1.",
        });
        assert.deepEqual(await client.invoke('3', 'ECHO', 'still here'), { type: 3, invocationId: '3', result: 'still here' });
        // Exactly one answer per blocking invocation, nothing for the rest.
        assert.deepEqual(client.output.messages.map((m) => m['invocationId']), ['1', '2', '3']);
        await bystanders.assertServing('after');
      } finally {
        await Promise.all([client.connection.close(), detailed.connection.close()]);
      }
    });

    test(`${transport} + ${protocol}: stream messages for unknown ids, and unknown message types, are ignored`, async () => {
      const client = await RawHubClient.open(`${server.baseUrl}/hub`, transport, protocol);
      try {
        await client.handshake();
        const json = protocol === 'json';
        const streamItem = (id: string, item: unknown): unknown => (json ? { type: 2, invocationId: id, item } : [2, {}, id, item]);
        const completion = (id: string, error?: string): unknown =>
          json ? { type: 3, invocationId: id, ...(error === undefined ? {} : { error }) } : error === undefined ? [3, {}, id, 2] : [3, {}, id, 1, error];
        const cancel = (id: string): unknown => (json ? { type: 5, invocationId: id } : [5, {}, id]);
        // Items, completions (as upload ends or client results) and cancels nobody is waiting for, and a
        // message type from the future (receivers skip unknown types).
        const unknownType = json ? { type: 99, invocationId: 'ghost' } : [99, {}, 'ghost'];
        await client.send(streamItem('ghost', 'boo'), completion('ghost'), completion('ghost-2', 'failed'), cancel('ghost-3'), unknownType);
        assert.deepEqual(await client.invoke('1', 'echo', 'unharmed'), { type: 3, invocationId: '1', result: 'unharmed' });

        // An upload: items for another id do not leak into it; items after its end are dropped.
        await client.send(invocation(protocol, '2', 'streamingConcat', [], ['s1']));
        await client.send(streamItem('s1', 'a'), streamItem('other', 'X'), streamItem('s1', 'b'), completion('s1'), streamItem('s1', 'late'));
        assert.deepEqual(await client.completion('2'), { type: 3, invocationId: '2', result: 'ab' });
        await client.send(completion('s1'), cancel('2'));
        assert.deepEqual(await client.invoke('3', 'echo', 'still unharmed'), { type: 3, invocationId: '3', result: 'still unharmed' });
        assert.deepEqual(client.output.messages.map((m) => m['invocationId']), ['1', '2', '3']);
        await bystanders.assertServing('after');
      } finally {
        await client.connection.close();
      }
    });

    test(`${transport} + ${protocol}: mistyped arguments reach the method as sent; a validating method answers with its error`, async () => {
      const connection = officialClient(`${server.baseUrl}/hub`, transport, protocol);
      await connection.start();
      try {
        assert.equal(await connection.invoke('kindOf', '5'), 'string');
        assert.equal(await connection.invoke('kindOf', 5), 'number');
        assert.equal(await connection.invoke('kindOf', null), 'null');
        assert.equal(await connection.invoke('kindOf', [5]), 'Array');
        if (protocol === 'messagepack') {
          assert.equal(await connection.invoke('kindOf', new Uint8Array([1, 2])), 'Uint8Array');
          assert.equal(await connection.invoke('kindOf', new Date(0)), 'Date');
        }
        assert.equal(await connection.invoke('add', 1, 2), 3);
        await assert.rejects(connection.invoke('add', 1, 'two'), {
          message: "An unexpected error occurred invoking 'add' on the server. HubException: add expects two numbers.",
        });
        assert.equal(await connection.invoke('echo', 'connection intact'), 'connection intact');
      } finally {
        await connection.stop();
      }
    });
  }
});
