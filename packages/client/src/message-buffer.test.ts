/**
 * The stateful-reconnect buffer against a recording double of the connection's send: numbering,
 * acks, backpressure, replay after a lost transport, inbound de-duplication and the Ack timer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonHubProtocol, MessageType, type HubMessage } from '@switchyard/protocol';
import { ClientErrorCode, isClientError, type ClientError } from './errors.js';
import { MessageBuffer } from './message-buffer.js';

const protocol = new JsonHubProtocol();

/** What went out, decoded; `fail` makes sends reject (transport down); `hold` makes them wait. */
class SendRecorder {
  readonly sent: HubMessage[] = [];
  fail = false;
  #held: Array<() => void> | undefined;

  readonly send = async (bytes: Uint8Array): Promise<void> => {
    if (this.fail) throw new Error('transport down');
    this.sent.push(...protocol.parseMessages(bytes).messages);
    if (this.#held !== undefined) await new Promise<void>((resolve) => this.#held!.push(resolve));
  };

  hold(): void {
    this.#held = [];
  }

  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const resume of held) resume();
  }

  /** Targets of the Invocations sent, in order. */
  targets(): string[] {
    return this.sent.flatMap((m) => (m.type === MessageType.Invocation ? [m.target] : []));
  }
}

function call(target: string): HubMessage {
  return { type: MessageType.Invocation, target, arguments: [] };
}

function setup(bufferBytes = 100_000): { buffer: MessageBuffer; wire: SendRecorder; sequenceErrors: ClientError[] } {
  const wire = new SendRecorder();
  const sequenceErrors: ClientError[] = [];
  const buffer = new MessageBuffer({ protocol, send: wire.send, bufferBytes, onSequenceError: (e) => sequenceErrors.push(e) });
  return { buffer, wire, sequenceErrors };
}

