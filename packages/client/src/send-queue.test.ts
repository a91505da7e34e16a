import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientErrorCode, isClientError } from './errors.js';
import { SendQueue } from './send-queue.js';

/** A transport send that records each batch and completes only when told to. */
function heldSend(): { send: (data: Uint8Array) => Promise<void>; batches: Uint8Array[]; release(error?: Error): void } {
  const batches: Uint8Array[] = [];
  const pending: Array<{ resolve(): void; reject(error: Error): void }> = [];
  return {
    batches,
    send: (data) => {
      batches.push(data);
      return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
    },
    release(error) {
      const next = pending.shift();
      if (error === undefined) next?.resolve();
      else next?.reject(error);
    },
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('sends made while one is in flight go out together, in order, each batch under 256 KiB', async () => {
  const transport = heldSend();
  const queue = new SendQueue(transport.send);
  const first = queue.send(Uint8Array.of(0));
  const chunk = 100 * 1024;
  const rest = [1, 2, 3, 4, 5].map((n) => queue.send(new Uint8Array(chunk).fill(n)));
  await settle();
  assert.equal(transport.batches.length, 1, 'the others wait for the first send');
  transport.release();
  await first;
  await settle();
  assert.equal(transport.batches[1]!.length, 2 * chunk, 'two 100 KiB payloads fit in a batch, three do not');
  transport.release();
  await settle();
  transport.release();
  await settle();
  transport.release();
  await Promise.all(rest);
  const bytes = transport.batches.slice(1).flatMap((batch) => [...new Set(batch)]);
  assert.deepEqual(bytes, [1, 2, 3, 4, 5], 'order kept across batches');
  assert.deepEqual(transport.batches.slice(1).map((b) => b.length), [2 * chunk, 2 * chunk, chunk]);
});

test('a failed batch fails its own sends only; stop() fails what is queued and later sends', async () => {
  const transport = heldSend();
  const queue = new SendQueue(transport.send);
  const first = queue.send(Uint8Array.of(1));
  const second = queue.send(Uint8Array.of(2));
  transport.release(new Error('POST failed'));
  await assert.rejects(first, /POST failed/);
  await settle();
  transport.release();
  await second;
  const held = queue.send(Uint8Array.of(3));
  const queued = queue.send(Uint8Array.of(4));
  queue.stop();
  await assert.rejects(queued, (error: unknown) => isClientError(error, ClientErrorCode.NotConnected));
  await assert.rejects(queue.send(Uint8Array.of(5)), (error: unknown) => isClientError(error, ClientErrorCode.NotConnected));
  transport.release();
  await held;
});
