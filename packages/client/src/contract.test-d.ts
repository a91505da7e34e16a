/**
 * Type tests of the typed contract. This file is compiled with the package and never run: every
 * `@ts-expect-error` line must fail to type-check, or the build fails ("Unused '@ts-expect-error'
 * directive"), so misuse that stops being caught breaks `npm run build`.
 */
import type { HubContract } from '@switchyard/protocol';
import { HubConnection } from './hub-connection.js';
import { HubConnectionBuilder } from './hub-connection-builder.js';
import type { HubStream } from './stream-registry.js';

/** The contract as an application writes it: interfaces, shared by the server's hub and the client. */
interface ChatServer {
  send(text: string): void;
  history(count: number): string[];
  add(a: number, b: number): Promise<number>;
  ticker(symbol: string): AsyncIterable<number>;
  upload(lines: AsyncIterable<string>, tag: string): Promise<number>;
  nothing(): void;
}
interface ChatClient {
  receive(user: string, text: string): void;
  confirm(question: string): boolean;
}
interface Chat {
  server: ChatServer;
  client: ChatClient;
}

function expectType<T>(value: T): T {
  return value;
}

export async function typedCalls(connection: HubConnection<Chat>): Promise<void> {
  expectType<string[]>(await connection.invoke('history', 3));
  expectType<number>(await connection.invoke('add', 1, 2));
  expectType<void>(await connection.invoke('nothing'));
  await connection.send('send', 'hi');
  expectType<HubStream<number>>(connection.stream('ticker', 'MSFT'));
  for await (const price of connection.stream('ticker', 'MSFT')) expectType<number>(price);

  // @ts-expect-error: not a server method
  await connection.invoke('nope');
  // @ts-expect-error: wrong argument type
  await connection.invoke('history', '3');
  // @ts-expect-error: missing argument
  await connection.invoke('add', 1);
  // @ts-expect-error: too many arguments
  await connection.invoke('add', 1, 2, 3);
  // @ts-expect-error: the result is string[], not number
  expectType<number>(await connection.invoke('history', 1));
  // @ts-expect-error: send takes the same names and arguments as invoke
  await connection.send('send', 42);
  // @ts-expect-error: a streaming method is not invoked
  await connection.invoke('ticker', 'MSFT');
  // @ts-expect-error: only streaming methods stream
  connection.stream('history', 1);
  // @ts-expect-error: ticker streams numbers
  for await (const price of connection.stream('ticker', 'MSFT')) expectType<string>(price);
}

export async function typedUploads(connection: HubConnection<Chat>): Promise<void> {
  async function* lines(): AsyncGenerator<string> {
    yield await Promise.resolve('a');
  }
  async function* numbers(): AsyncGenerator<number> {
    yield await Promise.resolve(1);
  }
  expectType<number>(await connection.invoke('upload', lines(), 'tag'));
  // @ts-expect-error: the upload stream carries strings
  await connection.invoke('upload', numbers(), 'tag');
  // @ts-expect-error: an array is not a stream
  await connection.invoke('upload', ['a'], 'tag');
}

export function typedHandlers(connection: HubConnection<Chat>): void {
  const remove = connection.on('receive', (user, text) => {
    expectType<string>(user);
    expectType<string>(text);
  });
  remove();
  connection.on('confirm', (question) => question.length > 0);
  connection.on('confirm', async () => Promise.resolve(true));
  connection.off('confirm');

  // @ts-expect-error: not a client method
  connection.on('nope', () => undefined);
  // @ts-expect-error: the handler's parameters must match
  connection.on('receive', (user: number) => expectType<number>(user));
  // @ts-expect-error: confirm answers the server with a boolean
  connection.on('confirm', () => 'yes');
}

export async function untypedCalls(): Promise<void> {
  // Without a contract, every name and argument is accepted and results are unknown.
  const connection = new HubConnection({ url: 'https://example.com/hub' });
  expectType<unknown>(await connection.invoke('whatever', 1, 'two', { three: 3 }));
  for await (const item of connection.stream('anything')) expectType<unknown>(item);
  connection.on('any', (...args) => expectType<unknown[]>(args));
}

/** `HubContract` from @switchyard/protocol and type literals fit the same constraint as interfaces. */
interface Literal extends HubContract {
  server: { ping(): string };
  client: { pong(n: number): void };
}

export async function otherContractForms(): Promise<void> {
  const connection = new HubConnectionBuilder<Literal>().withUrl('https://example.com/hub').withAutomaticReconnect().build();
  expectType<string>(await connection.invoke('ping'));
  connection.on('pong', (n) => expectType<number>(n));
  // @ts-expect-error: ping takes no arguments
  await connection.invoke('ping', 1);
}