/** Lets pending promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('buffers tracked messages only, until acked', async () => {
  const { buffer, wire } = setup();
  await buffer.send(call('a'));
  await buffer.send({ type: MessageType.Ping });
  await buffer.send({ type: MessageType.Completion, invocationId: '1', result: 2 });
  assert.equal(wire.sent.length, 3);
  const sizes = [call('a'), { type: MessageType.Completion, invocationId: '1', result: 2 } as const].map((m) => protocol.writeMessage(m).length);
  assert.equal(buffer.bufferedBytes, sizes[0]! + sizes[1]!);
  buffer.ack({ type: MessageType.Ack, sequenceId: 1 });
  assert.equal(buffer.bufferedBytes, sizes[1]);
  buffer.ack({ type: MessageType.Ack, sequenceId: 2 });
  assert.equal(buffer.bufferedBytes, 0);
  buffer.dispose(new Error('done'));
});

test('the send that reaches the byte limit waits for acks; later acks release it', async () => {
  const size = protocol.writeMessage(call('x')).length;
  const { buffer } = setup(size * 3);
  await buffer.send(call('x'));
  await buffer.send(call('x'));
  let third = false;
  const pending = buffer.send(call('x')).then(() => (third = true));
  await settle();
  assert.equal(third, false, 'the third message fills the buffer: its send waits');
  buffer.ack({ type: MessageType.Ack, sequenceId: 1 });
  await pending;
  assert.equal(third, true);
  assert.equal(buffer.bufferedBytes, size * 2);
  buffer.dispose(new Error('done'));
});

test('dispose fails the sends that wait on backpressure', async () => {
  const size = protocol.writeMessage(call('x')).length;
  const { buffer } = setup(size);
  const pending = buffer.send(call('x'));
  buffer.dispose(new Error('connection gone'));
  await assert.rejects(pending, /connection gone/);
});

test('after a lost transport: nothing is sent until resume, which sends Sequence and replays in order', async () => {
  const { buffer, wire } = setup();
  await buffer.send(call('a'));
  await buffer.send(call('b'));
  buffer.ack({ type: MessageType.Ack, sequenceId: 1 });
  buffer.transportLost();
  await buffer.send(call('c'));
  await buffer.send({ type: MessageType.StreamItem, invocationId: '7', item: 'i' });
  assert.deepEqual(wire.targets(), ['a', 'b'], 'nothing goes out while the transport is down');
  wire.sent.length = 0;
  await buffer.resume();
  assert.deepEqual(wire.sent.map((m) => m.type), [MessageType.Sequence, MessageType.Invocation, MessageType.Invocation, MessageType.StreamItem]);
  assert.deepEqual(wire.sent[0], { type: MessageType.Sequence, sequenceId: 2 });
  assert.deepEqual(wire.targets(), ['b', 'c']);
  wire.sent.length = 0;
  await buffer.send(call('d'));
  assert.deepEqual(wire.targets(), ['d'], 'after the replay, sends go straight out again');
  buffer.dispose(new Error('done'));
});

test('messages sent and acks received during the replay neither get lost nor duplicated', async () => {
  const { buffer, wire } = setup();
  for (const target of ['a', 'b', 'c']) await buffer.send(call(target));
  buffer.transportLost();
  wire.sent.length = 0;
  wire.hold();
  const resuming = buffer.resume();
  await settle(); // the Sequence is on the wire; the replay waits for it
  void buffer.send(call('d'));
  buffer.ack({ type: MessageType.Ack, sequenceId: 2 }); // a and b acked before their replay
  for (let i = 0; i < 10; i++) {
    wire.release();
    wire.hold();
    await settle();
  }
  wire.release();
  await resuming;
  assert.deepEqual(wire.sent[0], { type: MessageType.Sequence, sequenceId: 1 });
  const replayed = wire.targets();
  // Only what is still unacknowledged, each once, in order, including the message sent meanwhile.
  assert.deepEqual(replayed, ['c', 'd']);
  buffer.dispose(new Error('done'));
});

test('an ack that arrives between two replayed messages skips what it covers', async () => {
  const { buffer, wire } = setup();
  for (const target of ['a', 'b', 'c']) await buffer.send(call(target));
  buffer.transportLost();
  wire.sent.length = 0;
  wire.hold();
  const resuming = buffer.resume();
  await settle();
  wire.release(); // the Sequence completes; `a` goes out and waits
  wire.hold();
  await settle();
  assert.deepEqual(wire.targets(), ['a']);
  buffer.ack({ type: MessageType.Ack, sequenceId: 2 });
  wire.release();
  await resuming;
  assert.deepEqual(wire.targets(), ['a', 'c']);
  buffer.dispose(new Error('done'));
});

test('resume with nothing buffered announces the next id', async () => {
  const { buffer, wire } = setup();
  await buffer.send(call('a'));
  buffer.ack({ type: MessageType.Ack, sequenceId: 1 });
  buffer.transportLost();
  wire.sent.length = 0;
  await buffer.resume();
  assert.deepEqual(wire.sent, [{ type: MessageType.Sequence, sequenceId: 2 }]);
  buffer.dispose(new Error('done'));
});

test('a failing send counts as a lost transport: the message waits for the replay', async () => {
  const { buffer, wire } = setup();
  wire.fail = true;
  await buffer.send(call('a')); // does not reject: the message is kept
  wire.fail = false;
  await buffer.send(call('b'));
  assert.deepEqual(wire.targets(), [], 'no sends until the resume');
  await buffer.resume();
  assert.deepEqual(wire.targets(), ['a', 'b']);
  buffer.dispose(new Error('done'));
});

test('inbound: counts tracked messages, waits for Sequence after a loss and drops duplicates', () => {
  const { buffer, sequenceErrors } = setup();
  const item = (n: number): HubMessage => ({ type: MessageType.StreamItem, invocationId: '1', item: n });
  assert.deepEqual([1, 2, 3].map((n) => buffer.shouldProcess(item(n))), [true, true, true]);
  assert.equal(buffer.shouldProcess({ type: MessageType.Ping }), true);
  buffer.transportLost();
  assert.equal(buffer.shouldProcess(item(99)), false, 'ignored until the Sequence');
  assert.equal(buffer.shouldProcess({ type: MessageType.Ping }), false);
  const sequence = { type: MessageType.Sequence, sequenceId: 2 } as const;
  assert.equal(buffer.shouldProcess(sequence), true);
  buffer.resetSequence(sequence);
  // The server replays 2 and 3 (already processed), then 4 is new.
  assert.deepEqual([2, 3, 4].map((n) => buffer.shouldProcess(item(n))), [false, false, true]);
  assert.deepEqual(sequenceErrors, []);
  buffer.dispose(new Error('done'));
});

test('a Sequence beyond what was received stops the connection', () => {
  const { buffer, sequenceErrors } = setup();
  buffer.shouldProcess(call('a'));
  buffer.resetSequence({ type: MessageType.Sequence, sequenceId: 5 });
  assert.equal(sequenceErrors.length, 1);
  assert.ok(isClientError(sequenceErrors[0], ClientErrorCode.SequenceMismatch));
  assert.equal(sequenceErrors[0]?.message, "Sequence ID greater than amount of messages we've received.");
  buffer.dispose(new Error('done'));
});

test('one Ack, one second after the first unacknowledged receipt, covers everything received', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { buffer, wire } = setup();
  for (let i = 0; i < 5; i++) buffer.shouldProcess(call(`m${i}`));
  t.mock.timers.tick(999);
  await settle();
  assert.deepEqual(wire.sent, []);
  t.mock.timers.tick(1);
  await settle();
  assert.deepEqual(wire.sent, [{ type: MessageType.Ack, sequenceId: 5 }]);
  buffer.shouldProcess(call('m5'));
  t.mock.timers.tick(1_000);
  await settle();
  assert.deepEqual(wire.sent.at(-1), { type: MessageType.Ack, sequenceId: 6 });
  buffer.shouldProcess(call('m6'));
  buffer.dispose(new Error('done'));
  t.mock.timers.tick(1_000);
  await settle();
  assert.equal(wire.sent.length, 2, 'a disposed buffer sends no more Acks');
});

test('acknowledges at once after 16 KiB arrived unacknowledged, so the sender never stalls', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { buffer, wire } = setup();
  buffer.shouldProcess(call('a'));
  buffer.received(10_000);
  await settle();
  assert.deepEqual(wire.sent, [], 'below the threshold: the timer will do');
  buffer.shouldProcess(call('b'));
  buffer.received(6_384);
  await settle();
  assert.deepEqual(wire.sent, [{ type: MessageType.Ack, sequenceId: 2 }]);
  buffer.received(20_000); // pings only: nothing new to acknowledge
  await settle();
  assert.equal(wire.sent.length, 1);
  t.mock.timers.tick(1_000);
  await settle();
  assert.equal(wire.sent.length, 1, 'the Ack cancelled the timer');
  buffer.dispose(new Error('done'));
});
