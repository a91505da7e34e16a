/**
 * The client's half of stateful reconnect, end to end through HubConnection against scripted doubles
 * of fetch and the WebSocket: negotiate flag, version-2 handshake, one immediate re-attach to the same
 * URL without negotiate or handshake, Sequence + replay in both directions, duplicates dropped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType, type HubMessage, type InvocationMessage } from '@switchyard/protocol';
import { ClientErrorCode, isClientError } from './errors.js';
import { HubConnection, HubConnectionState } from './hub-connection.js';
import { createFakeServer, type FakeServer, type FakeSocket } from './test-support/fake-server.js';
import { nextCall } from './test-support/test-server.js';
import type { HubConnectionOptions } from './options.js';

const RS = '\u001e';
const isInvocation = (m: HubMessage): m is InvocationMessage => m.type === MessageType.Invocation;
const tick = (n: number): string => `{"type":1,"target":"tick","arguments":[${n}]}${RS}`;

async function connect(
  server: FakeServer,
  options: Partial<HubConnectionOptions> = {},
): Promise<{ connection: HubConnection; socket: FakeSocket; ticks: number[] }> {
  const connection = new HubConnection({ url: 'http://server.test/hub', transport: 'WebSockets', fetch: server.fetch, WebSocket: server.WebSocket, ...options });
  const ticks: number[] = [];
  connection.on('tick', (n: number) => void ticks.push(n));
  const starting = connection.start();
  const socket = await server.socket(0);
  socket.open();
  await socket.sentCount(1);
  socket.receive(`{}${RS}`);
  await starting;
  return { connection, socket, ticks };
}

test('negotiates stateful reconnect and shakes hands with version 2 (version 1 when not granted)', async () => {
  const granted = createFakeServer();
  const { connection, socket } = await connect(granted);
  assert.match(granted.negotiateUrls[0]!, /\/hub\/negotiate\?negotiateVersion=1&useStatefulReconnect=true$/);
  assert.equal(socket.url, 'ws://server.test/hub?id=token-1');
  assert.equal(socket.sent[0], `{"protocol":"json","version":2}${RS}`);
  await connection.stop();

  const refused = createFakeServer({ statefulReconnect: false });
  const plain = await connect(refused);
  assert.equal(plain.socket.sent[0], `{"protocol":"json","version":1}${RS}`);
  await plain.connection.stop();
});

test('a dropped socket is re-attached at once and both sides replay: nothing lost, nothing twice, order kept', async () => {
  const server = createFakeServer();
  const { connection, socket: first, ticks } = await connect(server);
  const events: string[] = [];
  connection.onReconnecting(() => events.push('reconnecting'));
  connection.onClose(() => events.push('close'));

  await connection.send('say', 'a');
  await connection.send('say', 'b');
  first.receive(tick(1) + tick(2));
  await first.sentMessages(isInvocation, 2);

  first.drop();
  const second = await server.socket(1);
  assert.equal(second.url, first.url, 'the same URL: the same logical connection');
  assert.equal(server.negotiateUrls.length, 1, 'no negotiate');
  assert.equal(connection.state, HubConnectionState.Connected);
  // Sent while the socket is down: buffered, and part of the replay.
  await connection.send('say', 'c');
  assert.equal(second.sent.length, 0);

  second.open();
  const replay = await second.sentMessages(isInvocation, 3);
  assert.ok(!second.sent.some((text) => text.includes('"protocol"')), 'no handshake on the resumed socket');
  assert.deepEqual(second.messages()[0], { type: MessageType.Sequence, sequenceId: 1 });
  assert.deepEqual(replay.map((m) => m.arguments[0]), ['a', 'b', 'c']);

  // The server replays from 2 (it saw our receipt of 1 through an Ack, say): 2 is a duplicate.
  second.receive(`{"type":9,"sequenceId":2}${RS}` + tick(2) + tick(3));
  second.receive(`{"type":8,"sequenceId":3}${RS}`); // the server got a, b and c
  await connection.send('say', 'd');
  assert.deepEqual(ticks, [1, 2, 3]);
  assert.deepEqual((await second.sentMessages(isInvocation, 4)).map((m) => m.arguments[0]), ['a', 'b', 'c', 'd']);

  // A second drop replays only what is still unacknowledged.
  second.drop();
  const third = await server.socket(2);
  third.open();
  const rest = await third.sentMessages(isInvocation);
  assert.deepEqual(third.messages()[0], { type: MessageType.Sequence, sequenceId: 4 });
  assert.deepEqual(rest.map((m) => m.arguments[0]), ['d']);
  third.receive(`{"type":9,"sequenceId":4}${RS}` + tick(4));
  assert.equal(await invokeEcho(connection, third), 'echoed');
  assert.deepEqual(ticks, [1, 2, 3, 4]);
  assert.deepEqual(events, []);
  await connection.stop();
  assert.deepEqual(events, ['close']);
});

test('messages from the resumed socket are ignored until the server sends Sequence', async () => {
  const server = createFakeServer();
  const { connection, socket: first, ticks } = await connect(server);
  first.receive(tick(1));
  first.drop();
  const second = await server.socket(1);
  second.open();
  second.receive(tick(99)); // before the Sequence: ignored
  second.receive(`{"type":9,"sequenceId":2}${RS}` + tick(2));
  await connection.send('flush');
  assert.deepEqual(ticks, [1, 2]);
  await connection.stop();
});

test('a server that resumes from a sequence we never received ends the connection', async () => {
  const server = createFakeServer();
  const { connection, socket: first } = await connect(server);
  const closed = nextCall<[Error | undefined]>();
  connection.onClose(closed.callback);
  first.receive(tick(1));
  first.drop();
  const second = await server.socket(1);
  second.open();
  second.receive(`{"type":9,"sequenceId":5}${RS}`);
  const [error] = await closed.next;
  assert.ok(isClientError(error, ClientErrorCode.SequenceMismatch));
});

test('when the re-attach fails the connection closes with the drop, and automatic reconnect takes over', async () => {
  const server = createFakeServer();
  const { connection, socket: first } = await connect(server, { reconnect: [0] });
  const reconnecting = nextCall<[Error]>();
  const reconnected = nextCall<[string | null]>();
  connection.onReconnecting(reconnecting.callback);
  connection.onReconnected(reconnected.callback);
  const pending = connection.invoke('slow');
  first.drop();
  const second = await server.socket(1);
  second.drop(); // refused: the server forgot the connection
  const [reason] = await reconnecting.next;
  assert.ok(isClientError(reason, ClientErrorCode.TransportClosed));
  assert.equal(reason.message, 'WebSocket closed with status code: 1006 (no reason given).');
  await assert.rejects(pending, (error: unknown) => isClientError(error, ClientErrorCode.ConnectionClosed));

  // The full reconnect: a new negotiate, a new connection and a new handshake.
  const third = await server.socket(2);
  assert.equal(third.url, 'ws://server.test/hub?id=token-2');
  third.open();
  await third.sentCount(1);
  assert.equal(third.sent[0], `{"protocol":"json","version":2}${RS}`);
  third.receive(`{}${RS}`);
  assert.deepEqual(await reconnected.next, ['connection-2']);
  await connection.stop();
});

test('stop() while the socket is being re-attached closes at once, without a reason', async () => {
  const server = createFakeServer();
  const { connection, socket: first } = await connect(server, { reconnect: [0] });
  const closed = nextCall<[Error | undefined]>();
  connection.onClose(closed.callback);
  first.drop();
  await server.socket(1); // re-attaching: never opened
  await connection.stop();
  assert.deepEqual(await closed.next, [undefined]);
  assert.equal(connection.state, HubConnectionState.Disconnected);
  assert.equal(server.sockets.length, 2, 'no reconnect after stop()');
});

test('malformed data from the server is fatal: no re-attach, and the messages before it still count', async () => {
  const server = createFakeServer();
  const { connection, socket, ticks } = await connect(server);
  const closed = nextCall<[Error | undefined]>();
  connection.onClose(closed.callback);
  socket.receive(tick(1) + `{"type":1}${RS}`); // an Invocation without a target
  const [error] = await closed.next;
  assert.equal((error as { code?: unknown } | undefined)?.code, 'ERR_PROTOCOL_INVALID_MESSAGE');
  assert.deepEqual(ticks, [1]);
  assert.equal(server.sockets.length, 1, 'no re-attach');
});

test('the send that fills the buffer waits for the server to acknowledge', async () => {
  const server = createFakeServer();
  const { connection, socket } = await connect(server, { statefulReconnectBufferBytes: 200 });
  const payload = 'x'.repeat(150);
  await connection.send('say', payload); // 190 bytes buffered
  let second = false;
  const sending = connection.send('say', payload).then(() => (second = true));
  await socket.sentMessages(isInvocation, 2);
  assert.equal(second, false);
  socket.receive(`{"type":8,"sequenceId":1}${RS}`);
  await sending;
  await connection.stop();
});

/** Completes an invocation from the scripted server, proving the resumed socket carries calls both ways. */
async function invokeEcho(connection: HubConnection, socket: FakeSocket): Promise<unknown> {
  const result = connection.invoke('echo');
  const [call] = await socket.sentMessages((m): m is InvocationMessage => isInvocation(m) && m.target === 'echo');
  socket.receive(`{"type":3,"invocationId":"${call!.invocationId}","result":"echoed"}${RS}`);
  return result;
}
