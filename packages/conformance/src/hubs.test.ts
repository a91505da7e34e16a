import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as signalR from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import WebSocket from 'ws';
import { startConformanceServer, type ConformanceServer } from './index.js';

const { HttpTransportType } = signalR;

interface ConnectOptions {
  readonly path?: string;
  readonly transport?: signalR.HttpTransportType;
  readonly messagePack?: boolean;
  readonly accessTokenFactory?: () => Promise<string>;
}

describe('the conformance hubs, through the official client', () => {
  let server: ConformanceServer;
  const open: signalR.HubConnection[] = [];
  before(async () => {
    server = await startConformanceServer({ port: 0 });
  });
  after(async () => {
    await Promise.all(open.map((connection) => connection.stop()));
    await server.close();
  });

  async function connect(options: ConnectOptions = {}): Promise<signalR.HubConnection> {
    const builder = new signalR.HubConnectionBuilder()
      .withUrl(`${server.url}${options.path ?? '/testhub'}`, {
        transport: options.transport ?? HttpTransportType.WebSockets,
        ...(options.accessTokenFactory === undefined ? {} : { accessTokenFactory: options.accessTokenFactory }),
      })
      .configureLogging(signalR.LogLevel.None);
    if (options.messagePack === true) builder.withHubProtocol(new MessagePackHubProtocol());
    const connection = builder.build();
    open.push(connection);
    await connection.start();
    return connection;
  }

  test('SendComplexObject over JSON: base64 bytes, a DateTime without fraction, the Guid as a string', async () => {
    const connection = await connect();
    assert.deepEqual(await connection.invoke('SendComplexObject'), {
      ByteArray: 'AQID',
      DateTime: '2000-01-01T00:00:00Z',
      Guid: '00010203-0405-0607-0706-050403020100',
      IntArray: [1, 2, 3],
      String: 'hello world',
    });
  });

  test('SendComplexObject over MessagePack: bin bytes, a timestamp, the Guid as a string', async () => {
    const connection = await connect({ messagePack: true });
    const value = await connection.invoke<Record<string, unknown>>('SendComplexObject');
    assert.ok(value['ByteArray'] instanceof Uint8Array);
    assert.deepEqual([...value['ByteArray']], [1, 2, 3]);
    assert.ok(value['DateTime'] instanceof Date);
    assert.equal(value['DateTime'].toISOString(), '2000-01-01T00:00:00.000Z');
    assert.equal(value['Guid'], '00010203-0405-0607-0706-050403020100');
    assert.deepEqual(value['IntArray'], [1, 2, 3]);
    assert.equal(value['String'], 'hello world');
  });

  test('EchoComplexObject over MessagePack returns the bytes and the date unchanged', async () => {
    const connection = await connect({ messagePack: true, transport: HttpTransportType.LongPolling });
    const sent = {
      ByteArray: Uint8Array.of(0x68, 0x65, 0x6c, 0x6c, 0x6f),
      DateTime: new Date(Date.UTC(2002, 3, 1, 10, 20, 15)),
      Guid: '00010203-0405-0607-0706-050403020100',
      IntArray: [1, 2, 3, 255],
      String: 'Hello, World!',
    };
    assert.deepEqual(await connection.invoke('EchoComplexObject', sent), sent);
  });

  test('errors carry the .NET exception name, and mismatched invocation kinds are refused', async () => {
    const connection = await connect();
    await assert.rejects(connection.invoke('ThrowException', 'An error occurred.'), {
      message: "An unexpected error occurred invoking 'ThrowException' on the server. InvalidOperationException: An error occurred.",
    });
    await assert.rejects(connection.invoke('Stream'), {
      message: "The client attempted to invoke the streaming 'Stream' method with a non-streaming invocation.",
    });
    assert.equal(await connection.invoke('Echo', 'still alive'), 'still alive');
  });

  test('Stream yields a, b, c; InfiniteStream tells the caller StreamCanceled when cancelled', async () => {
    const connection = await connect({ transport: HttpTransportType.ServerSentEvents });
    const items = await new Promise<string[]>((resolve, reject) => {
      const received: string[] = [];
      connection.stream<string>('Stream').subscribe({
        next: (item) => received.push(item),
        complete: () => resolve(received),
        error: reject,
      });
    });
    assert.deepEqual(items, ['a', 'b', 'c']);

    const canceled = new Promise<void>((resolve) => connection.on('StreamCanceled', () => resolve()));
    const subscription = connection.stream<string>('InfiniteStream').subscribe({ next() {}, complete() {}, error() {} });
    subscription.dispose();
    await canceled;
  });

  test('StreamingConcat joins an upload stream', async () => {
    const connection = await connect({ messagePack: true });
    const subject = new signalR.Subject<string>();
    const result = connection.invoke<string>('StreamingConcat', subject);
    subject.next('Hello ');
    subject.next('world');
    subject.next('!');
    subject.complete();
    assert.equal(await result, 'Hello world!');
  });

  test('the connection request is visible: transport, header, cookies, numRedirects', async () => {
    const connection = await connect({ path: '/testhub?numRedirects=7', transport: HttpTransportType.LongPolling });
    assert.equal(await connection.invoke('GetActiveTransportName'), 'LongPolling');
    assert.equal(await connection.invoke('GetNumRedirects'), 7);
    assert.match(String(await connection.invoke('GetHeader', 'user-agent')), /^Microsoft SignalR\/10\.0 /);
    assert.equal(await connection.invoke('GetHeader', 'X-Not-Sent'), null);
    assert.equal(await connection.invoke('GetCookie', 'testCookie'), 'testValue');
    assert.equal(await connection.invoke('GetCookie', 'expiredCookie'), null);
    assert.equal(await connection.invoke('GetCallerConnectionId'), connection.connectionId);
  });

  test('/clientresult returns the client\'s result, or its error text', async () => {
    const connection = await connect({ transport: HttpTransportType.ServerSentEvents });
    connection.on('Result', () => 10);
    const ok = await fetch(`${server.url}/clientresult/${connection.connectionId}`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '10');

    connection.off('Result');
    connection.on('Result', () => {
      throw new Error('from callback');
    });
    const failed = await fetch(`${server.url}/clientresult/${connection.connectionId}`);
    assert.equal(failed.status, 200);
    assert.equal(await failed.text(), 'Error: from callback');
  });

  test('/authorizedhub works with a token from /generateJwtToken on Server-Sent Events (query token)', async () => {
    const connection = await connect({
      path: '/authorizedhub',
      transport: HttpTransportType.ServerSentEvents,
      accessTokenFactory: async () => (await fetch(`${server.url}/generateJwtToken`)).text(),
    });
    assert.equal(await connection.invoke('Echo', 'secret'), 'secret');
  });

  test('/echo echoes a raw WebSocket opened without negotiate, and closes cleanly with 1000', async () => {
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/echo`);
    const echoed = await new Promise<string>((resolve, reject) => {
      socket.once('open', () => socket.send('message'));
      socket.once('message', (data: Buffer, isBinary: boolean) => resolve(isBinary ? 'binary frame' : data.toString()));
      socket.once('error', reject);
    });
    assert.equal(echoed, 'message');
    const code = await new Promise<number>((resolve) => {
      socket.once('close', (closeCode) => resolve(closeCode));
      socket.close(1000);
    });
    assert.equal(code, 1000);
  });
});
